"""GRU: numbers vs torch.nn.GRU, a NumPy step loop and Keras 3 (reset_after True and False)."""

import numpy as np
import pytest
import torch

import lamina
from lamina import ops
from tests.layers.neutral import layer_grad

L = lamina.layers
PATHS = ["auto", False]


def _x(rng, shape=(3, 6, 5)):
    return rng.standard_normal(shape).astype("float32")


def _torch_blocks(w, u):
    # Keras z, r, h -> torch r, z, n (along the gate axis)
    return np.concatenate([w[..., u:2 * u], w[..., :u], w[..., 2 * u:]], axis=-1)


@pytest.mark.parametrize("use_cudnn", PATHS)
@pytest.mark.parametrize("use_bias", [True, False])
def test_matches_torch_nn_gru_outputs_states_and_gradients(rng, h, use_cudnn, use_bias):
    u = 4
    x = _x(rng)
    layer = L.GRU(u, use_bias=use_bias, return_sequences=True, return_state=True, use_cudnn=use_cudnn)
    layer(x)
    w = h.random_weights(layer, rng)
    layer.set_weights(w)
    ref = torch.nn.GRU(5, u, batch_first=True, bias=use_bias)
    with torch.no_grad():
        ref.weight_ih_l0.copy_(torch.tensor(_torch_blocks(w[0], u).T))
        ref.weight_hh_l0.copy_(torch.tensor(_torch_blocks(w[1], u).T))
        if use_bias:
            ref.bias_ih_l0.copy_(torch.tensor(_torch_blocks(w[2][0], u)))
            ref.bias_hh_l0.copy_(torch.tensor(_torch_blocks(w[2][1], u)))
    seq, hn = layer(x)
    x_ref = torch.tensor(x, requires_grad=True)
    seq_ref, hn_ref = ref(x_ref)
    h.close(h.to_numpy([seq, hn]), h.to_numpy([seq_ref, hn_ref[0]]))

    w_seq = rng.standard_normal(seq_ref.shape).astype("float32")
    ((seq_ref * torch.tensor(w_seq)).sum() + hn_ref[0].sum()).backward()
    (gx,), grads = layer_grad(layer, lambda out: ops.sum(ops.multiply(out[0], w_seq)) + ops.sum(out[1]), [x])
    h.close(_torch_blocks(grads[0], u), ref.weight_ih_l0.grad.T.numpy())
    h.close(_torch_blocks(grads[1], u), ref.weight_hh_l0.grad.T.numpy())
    if use_bias:
        h.close(_torch_blocks(grads[2], u),
                np.stack([ref.bias_ih_l0.grad.numpy(), ref.bias_hh_l0.grad.numpy()]))
    h.close(gx, x_ref.grad.numpy())


@pytest.mark.parametrize("reset_after", [True, False])
@pytest.mark.parametrize("go_backwards", [False, True])
def test_matches_numpy_step_loop(rng, h, reset_after, go_backwards):
    x = _x(rng)
    layer = L.GRU(4, reset_after=reset_after, return_sequences=True, return_state=True,
                  go_backwards=go_backwards)
    layer(x)
    w = h.random_weights(layer, rng)
    layer.set_weights(w)
    h0 = [rng.standard_normal((3, 4)).astype("float32")]
    seq, hn = layer(x, initial_state=h0)
    ref_seq, (ref_h,) = h.run(lambda xt, s: h.gru_step(xt, s, *w, reset_after=reset_after), x, h0,
                              go_backwards=go_backwards)
    h.close(h.to_numpy([seq, hn]), [ref_seq, ref_h])


@pytest.mark.parametrize("use_cudnn", PATHS)
@pytest.mark.parametrize("options", [
    {},
    {"return_sequences": True, "return_state": True},
    {"go_backwards": True, "return_sequences": True},
    {"reset_after": False, "return_sequences": True, "return_state": True},
    {"reset_after": False, "use_bias": False},
    {"use_bias": False, "go_backwards": True},
])
def test_matches_keras(keras, rng, h, use_cudnn, options):
    a, b = h.keras_pair(keras, L.GRU(4, use_cudnn=use_cudnn, **options),
                        keras.layers.GRU(4, **options), _x(rng), rng)
    h.close(a, b)


@pytest.mark.parametrize("reset_after", [True, False])
@pytest.mark.parametrize("go_backwards", [False, True])
def test_masked_embedding_matches_keras(keras, rng, h, ids, holey_ids, reset_after, go_backwards):
    for data in (ids, holey_ids):
        models = [mod.Sequential([mod.layers.Embedding(20, 3, mask_zero=True),
                                  mod.layers.GRU(4, reset_after=reset_after, go_backwards=go_backwards,
                                                 return_sequences=True, return_state=True)])
                  for mod in (lamina, keras)]
        a, b = h.keras_pair(keras, models[0], models[1], data, rng)
        h.close(a, b)


@pytest.mark.parametrize("return_state", [True, False])
def test_fused_and_loop_agree_on_outputs_and_gradients(rng, h, ids, holey_ids, return_state):
    x = _x(rng, (6, 7, 5))
    kw = dict(return_sequences=True, return_state=return_state, go_backwards=True)
    fused, loop = L.GRU(4, **kw), L.GRU(4, use_cudnn=False, **kw)
    fused(x), loop(x)
    loop.set_weights(h.random_weights(fused, rng))
    fused.set_weights(loop.get_weights())

    def loss(out):
        seq, states = (out[0], out[1:]) if return_state else (out, [])
        return ops.sum(ops.square(seq)) + sum(3 * ops.sum(s) for s in states)

    for mask in (None, ids != 0, holey_ids != 0):
        results = []
        for layer in (fused, loop):
            out = layer(x, mask=mask)
            (gx,), grads = layer_grad(layer, loss, [x], mask=mask)
            results.append((list(out) if return_state else [out]) + [gx] + grads)
        h.close(h.to_numpy(results[0]), h.to_numpy(results[1]))


def test_bias_shapes_follow_reset_after():
    x = np.ones((2, 3, 5), "float32")
    a, b = L.GRU(4), L.GRU(4, reset_after=False)
    a(x), b(x)
    assert [w.shape for w in a.weights] == [(5, 12), (4, 12), (2, 12)]
    assert [w.shape for w in b.weights] == [(5, 12), (4, 12), (12,)]


def test_config_round_trip_and_keras_keys(keras):
    layer = L.GRU(5, reset_after=False, return_state=True, recurrent_dropout=0.1)
    config = layer.get_config()
    again = L.GRU.from_config(config).get_config()
    config.pop("name"), again.pop("name")
    assert again == config
    assert set(layer.get_config()) == set(keras.layers.GRU(5).get_config())
