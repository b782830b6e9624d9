import numpy as np
import pytest
import torch

import lamina
from lamina import layers, ops
from tests.keras3 import keras3
from tests.layers.neutral import layer_grad, to_np, with_mask


def _np(t):
    return to_np(t)


X = np.random.default_rng(0).normal(0, 3, size=(4, 5, 6)).astype("float32")


@pytest.mark.parametrize("kwargs", [{}, {"max_value": 2.0}, {"negative_slope": 0.1},
                                    {"threshold": 1.0},
                                    {"max_value": 4.0, "negative_slope": 0.2, "threshold": 0.5}])
def test_relu_matches_formula_and_keras(kwargs):
    keras = keras3()
    mv, ns, th = kwargs.get("max_value"), kwargs.get("negative_slope", 0.0), kwargs.get("threshold", 0.0)
    expected = np.where(X >= th, X, ns * (X - th))
    if mv is not None:
        expected = np.minimum(expected, mv)
    y = _np(layers.ReLU(**kwargs)(X))
    np.testing.assert_allclose(y, expected, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(y, _np(keras.layers.ReLU(**kwargs)(X)), rtol=1e-6, atol=1e-6)
    with pytest.raises(ValueError, match="non-negative"):
        layers.ReLU(max_value=-1.0)


def test_leaky_relu_elu_match_torch_and_keras_and_alpha_is_deprecated():
    keras = keras3()
    xt = torch.from_numpy(X)
    y = _np(layers.LeakyReLU()(X))
    np.testing.assert_allclose(y, _np(torch.nn.functional.leaky_relu(xt, 0.3)), rtol=1e-6)
    np.testing.assert_allclose(y, _np(keras.layers.LeakyReLU()(X)), rtol=1e-6)
    with pytest.warns(lamina.errors.LaminaDeprecationWarning, match="negative_slope"):
        legacy = layers.LeakyReLU(alpha=0.1)
    assert legacy.negative_slope == 0.1 and legacy.get_config()["negative_slope"] == 0.1
    y = _np(layers.ELU(alpha=0.7)(X))
    np.testing.assert_allclose(y, _np(torch.nn.functional.elu(xt, 0.7)), rtol=1e-6)
    np.testing.assert_allclose(y, _np(keras.layers.ELU(alpha=0.7)(X)), rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match="negative_slope"):
        layers.LeakyReLU(-0.1)


def test_prelu_matches_torch_prelu_with_shared_axes_and_gradients():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(2, 4, 4, 3)).astype("float32")  # NHWC
    layer = layers.PReLU(shared_axes=[1, 2])
    layer(x)
    assert [w.shape for w in layer.weights] == [(1, 1, 3)]
    alpha = rng.uniform(0.1, 0.5, size=(1, 1, 3)).astype("float32")
    layer.set_weights([alpha])
    ref = torch.nn.PReLU(3)
    with torch.no_grad():
        ref.weight.copy_(torch.from_numpy(alpha.reshape(3)))
    xr = torch.from_numpy(x.transpose(0, 3, 1, 2).copy()).requires_grad_()
    y, yr = layer(x), ref(xr)
    np.testing.assert_allclose(_np(y), _np(yr).transpose(0, 2, 3, 1), rtol=1e-6)
    yr.sum().backward()
    (gx,), (g_alpha,) = layer_grad(layer, ops.sum, [x])
    np.testing.assert_allclose(g_alpha.reshape(3), _np(ref.weight.grad), rtol=1e-5)
    np.testing.assert_allclose(gx, _np(xr.grad).transpose(0, 2, 3, 1), rtol=1e-6)


