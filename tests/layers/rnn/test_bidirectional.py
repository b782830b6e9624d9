"""Bidirectional vs Keras 3 for every merge_mode, with masks, states and stateful layers."""

import numpy as np
import pytest

import lamina

L = lamina.layers


def _x(rng, shape=(3, 6, 5)):
    return rng.standard_normal(shape).astype("float32")


@pytest.mark.parametrize("merge_mode", ["concat", "sum", "mul", "ave", None])
@pytest.mark.parametrize("return_sequences", [False, True])
def test_matches_keras(keras, rng, h, merge_mode, return_sequences):
    a, b = h.keras_pair(
        keras, L.Bidirectional(L.LSTM(4, return_sequences=return_sequences), merge_mode=merge_mode),
        keras.layers.Bidirectional(keras.layers.LSTM(4, return_sequences=return_sequences),
                                   merge_mode=merge_mode), _x(rng), rng)
    h.close(a, b)


@pytest.mark.parametrize("cls", ["LSTM", "GRU", "SimpleRNN"])
def test_masked_with_states_matches_keras(keras, rng, h, ids, holey_ids, cls):
    for data in (ids, holey_ids):
        models = [mod.Sequential([mod.layers.Embedding(20, 3, mask_zero=True),
                                  mod.layers.Bidirectional(getattr(mod.layers, cls)(
                                      4, return_sequences=True, return_state=True))])
                  for mod in (lamina, keras)]
        a, b = h.keras_pair(keras, models[0], models[1], data, rng)
        h.close(a, b)


def test_masked_sequences_feed_a_second_layer_like_keras(keras, rng, h, ids):
    models = [mod.Sequential([mod.layers.Embedding(20, 3, mask_zero=True),
                              mod.layers.Bidirectional(mod.layers.GRU(4, return_sequences=True)),
                              mod.layers.LSTM(2)]) for mod in (lamina, keras)]
    a, b = h.keras_pair(keras, models[0], models[1], ids, rng)
    h.close(a, b)


def test_initial_state_is_split_forward_then_backward(keras, rng, h):
    x = _x(rng)
    init = [rng.standard_normal((3, 4)).astype("float32") for _ in range(4)]
    lam = L.Bidirectional(L.LSTM(4, return_sequences=True))
    ker = keras.layers.Bidirectional(keras.layers.LSTM(4, return_sequences=True))
    lam(x), ker(x)
    w = h.random_weights(lam, rng)
    lam.set_weights(w), ker.set_weights(w)
    h.close(h.to_numpy(lam(x, initial_state=init)), h.to_numpy(ker(x, initial_state=init)))


def test_weights_names_and_shapes():
    bi = L.Bidirectional(L.LSTM(3, name="enc"))
    bi(np.ones((2, 4, 5), "float32"))
    assert bi.forward_layer.name == "forward_enc" and bi.backward_layer.name == "backward_enc"
    assert bi.backward_layer.go_backwards and not bi.forward_layer.go_backwards
    assert [w.shape for w in bi.weights] == [(5, 12), (3, 12), (12,)] * 2


@pytest.mark.parametrize("merge_mode", ["concat", "sum", None])
@pytest.mark.parametrize("rs", [False, True])
@pytest.mark.parametrize("rst", [False, True])
def test_compute_output_shape_matches_call(rng, merge_mode, rs, rst):
    bi = L.Bidirectional(L.GRU(4, return_sequences=rs, return_state=rst), merge_mode=merge_mode)
    out = bi(_x(rng))

    def shapes(o):
        return [shapes(t) for t in o] if isinstance(o, (list, tuple)) else tuple(o.shape)

    want = bi.compute_output_shape((3, 6, 5))
    assert shapes(out) == (list(want) if isinstance(want, list) else want)
    sym = bi(lamina.Input((6, 5)))
    assert len(sym) == len(want) if isinstance(want, list) else sym.shape == (None,) + want[1:]


def test_stateful_bidirectional_carries_and_resets(rng, h):
    x1, x2 = _x(rng), _x(rng)
    bi = L.Bidirectional(L.LSTM(4, stateful=True))
    first = h.to_numpy(bi(x1))
    assert len(bi.states) == 4
    assert np.abs(h.to_numpy(bi(x1)) - first).max() > 1e-4
    bi.reset_states()
    h.close(h.to_numpy(bi(x1)), first)
    bi(x2)


def test_backward_layer_and_config_round_trip(keras):
    bi = L.Bidirectional(L.LSTM(3, return_sequences=True), merge_mode="ave",
                         backward_layer=L.GRU(3, go_backwards=True, return_sequences=True))
    config = bi.get_config()
    assert config["layer"]["class_name"] == "LSTM" and config["backward_layer"]["class_name"] == "GRU"
    again = L.Bidirectional.from_config(config)
    assert type(again.backward_layer).__name__ == "GRU" and again.merge_mode == "ave"
    assert again.forward_layer.name == bi.forward_layer.name
    assert set(config) == set(keras.layers.Bidirectional(keras.layers.LSTM(3)).get_config())


def test_errors():
    with pytest.raises(ValueError, match="merge_mode must be one of"):
        L.Bidirectional(L.LSTM(3), merge_mode="max")
    with pytest.raises(ValueError, match="lamina layer instance"):
        L.Bidirectional("lstm")
    with pytest.raises(ValueError, match="different go_backwards"):
        L.Bidirectional(L.LSTM(3), backward_layer=L.LSTM(3))
    with pytest.raises(ValueError, match="same return_sequences"):
        L.Bidirectional(L.LSTM(3), backward_layer=L.LSTM(3, go_backwards=True, return_sequences=True))


def test_rnn_of_user_cell_is_copied(rng):
    class Cell(L.Layer):
        state_size = 3

        def build(self, input_shape):
            self.kernel = self.add_weight(shape=(input_shape[-1], 3), name="kernel")

        def call(self, inputs, states):
            out = lamina.ops.matmul(inputs, self.kernel) + states[0]
            return out, [out]

    bi = L.Bidirectional(L.RNN(Cell(), return_sequences=True), merge_mode="sum")
    x = _x(rng)
    out = lamina.ops.convert_to_numpy(bi(x))
    k_f, k_b = bi.get_weights()
    cums = np.cumsum(x @ k_f, axis=1) + np.cumsum((x @ k_b)[:, ::-1], axis=1)[:, ::-1]
    np.testing.assert_allclose(out, cums, rtol=1e-5, atol=1e-5)
