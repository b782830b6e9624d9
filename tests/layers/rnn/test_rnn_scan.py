"""Under the JAX backend a traced RNN call runs its time loop as one ``lax.scan``
(lamina/backend/jax/ops/rnn.py). Runs in-process under ``LAMINA_BACKEND=jax``; the default
(torch) run executes this file in a JAX subprocess (tests/backend/jax/test_rnn_scan_across_backends.py).
The scan is compared with NumPy, with the unrolled Python loop and (slow tier) with torch."""

import numpy as np
import pytest

import lamina
from lamina import layers, ops

pytestmark = pytest.mark.skipif(lamina.backend.backend() != "jax", reason="the lax.scan path is JAX's")

if lamina.backend.backend() == "jax":
    import jax
    import jax.numpy as jnp


def _mask(batch=5, steps=7):
    m = np.ones((batch, steps), bool)
    m[0, :2] = False          # left padding
    m[1, 4:] = False          # right padding
    m[2, [1, 3]] = False      # holes
    m[3] = False              # fully padded
    return m


def _jitted(layer, **kw):
    def f(tv, ntv, x, mask=None):
        return layer.stateless_call(tv, ntv, x, mask=mask, **kw)
    return jax.jit(f)


def _values(layer):
    return [v.value for v in layer.trainable_variables], [v.value for v in layer.non_trainable_variables]


@pytest.mark.parametrize("go_backwards", [False, True])
@pytest.mark.parametrize("zero_output", [False, True])
def test_lstm_scan_matches_numpy_for_any_mask(rng, h, go_backwards, zero_output):
    layer = layers.RNN(layers.LSTMCell(4), return_sequences=True, return_state=True,
                       go_backwards=go_backwards, zero_output_for_mask=zero_output)
    x = rng.normal(size=(5, 7, 3)).astype("float32")
    layer(x)
    layer.set_weights(h.random_weights(layer, rng))
    k, rk, b = layer.get_weights()
    mask = _mask()
    (seq, hh, cc), _ = _jitted(layer)(*_values(layer), x, mask)
    want, (wh, wc) = h.run(lambda xt, s: h.lstm_step(xt, s, k, rk, b), x,
                           [np.zeros((5, 4))] * 2, mask, go_backwards, zero_output)
    h.close([seq, hh, cc], [want, wh, wc])


@pytest.mark.parametrize("cls", ["LSTM", "GRU", "SimpleRNN"])
def test_the_compiled_program_is_one_scan_whose_size_does_not_grow_with_time(cls):
    layer = getattr(layers, cls)(4, return_sequences=True)
    layer(np.zeros((2, 3, 3), "float32"))
    tv, ntv = _values(layer)

    def size(steps, **kw):
        x, m = jnp.zeros((2, steps, 3)), jnp.ones((2, steps), bool)
        return jax.make_jaxpr(lambda tv, x, m: layer.stateless_call(tv, ntv, x, mask=m, **kw))(tv, x, m)

    small, large = size(5), size(50)
    assert "scan" in {e.primitive.name for e in large.jaxpr.eqns}
    assert len(large.jaxpr.eqns) == len(small.jaxpr.eqns)
    layer.unroll = True
    unrolled = size(5)
    assert "scan" not in {e.primitive.name for e in unrolled.jaxpr.eqns}
    assert len(unrolled.jaxpr.eqns) > len(small.jaxpr.eqns)


@pytest.mark.parametrize("cls", ["LSTM", "GRU", "SimpleRNN"])
def test_scan_and_unrolled_loop_give_the_same_outputs_and_gradients(rng, h, cls):
    scan = getattr(layers, cls)(4, return_sequences=True, go_backwards=True)
    x = rng.normal(size=(5, 7, 3)).astype("float32")
    scan(x)
    scan.set_weights(h.random_weights(scan, rng))
    mask = jnp.asarray(_mask())

    def grads(layer):
        def loss(tv, x):
            y, _ = layer.stateless_call(tv, [], x, mask=mask)
            return jnp.sum(jnp.sin(y))
        return jax.jit(jax.value_and_grad(loss, argnums=(0, 1)))([v.value for v in layer.trainable_variables], x)

    got = grads(scan)
    scan.unroll = True
    want = grads(scan)
    h.close(jax.tree_util.tree_leaves(got), jax.tree_util.tree_leaves(want), atol=1e-5)


def test_stateful_states_come_back_from_the_stateless_call(rng, h):
    layer = layers.LSTM(3, stateful=True)
    x = rng.normal(size=(2, 6, 3)).astype("float32")
    layer(x)
    layer.reset_states()
    tv, ntv = _values(layer)
    f = _jitted(layer)
    y1, ntv = f(tv, ntv, x[:, :3])
    y2, ntv = f(tv, ntv, x[:, 3:])
    whole, _ = f(tv, _values(layer)[1], x)   # the layer's own states are still zeros
    h.close(y2, whole)
    h.close(ntv[0], whole)   # h is the last output


