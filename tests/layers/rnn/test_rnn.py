"""The generic RNN: custom and stacked cells, initial/stateful states, masks, dropout semantics."""

import numpy as np
import pytest

import lamina
from lamina import ops
from tests.layers.neutral import layer_grad, to_np

L = lamina.layers


def _x(rng, shape=(3, 6, 5)):
    return rng.standard_normal(shape).astype("float32")


class MinimalCell(L.Layer):
    """A user-written cell (Keras docs example): h' = x @ W + h @ U."""

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.state_size = units

    def build(self, input_shape):
        self.kernel = self.add_weight(shape=(input_shape[-1], self.units), name="kernel")
        self.recurrent_kernel = self.add_weight(shape=(self.units, self.units), name="recurrent_kernel")

    def call(self, inputs, states):
        out = lamina.ops.matmul(inputs, self.kernel) + lamina.ops.matmul(states[0], self.recurrent_kernel)
        return out, [out]


def test_custom_cell_matches_numpy(rng, h):
    x = _x(rng)
    layer = L.RNN(MinimalCell(4), return_sequences=True, return_state=True)
    seq, state = layer(x)
    k, u = layer.get_weights()
    def step(xt, s):
        out = xt @ k + s[0] @ u
        return out, [out]

    ref, (ref_h,) = h.run(step, x, [np.zeros((3, 4))])
    h.close(h.to_numpy([seq, state]), [ref, ref_h])
    assert [w.name for w in layer.weights] == ["kernel", "recurrent_kernel"]


@pytest.mark.parametrize("cell", ["LSTMCell", "GRUCell", "SimpleRNNCell"])
def test_rnn_of_builtin_cell_matches_keras(keras, rng, h, cell):
    a, b = h.keras_pair(keras, L.RNN(getattr(L, cell)(4), return_sequences=True, return_state=True),
                        keras.layers.RNN(getattr(keras.layers, cell)(4), return_sequences=True,
                                         return_state=True), _x(rng), rng)
    h.close(a, b)


def test_stacked_cells_match_keras(keras, rng, h):
    lam = L.RNN([L.LSTMCell(4), L.GRUCell(3), L.SimpleRNNCell(2)], return_sequences=True,
                return_state=True)
    ker = keras.layers.RNN([keras.layers.LSTMCell(4), keras.layers.GRUCell(3),
                            keras.layers.SimpleRNNCell(2)], return_sequences=True, return_state=True)
    a, b = h.keras_pair(keras, lam, ker, _x(rng), rng)
    # Keras returns single-state cells' states as 1-lists here (its compute_output_shape does
    # not); lamina returns them as tensors, as the shapes say.
    h.close([a[0], a[1][0], a[1][1], a[2], a[3]], [b[0], b[1][0], b[1][1], b[2][0], b[3][0]])
    assert lam.compute_output_shape((3, 6, 5)) == [(3, 6, 2), [(3, 4), (3, 4)], (3, 3), (3, 2)]


def test_initial_state_matches_keras(keras, rng, h):
    x = _x(rng)
    init = [rng.standard_normal((3, 4)).astype("float32") for _ in range(2)]
    lam, ker = L.LSTM(4, return_sequences=True), keras.layers.LSTM(4, return_sequences=True)
    lam(x), ker(x)
    w = h.random_weights(lam, rng)
    lam.set_weights(w), ker.set_weights(w)
    h.close(h.to_numpy(lam(x, initial_state=init)), h.to_numpy(ker(x, initial_state=init)))


def test_initial_state_wrong_count_is_a_clear_error(rng):
    with pytest.raises(ValueError, match=r"'my_lstm'.*2 state\(s\).*initial_state has 1"):
        L.LSTM(4, name="my_lstm")(_x(rng), initial_state=[np.zeros((3, 4), "float32")])


def test_functional_encoder_decoder_with_initial_state(rng):
    enc_in, dec_in = lamina.Input((None, 3)), lamina.Input((None, 4))
    _, hs, cs = L.LSTM(5, return_state=True)(enc_in)
    dec = L.LSTM(5, return_sequences=True)(dec_in, initial_state=[hs, cs])
    model = lamina.Model([enc_in, dec_in], dec)
    out = model([_x(rng, (2, 6, 3)), _x(rng, (2, 4, 4))])
    assert tuple(out.shape) == (2, 4, 5)


