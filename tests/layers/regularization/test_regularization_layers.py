import numpy as np
import pytest
import torch

import lamina
from lamina import layers
from tests.keras3 import keras3


def _np(t):
    return t.detach().cpu().numpy() if torch.is_tensor(t) else np.asarray(t)


@pytest.mark.parametrize("cls,shape,data_format,channel_axis", [
    ("SpatialDropout1D", (64, 7, 32), None, 2),
    ("SpatialDropout2D", (32, 5, 6, 32), "channels_last", 3),
    ("SpatialDropout2D", (32, 32, 5, 6), "channels_first", 1),
    ("SpatialDropout3D", (16, 3, 4, 5, 32), "channels_last", 4),
    ("SpatialDropout3D", (16, 32, 3, 4, 5), "channels_first", 1),
])
def test_spatial_dropout_drops_whole_channels_and_preserves_mean(cls, shape, data_format, channel_axis):
    kw = {} if data_format is None else {"data_format": data_format}
    layer = getattr(layers, cls)(0.25, **kw)
    x = np.ones(shape, "float32")
    np.testing.assert_array_equal(_np(layer(x)), x)  # identity at inference
    y = _np(layer(x, training=True))
    assert set(np.unique(y)) <= {0.0, np.float32(1 / 0.75)}
    spatial = tuple(a for a in range(1, len(shape)) if a != channel_axis)
    # each (sample, channel) map is either all dropped or all kept
    assert (y.min(axis=spatial) == y.max(axis=spatial)).all()
    assert abs(y.mean() - 1.0) < 0.1
    assert abs((y == 0).mean() - 0.25) < 0.06
    assert layer.compute_output_shape(shape) == shape


def test_spatial_dropout_input_spec_config_and_legacy():
    keras = keras3()
    with pytest.raises(ValueError, match="ndim=4"):
        layers.SpatialDropout2D(0.5)(lamina.Input((3, 4)))
    for cls in ("SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D"):
        config = getattr(layers, cls)(0.3).get_config()
        assert set(getattr(keras.layers, cls)(0.3).get_config()) <= set(config)
        assert getattr(layers, cls).from_config(config).get_config() == config
    with pytest.warns(lamina.errors.LaminaDeprecationWarning):
        legacy = layers.SpatialDropout2D(p=0.2, dim_ordering="th")
    assert legacy.rate == 0.2 and legacy.data_format == "channels_first"


def test_gaussian_noise_statistics():
    x = np.full((200, 100), 3.0, "float32")
    layer = layers.GaussianNoise(0.5)
    np.testing.assert_array_equal(_np(layer(x)), x)
    y = _np(layer(x, training=True))
    assert abs(y.mean() - 3.0) < 0.02 and abs(y.std() - 0.5) < 0.02


def test_gaussian_dropout_statistics():
    x = np.full((200, 100), 2.0, "float32")
    layer = layers.GaussianDropout(0.2)
    np.testing.assert_array_equal(_np(layer(x)), x)
    y = _np(layer(x, training=True))
    # multiplicative N(1, rate / (1 - rate)) noise: mean preserved, std = 2 * 0.5
    assert abs(y.mean() - 2.0) < 0.03 and abs(y.std() - 1.0) < 0.03


def test_alpha_dropout_keeps_mean_and_variance_of_standard_inputs():
    x = np.random.default_rng(0).normal(size=(400, 250)).astype("float32")
    layer = layers.AlphaDropout(0.2)
    np.testing.assert_array_equal(_np(layer(x)), x)
    y = _np(layer(x, training=True))
    assert abs(y.mean()) < 0.02 and abs(y.std() - 1.0) < 0.02
    alpha_p = -1.6732632423543772 * 1.0507009873554805
    a = ((1 - 0.2) * (1 + 0.2 * alpha_p ** 2)) ** -0.5
    dropped = np.isclose(y, a * alpha_p + (-a * alpha_p * 0.2), atol=1e-5)
    assert abs(dropped.mean() - 0.2) < 0.01
    kept = ~dropped
    np.testing.assert_allclose(y[kept], a * x[kept] - a * alpha_p * 0.2, rtol=1e-4, atol=1e-5)


def test_noise_layer_configs_and_validation():
    keras = keras3()
    for cls, arg in (("GaussianNoise", 0.1), ("GaussianDropout", 0.1), ("AlphaDropout", 0.1)):
        config = getattr(layers, cls)(arg).get_config()
        assert set(config) == set(getattr(keras.layers, cls)(arg).get_config())
        assert getattr(layers, cls).from_config(config).get_config() == config
    with pytest.raises(ValueError, match="rate"):
        layers.GaussianDropout(1.5)
    with pytest.raises(ValueError, match="stddev"):
        layers.GaussianNoise(-1)


def test_activity_regularization_adds_batch_averaged_penalty_like_keras():
    keras = keras3()
    x = np.random.default_rng(1).normal(size=(4, 3)).astype("float32")
    layer = layers.ActivityRegularization(l1=0.1, l2=0.2)
    y = layer(x)
    np.testing.assert_array_equal(_np(y), x)
    expected = (0.1 * np.abs(x).sum() + 0.2 * (x ** 2).sum()) / 4
    assert len(layer.losses) == 1
    np.testing.assert_allclose(float(layer.losses[0]), expected, rtol=1e-5)
    ref = keras.layers.ActivityRegularization(l1=0.1, l2=0.2)
    ref(x)
    np.testing.assert_allclose(float(layer.losses[0]), float(ref.losses[0]), rtol=1e-5)
    layer(x)  # a new call replaces the previous penalty
    assert len(layer.losses) == 1
    model = lamina.Sequential([lamina.Input((3,)), layers.Dense(2), layers.ActivityRegularization(l2=1.0)])
    out = model(x)
    np.testing.assert_allclose(float(_np(sum(model.losses))), float((_np(out) ** 2).sum()) / 4, rtol=1e-5)
    config = layer.get_config()
    assert set(config) == set(ref.get_config()) and config["l1"] == 0.1
    assert layers.ActivityRegularization.from_config(config).get_config() == config
