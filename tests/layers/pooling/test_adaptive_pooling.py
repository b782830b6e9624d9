"""Adaptive average / max pooling 1D-3D against Keras 3.15 and torch.nn's adaptive pools."""

import numpy as np
import pytest
import torch

from lamina import layers

CASES = [
    (1, 4, (2, 10, 3), "channels_last"),
    (1, 3, (2, 3, 7), "channels_first"),
    (2, (4, 3), (2, 10, 7, 3), "channels_last"),
    (2, 5, (1, 2, 11, 5), "channels_first"),
    (3, (3, 2, 2), (1, 6, 5, 4, 2), "channels_last"),
    (3, 2, (1, 2, 5, 3, 7), "channels_first"),
]


@pytest.mark.parametrize("mode", ["Average", "Max"])
@pytest.mark.parametrize("rank,size,shape,fmt", CASES)
def test_matches_keras_and_torch(keras, parity, mode, rank, size, shape, fmt):
    name = f"Adaptive{mode}Pooling{rank}D"
    x = np.random.default_rng(rank).standard_normal(shape).astype("float32")
    k = getattr(keras.layers, name)(size, data_format=fmt)
    lam = getattr(layers, name)(size, data_format=fmt)
    parity.compare(k, lam, x)
    # torch.nn's bins (channels_first)
    pool = getattr(torch.nn.functional, f"adaptive_{'avg' if mode == 'Average' else 'max'}_pool{rank}d")
    xt = torch.tensor(x if fmt == "channels_first" else np.moveaxis(x, -1, 1))
    ref = pool(xt, size).numpy()
    got = parity.np(lam(x))
    np.testing.assert_allclose(got if fmt == "channels_first" else np.moveaxis(got, -1, 1), ref, atol=1e-6)
    assert tuple(lam.compute_output_shape(shape)) == tuple(k.compute_output_shape(shape)) == got.shape
    parity.config_both_ways(keras, k, lam)


def test_bad_output_size_is_refused():
    with pytest.raises(TypeError, match=r"output_size must be an int or a tuple of 2 ints, received output_size=\(1, 2, 3\)"):
        layers.AdaptiveAveragePooling2D((1, 2, 3))
    with pytest.raises(ValueError, match="output_size must be positive"):
        layers.AdaptiveMaxPooling1D(0)
