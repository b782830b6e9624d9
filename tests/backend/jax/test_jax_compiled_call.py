"""Under JAX an eager call of a built Functional/Sequential model runs as one compiled program
(lamina/backend/jax/eager_model.py) and a symbolic layer call is shape-inferred with
jax.eval_shape: results must equal the op-by-op call's (outputs, BatchNormalization statistics,
seeded dropout masks, output masks, stateful RNN states, losses), a model that cannot be traced runs
op by op and remembers it, Embedding ids are still checked on the host, and a layer setting changed
between calls (``rate``, ``activation``, ``trainable``, ``epsilon``, a flag) is seen as the
op-by-op call (Keras 3's eager JAX call) sees it. ``predict()`` and the train step keep their
compiled functions until ``compile()``, as Keras 3's JAX trainer does.

The op-by-op twin of a model is the same model, same weights, with the compiled call switched off.
These run in the JAX leg of CI (``LAMINA_BACKEND=jax``), in process; under torch they are skipped
(there is no compiled eager call to check)."""

import numpy as np
import pytest

import lamina
from lamina import layers, ops

pytestmark = pytest.mark.skipif(lamina.backend.backend() != "jax",
                                reason="checks the JAX backend's compiled eager model call")


@pytest.fixture(scope="module")
def compiles():
    """A function returning the number of XLA compiles so far in this process."""
    from tests.backend.jax._compiles import count

    return count


def _twin(model, make):
    from lamina.backend.jax import eager_model

    other = make()
    other.set_weights(model.get_weights())
    eager_model.mark_off(other)
    return other


def _np(a):
    return ops.convert_to_numpy(a).astype("float64")


def _diff(a, b):
    return float(np.abs(_np(a) - _np(b)).max())


def _compiled(model):
    return "_jit_call_cache" in model.__dict__ and not model.__dict__.get("_jit_call_off")


def _rng():
    return np.random.default_rng(0)


def test_batchnorm_dropout_and_noise_match_the_op_by_op_call(compiles):
    def make():
        inp = lamina.Input((6,))
        h = layers.Dense(8)(inp)
        h = layers.BatchNormalization()(h)
        h = layers.Dropout(0.5, seed=3)(h)
        h = layers.GaussianNoise(0.1, seed=4)(h)
        return lamina.Model(inp, layers.Dense(2)(h))

    m = make()
    e = _twin(m, make)
    x = _rng().normal(size=(4, 6)).astype("float32")
    assert max(_diff(m(x, training=True), e(x, training=True)) for _ in range(3)) < 1e-5
    assert max(_diff(a, b) for a, b in zip(m.non_trainable_variables, e.non_trainable_variables)) < 1e-5
    assert _diff(m(x), e(x)) < 1e-5
    assert _compiled(m)
    n0 = compiles()
    m(x, training=True)
    m(x)
    assert compiles() == n0


def test_output_masks_and_embedding_ids():
    def make():
        inp = lamina.Input((5,), dtype="int32")
        h = layers.Embedding(10, 4, mask_zero=True)(inp)
        return lamina.Model(inp, layers.LSTM(3, return_sequences=True)(h))

    m = make()
    e = _twin(m, make)
    ids = np.array([[1, 2, 0, 0, 0], [3, 4, 5, 6, 0]], dtype="int32")
    a, b = m(ids), e(ids)
    assert _compiled(m) and _diff(a, b) < 1e-5
    want = [[True, True, False, False, False], [True, True, True, True, False]]
    assert ops.convert_to_numpy(a._keras_mask).tolist() == ops.convert_to_numpy(b._keras_mask).tolist() == want
    with pytest.raises(ValueError, match="Embedding") as err:
        m(np.array([[1, 2, 11, 0, 0]], dtype="int32"))
    assert "11" in str(err.value)


def test_stateful_rnn_states_and_activity_regularizer_losses():
    def make():
        return lamina.Sequential([layers.Input((3, 2), batch_size=2), layers.SimpleRNN(4, stateful=True),
                                  layers.Dense(1, activity_regularizer="l2")])

    m = make()
    e = _twin(m, make)
    xs = _rng().normal(size=(2, 3, 2)).astype("float32")
    assert max(_diff(m(xs), e(xs)) for _ in range(2)) < 1e-5
    assert _diff(m.layers[0].states[0], e.layers[0].states[0]) < 1e-5
    m(xs)
    lm = m.losses  # the losses of the last outermost call
    e(xs)
    le = e.losses
    assert len(lm) == len(le) == 1 and _diff(lm[0], le[0]) < 1e-5