@pytest.mark.parametrize("cls", ["LSTM", "GRU", "SimpleRNN"])
def test_stateful_two_calls_then_reset_match_keras(keras, rng, h, cls):
    x1, x2 = _x(rng), _x(rng)
    lam = getattr(L, cls)(4, stateful=True, return_sequences=True)
    ker = getattr(keras.layers, cls)(4, stateful=True, return_sequences=True)
    lam(x1), ker(x1)
    w = h.random_weights(lam, rng)
    lam.set_weights(w), ker.set_weights(w)
    lam.reset_states(), ker.reset_states()
    first = h.to_numpy(lam(x1))
    h.close(first, h.to_numpy(ker(x1)))
    second = h.to_numpy(lam(x2))
    h.close(second, h.to_numpy(ker(x2)))
    lam.reset_states(), ker.reset_states()
    h.close(h.to_numpy(lam(x1)), first)
    fresh = getattr(L, cls)(4, return_sequences=True)
    fresh(x2)
    fresh.set_weights(w)
    assert np.abs(h.to_numpy(fresh(x2)) - second).max() > 1e-3  # the state really carried over


def test_stateful_batch_size_comes_from_input_and_is_checked(rng):
    layer = L.LSTM(3, stateful=True)
    layer(_x(rng, (2, 4, 5)))
    assert [tuple(s.shape) for s in layer.states] == [(2, 3), (2, 3)]
    if lamina.backend.backend() == "torch":
        assert not any(s.requires_grad for s in layer.states)  # states are not trained
    with pytest.raises(ValueError, match=r"batches of 2 samples.*batch of 3"):
        layer(_x(rng, (3, 4, 5)))
    layer.reset_states([np.ones((2, 3)), np.zeros((2, 3))])
    np.testing.assert_array_equal(to_np(layer.states[0]), np.ones((2, 3)))
    L.LSTM(3).reset_states()  # not stateful: nothing to do, as in Keras


def test_zero_output_for_mask_matches_keras(keras, rng, h, holey_ids):
    x = _x(rng, holey_ids.shape + (5,))
    mask = holey_ids != 0
    for cls in ("LSTM", "GRU"):
        lam = getattr(L, cls)(4, return_sequences=True, zero_output_for_mask=True)
        ker = getattr(keras.layers, cls)(4, return_sequences=True, zero_output_for_mask=True)
        a, b = h.keras_pair(keras, lam, ker, x, rng, mask=mask)
        h.close(a, b)
        fused = getattr(L, cls)(4, return_sequences=True, zero_output_for_mask=True)
        fused(x)
        fused.set_weights(lam.get_weights())
        right_padded = np.arange(7)[None] < np.array([7, 3, 0, 5, 1, 6])[:, None]
        loop = getattr(L, cls)(4, return_sequences=True, zero_output_for_mask=True, use_cudnn=False)
        loop(x)
        loop.set_weights(lam.get_weights())
        h.close(h.to_numpy(fused(x, mask=right_padded)), h.to_numpy(loop(x, mask=right_padded)))


def test_masking_layer_then_stacked_lstms_match_keras(keras, rng, h):
    x = _x(rng, (4, 6, 3))
    x[0, 4:] = 0.0
    x[1, :2] = 0.0
    x[2, 3] = 0.0
    models = [mod.Sequential([mod.layers.Masking(0.0), mod.layers.LSTM(4, return_sequences=True),
                              mod.layers.GRU(3)]) for mod in (lamina, keras)]
    a, b = h.keras_pair(keras, models[0], models[1], x, rng)
    h.close(a, b)


@pytest.mark.parametrize("use_cudnn", ["auto", False])
def test_input_dropout_mask_is_fixed_over_time(use_cudnn):
    layer = L.SimpleRNN(6, dropout=0.5, return_sequences=True, use_cudnn=use_cudnn)
    x = np.full((8, 5, 6), 0.5, "float32")
    layer(x)
    layer.set_weights([np.eye(6, dtype="float32"), np.zeros((6, 6), "float32"), np.zeros(6, "float32")])
    lamina.utils.set_random_seed(0)
    out = to_np(layer(x, training=True))  # tanh(x * mask / 0.5)
    dropped = out == 0
    assert 0.2 < dropped.mean() < 0.8
    assert (dropped == dropped[:, :1]).all()
    np.testing.assert_allclose(out[~dropped], np.tanh(1.0), rtol=1e-6)
    np.testing.assert_allclose(to_np(layer(x)), np.tanh(0.5), rtol=1e-6)  # inference


