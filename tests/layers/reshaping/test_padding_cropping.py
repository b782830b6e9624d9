"""ZeroPadding1D/2D/3D and Cropping1D/2D/3D against NumPy, both data formats."""

import numpy as np
import pytest

import lamina
from lamina import layers
from tests.keras3 import keras3


def _spatial(data_format, rank):
    return tuple(range(1, rank + 1)) if data_format == "channels_last" else tuple(range(2, rank + 2))


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
@pytest.mark.parametrize("rank,padding,pairs", [
    (1, 2, ((2, 2),)),
    (1, (1, 3), ((1, 3),)),
    (2, 1, ((1, 1), (1, 1))),
    (2, (2, 1), ((2, 2), (1, 1))),
    (2, ((1, 0), (2, 3)), ((1, 0), (2, 3))),
    (3, ((1, 0), 2, (0, 1)), ((1, 0), (2, 2), (0, 1))),
])
def test_zero_padding_matches_numpy(rank, padding, pairs, data_format):
    cls = {1: layers.ZeroPadding1D, 2: layers.ZeroPadding2D, 3: layers.ZeroPadding3D}[rank]
    x = np.random.default_rng(0).standard_normal((2,) + (3, 4, 2)[:rank] + (3,)).astype("float32")
    if data_format == "channels_first":
        x = np.moveaxis(x, -1, 1).copy()
    width = [(0, 0)] * x.ndim
    for a, p in zip(_spatial(data_format, rank), pairs):
        width[a] = p
    layer = cls(padding, data_format=data_format)
    y = lamina.ops.convert_to_numpy(layer(x))
    np.testing.assert_array_equal(y, np.pad(x, width))
    assert layer.compute_output_shape((None,) + x.shape[1:]) == (None,) + y.shape[1:]


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
@pytest.mark.parametrize("rank,cropping,pairs", [
    (2, 1, ((1, 1), (1, 1))),
    (2, (2, 0), ((2, 2), (0, 0))),
    (2, ((0, 2), (1, 0)), ((0, 2), (1, 0))),
    (3, ((1, 0), 1, (0, 2)), ((1, 0), (1, 1), (0, 2))),
])
def test_cropping_matches_numpy(rank, cropping, pairs, data_format):
    cls = {2: layers.Cropping2D, 3: layers.Cropping3D}[rank]
    x = np.random.default_rng(1).standard_normal((2,) + (6, 5, 4)[:rank] + (3,)).astype("float32")
    if data_format == "channels_first":
        x = np.moveaxis(x, -1, 1).copy()
    index = [slice(None)] * x.ndim
    for a, (b, e) in zip(_spatial(data_format, rank), pairs):
        index[a] = slice(b, x.shape[a] - e)
    layer = cls(cropping, data_format=data_format)
    y = lamina.ops.convert_to_numpy(layer(x))
    np.testing.assert_array_equal(y, x[tuple(index)])
    assert layer.compute_output_shape((None,) + x.shape[1:]) == (None,) + y.shape[1:]


def test_cropping1d():
    x = np.arange(12, dtype="float32").reshape(1, 6, 2)
    layer = layers.Cropping1D((1, 2))
    np.testing.assert_array_equal(lamina.ops.convert_to_numpy(layer(x)), x[:, 1:4])
    assert layer.compute_output_shape((None, 6, 2)) == (None, 3, 2)
    assert layer.get_config()["cropping"] == (1, 2) and "data_format" not in layer.get_config()


def test_cropping_everything_is_an_error():
    with pytest.raises(ValueError, match=r"removes all of axis 1.*\(1, 4, 4, 1\)"):
        layers.Cropping2D(2)(np.zeros((1, 4, 4, 1), "float32"))


def test_bad_padding_argument():
    with pytest.raises(ValueError, match="tuple of 2"):
        layers.ZeroPadding2D((1, 2, 3))
    with pytest.raises(ValueError, match=">= 0"):
        layers.ZeroPadding1D(-1)


def test_symbolic_shapes():
    inp = lamina.Input((8, 8, 3))
    assert layers.ZeroPadding2D(((1, 2), (0, 1)))(inp).shape == (None, 11, 9, 3)
    assert layers.Cropping2D(((1, 2), (0, 1)))(inp).shape == (None, 5, 7, 3)


@pytest.mark.parametrize("name,kwargs,shape", [
    ("ZeroPadding2D", dict(padding=((1, 2), (0, 1))), (2, 4, 4, 3)),
    ("ZeroPadding1D", dict(padding=(2, 1)), (2, 4, 3)),
    ("ZeroPadding3D", dict(padding=1, data_format="channels_first"), (1, 2, 2, 2, 2)),
    ("Cropping2D", dict(cropping=((1, 0), (2, 1))), (2, 6, 6, 3)),
    ("Cropping1D", dict(cropping=(1, 2)), (2, 6, 3)),
    ("Cropping3D", dict(cropping=1), (1, 4, 4, 4, 2)),
])
def test_matches_keras_outputs_and_config(name, kwargs, shape):
    keras = keras3()
    x = np.random.default_rng(2).standard_normal(shape).astype("float32")
    k = getattr(keras.layers, name)(name="r", **kwargs)
    ours = getattr(layers, name)(name="r", **kwargs)
    np.testing.assert_array_equal(lamina.ops.convert_to_numpy(ours(x)), keras.ops.convert_to_numpy(k(x)))
    assert ({a: b for a, b in ours.get_config().items() if a != "dtype"}
            == {a: b for a, b in k.get_config().items() if a != "dtype"})
