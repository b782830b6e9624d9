"""Pooling against Keras 3 (torch backend)."""

import numpy as np
import pytest

import lamina
from lamina import layers
from tests.keras3 import keras3

keras = keras3()


@pytest.mark.parametrize("name,kwargs,shape", [
    ("MaxPooling2D", dict(pool_size=2, padding="same"), (2, 7, 7, 3)),
    ("MaxPooling2D", dict(pool_size=3, strides=2, padding="same"), (2, 8, 6, 3)),
    ("MaxPooling2D", dict(pool_size=2, strides=1, padding="same", data_format="channels_first"), (2, 3, 6, 6)),
    # average 'same' where Keras's torch backend follows TF's exclusion rule exactly
    ("AveragePooling2D", dict(pool_size=2, padding="same"), (2, 7, 7, 3)),
    ("AveragePooling2D", dict(pool_size=3, strides=1, padding="same"), (2, 6, 6, 3)),
    ("AveragePooling2D", dict(pool_size=2, strides=1, padding="same"), (2, 5, 6, 3)),
    ("AveragePooling2D", dict(pool_size=(3, 3), strides=(2, 2), padding="valid"), (2, 7, 7, 3)),
    ("AveragePooling1D", dict(pool_size=3, strides=3, padding="same"), (2, 10, 3)),
    ("MaxPooling3D", dict(pool_size=2, padding="same"), (1, 5, 4, 3, 2)),
    ("GlobalAveragePooling2D", dict(keepdims=True), (2, 5, 5, 3)),
    ("GlobalMaxPooling1D", dict(data_format="channels_first"), (2, 3, 5)),
])
def test_pooling_matches_keras(name, kwargs, shape):
    x = np.random.default_rng(0).standard_normal(shape).astype("float32")
    expected = keras.ops.convert_to_numpy(getattr(keras.layers, name)(**kwargs)(x))
    got = lamina.ops.convert_to_numpy(getattr(layers, name)(**kwargs)(x))
    assert got.shape == expected.shape
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name,kwargs", [
    ("MaxPooling2D", dict(pool_size=3, strides=2, padding="same", name="p")),
    ("AveragePooling1D", dict(pool_size=2, name="p")),
    ("GlobalAveragePooling3D", dict(keepdims=True, name="p")),
])
def test_config_keys_match_keras(name, kwargs):
    ours = getattr(layers, name)(**kwargs).get_config()
    theirs = getattr(keras.layers, name)(**kwargs).get_config()
    assert set(ours) == set(theirs)
    assert {k: v for k, v in ours.items() if k != "dtype"} == {k: v for k, v in theirs.items() if k != "dtype"}
