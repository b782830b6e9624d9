"""Under JAX an eager call of a built Functional/Sequential model runs as one compiled program
(lamina/backend/jax/eager_model.py) and a symbolic layer call is shape-inferred with
jax.eval_shape: results must equal the op-by-op call's (outputs, BatchNormalization statistics,
seeded dropout masks, global seed state, output masks, stateful RNN states, losses), a model that
cannot be traced runs op by op and remembers it, and Embedding ids are still checked on the host.
Run in a subprocess with LAMINA_BACKEND=jax; the op-by-op twin is the same model with the
compiled call switched off."""

import textwrap

import pytest

pytest.importorskip("jax")

from tests.backend.jax._subprocess import run  # noqa: E402

CODE = textwrap.dedent("""
    import json, numpy as np, jax
    import lamina
    from lamina import layers, ops
    from lamina.backend.jax import eager_model
    compiles = []
    jax.monitoring.register_event_duration_secs_listener(
        lambda name, secs, **kw: compiles.append(name) if name == "/jax/core/compile/backend_compile_duration" else None)
    rng = np.random.default_rng(0)
    out = {}

    def twin(model, make):
        other = make()
        other.set_weights(model.get_weights())
        eager_model.mark_off(other)
        return other

    def diff(a, b):
        return float(np.abs(ops.convert_to_numpy(a).astype("float64") - ops.convert_to_numpy(b)).max())

    # 1. BatchNormalization + seeded Dropout + GaussianNoise, training=True: outputs, statistics, seed states
    def make1():
        inp = lamina.Input((6,))
        h = layers.Dense(8)(inp)
        h = layers.BatchNormalization()(h)
        h = layers.Dropout(0.5, seed=3)(h)
        h = layers.GaussianNoise(0.1, seed=4)(h)
        return lamina.Model(inp, layers.Dense(2)(h))
    m = make1()
    e = twin(m, make1)
    x = rng.normal(size=(4, 6)).astype("float32")
    out["bn_out"] = [diff(m(x, training=True), e(x, training=True)) for _ in range(3)]
    out["bn_vars"] = max(diff(a, b) for a, b in zip(m.non_trainable_variables, e.non_trainable_variables))
    out["bn_infer"] = diff(m(x), e(x))
    out["compiled"] = "_jit_call_cache" in m.__dict__ and not m.__dict__.get("_jit_call_off")
    n0 = len(compiles)
    m(x, training=True)
    m(x)
    out["recompiles"] = len(compiles) - n0

    # 2. masks: Embedding(mask_zero) -> LSTM keeps the mask on the output; Embedding ids are checked
    def make2():
        inp = lamina.Input((5,), dtype="int32")
        h = layers.Embedding(10, 4, mask_zero=True)(inp)
        return lamina.Model(inp, layers.LSTM(3, return_sequences=True)(h))
    m = make2()
    e = twin(m, make2)
    ids = np.array([[1, 2, 0, 0, 0], [3, 4, 5, 6, 0]], dtype="int32")
    a, b = m(ids), e(ids)
    out["mask_out"] = diff(a, b)
    out["mask"] = [ops.convert_to_numpy(a._keras_mask).tolist(), ops.convert_to_numpy(b._keras_mask).tolist()]
    try:
        m(np.array([[1, 2, 11, 0, 0]], dtype="int32"))
        out["bad_ids"] = "no error"
    except ValueError as err:
        out["bad_ids"] = str(err)

    # 3. a stateful RNN's states are written back; an activity regularizer's loss is model.losses
    def make3():
        return lamina.Sequential([layers.Input((3, 2), batch_size=2), layers.SimpleRNN(4, stateful=True),
                                  layers.Dense(1, activity_regularizer="l2")])
    m = make3()
    e = twin(m, make3)
    xs = rng.normal(size=(2, 3, 2)).astype("float32")
    out["stateful"] = [diff(m(xs), e(xs)) for _ in range(2)]
    out["states"] = diff(m.layers[0].states[0], e.layers[0].states[0])
    m(xs)
    lm = m.losses  # the losses of the last outermost call
    e(xs)
    le = e.losses
    out["losses"] = [len(lm), len(le), diff(lm[0], le[0])]

    # 4. a layer whose output shape depends on values: runs op by op, remembered
    class Positives(layers.Layer):
        def call(self, x):
            return x[ops.convert_to_numpy(x)[:, 0] > 0]
        def compute_output_shape(self, s):
            return (None,) + tuple(s[1:])
    inp = lamina.Input((3,))
    m = lamina.Model(inp, Positives()(layers.Dense(3, kernel_initializer="identity")(inp)))
    xv = np.array([[1., 2., 3.], [-1., 0., 0.], [2., 1., 1.]], "float32")
    out["fallback"] = ops.convert_to_numpy(m(xv)).tolist()
    out["fallback_off"] = bool(m.__dict__.get("_jit_call_off"))

    # 5. a symbolic build compiles nothing for shape inference (MobileNetV3Small-like block)
    n0 = len(compiles)
    inp = lamina.Input((8, 8, 3))
    h = layers.Conv2D(4, 3, padding="same")(inp)
    h = h * ops.relu6(h + 3.0) / 6.0
    h = layers.DepthwiseConv2D(3)(h)
    h = layers.GlobalAveragePooling2D()(h)
    lamina.Model(inp, layers.Dense(2)(h))
    out["build_compiles"] = len(compiles) - n0
    out["spec"] = list(h.shape)
    print(json.dumps(out))
""")


def test_compiled_model_call_matches_the_op_by_op_call():
    out = run("jax", CODE)
    assert max(out["bn_out"]) < 1e-5 and out["bn_vars"] < 1e-5 and out["bn_infer"] < 1e-5
    assert out["compiled"] and out["recompiles"] == 0
    assert out["mask_out"] < 1e-5 and out["mask"][0] == out["mask"][1]
    assert out["mask"][0] == [[True, True, False, False, False], [True, True, True, True, False]]
    assert "Embedding" in out["bad_ids"] and "11" in out["bad_ids"]
    assert max(out["stateful"]) < 1e-5 and out["states"] < 1e-5
    assert out["losses"][0] == out["losses"][1] == 1 and out["losses"][2] < 1e-5
    assert out["fallback"] == [[1.0, 2.0, 3.0], [2.0, 1.0, 1.0]] and out["fallback_off"]
    assert out["build_compiles"] <= 8  # weight initial values only, no per-op shape inference
    assert out["spec"] == [None, 4]
