import numpy as np
import pytest
import torch

import lamina
from lamina import layers, ops
from tests.keras3 import keras3
from tests.layers.neutral import layer_grad, mask_of, to_np, with_mask


def _np(t):
    return to_np(t)


def _t(a, mask=None):
    """A torch tensor for the Keras reference (torch backend), with Keras's mask attribute."""
    t = torch.from_numpy(np.asarray(a))
    if mask is not None:
        t._keras_mask = torch.from_numpy(mask)
    return t


def _pair(keras, q, v, k=None, **kwargs):
    """A lamina MHA and a Keras MHA with the same (random, non-zero-bias) weights."""
    ours = layers.MultiHeadAttention(**kwargs)
    ref = keras.layers.MultiHeadAttention(**kwargs)
    args = (q, v) if k is None else (q, v, k)
    ours(*args)
    ref(*args)
    rng = np.random.default_rng(0)
    weights = [rng.normal(0, 0.5, size=w.shape).astype("float32") for w in ours.get_weights()]
    assert [w.shape for w in ours.get_weights()] == [tuple(w.shape) for w in ref.get_weights()]
    ours.set_weights(weights)
    ref.set_weights(weights)
    return ours, ref


def _close(a, b, tol=1e-5):
    np.testing.assert_allclose(_np(a), _np(b), rtol=tol, atol=tol)


def test_weight_layout_and_order_match_keras():
    keras = keras3()
    q = np.zeros((1, 4, 5), "float32")
    v = np.zeros((1, 6, 7), "float32")
    ours = layers.MultiHeadAttention(num_heads=2, key_dim=3, value_dim=4)
    ref = keras.layers.MultiHeadAttention(num_heads=2, key_dim=3, value_dim=4)
    ours(q, v)
    ref(q, v)
    assert [(w.path, w.shape) for w in ours.weights] == [(w.path.split("/", 1)[1], tuple(w.shape))
                                                         for w in ref.weights]
    assert [w.path for w in ours.weights][:2] == ["query/kernel", "query/bias"]
    # (d_model, heads, key_dim), (heads, key_dim); output (heads, value_dim, d_model)
    assert ours.weights[0].shape == (5, 2, 3) and ours.weights[1].shape == (2, 3)
    assert ours.weights[6].shape == (2, 4, 5) and ours.weights[7].shape == (5,)


def test_self_attention_matches_keras_with_and_without_scores():
    keras = keras3()
    x = np.random.default_rng(1).normal(size=(3, 5, 8)).astype("float32")
    ours, ref = _pair(keras, x, x, num_heads=2, key_dim=4)
    _close(ours(x, x), ref(x, x))
    y, s = ours(x, x, return_attention_scores=True)
    y_ref, s_ref = ref(x, x, return_attention_scores=True)
    _close(y, y_ref)
    _close(s, s_ref)
    assert tuple(s.shape) == (3, 2, 5, 5)


def test_cross_attention_with_key_value_dim_and_output_shape_matches_keras():
    keras = keras3()
    rng = np.random.default_rng(2)
    q = rng.normal(size=(2, 4, 6)).astype("float32")
    v = rng.normal(size=(2, 7, 5)).astype("float32")
    k = rng.normal(size=(2, 7, 3)).astype("float32")
    kw = dict(num_heads=3, key_dim=2, value_dim=4, output_shape=(9,))
    ours, ref = _pair(keras, q, v, k, **kw)
    y = ours(q, v, k)
    assert tuple(y.shape) == (2, 4, 9)
    _close(y, ref(q, v, k))
    y, s = ours(q, v, key=k, return_attention_scores=True)
    y_ref, s_ref = ref(q, v, key=k, return_attention_scores=True)
    _close(y, y_ref)
    _close(s, s_ref)


