"""Convolutions against Keras 3 itself (torch backend), with the same weights."""

import numpy as np
import pytest

import lamina
from lamina import layers
from tests.keras3 import keras3

keras = keras3()


def _compare(keras_layer, lamina_layer, shape, seed=0):
    x = np.random.default_rng(seed).standard_normal(shape).astype("float32")
    expected = keras.ops.convert_to_numpy(keras_layer(x))
    lamina_layer(x)
    weights = keras_layer.get_weights()
    assert [w.shape for w in weights] == [w.shape for w in lamina_layer.get_weights()]
    lamina_layer.set_weights(weights)
    got = lamina.ops.convert_to_numpy(lamina_layer(x))
    assert got.shape == expected.shape
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("kwargs,shape", [
    (dict(filters=4, kernel_size=3, strides=2, padding="same"), (2, 8, 8, 3)),   # odd total padding
    (dict(filters=4, kernel_size=(2, 3), strides=(2, 1), padding="same"), (2, 7, 6, 3)),
    (dict(filters=4, kernel_size=3, padding="same", dilation_rate=2), (2, 7, 7, 3)),
    (dict(filters=4, kernel_size=3, strides=2, padding="same", data_format="channels_first"), (2, 3, 8, 8)),
    (dict(filters=6, kernel_size=3, groups=3, activation="relu"), (2, 6, 6, 3)),
])
def test_conv2d_matches_keras(kwargs, shape):
    _compare(keras.layers.Conv2D(**kwargs), layers.Conv2D(**kwargs), shape)


@pytest.mark.parametrize("kwargs,shape", [
    (dict(filters=3, kernel_size=4, padding="causal", dilation_rate=2), (2, 11, 2)),
    (dict(filters=3, kernel_size=4, strides=3, padding="same"), (2, 11, 2)),
])
def test_conv1d_matches_keras(kwargs, shape):
    _compare(keras.layers.Conv1D(**kwargs), layers.Conv1D(**kwargs), shape)


def test_conv3d_matches_keras():
    kwargs = dict(filters=2, kernel_size=(2, 3, 2), strides=2, padding="same")
    _compare(keras.layers.Conv3D(**kwargs), layers.Conv3D(**kwargs), (1, 5, 6, 4, 3))


@pytest.mark.parametrize("kwargs,shape", [
    (dict(filters=4, kernel_size=3, strides=2, padding="same"), (2, 5, 5, 3)),
    (dict(filters=4, kernel_size=4, strides=2, padding="same"), (2, 5, 5, 3)),
    (dict(filters=4, kernel_size=3, strides=2, padding="valid"), (2, 5, 4, 3)),
    (dict(filters=4, kernel_size=2, strides=3, padding="valid"), (2, 4, 4, 3)),
    (dict(filters=4, kernel_size=3, strides=2, padding="same", output_padding=1), (2, 4, 4, 3)),
    (dict(filters=4, kernel_size=3, strides=2, padding="same", data_format="channels_first"), (2, 3, 5, 5)),
])
def test_conv2d_transpose_matches_keras(kwargs, shape):
    _compare(keras.layers.Conv2DTranspose(**kwargs), layers.Conv2DTranspose(**kwargs), shape)


def test_conv1d_transpose_matches_keras():
    kwargs = dict(filters=3, kernel_size=5, strides=2, padding="same")
    _compare(keras.layers.Conv1DTranspose(**kwargs), layers.Conv1DTranspose(**kwargs), (2, 6, 2))


@pytest.mark.parametrize("kwargs,shape", [
    (dict(kernel_size=3, strides=2, padding="same", depth_multiplier=2), (2, 8, 8, 3)),
    (dict(kernel_size=(3, 2), padding="valid", depth_multiplier=1, data_format="channels_first"), (2, 3, 7, 7)),
])
def test_depthwise_conv2d_matches_keras(kwargs, shape):
    _compare(keras.layers.DepthwiseConv2D(**kwargs), layers.DepthwiseConv2D(**kwargs), shape)


@pytest.mark.parametrize("kwargs,shape", [
    (dict(filters=5, kernel_size=3, strides=2, padding="same", depth_multiplier=2), (2, 8, 8, 3)),
    (dict(filters=5, kernel_size=3, padding="valid", activation="relu"), (2, 7, 7, 4)),
])
def test_separable_conv2d_matches_keras(kwargs, shape):
    _compare(keras.layers.SeparableConv2D(**kwargs), layers.SeparableConv2D(**kwargs), shape)


def test_separable_conv1d_matches_keras():
    kwargs = dict(filters=4, kernel_size=4, strides=2, padding="same", depth_multiplier=2)
    _compare(keras.layers.SeparableConv1D(**kwargs), layers.SeparableConv1D(**kwargs), (2, 9, 3))


@pytest.mark.parametrize("name,kwargs", [
    ("Conv2D", dict(filters=4, kernel_size=3, strides=2, padding="same", name="c")),
    ("Conv1DTranspose", dict(filters=4, kernel_size=3, name="c")),
    ("DepthwiseConv2D", dict(kernel_size=3, depth_multiplier=2, name="c")),
    ("SeparableConv2D", dict(filters=4, kernel_size=3, name="c")),
])
def test_config_keys_match_keras(name, kwargs):
    ours = getattr(layers, name)(**kwargs).get_config()
    theirs = getattr(keras.layers, name)(**kwargs).get_config()
    assert set(ours) == set(theirs)
    for key in ours:
        if key not in ("dtype", "kernel_initializer", "depthwise_initializer", "pointwise_initializer",
                       "bias_initializer"):
            assert ours[key] == theirs[key], key