def test_a_value_dependent_layer_runs_op_by_op_and_is_remembered():
    class Positives(layers.Layer):
        def call(self, x):
            return x[ops.convert_to_numpy(x)[:, 0] > 0]

        def compute_output_shape(self, s):
            return (None,) + tuple(s[1:])

    inp = lamina.Input((3,))
    m = lamina.Model(inp, Positives()(layers.Dense(3, kernel_initializer="identity")(inp)))
    xv = np.array([[1., 2., 3.], [-1., 0., 0.], [2., 1., 1.]], "float32")
    assert ops.convert_to_numpy(m(xv)).tolist() == [[1.0, 2.0, 3.0], [2.0, 1.0, 1.0]]
    assert m.__dict__.get("_jit_call_off")


def test_a_symbolic_build_compiles_nothing(compiles):
    """Shape inference runs with jax.eval_shape and weights start from host values (NumPy draws,
    host-filled zeros and ones): building a MobileNetV3Small-like block with new widths compiles
    no program."""
    def build(c):
        inp = lamina.Input((8, 8, 3))
        h = layers.Conv2D(c, 3, padding="same")(inp)
        h = layers.BatchNormalization()(h)
        h = h * ops.relu6(h + 3.0) / 6.0
        h = layers.DepthwiseConv2D(3)(h)
        h = layers.LayerNormalization()(h)
        h = layers.GlobalAveragePooling2D()(h)
        lamina.Model(inp, layers.Dense(c + 1)(h))
        return h

    build(4)  # the global seed state's first draw compiles once per process
    n0 = compiles()
    h = build(37)
    assert compiles() == n0
    assert list(h.shape) == [None, 37]


# ---------------------------------------------------------------- settings changed between calls
def _dropout_rate(model):
    model.get_layer("drop").rate = 0.9


def _activation(model):
    model.get_layer("out").activation = lamina.activations.get("tanh")


def _bn_trainable(model):
    model.get_layer("bn").trainable = False  # BatchNormalization then runs in inference mode


def _epsilon(model):
    model.get_layer("ln").epsilon = 10.0


def _relu_flag(model):
    model.get_layer("relu").max_value = 0.1


CHANGES = {"dropout_rate": _dropout_rate, "activation": _activation, "bn_trainable": _bn_trainable,
           "epsilon": _epsilon, "relu_max_value": _relu_flag}


def _settings_model():
    inp = lamina.Input((6,))
    h = layers.Dense(8, name="hidden")(inp)
    h = layers.BatchNormalization(name="bn")(h)
    h = layers.ReLU(name="relu")(h)
    h = layers.LayerNormalization(name="ln")(h)
    h = layers.Dropout(0.25, seed=7, name="drop")(h)
    return lamina.Model(inp, layers.Dense(3, name="out")(h))


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_a_setting_changed_after_the_first_call_is_seen(change):
    m = _settings_model()
    e = _twin(m, _settings_model)
    x = _rng().normal(size=(5, 6)).astype("float32") * 3
    before = m(x, training=True)
    assert _compiled(m) and _diff(before, e(x, training=True)) < 1e-5
    CHANGES[change](m)
    CHANGES[change](e)
    after, expected = m(x, training=True), e(x, training=True)
    assert _diff(after, expected) < 1e-5
    assert _diff(after, before) > 1e-3  # the change matters: a stale program would fail above
    assert _compiled(m)
    assert max(_diff(a, b) for a, b in zip(m.non_trainable_variables, e.non_trainable_variables)) < 1e-5


def test_attributes_set_inside_a_call_keep_the_compiled_program(compiles):
    """What a layer records on itself while it is called (traced or not) is not a setting change:
    repeated calls run the first trace's program."""
    class Recorder(layers.Layer):
        def call(self, x):
            self.last_batch = x.shape[0]
            return x * 2.0

    Recorder.__module__ = "lamina.layers.recorder"  # run compiled, as a lamina layer would
    inp = lamina.Input((3,))
    rec = Recorder()
    m = lamina.Model(inp, layers.Dense(2)(rec(inp)))
    x = np.ones((4, 3), "float32")
    m(x)
    entries = m.__dict__["_jit_call_cache"][-1]
    n0 = compiles()
    for _ in range(3):
        m(x)
    assert compiles() == n0 and m.__dict__["_jit_call_cache"][-1] is entries and rec.last_batch == 4
    rec.scale = 3.0  # set from outside, between calls: the next call traces again
    m(x)
    assert m.__dict__["_jit_call_cache"][-1] is not entries


def test_a_layer_added_to_a_sequential_after_a_call_is_seen():
    m = lamina.Sequential([lamina.Input((4,)), layers.Dense(3)])
    x = _rng().normal(size=(2, 4)).astype("float32")
    first = _np(m(x))
    m.add(layers.Activation("sigmoid"))  # no weights: the variable list is unchanged
    np.testing.assert_allclose(_np(m(x)), 1 / (1 + np.exp(-first)), rtol=1e-5, atol=1e-6)


