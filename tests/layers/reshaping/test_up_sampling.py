"""UpSampling1D/2D/3D against np.repeat, torch's half-pixel bilinear and Keras 3."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import lamina
from lamina import layers
from lamina.errors import LaminaDeprecationWarning
from tests.keras3 import keras3


def test_up_sampling1d_repeats_steps():
    x = np.random.default_rng(0).standard_normal((2, 4, 3)).astype("float32")
    layer = layers.UpSampling1D(3)
    np.testing.assert_array_equal(lamina.ops.convert_to_numpy(layer(x)), np.repeat(x, 3, axis=1))
    assert layer.compute_output_shape((None, 4, 3)) == (None, 12, 3)
    assert layer.get_config()["size"] == 3 and "data_format" not in layer.get_config()


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_up_sampling2d_nearest_repeats_rows_and_cols(data_format):
    x = np.random.default_rng(1).standard_normal((2, 3, 4, 5)).astype("float32")
    layer = layers.UpSampling2D((2, 3), data_format=data_format)
    axes = (1, 2) if data_format == "channels_last" else (2, 3)
    expected = np.repeat(np.repeat(x, 2, axis=axes[0]), 3, axis=axes[1])
    np.testing.assert_array_equal(lamina.ops.convert_to_numpy(layer(x)), expected)
    assert layer.compute_output_shape((None,) + x.shape[1:]) == (None,) + expected.shape[1:]


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_up_sampling3d_nearest(data_format):
    x = np.random.default_rng(2).standard_normal((1, 2, 3, 2, 4)).astype("float32")
    axes = (1, 2, 3) if data_format == "channels_last" else (2, 3, 4)
    expected = x
    for a, s in zip(axes, (2, 1, 3)):
        expected = np.repeat(expected, s, axis=a)
    y = lamina.ops.convert_to_numpy(layers.UpSampling3D((2, 1, 3), data_format=data_format)(x))
    np.testing.assert_array_equal(y, expected)


def test_up_sampling2d_bilinear_is_half_pixel():
    x = np.random.default_rng(3).standard_normal((2, 4, 5, 3)).astype("float32")
    y = lamina.ops.convert_to_numpy(layers.UpSampling2D(2, interpolation="bilinear")(x))
    ref = F.interpolate(torch.from_numpy(x).permute(0, 3, 1, 2), scale_factor=2, mode="bilinear",
                        align_corners=False).permute(0, 2, 3, 1).numpy()
    np.testing.assert_allclose(y, ref, rtol=1e-6, atol=1e-6)
    # half-pixel closed form on one row: out[1] = 0.75 * in[0] + 0.25 * in[1]
    np.testing.assert_allclose(y[0, 0, 1], 0.75 * x[0, 0, 0] + 0.25 * x[0, 0, 1], rtol=1e-5, atol=1e-6)


def test_up_sampling2d_gradient_sums_repeats(grads):
    _, (gx,), _ = grads(layers.UpSampling2D((2, 3)), np.ones((1, 2, 2, 1), "float32"), lamina.ops.sum)
    np.testing.assert_array_equal(gx, np.full((1, 2, 2, 1), 6.0))


def test_interpolation_errors():
    with pytest.raises(ValueError, match="Did you mean 'bilinear'"):
        layers.UpSampling2D(interpolation="bilinaer")
    with pytest.raises(ValueError, match="lanczos3.*not supported"):
        layers.UpSampling2D(interpolation="lanczos3")
    with pytest.raises(ValueError, match="size must be an int"):
        layers.UpSampling1D((2, 2))


def test_keras1_length_keyword():
    with pytest.warns(LaminaDeprecationWarning, match="size"):
        assert layers.UpSampling1D(length=4).size == 4


def test_symbolic_shape():
    assert layers.UpSampling2D(2)(lamina.Input((None, 5, 3))).shape == (None, None, 10, 3)


@pytest.mark.parametrize("kwargs,shape", [
    (dict(size=(2, 3), interpolation="bilinear"), (2, 4, 5, 3)),
    (dict(size=2, interpolation="bilinear", data_format="channels_first"), (2, 3, 4, 4)),
    (dict(size=(3, 2), interpolation="nearest"), (2, 4, 5, 3)),
])
def test_up_sampling2d_matches_keras(kwargs, shape):
    keras = keras3()
    x = np.random.default_rng(4).standard_normal(shape).astype("float32")
    expected = keras.ops.convert_to_numpy(keras.layers.UpSampling2D(**kwargs)(x))
    np.testing.assert_allclose(lamina.ops.convert_to_numpy(layers.UpSampling2D(**kwargs)(x)), expected, rtol=1e-5, atol=1e-6)
    ours = layers.UpSampling2D(name="u", **kwargs).get_config()
    theirs = keras.layers.UpSampling2D(name="u", **kwargs).get_config()
    assert {k: v for k, v in ours.items() if k != "dtype"} == {k: v for k, v in theirs.items() if k != "dtype"}