def test_recurrent_dropout_mask_is_fixed_over_time():
    layer = L.SimpleRNN(6, activation="linear", recurrent_dropout=0.5, return_sequences=True)
    x = np.ones((8, 4, 6), "float32")
    layer(x)
    eye = np.eye(6, dtype="float32")
    layer.set_weights([eye, eye, np.zeros(6, "float32")])
    lamina.utils.set_random_seed(0)
    out = to_np(layer(x, training=True))  # h_t = 1 + (h_{t-1} * m) with one mask m
    m = out[:, 1] - 1.0
    assert set(np.unique(m)) <= {0.0, 2.0} and 0.2 < (m == 0).mean() < 0.8
    np.testing.assert_allclose(out[:, 2], 1 + out[:, 1] * m, rtol=1e-6)
    np.testing.assert_allclose(out[:, 3], 1 + out[:, 2] * m, rtol=1e-6)


@pytest.mark.parametrize("cls", ["LSTM", "GRU"])
def test_fused_and_loop_draw_the_same_input_dropout(rng, h, holey_ids, cls):
    x = _x(rng, holey_ids.shape + (5,))
    fused = getattr(L, cls)(4, dropout=0.4, return_sequences=True)
    loop = getattr(L, cls)(4, dropout=0.4, return_sequences=True, use_cudnn=False)
    fused(x), loop(x)
    loop.set_weights(fused.get_weights())
    # holey_ids' mask is not a padding mask: the fused attempt falls back to the loop, which
    # must reuse the dropout draw instead of dropping twice.
    for mask in (None, holey_ids != 0):
        lamina.utils.set_random_seed(5)
        a = fused(x, mask=mask, training=True)
        lamina.utils.set_random_seed(5)
        b = loop(x, mask=mask, training=True)
        h.close(h.to_numpy(a), h.to_numpy(b))
        assert np.abs(h.to_numpy(a) - h.to_numpy(fused(x, mask=mask))).max() > 1e-3


@pytest.mark.parametrize("cls", ["LSTM", "GRU", "SimpleRNN"])
def test_recurrent_dropout_trains_through_the_loop(rng, cls):
    layer = getattr(L, cls)(4, dropout=0.2, recurrent_dropout=0.3)
    x = _x(rng)
    layer(x, training=True)
    _, grads = layer_grad(layer, ops.sum, [x], training=True)
    assert len(grads) == 3 and all(np.isfinite(g).all() and np.abs(g).max() > 0 for g in grads)


def test_rnn_config_round_trip_with_cell():
    layer = L.RNN([L.LSTMCell(3), L.GRUCell(2, reset_after=False)], return_sequences=True)
    config = layer.get_config()
    assert config["cell"]["class_name"] == "StackedRNNCells"
    again = L.RNN.from_config(config)
    assert [type(c).__name__ for c in again.cell.cells] == ["LSTMCell", "GRUCell"]
    assert again.cell.cells[1].reset_after is False and again.return_sequences


def test_rnn_rejects_objects_that_are_not_cells():
    with pytest.raises(ValueError, match="state_size"):
        L.RNN(L.Dense(3))


@pytest.mark.parametrize("use_cudnn", ["auto", False])
def test_float64_layer_casts_float32_inputs(rng, h, use_cudnn):
    x = _x(rng)
    layer = L.LSTM(3, dtype="float64", return_sequences=True, use_cudnn=use_cudnn)
    if lamina.backend.backend() == "jax" and ops.dtype(ops.zeros((1,), "float64")) != "float64":
        pytest.skip("JAX without jax_enable_x64 has no float64 (64-bit dtypes compute in 32 bits, as in "
                    "Keras 3's JAX backend); set JAX_ENABLE_X64=1 to run this test")
    out = layer(x)
    assert ops.dtype(out) == "float64"
    w = layer.get_weights()
    ref, _ = h.run(lambda xt, s: h.lstm_step(xt, s, *w), x, [np.zeros((3, 3))] * 2)
    np.testing.assert_allclose(to_np(out), ref, atol=1e-6)


def test_keras1_input_dim_and_input_length_give_the_input_shape():
    with pytest.warns(lamina.errors.LaminaDeprecationWarning):
        model = lamina.Sequential([L.LSTM(output_dim=4, input_dim=3, input_length=10), L.Dense(1)])
    assert model.input_shape == (None, 10, 3) and model.output_shape == (None, 1)