def test_fit_trains_a_masked_lstm_through_the_scan(rng):
    ids = rng.integers(1, 20, size=(32, 9))
    ids[::3, 6:] = 0
    y = (ids[:, 0] > 10).astype("int32")
    model = lamina.Sequential([lamina.Input((9,), dtype="int32"), layers.Embedding(20, 8, mask_zero=True),
                               layers.Bidirectional(layers.LSTM(8)), layers.Dense(2, activation="softmax")])
    model.compile(optimizer=lamina.optimizers.Adam(0.05), loss="sparse_categorical_crossentropy")
    hist = model.fit(ids, y, batch_size=16, epochs=8, verbose=0)
    assert hist.history["loss"][-1] < 0.5 * hist.history["loss"][0]


class _NoisyCell(layers.Layer):
    """Adds a fresh random draw at every step (global seed: threaded through the scan)."""

    state_size = 2

    def call(self, inputs, states):
        out = states[0] + lamina.random.uniform(ops.shape(states[0]))
        return out, [out]


def test_a_cell_drawing_random_numbers_gets_new_numbers_at_every_step():
    layer = layers.RNN(_NoisyCell(), return_sequences=True)
    x = np.zeros((2, 6, 1), "float32")
    layer(x)
    y, _ = _jitted(layer)([], [], x)
    steps = np.diff(np.asarray(y), axis=1)
    assert len({round(float(v), 6) for v in steps.ravel()}) == steps.size   # all draws differ
    assert np.all((steps >= 0) & (steps < 1))


class _SeededNoisyCell(layers.Layer):
    """Draws from its own SeedGenerator (a Variable assigned at every step): not scannable, so
    the layer unrolls its loop."""

    state_size = 2

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.seed_generator = lamina.random.SeedGenerator(7)

    def call(self, inputs, states):
        out = states[0] + lamina.random.uniform(ops.shape(states[0]), seed=self.seed_generator)
        return out, [out]


def test_a_cell_that_assigns_state_falls_back_to_the_python_loop():
    layer = layers.RNN(_SeededNoisyCell(), return_sequences=True)
    x = np.zeros((2, 4, 1), "float32")
    layer(x)
    tv, ntv = _values(layer)
    y, new_ntv = _jitted(layer)(tv, ntv, x)
    steps = np.diff(np.asarray(y), axis=1)
    assert len({round(float(v), 6) for v in steps.ravel()}) == steps.size
    assert int(new_ntv[0][1]) - int(ntv[0][1]) == 4   # one draw per step, each recorded


def test_recurrent_dropout_mask_is_the_same_at_every_step_under_jit():
    layer = layers.SimpleRNN(3, recurrent_dropout=0.5, activation=None, use_bias=False,
                             recurrent_initializer="identity", kernel_initializer="zeros",
                             return_sequences=True)
    x = np.zeros((2, 5, 1), "float32")
    init = np.ones((2, 3), "float32")
    layer(x)
    f = jax.jit(lambda tv, x, s: layer.stateless_call(tv, [], x, initial_state=[s], training=True)[0])
    y = np.asarray(f([v.value for v in layer.trainable_variables], x, init))
    # h_t = h_{t-1} * m with one fixed mask m in {0, 2}: each unit is m^(t+1) (a new mask per step would mix)
    first = y[:, 0]
    assert set(np.unique(first)) <= {0.0, 2.0}
    np.testing.assert_allclose(y, first[:, None, :] ** np.arange(1, 6)[None, :, None], rtol=1e-6)


class _BadCell(layers.Layer):
    state_size = 3

    def call(self, inputs, states):
        return inputs, [inputs]   # state of the input's width (2), not state_size (3)


def test_a_cell_returning_misshaped_states_is_a_lamina_error():
    layer = layers.RNN(_BadCell(), name="bad_rnn")
    x = jnp.zeros((2, 4, 2))
    with pytest.raises(ValueError, match=r"Layer 'bad_rnn': the cell's step returned states of shapes \[\(2, 2\)\]"):
        jax.jit(lambda x: layer(x))(x)


def test_stateful_predict_and_evaluate_carry_the_states_between_batches(rng, h):
    x = rng.normal(size=(4, 5, 3)).astype("float32")
    model = lamina.Sequential([lamina.Input((5, 3), batch_size=2), layers.LSTM(3, stateful=True)])
    lstm = model.layers[0]
    model.compile(optimizer="sgd", loss="mse")
    got = model.predict(x, batch_size=2, verbose=0)
    after_predict = lstm.states[1].numpy()
    lstm.reset_states()
    want = np.concatenate([ops.convert_to_numpy(model(x[:2])), ops.convert_to_numpy(model(x[2:]))])
    h.close(got, want)
    h.close(after_predict, lstm.states[1].numpy())
    lstm.reset_states()
    model.evaluate(x, np.zeros((4, 3)), batch_size=2, verbose=0)
    h.close(lstm.states[1].numpy(), after_predict)