def test_predict_and_the_train_step_keep_their_program_until_compile():
    """Keras 3's JAX trainer keeps predict_function / train_function until compile() (or
    make_*_function(force=True)): a Python setting changed after the first predict or fit is
    not seen by them until then, while an eager call sees it at once. lamina matches that."""
    m = lamina.Sequential([lamina.Input((4,)), layers.Dense(3, name="out")])
    x = _rng().normal(size=(6, 4)).astype("float32")
    first = m.predict(x, verbose=0)
    m.get_layer("out").activation = lamina.activations.get("relu")
    np.testing.assert_allclose(m.predict(x, verbose=0), first, rtol=1e-6)  # the cached program
    np.testing.assert_allclose(_np(m(x)), np.maximum(first, 0), rtol=1e-5, atol=1e-6)  # eager sees it
    m.compile("sgd", "mse")
    np.testing.assert_allclose(m.predict(x, verbose=0), np.maximum(first, 0), rtol=1e-5, atol=1e-6)

    m2 = lamina.Sequential([lamina.Input((4,)), layers.Dense(1, kernel_initializer="ones", use_bias=False,
                                                              name="out")])
    m2.compile("sgd", "mse")
    y = np.zeros((6, 1), "float32")

    def sgd_step(activation):  # one SGD(0.01) step on mean((f(x @ w) - 0) ** 2), from the weights now
        w0 = m2.get_weights()[0].copy()
        m2.fit(x, y, batch_size=len(x), epochs=1, shuffle=False, verbose=0)
        z = x @ w0
        f, df = (np.tanh(z), 1 - np.tanh(z) ** 2) if activation == "tanh" else (z, np.ones_like(z))
        np.testing.assert_allclose(m2.get_weights()[0] - w0, -0.01 * 2 * x.T @ (f * df) / len(x),
                                   rtol=1e-4, atol=1e-6)

    sgd_step("linear")
    m2.get_layer("out").activation = lamina.activations.get("tanh")
    sgd_step("linear")  # the train step compiled before the change
    m2.compile("sgd", "mse")
    sgd_step("tanh")


STALENESS = """
import json, sys, numpy as np
if sys.argv[1] == "keras":
    import keras
else:
    import lamina as keras
from {pkg} import layers
x = np.random.default_rng(0).normal(size=(5, 4)).astype("float32")
m = keras.Sequential([keras.Input((4,)), layers.Dense(3, name="out")])
first = np.asarray(m.predict(x, verbose=0))
m.get_layer("out").activation = keras.activations.get("relu")
out = {{"predict_kept": bool(np.allclose(m.predict(x, verbose=0), first)),
        "eager_sees": bool(np.allclose(np.asarray(m(x)), np.maximum(first, 0), atol=1e-6))}}
m.compile("sgd", "mse")
out["compile_sees"] = bool(np.allclose(m.predict(x, verbose=0), np.maximum(first, 0), atol=1e-6))
m2 = keras.Sequential([keras.Input((4,)), layers.Dense(1, kernel_initializer="ones", use_bias=False, name="o")])
m2.compile("sgd", "mse")
y = np.zeros((5, 1), "float32")
m2.fit(x, y, epochs=1, batch_size=5, verbose=0)
m2.get_layer("o").activation = keras.activations.get("tanh")
w0 = np.asarray(m2.get_weights()[0]).copy()
m2.fit(x, y, epochs=1, batch_size=5, verbose=0, shuffle=False)
z = x @ w0
linear = w0 - 0.01 * 2 * x.T @ z / len(x)
tanh = w0 - 0.01 * 2 * x.T @ (np.tanh(z) * (1 - np.tanh(z) ** 2)) / len(x)
w1 = np.asarray(m2.get_weights()[0])
out["train_step"] = "kept" if np.allclose(w1, linear, atol=1e-6) else "sees" if np.allclose(w1, tanh, atol=1e-6) else "?"
print(json.dumps(out))
"""


@pytest.mark.slow
def test_settings_staleness_matches_keras3_on_jax():
    """The same program under Keras 3 (KERAS_BACKEND=jax) and lamina: which compiled functions
    see an activation changed after their first use."""
    import json
    import os
    import pathlib
    import subprocess
    import sys

    import importlib.util

    if importlib.util.find_spec("keras") is None:
        pytest.skip("Keras 3 is not installed")
    root = pathlib.Path(__file__).resolve().parents[3]
    results = {}
    for who, pkg in (("keras", "keras"), ("lamina", "lamina")):
        env = dict(os.environ, KERAS_BACKEND="jax", LAMINA_BACKEND="jax", PYTHONPATH=str(root),
                   OMP_NUM_THREADS="1", JAX_PLATFORMS="cpu")
        proc = subprocess.run([sys.executable, "-c", STALENESS.format(pkg=pkg), who], env=env,
                              capture_output=True, text=True, timeout=600, cwd=str(root))
        assert proc.returncode == 0, proc.stderr[-3000:]
        results[who] = json.loads(proc.stdout.strip().splitlines()[-1])
    assert results["lamina"] == results["keras"]
    assert results["keras"] == {"predict_kept": True, "eager_sees": True, "compile_sees": True, "train_step": "kept"}
