"""Filters of ``lamina.ops.image`` under JAX: Gaussian blur, Sobel edges and SSIM, each one
depthwise ``lax.conv_general_dilated`` on (batch, height, width, channels), zeros outside the image
(as Keras and the torch backend)."""

from __future__ import annotations

import jax
import jax.numpy as jnp

from lamina.backend.jax.ops._convert import pair, to_float
from lamina.backend.jax.ops._image_layout import batched


def _depthwise(x, kernel, padding):
    """Correlate every channel of x (n, h, w, c) with the 2-D ``kernel``."""
    c = x.shape[-1]
    k = jnp.broadcast_to(kernel[:, :, None, None], kernel.shape + (1, c)).astype(x.dtype)
    return jax.lax.conv_general_dilated(x, k, (1, 1), padding, dimension_numbers=("NHWC", "HWIO", "NHWC"),
                                        feature_group_count=c)


def _gauss(k, sigma, dtype):
    r = jnp.arange(k, dtype=dtype) - (k - 1) / 2
    g = jnp.exp(-(r ** 2) / (2 * jnp.asarray(sigma, dtype) ** 2))
    return g / jnp.sum(g)


def gaussian_blur(images, kernel_size=(3, 3), sigma=(1.0, 1.0), data_format=None):
    """Blur with a (kernel_size[0] rows, kernel_size[1] columns) Gaussian of standard deviations
    ``sigma`` (rows, columns); the output keeps the input's size."""
    x, undo = batched(images, data_format)
    x = to_float(x)
    kh, kw = pair(kernel_size)
    sh, sw = (sigma, sigma) if isinstance(sigma, (int, float)) else tuple(sigma)
    kern = jnp.outer(_gauss(kh, sh, x.dtype), _gauss(kw, sw, x.dtype))
    return undo(_depthwise(x, kern, [((kh - 1) // 2, kh // 2), ((kw - 1) // 2, kw // 2)]))


def sobel_edges(images, data_format=None):
    """(dy, dx) Sobel responses stacked on a new last axis: (..., channels, 2) for channels_last."""
    x, undo = batched(images, data_format)
    x = to_float(x)
    ky = jnp.asarray([[-1, -2, -1], [0, 0, 0], [1, 2, 1]], x.dtype)
    pad = [(1, 1), (1, 1)]
    return jnp.stack([undo(_depthwise(x, ky, pad)), undo(_depthwise(x, ky.T, pad))], axis=-1)


def ssim(image1, image2, max_val=1.0, filter_size=11, filter_sigma=1.5, k1=0.01, k2=0.03, data_format=None):
    """Mean structural similarity per image (a valid Gaussian window, as tf.image.ssim)."""
    x, _ = batched(image1, data_format)
    y, _ = batched(image2, data_format)
    x = to_float(x)
    y = to_float(y).astype(x.dtype)
    g = _gauss(filter_size, filter_sigma, x.dtype)
    kern = jnp.outer(g, g)

    def blur(v):
        return _depthwise(v, kern, "VALID")

    c1, c2 = (k1 * max_val) ** 2, (k2 * max_val) ** 2
    mx, my = blur(x), blur(y)
    sxx, syy, sxy = blur(x * x) - mx ** 2, blur(y * y) - my ** 2, blur(x * y) - mx * my
    num = (2 * mx * my + c1) * (2 * sxy + c2)
    den = (mx ** 2 + my ** 2 + c1) * (sxx + syy + c2)
    out = jnp.mean(num / den, axis=(1, 2, 3))
    return out if jnp.ndim(image1) == 4 else out[0]
