"""LSTM: numbers vs torch.nn.LSTM, a NumPy step loop and Keras 3; fused vs loop; shapes; errors."""

import numpy as np
import pytest
import torch

import lamina
from lamina import ops
from lamina.errors import LaminaDeprecationWarning, ShapeError
from tests.layers.neutral import layer_grad, to_np

L = lamina.layers
PATHS = ["auto", False]  # fused torch kernel, step loop


def _x(rng, shape=(3, 6, 5)):
    return rng.standard_normal(shape).astype("float32")


@pytest.mark.parametrize("use_cudnn", PATHS)
@pytest.mark.parametrize("use_bias", [True, False])
def test_matches_torch_nn_lstm_outputs_states_and_gradients(rng, h, use_cudnn, use_bias):
    x = _x(rng)
    layer = L.LSTM(4, use_bias=use_bias, return_sequences=True, return_state=True, use_cudnn=use_cudnn)
    layer(x)
    w = h.random_weights(layer, rng)
    layer.set_weights(w)
    ref = torch.nn.LSTM(5, 4, batch_first=True, bias=use_bias)
    with torch.no_grad():
        ref.weight_ih_l0.copy_(torch.tensor(w[0].T))
        ref.weight_hh_l0.copy_(torch.tensor(w[1].T))
        if use_bias:
            ref.bias_ih_l0.copy_(torch.tensor(w[2]))
            ref.bias_hh_l0.zero_()
    seq, hn, cn = layer(x)
    x_ref = torch.tensor(x, requires_grad=True)
    seq_ref, (hn_ref, cn_ref) = ref(x_ref)
    h.close(h.to_numpy([seq, hn, cn]), h.to_numpy([seq_ref, hn_ref[0], cn_ref[0]]))

    w_seq = rng.standard_normal(seq_ref.shape).astype("float32")
    w_c = rng.standard_normal(cn_ref[0].shape).astype("float32")
    ((seq_ref * torch.tensor(w_seq)).sum() + (cn_ref[0] * torch.tensor(w_c)).sum()).backward()
    (gx,), grads = layer_grad(
        layer, lambda out: ops.sum(ops.multiply(out[0], w_seq)) + ops.sum(ops.multiply(out[2], w_c)), [x])
    h.close(grads[0], ref.weight_ih_l0.grad.T.numpy())
    h.close(grads[1], ref.weight_hh_l0.grad.T.numpy())
    if use_bias:
        h.close(grads[2], ref.bias_ih_l0.grad.numpy())
    h.close(gx, x_ref.grad.numpy())


@pytest.mark.parametrize("use_cudnn", PATHS)
@pytest.mark.parametrize("go_backwards", [False, True])
def test_matches_numpy_step_loop(rng, h, use_cudnn, go_backwards):
    x = _x(rng)
    layer = L.LSTM(4, return_sequences=True, return_state=True, go_backwards=go_backwards,
                   use_cudnn=use_cudnn)
    layer(x)
    w = h.random_weights(layer, rng)
    layer.set_weights(w)
    h0 = [rng.standard_normal((3, 4)).astype("float32") for _ in range(2)]
    seq, hn, cn = layer(x, initial_state=h0)
    ref_seq, (ref_h, ref_c) = h.run(lambda xt, s: h.lstm_step(xt, s, *w), x, h0, go_backwards=go_backwards)
    h.close(h.to_numpy([seq, hn, cn]), [ref_seq, ref_h, ref_c])


@pytest.mark.parametrize("use_cudnn", PATHS)
@pytest.mark.parametrize("options", [
    {},
    {"return_sequences": True, "return_state": True},
    {"go_backwards": True, "return_sequences": True},
    {"use_bias": False, "return_state": True},
    {"activation": "relu", "recurrent_activation": "hard_sigmoid", "return_sequences": True},
])
def test_matches_keras(keras, rng, h, use_cudnn, options):
    a, b = h.keras_pair(keras, L.LSTM(4, use_cudnn=use_cudnn, **options),
                        keras.layers.LSTM(4, **options), _x(rng), rng)
    h.close(a, b)


@pytest.mark.parametrize("use_cudnn", PATHS)
@pytest.mark.parametrize("options", [
    {},
    {"return_sequences": True},
    {"return_sequences": True, "return_state": True},
    {"go_backwards": True, "return_sequences": True, "return_state": True},
    {"go_backwards": True},
])
def test_masked_embedding_matches_keras(keras, rng, h, ids, holey_ids, use_cudnn, options):
    for data in (ids, holey_ids):
        models = []
        for mod, kw in ((lamina, {"use_cudnn": use_cudnn}), (keras, {})):
            models.append(mod.Sequential([mod.layers.Embedding(20, 3, mask_zero=True),
                                          mod.layers.LSTM(4, **kw, **options)]))
        a, b = h.keras_pair(keras, models[0], models[1], data, rng)
        h.close(a, b)


