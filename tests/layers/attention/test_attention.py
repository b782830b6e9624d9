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


def _data(seed=0):
    rng = np.random.default_rng(seed)
    q = rng.normal(size=(2, 3, 4)).astype("float32")
    v = rng.normal(size=(2, 5, 4)).astype("float32")
    k = rng.normal(size=(2, 5, 4)).astype("float32")
    return q, v, k


def _softmax(s):
    e = np.exp(s - s.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def test_dot_attention_matches_formula():
    q, v, k = _data()
    out, w = layers.Attention()([q, v, k], return_attention_scores=True)
    expected_w = _softmax(q @ k.transpose(0, 2, 1))
    np.testing.assert_allclose(_np(w), expected_w, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(_np(out), expected_w @ v, rtol=1e-5, atol=1e-6)
    # key defaults to value
    out2 = layers.Attention()([q, v])
    np.testing.assert_allclose(_np(out2), _softmax(q @ v.transpose(0, 2, 1)) @ v, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("kwargs", [{}, {"use_scale": True}, {"score_mode": "concat"},
                                    {"score_mode": "concat", "use_scale": True}])
@pytest.mark.parametrize("causal", [False, True])
def test_attention_matches_keras_with_masks(kwargs, causal):
    keras = keras3()
    q, v, k = _data(1)
    qm = np.array([[1, 1, 0], [1, 1, 1]], bool)
    vm = np.array([[1, 1, 1, 0, 0], [0, 1, 1, 1, 1]], bool)
    ours, ref = layers.Attention(**kwargs), keras.layers.Attention(**kwargs)
    ours([q, v, k])
    ref([q, v, k])
    weights = [np.float32(1.7 + i) for i, _ in enumerate(ours.get_weights())]
    ours.set_weights(weights)
    ref.set_weights(weights)
    out, w = ours([with_mask(q, qm), with_mask(v, vm), k], return_attention_scores=True,
                  use_causal_mask=causal)
    out_ref, w_ref = ref([_t(q, qm), _t(v, vm), _t(k)], return_attention_scores=True, use_causal_mask=causal)
    np.testing.assert_allclose(_np(out), _np(out_ref), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(_np(w), _np(w_ref), rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(mask_of(out), qm)
    # an explicit mask list gives the same
    out2 = ours([q, v, k], mask=[qm, vm], use_causal_mask=causal)
    np.testing.assert_allclose(_np(out2), _np(out), rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("use_scale", [True, False])
def test_additive_attention_matches_keras_and_gradients(use_scale):
    keras = keras3()
    q, v, k = _data(2)
    vm = np.array([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1]], bool)
    ours = layers.AdditiveAttention(use_scale=use_scale)
    ref = keras.layers.AdditiveAttention(use_scale=use_scale)
    ours([q, v, k])
    ref([q, v, k])
    assert [w.shape for w in ours.weights] == [tuple(w.shape) for w in ref.weights]
    ref.set_weights(ours.get_weights())
    out, w = ours([q, with_mask(v, vm), k], return_attention_scores=True)
    out_ref, w_ref = ref([_t(q), _t(v, vm), _t(k)], return_attention_scores=True)
    np.testing.assert_allclose(_np(out), _np(out_ref), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(_np(w), _np(w_ref), rtol=1e-5, atol=1e-6)
    scale = ours.get_weights()[0] if use_scale else 1.0
    scores = (scale * np.tanh(q[:, :, None, :] + k[:, None, :, :])).sum(-1)
    scores = np.where(vm[:, None, :], scores, scores - 1e9)
    np.testing.assert_allclose(_np(w), _softmax(scores), rtol=1e-5, atol=1e-6)
    if use_scale:
        qr = torch.from_numpy(q).requires_grad_()
        ref([qr, _t(v), _t(k)]).sum().backward()
        (gq, _, _), (g_scale,) = layer_grad(ours, ops.sum, [q, v, k], as_list=True)
        np.testing.assert_allclose(gq, _np(qr.grad), rtol=1e-4, atol=1e-5)
        np.testing.assert_allclose(g_scale, _np(ref.scale.value.grad), rtol=1e-4, atol=1e-5)


def test_dropout_training_only_and_symbolic_outputs():
    q, v, _ = _data(3)
    layer = layers.Attention(dropout=0.5)
    np.testing.assert_array_equal(_np(layer([q, v])), _np(layer([q, v], training=False)))
    assert not np.allclose(_np(layer([q, v], training=True)), _np(layer([q, v])))
    qi, vi = lamina.Input((3, 4)), lamina.Input((5, 6))
    out, scores = layers.Attention()([qi, vi, lamina.Input((5, 4))], return_attention_scores=True)
    assert out.shape == (None, 3, 6) and scores.shape == (None, 3, 5)
    assert layers.AdditiveAttention()([qi, lamina.Input((5, 4))]).shape == (None, 3, 4)
    assert layers.Attention().compute_output_shape([(None, 3, 4), (None, 5, 6)]) == (None, 3, 6)


def test_errors_legacy_causal_and_config():
    keras = keras3()
    q, v, _ = _data(4)
    with pytest.raises(ValueError, match=r"list \[query, value\]"):
        layers.Attention()(q)
    with pytest.raises(ValueError, match="score_mode"):
        layers.Attention(score_mode="general")
    with pytest.warns(lamina.errors.LaminaDeprecationWarning, match="use_causal_mask"):
        legacy = layers.Attention(causal=True)
    np.testing.assert_allclose(_np(legacy([q, q])), _np(layers.Attention()([q, q], use_causal_mask=True)),
                               rtol=1e-6)
    for cls in ("Attention", "AdditiveAttention"):
        config = getattr(layers, cls)(dropout=0.2).get_config()
        assert set(config) == set(getattr(keras.layers, cls)().get_config())
        assert getattr(layers, cls).from_config(config).get_config() == config
    with pytest.raises(ValueError, match="Sequential"):
        lamina.Sequential([lamina.Input((3, 4)), layers.Attention()])