def test_attention_mask_including_fully_masked_rows_matches_keras_on_both_paths():
    keras = keras3()
    rng = np.random.default_rng(3)
    q = rng.normal(size=(2, 4, 6)).astype("float32")
    v = rng.normal(size=(2, 5, 6)).astype("float32")
    mask = rng.random((2, 4, 5)) > 0.4
    mask[0, 1] = False  # a query that may attend to nothing
    ours, ref = _pair(keras, q, v, num_heads=2, key_dim=3)
    y_fast = ours(q, v, attention_mask=mask)  # fused scaled_dot_product_attention
    _close(y_fast, ref(q, v, attention_mask=mask))
    y, s = ours(q, v, attention_mask=mask, return_attention_scores=True)  # explicit scores
    y_ref, s_ref = ref(q, v, attention_mask=mask, return_attention_scores=True)
    _close(y, y_ref)
    _close(s, s_ref)
    np.testing.assert_array_equal(_np(s)[0, :, 1], 0.0)
    # the two paths agree except on the row with nothing to attend to (Keras's behaviour)
    _close(np.delete(_np(y_fast), 1, axis=1)[0], np.delete(_np(y), 1, axis=1)[0])
    _close(y_fast[1], y[1])
    # with dropout (inference) Keras uses the explicit path: zero attention for that row
    ours_d, ref_d = _pair(keras, q, v, num_heads=2, key_dim=3, dropout=0.1)
    _close(ours_d(q, v, attention_mask=mask), ref_d(q, v, attention_mask=mask))


@pytest.mark.parametrize("scores", [False, True])
def test_causal_mask_matches_keras(scores):
    keras = keras3()
    x = np.random.default_rng(4).normal(size=(2, 6, 8)).astype("float32")
    ours, ref = _pair(keras, x, x, num_heads=4, key_dim=2)
    out = ours(x, x, use_causal_mask=True, return_attention_scores=scores)
    expected = ref(x, x, use_causal_mask=True, return_attention_scores=scores)
    for a, b in zip(out if scores else [out], expected if scores else [expected]):
        _close(a, b)
    # position t does not depend on later positions
    y2 = ours(np.concatenate([x[:, :3], -x[:, 3:]], 1), np.concatenate([x[:, :3], -x[:, 3:]], 1),
              use_causal_mask=True)
    _close(y2[:, :3], (out[0] if scores else out)[:, :3])


def test_query_and_value_masks_from_inputs_match_keras():
    keras = keras3()
    rng = np.random.default_rng(5)
    q = rng.normal(size=(2, 4, 6)).astype("float32")
    v = rng.normal(size=(2, 5, 6)).astype("float32")
    qm = np.array([[1, 1, 1, 0], [1, 1, 0, 0]], bool)
    vm = np.array([[1, 1, 0, 0, 0], [1, 1, 1, 1, 1]], bool)
    ours, ref = _pair(keras, q, v, num_heads=2, key_dim=3)
    y = ours(with_mask(q, qm), with_mask(v, vm), use_causal_mask=True)
    y_ref = ref(_t(q, qm), _t(v, vm), use_causal_mask=True)
    _close(y, y_ref)
    np.testing.assert_array_equal(mask_of(y), qm)


def test_attention_over_two_axes_matches_keras():
    keras = keras3()
    x = np.random.default_rng(6).normal(size=(2, 3, 4, 5)).astype("float32")
    ours, ref = _pair(keras, x, x, num_heads=2, key_dim=3, attention_axes=(1, 2))
    y, s = ours(x, x, return_attention_scores=True)
    y_ref, s_ref = ref(x, x, return_attention_scores=True)
    assert tuple(s.shape) == (2, 2, 3, 4, 3, 4)
    _close(y, y_ref)
    _close(s, s_ref)
    _close(ours(x, x), y_ref)
    out, sc = ours(lamina.Input((3, 4, 5)), lamina.Input((3, 4, 5)), return_attention_scores=True)
    assert out.shape == (None, 3, 4, 5) and sc.shape == (None, 2, 3, 4, 3, 4)


def test_gate_and_sliding_window_match_keras():
    keras = keras3()
    x = np.random.default_rng(7).normal(size=(2, 6, 4)).astype("float32")
    ours, ref = _pair(keras, x, x, num_heads=2, key_dim=2, use_gate=True, sliding_window=2)
    assert [w.path for w in ours.weights][4:6] == ["gate/kernel", "gate/bias"]
    _close(ours(x, x), ref(x, x))