@pytest.mark.parametrize("return_state", [True, False])  # packed / unpacked masked fused runs
@pytest.mark.parametrize("go_backwards", [False, True])
def test_fused_and_loop_agree_on_outputs_and_gradients(rng, h, ids, holey_ids, return_state,
                                                       go_backwards):
    x = _x(rng, (6, 7, 5))
    kw = dict(return_sequences=True, return_state=return_state, go_backwards=go_backwards)
    fused, loop = L.LSTM(4, **kw), L.LSTM(4, use_cudnn=False, **kw)
    fused(x), loop(x)
    loop.set_weights(fused.get_weights())

    def loss(out):
        seq, states = (out[0], out[1:]) if return_state else (out, [])
        return ops.sum(ops.square(seq)) + sum((i + 1) * ops.sum(s) for i, s in enumerate(states))

    for mask in (None, ids != 0, holey_ids != 0):
        results = []
        for layer in (fused, loop):
            out = layer(x, mask=mask)
            (gx,), grads = layer_grad(layer, loss, [x], mask=mask)
            results.append((list(out) if return_state else [out]) + [gx] + grads)
        h.close(h.to_numpy(results[0]), h.to_numpy(results[1]))


def test_fused_path_is_used_by_default_and_loop_on_request(rng, monkeypatch):
    calls = []
    real = lamina.ops._internal.fused_rnn
    monkeypatch.setattr(lamina.ops._internal, "fused_rnn", lambda *a, **k: calls.append(a[0]) or real(*a, **k))
    x = _x(rng)
    L.LSTM(4)(x)
    L.LSTM(4, use_cudnn=False)(x)
    L.LSTM(4, recurrent_activation="hard_sigmoid")(x)
    L.LSTM(4, recurrent_dropout=0.3)(x, training=True)
    L.LSTM(4, recurrent_dropout=0.3)(x)  # recurrent dropout is inactive at inference
    assert calls == ["lstm", "lstm"]


def test_use_cudnn_true_errors_when_not_fusable(rng):
    with pytest.raises(ValueError, match="use_cudnn=True"):
        L.LSTM(4, activation="relu", use_cudnn=True)(_x(rng))


@pytest.mark.parametrize("rs", [False, True])
@pytest.mark.parametrize("rst", [False, True])
def test_compute_output_shape_matches_call(rng, h, rs, rst):
    layer = L.LSTM(4, return_sequences=rs, return_state=rst)
    out = layer(_x(rng))
    want = layer.compute_output_shape((3, 6, 5))
    got = [tuple(t.shape) for t in out] if rst else tuple(out.shape)
    assert (list(want) if rst else want) == got
    sym = layer(lamina.Input((6, 5)))
    shapes = [t.shape for t in sym] if rst else sym.shape
    assert shapes == ([(None,) + s[1:] for s in got] if rst else (None,) + got[1:])


def test_weights_layout_and_unit_forget_bias():
    layer = L.LSTM(3)
    layer(np.ones((2, 4, 5), "float32"))
    assert [(w.name, w.shape) for w in layer.weights] == [
        ("kernel", (5, 12)), ("recurrent_kernel", (3, 12)), ("bias", (12,))]
    np.testing.assert_array_equal(to_np(layer.cell.bias), [0] * 3 + [1] * 3 + [0] * 6)
    k = to_np(layer.cell.recurrent_kernel)
    np.testing.assert_allclose(k @ k.T, np.eye(3), atol=1e-5)  # orthogonal rows


def test_two_dimensional_input_error_names_layer_and_shapes():
    layer = L.LSTM(4, name="my_lstm")
    with pytest.raises(ShapeError, match=r'"my_lstm".*expected ndim=3.*\(2, 5\)'):
        layer(np.ones((2, 5), "float32"))
    with pytest.raises(ShapeError, match=r"expected ndim=3.*\(None, 5\)"):
        L.LSTM(4)(lamina.Input((5,)))


def test_invalid_units_error_names_layer():
    with pytest.raises(ValueError, match=r"LSTM: units must be a positive integer, received units=0"):
        L.LSTM(0)


def test_keras1_spellings_translate_with_warnings():
    with pytest.warns(LaminaDeprecationWarning) as record:
        layer = L.LSTM(output_dim=5, inner_activation="hard_sigmoid", dropout_W=0.1, dropout_U=0.2,
                       init="he_normal", inner_init="orthogonal", forget_bias_init="one",
                       W_regularizer="l2")
    assert layer.units == 5 and layer.dropout == 0.1 and layer.recurrent_dropout == 0.2
    assert layer.recurrent_activation is lamina.activations.hard_sigmoid
    assert type(layer.kernel_initializer).__name__ == "HeNormal" and layer.unit_forget_bias
    assert type(layer.kernel_regularizer).__name__ == "L2"
    assert len(record) == 8


def test_consume_less_maps_to_implementation():
    with pytest.warns(LaminaDeprecationWarning, match=r"implementation="):
        layer = L.LSTM(4, consume_less="mem")
    assert layer.implementation == 1
    assert "implementation" not in layer.get_config()


def test_config_round_trip_and_keras_keys(keras):
    layer = L.LSTM(7, activation="relu", dropout=0.25, return_sequences=True, go_backwards=True,
                   kernel_regularizer="l2", unit_forget_bias=False, stateful=True, seed=3)
    config = layer.get_config()
    again = L.LSTM.from_config(config).get_config()
    config.pop("name"), again.pop("name")
    assert again == config
    assert set(layer.get_config()) == set(keras.layers.LSTM(7).get_config())
    assert keras.layers.LSTM.from_config(layer.get_config()).get_config()["units"] == 7


def test_keras1_module_paths_still_import_with_a_warning():
    with pytest.warns(LaminaDeprecationWarning, match="from lamina.layers import LSTM"):
        from lamina.layers.recurrent import LSTM
    with pytest.warns(LaminaDeprecationWarning):
        from lamina.layers.embeddings import Embedding
    assert LSTM is L.LSTM and Embedding is L.Embedding
