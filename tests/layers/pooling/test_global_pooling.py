"""Global max/average pooling against NumPy; masked GlobalAveragePooling1D."""

import numpy as np
import pytest

import lamina
from lamina import layers

GLOBAL = {
    ("max", 1): layers.GlobalMaxPooling1D, ("max", 2): layers.GlobalMaxPooling2D,
    ("max", 3): layers.GlobalMaxPooling3D, ("average", 1): layers.GlobalAveragePooling1D,
    ("average", 2): layers.GlobalAveragePooling2D, ("average", 3): layers.GlobalAveragePooling3D,
}


@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
@pytest.mark.parametrize("mode,rank", sorted(GLOBAL))
def test_global_pooling_matches_numpy(mode, rank, data_format, keepdims):
    x = np.random.default_rng(0).standard_normal((2,) + (3, 4, 5)[:rank] + (6,)).astype("float32")
    if data_format == "channels_first":
        x = np.moveaxis(x, -1, 1).copy()
    axes = tuple(range(1, rank + 1)) if data_format == "channels_last" else tuple(range(2, rank + 2))
    layer = GLOBAL[(mode, rank)](data_format=data_format, keepdims=keepdims)
    y = lamina.ops.convert_to_numpy(layer(x))
    expected = (np.max if mode == "max" else np.mean)(x, axis=axes, keepdims=keepdims)
    np.testing.assert_allclose(y, expected, rtol=1e-5, atol=1e-6)
    assert layer.compute_output_shape((None,) + x.shape[1:]) == (None,) + y.shape[1:]


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_global_average_pooling1d_mask(data_format):
    x = np.random.default_rng(1).standard_normal((2, 5, 3)).astype("float32")
    mask = np.array([[1, 1, 0, 0, 0], [1, 1, 1, 1, 0]], bool)
    x[~mask] = np.inf  # masked steps must not leak, even as inf
    xin = x if data_format == "channels_last" else np.moveaxis(x, -1, 1).copy()
    y = lamina.ops.convert_to_numpy(layers.GlobalAveragePooling1D(data_format=data_format)(xin, mask=lamina.ops.convert_to_tensor(mask)))
    expected = np.stack([x[0, :2].mean(0), x[1, :4].mean(0)])
    np.testing.assert_allclose(y, expected, rtol=1e-5)


def test_global_average_pooling1d_consumes_embedding_mask():
    emb = layers.Embedding(10, 4, mask_zero=True) if hasattr(layers, "Embedding") else None
    if emb is None:
        pytest.skip("Embedding not available on this branch")
    ids = np.array([[3, 4, 0, 0]])
    out = layers.GlobalAveragePooling1D()(emb(ids))
    vectors = lamina.ops.convert_to_numpy(emb(ids))
    np.testing.assert_allclose(lamina.ops.convert_to_numpy(out), vectors[:, :2].mean(1), rtol=1e-5)
    assert getattr(out, "_keras_mask", None) is None


def test_aliases_and_config():
    assert layers.GlobalAvgPool2D is layers.GlobalAveragePooling2D
    assert layers.GlobalMaxPool3D is layers.GlobalMaxPooling3D
    cfg = layers.GlobalMaxPooling2D(keepdims=True).get_config()
    assert cfg["keepdims"] is True and cfg["data_format"] == "channels_last"


def test_symbolic_shape():
    assert layers.GlobalAveragePooling2D()(lamina.Input((7, 7, 8))).shape == (None, 8)
