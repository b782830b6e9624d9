import numpy as np
import pytest
import torch

import lamina
from lamina import layers, ops
from tests.keras3 import keras3
from tests.layers.neutral import layer_grad, to_np


def _np(t):
    return to_np(t)


def _ln_formula(x, axes, gamma, beta, eps):
    mean = x.mean(axis=axes, keepdims=True)
    var = x.var(axis=axes, keepdims=True)
    shape = [x.shape[a] if a in axes else 1 for a in range(x.ndim)]
    return (x - mean) / np.sqrt(var + eps) * gamma.reshape(shape) + beta.reshape(shape)


@pytest.mark.parametrize("axis", [-1, [1, 2], 1, [0, 2]])
def test_layer_norm_matches_formula_and_keras(axis):
    keras = keras3()
    rng = np.random.default_rng(0)
    x = rng.normal(1.0, 2.0, size=(3, 4, 5)).astype("float32")
    ours = layers.LayerNormalization(axis=axis)
    ours(x)
    weights = [rng.normal(size=w.shape).astype("float32") for w in ours.get_weights()]
    ours.set_weights(weights)
    y = _np(ours(x))
    axes = sorted(a % 3 for a in (axis if isinstance(axis, list) else [axis]))
    np.testing.assert_allclose(y, _ln_formula(x, tuple(axes), *weights, 1e-3), rtol=1e-4, atol=1e-5)
    if axis in (-1, [1, 2]):  # Keras 3.15's torch backend fails on a single non-trailing axis
        ref = keras.layers.LayerNormalization(axis=axis)
        ref(x)
        ref.set_weights(weights)
        np.testing.assert_allclose(y, keras.ops.convert_to_numpy(ref(x)), rtol=1e-5, atol=1e-5)


def test_layer_norm_gradients_match_torch():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(4, 6, 8)).astype("float32")
    ours = layers.LayerNormalization(epsilon=1e-5)
    ref = torch.nn.LayerNorm(8, eps=1e-5)
    ours(x)
    gamma, beta = rng.normal(size=8).astype("float32"), rng.normal(size=8).astype("float32")
    ours.set_weights([gamma, beta])
    with torch.no_grad():
        ref.weight.copy_(torch.from_numpy(gamma))
        ref.bias.copy_(torch.from_numpy(beta))
    xr = torch.from_numpy(x).requires_grad_()
    g = rng.normal(size=x.shape).astype("float32")
    (ref(xr) * torch.from_numpy(g)).sum().backward()
    (gx,), (g_gamma, g_beta) = layer_grad(ours, lambda y: ops.sum(ops.multiply(y, g)), [x])
    np.testing.assert_allclose(gx, _np(xr.grad), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(g_gamma, _np(ref.weight.grad), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(g_beta, _np(ref.bias.grad), rtol=1e-4, atol=1e-5)


def test_layer_norm_options_weights_and_config():
    keras = keras3()
    ln = layers.LayerNormalization(center=False)
    ln(np.zeros((2, 3), "float32"))
    assert [w.name for w in ln.weights] == ["gamma"]
    config = layers.LayerNormalization(axis=[1, 2], epsilon=1e-5).get_config()
    assert set(config) == set(keras.layers.LayerNormalization().get_config())
    assert config["axis"] == [1, 2] and config["epsilon"] == 1e-5
    assert layers.LayerNormalization.from_config(config).get_config() == config
    inp = lamina.Input((5, 6))
    assert layers.LayerNormalization()(inp).shape == (None, 5, 6)
    with pytest.raises(ValueError, match="out of bounds"):
        layers.LayerNormalization(axis=4).compute_output_shape((None, 5, 6))


def test_rms_scaling_is_deprecated_and_matches_keras_formula():
    x = np.random.default_rng(2).normal(2.0, 1.0, size=(3, 5)).astype("float32")
    with pytest.warns(lamina.errors.LaminaDeprecationWarning, match="RMSNormalization"):
        ln = layers.LayerNormalization(rms_scaling=True)
    y = _np(ln(x))
    assert [w.name for w in ln.weights] == ["gamma"]
    np.testing.assert_allclose(y, x / np.sqrt(x.var(-1, keepdims=True) + 1e-3), rtol=1e-5)


def test_rms_normalization_matches_torch_and_keras():
    keras = keras3()
    x = np.random.default_rng(3).normal(size=(2, 3, 4)).astype("float32")
    ours, ref = layers.RMSNormalization(), keras.layers.RMSNormalization()
    y = _np(ours(x))
    np.testing.assert_allclose(y, x / np.sqrt((x * x).mean(-1, keepdims=True) + 1e-6), rtol=1e-5)
    np.testing.assert_allclose(y, keras.ops.convert_to_numpy(ref(x)), rtol=1e-5, atol=1e-6)
    ours2 = layers.RMSNormalization(axis=1)
    np.testing.assert_allclose(_np(ours2(x)), x / np.sqrt((x * x).mean(1, keepdims=True) + 1e-6), rtol=1e-5)
    assert [w.shape for w in ours2.weights] == [(3,)]


def test_unit_normalization_matches_formula_and_keras():
    keras = keras3()
    x = np.random.default_rng(4).normal(size=(3, 4, 5)).astype("float32")
    for axis in (-1, [1, 2]):
        y = _np(layers.UnitNormalization(axis=axis)(x))
        ax = tuple(axis) if isinstance(axis, list) else axis
        np.testing.assert_allclose(y, x / np.sqrt((x * x).sum(ax, keepdims=True)), rtol=1e-5)
        ref = keras.ops.convert_to_numpy(keras.layers.UnitNormalization(axis=axis)(x))
        np.testing.assert_allclose(y, ref, rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(_np(layers.UnitNormalization()(np.zeros((1, 3), "float32"))), 0.0)


@pytest.mark.parametrize("make", [lambda: layers.BatchNormalization(),
                                  lambda: layers.LayerNormalization(axis=[1, 2]),
                                  lambda: layers.GroupNormalization(groups=2),
                                  lambda: layers.UnitNormalization(), lambda: layers.RMSNormalization()])
def test_compute_output_shape_matches_actual_output(make):
    x = np.random.default_rng(5).normal(size=(2, 3, 4)).astype("float32")
    layer = make()
    assert tuple(layer(x).shape) == layer.compute_output_shape((2, 3, 4))
    assert make()(lamina.Input((3, 4))).shape == (None, 3, 4)


def test_keras1_module_path_is_a_deprecated_spelling():
    from lamina.layers import normalization

    warning = lamina.errors.LaminaDeprecationWarning
    with pytest.warns(warning, match="from lamina.layers import BatchNormalization"):
        assert normalization.BatchNormalization is layers.BatchNormalization