def test_gradients_match_keras():
    keras = keras3()
    rng = np.random.default_rng(8)
    q = rng.normal(size=(2, 4, 6)).astype("float32")
    v = rng.normal(size=(2, 5, 6)).astype("float32")
    mask = rng.random((2, 4, 5)) > 0.3
    ours, ref = _pair(keras, q, v, num_heads=2, key_dim=3)
    g = rng.normal(size=(2, 4, 6)).astype("float32")
    (ref(q, v, attention_mask=mask) * torch.from_numpy(g)).sum().backward()
    _, grads = layer_grad(ours, lambda y: ops.sum(ops.multiply(y, g)), [q, v], attention_mask=mask)
    assert len(grads) == len(ref.weights) == 8
    for a, b in zip(grads, ref.weights):
        np.testing.assert_allclose(a, _np(b.value.grad), rtol=1e-4, atol=1e-5)


def test_matches_torch_multihead_attention_outputs_and_gradients():
    rng = np.random.default_rng(9)
    x = rng.normal(size=(3, 5, 8)).astype("float32")
    ours = layers.MultiHeadAttention(num_heads=2, key_dim=4)
    ours(x, x)
    ref = torch.nn.MultiheadAttention(8, 2, batch_first=True)
    wq, bq, wk, bk, wv, bv, wo, bo = [torch.from_numpy(w) for w in ours.get_weights()]
    with torch.no_grad():
        ref.in_proj_weight.copy_(torch.cat([w.reshape(8, 8).T for w in (wq, wk, wv)]))
        ref.in_proj_bias.copy_(torch.cat([b.reshape(8) for b in (bq, bk, bv)]))
        ref.out_proj.weight.copy_(wo.reshape(8, 8).T)
        ref.out_proj.bias.copy_(bo)
    xr = torch.from_numpy(x).requires_grad_()
    y = ours(x, x)
    yr, _ = ref(xr, xr, xr, need_weights=False)
    _close(y, yr)
    yr.sum().backward()
    # x is both the query and the value: its gradient is the sum of the two.
    (gq, gv), grads = layer_grad(ours, ops.sum, [x, x])
    np.testing.assert_allclose(gq + gv, _np(xr.grad), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(grads[6].reshape(8, 8).T, _np(ref.out_proj.weight.grad), rtol=1e-4,
                               atol=1e-5)


def test_dropout_only_in_training():
    x = np.random.default_rng(10).normal(size=(2, 5, 8)).astype("float32")
    layer = layers.MultiHeadAttention(num_heads=2, key_dim=4, dropout=0.5)
    y1, y2 = _np(layer(x, x)), _np(layer(x, x, training=False))
    np.testing.assert_array_equal(y1, y2)
    assert not np.allclose(_np(layer(x, x, training=True)), y1)
    _, s = layer(x, x, training=True, return_attention_scores=True)
    np.testing.assert_allclose(_np(s).sum(-1), 1.0, rtol=1e-5)  # scores are reported before dropout


def test_symbolic_shapes_config_and_errors():
    keras = keras3()
    q, v = lamina.Input((4, 6)), lamina.Input((7, 5))
    mha = layers.MultiHeadAttention(num_heads=2, key_dim=3)
    out, scores = mha(q, v, return_attention_scores=True)
    assert out.shape == (None, 4, 6) and scores.shape == (None, 2, 4, 7)
    assert mha.compute_output_shape((None, 4, 6), (None, 7, 5)) == (None, 4, 6)
    model = lamina.Model([q, v], out)
    y = model([np.ones((2, 4, 6), "float32"), np.ones((2, 7, 5), "float32")])
    assert tuple(y.shape) == (2, 4, 6)
    config = layers.MultiHeadAttention(num_heads=2, key_dim=3, output_shape=4, attention_axes=1).get_config()
    assert set(config) == set(keras.layers.MultiHeadAttention(num_heads=2, key_dim=3).get_config())
    assert config["value_dim"] == 3 and config["output_shape"] == [4] and config["attention_axes"] == [1]
    assert layers.MultiHeadAttention.from_config(config).get_config() == config
    with pytest.raises(ValueError, match="num_heads must be a positive integer"):
        layers.MultiHeadAttention(num_heads=0, key_dim=2)
    with pytest.raises(ValueError, match="value and key must agree"):
        layers.MultiHeadAttention(2, 2)(np.ones((1, 3, 4), "float32"), np.ones((1, 5, 4), "float32"),
                                        np.ones((1, 6, 4), "float32"))
