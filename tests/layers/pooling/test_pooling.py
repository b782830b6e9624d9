"""Max/average pooling against a NumPy definition (padding as NaN, ignored) and torch."""

import itertools

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import lamina
from lamina import layers
from lamina.errors import LaminaDeprecationWarning

MAX = {1: layers.MaxPooling1D, 2: layers.MaxPooling2D, 3: layers.MaxPooling3D}
AVG = {1: layers.AveragePooling1D, 2: layers.AveragePooling2D, 3: layers.AveragePooling3D}


def _numpy_pool(x, pool, strides, padding, mode):
    """channels_last N-D pooling; 'same' pads TF-style with NaN, which max/mean ignore."""
    rank = len(pool)
    spatial = x.shape[1:-1]
    pads = []
    for n, k, s in zip(spatial, pool, strides):
        if padding == "same":
            total = max((-(-n // s) - 1) * s + k - n, 0)
            pads.append((total // 2, total - total // 2))
        else:
            pads.append((0, 0))
    xp = np.pad(x.astype("float64"), [(0, 0)] + pads + [(0, 0)], constant_values=np.nan)
    outs = [(xp.shape[1 + i] - pool[i]) // strides[i] + 1 for i in range(rank)]
    y = np.zeros((x.shape[0], *outs, x.shape[-1]))
    reduce = np.nanmax if mode == "max" else np.nanmean
    for idx in itertools.product(*[range(o) for o in outs]):
        window = xp[(slice(None),) + tuple(slice(i * s, i * s + k) for i, s, k in zip(idx, strides, pool))]
        y[(slice(None),) + idx] = reduce(window.reshape(x.shape[0], -1, x.shape[-1]), axis=1)
    return y


CASES = [
    # rank, spatial, pool, strides, padding
    (1, (9,), (2,), None, "valid"),
    (1, (9,), (3,), (2,), "same"),          # odd total via stride
    (1, (8,), (4,), (1,), "same"),          # stride 1, even pool: (1, 2) padding
    (2, (7, 7), (2, 2), None, "valid"),
    (2, (7, 7), (2, 2), None, "same"),      # 7 -> 4, one pad at the end
    (2, (6, 6), (3, 3), (2, 2), "same"),    # (0, 1) per axis
    (2, (6, 5), (2, 2), (1, 1), "same"),    # stride 1: explicit pad path
    (2, (5, 6), (3, 2), (1, 2), "same"),    # mixed per axis
    (2, (8, 8), (3, 3), (1, 1), "same"),    # symmetric (1, 1)
    (3, (4, 5, 3), (2, 2, 2), None, "same"),
    (3, (4, 4, 4), (2, 3, 2), (1, 1, 2), "valid"),
]


@pytest.mark.parametrize("mode", ["max", "average"])
@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
@pytest.mark.parametrize("rank,spatial,pool,strides,padding", CASES)
def test_pooling_matches_numpy_definition(rank, spatial, pool, strides, padding, data_format, mode):
    x = np.random.default_rng(0).standard_normal((2, *spatial, 3)).astype("float32")
    layer = (MAX if mode == "max" else AVG)[rank](pool, strides, padding, data_format)
    xin = x if data_format == "channels_last" else np.moveaxis(x, -1, 1).copy()
    y = lamina.ops.convert_to_numpy(layer(xin))
    assert layer.compute_output_shape((None,) + xin.shape[1:]) == (None,) + y.shape[1:]
    if data_format == "channels_first":
        y = np.moveaxis(y, 1, -1)
    expected = _numpy_pool(x, pool, strides or pool, padding, mode)
    np.testing.assert_allclose(y, expected, rtol=1e-5, atol=1e-6)


def test_average_same_excludes_padding_from_the_count():
    """A 3-wide window at the end of a length-6 sequence (stride 2) covers 2 real values."""
    x = np.arange(6, dtype="float32").reshape(1, 6, 1)
    y = lamina.ops.convert_to_numpy(layers.AveragePooling1D(3, strides=2, padding="same")(x))[0, :, 0]
    np.testing.assert_allclose(y, [1.0, 3.0, 4.5])


def test_max_pool2d_gradient_matches_torch(grads):
    x = np.random.default_rng(1).standard_normal((2, 8, 8, 3)).astype("float32")
    r = np.arange(2 * 4 * 4 * 3, dtype="float32").reshape(2, 4, 4, 3)
    y, (gx,), _ = grads(layers.MaxPooling2D(2), x, lambda out: lamina.ops.sum(lamina.ops.multiply(out, r)))
    xr = torch.from_numpy(x).requires_grad_()
    yr = F.max_pool2d(xr.permute(0, 3, 1, 2), 2).permute(0, 2, 3, 1)
    (yr * torch.arange(yr.numel()).reshape(yr.shape)).sum().backward()
    np.testing.assert_allclose(y, yr.detach().numpy())
    np.testing.assert_allclose(gx, xr.grad.numpy())


def test_average_pool_same_gradient_is_count_weighted(grads):
    x = np.ones((1, 5, 1), "float32")
    _, (gx,), _ = grads(layers.AveragePooling1D(2, strides=2, padding="same"), x, lamina.ops.sum)
    np.testing.assert_allclose(gx[0, :, 0], [0.5, 0.5, 0.5, 0.5, 1.0])


def test_strides_default_to_pool_size_and_config():
    layer = layers.MaxPooling2D((3, 2))
    assert layer.strides == (3, 2)
    cfg = layer.get_config()
    assert cfg["pool_size"] == (3, 2) and cfg["strides"] == (3, 2) and cfg["padding"] == "valid"
    assert cfg["data_format"] == "channels_last"
    assert layers.MaxPool2D is layers.MaxPooling2D and layers.AvgPool1D is layers.AveragePooling1D


def test_keras1_pool_length_and_stride():
    with pytest.warns(LaminaDeprecationWarning) as record:
        layer = layers.MaxPooling1D(pool_length=3, stride=1, border_mode="same")
    assert (layer.pool_size, layer.strides, layer.padding) == ((3,), (1,), "same")
    assert any("strides" in str(w.message) for w in record)


def test_pooling_shape_error_and_bad_padding():
    with pytest.raises(lamina.errors.ShapeError, match=r'"pool".*expected ndim=4.*\(8, 8, 3\)'):
        layers.MaxPooling2D(name="pool")(np.zeros((8, 8, 3), "float32"))
    with pytest.raises(ValueError, match="Did you mean 'valid'"):
        layers.MaxPooling2D(padding="vaild")
    with pytest.raises(ValueError, match="non-positive spatial size"):
        layers.MaxPooling2D(4)(np.zeros((1, 3, 3, 1), "float32"))


def test_symbolic_shape():
    out = layers.MaxPooling2D(2, padding="same")(lamina.Input((7, 9, 4)))
    assert out.shape == (None, 4, 5, 4)