def test_prelu_matches_keras_default_and_config():
    keras = keras3()
    ours, ref = layers.PReLU(), keras.layers.PReLU()
    ours(X)
    ref(X)
    assert [w.shape for w in ours.weights] == [(5, 6)] == [tuple(w.shape) for w in ref.weights]
    np.testing.assert_array_equal(ours.get_weights()[0], 0.0)  # alpha_initializer='zeros'
    alpha = np.random.default_rng(2).uniform(size=(5, 6)).astype("float32")
    ours.set_weights([alpha])
    ref.set_weights([alpha])
    np.testing.assert_allclose(_np(ours(X)), _np(ref(X)), rtol=1e-6)
    config = layers.PReLU(shared_axes=1, alpha_regularizer="l2").get_config()
    assert set(config) == set(keras.layers.PReLU().get_config()) and config["shared_axes"] == [1]
    assert layers.PReLU.from_config(config).get_config() == config
    with pytest.warns(lamina.errors.LaminaDeprecationWarning, match="alpha_initializer"):
        legacy = layers.PReLU(init="ones")
    assert type(legacy.alpha_initializer).__name__ == "Ones"
    with pytest.raises(ValueError, match="shared_axes"):
        layers.PReLU(shared_axes=[3])(np.zeros((1, 2, 2), "float32"))


def test_softmax_with_mask_matches_keras():
    keras = keras3()
    rng = np.random.default_rng(3)
    x = rng.normal(size=(2, 3, 5)).astype("float32")
    mask = rng.random((2, 1, 5)) > 0.4
    mask[0, 0, :] = False  # fully masked row -> all zeros
    y = _np(layers.Softmax()(x, mask=mask))
    np.testing.assert_allclose(y, _np(keras.layers.Softmax()(x, mask=mask)), rtol=1e-6, atol=1e-7)
    np.testing.assert_array_equal(y[np.broadcast_to(~mask, x.shape)], 0.0)
    np.testing.assert_allclose(y[1].sum(-1), 1.0, rtol=1e-6)
    e = (np.exp(x - x.max(-1, keepdims=True)) * mask)[1]  # row 0 is fully masked: 0/0 there
    np.testing.assert_allclose(y[1], e / e.sum(-1, keepdims=True), rtol=1e-5)
    with pytest.raises(ValueError, match="broadcastable"):
        layers.Softmax()(x, mask=np.ones((2, 4), bool))


def test_softmax_multi_axis_and_passthrough_of_timestep_mask():
    keras = keras3()
    y = _np(layers.Softmax(axis=(1, 2))(X))
    np.testing.assert_allclose(y.sum((1, 2)), 1.0, rtol=1e-5)
    np.testing.assert_allclose(y, _np(keras.layers.Softmax(axis=(1, 2))(X)), rtol=1e-5, atol=1e-7)
    x = with_mask(X, np.ones((4, 5), bool))
    out = layers.Softmax()(x)
    np.testing.assert_allclose(_np(out), _np(torch.softmax(torch.from_numpy(X), -1)), rtol=1e-6)
    assert lamina.backend.get_mask(out) is lamina.backend.get_mask(x)


def test_configs_match_keras_keys():
    keras = keras3()
    for name, kw in (("ReLU", {"max_value": 6.0}), ("LeakyReLU", {}), ("ELU", {}), ("Softmax", {"axis": 1})):
        config = getattr(layers, name)(**kw).get_config()
        assert set(config) == set(getattr(keras.layers, name)(**kw).get_config())
        assert getattr(layers, name).from_config(config).get_config() == config
    assert layers.ReLU()(lamina.Input((3,))).shape == (None, 3)


@pytest.mark.parametrize("name", ["ReLU", "LeakyReLU", "PReLU", "ELU", "Softmax"])
def test_compute_output_shape_matches_actual_output(name):
    layer = getattr(layers, name)()
    assert tuple(layer(X).shape) == layer.compute_output_shape(X.shape) == X.shape


def test_keras1_advanced_activations_module_path():
    from lamina.layers import advanced_activations

    with pytest.warns(lamina.errors.LaminaDeprecationWarning, match="from lamina.layers import PReLU"):
        assert advanced_activations.PReLU is layers.PReLU
