"""Kernels of ``lamina.ops.image`` under JAX, with the torch backend's numerics.

Images are (batch, height, width, channels) for channels_last (the default) or
(batch, channels, height, width); a single image without the batch axis works too. Every kernel
works inside ``jax.jit`` (sizes, paddings and strides are static Python values). This module holds
the layout helpers, colour spaces, padding/cropping and patches; resizing, warps and filters live in
``image_resize``, ``image_warp`` and ``image_filters``.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

from lamina.backend.common.image_geometry import same_padding, side_amounts
from lamina.backend.jax.ops._convert import pair, to_float
from lamina.backend.jax.ops._image_layout import batched
from lamina.backend.jax.ops._names import IMAGE as _NAMES
from lamina.backend.jax.ops._stubs import fill as _fill


def rgb_to_grayscale(images, data_format=None):
    x, undo = batched(images, data_format)
    dtype = x.dtype
    xf = to_float(x)
    w = jnp.asarray([0.2989, 0.5870, 0.1140], xf.dtype)
    y = jnp.sum(xf * w, axis=-1, keepdims=True)
    return undo(y.astype(dtype) if jnp.issubdtype(dtype, jnp.floating) else y)


def rgb_to_hsv(images, data_format=None):
    x, undo = batched(images, data_format)
    x = to_float(x)
    r, g, b = x[..., 0], x[..., 1], x[..., 2]
    value = jnp.max(x, axis=-1)
    rng = value - jnp.min(x, axis=-1)
    safe = jnp.where(rng > 0, rng, 1.0)
    saturation = jnp.where(value > 0, rng / jnp.where(value > 0, value, 1.0), 0.0)
    hue = jnp.where(value == r, (g - b) / safe,
                    jnp.where(value == g, 2.0 + (b - r) / safe, 4.0 + (r - g) / safe))
    hue = jnp.where(rng > 0, jnp.mod(hue / 6.0, 1.0), 0.0)
    return undo(jnp.stack([hue, saturation, value], axis=-1).astype(x.dtype))


def hsv_to_rgb(images, data_format=None):
    x, undo = batched(images, data_format)
    x = to_float(x)
    h, s, v = x[..., 0], x[..., 1], x[..., 2]
    dh = jnp.mod(h, 1.0) * 6.0
    rgb = jnp.stack([jnp.clip(jnp.abs(dh - 3.0) - 1.0, 0.0, 1.0),
                     jnp.clip(2.0 - jnp.abs(dh - 2.0), 0.0, 1.0),
                     jnp.clip(2.0 - jnp.abs(dh - 4.0), 0.0, 1.0)], axis=-1)
    return undo(((rgb - 1.0) * s[..., None] + 1.0) * v[..., None])


def pad_images(images, top_padding=None, left_padding=None, bottom_padding=None, right_padding=None,
               target_height=None, target_width=None, data_format=None):
    x, undo = batched(images, data_format)
    h, w = x.shape[1:3]
    top, bottom = side_amounts(top_padding, bottom_padding, target_height, h, "height", grow=True)
    left, right = side_amounts(left_padding, right_padding, target_width, w, "width", grow=True)
    return undo(jnp.pad(x, ((0, 0), (top, bottom), (left, right), (0, 0))))


def crop_images(images, top_cropping=None, left_cropping=None, bottom_cropping=None, right_cropping=None,
                target_height=None, target_width=None, data_format=None):
    x, undo = batched(images, data_format)
    h, w = x.shape[1:3]
    top, bottom = side_amounts(top_cropping, bottom_cropping, target_height, h, "height", grow=False)
    left, right = side_amounts(left_cropping, right_cropping, target_width, w, "width", grow=False)
    return undo(x[:, top:h - bottom, left:w - right, :])


def extract_patches(images, size, strides=None, dilation_rate=1, padding="valid", data_format=None):
    """Patches of ``size`` as flat vectors ordered (row, column, channel):
    (batch, out_h, out_w, size_h * size_w * channels) for channels_last."""
    size = pair(size)
    strides = size if strides is None else pair(strides)
    dil = pair(dilation_rate)
    x, undo = batched(images, data_format)
    dtype = x.dtype
    n, h, w, c = x.shape
    if padding == "same":
        pads = [same_padding(h, size[0], strides[0], dil[0]), same_padding(w, size[1], strides[1], dil[1])]
    elif padding == "valid":
        pads = [(0, 0), (0, 0)]
    else:
        raise ValueError(f"extract_patches() received padding={padding!r}; expected 'valid' or 'same'.")
    # conv_general_dilated_patches orders each patch (channel, row, column); Keras wants (row, column, channel)
    p = jax.lax.conv_general_dilated_patches(to_float(x), size, strides, pads, rhs_dilation=dil,
                                             dimension_numbers=("NHWC", "HWIO", "NHWC"))
    oh, ow = p.shape[1:3]
    p = p.reshape(n, oh, ow, c, size[0] * size[1]).swapaxes(-1, -2).reshape(n, oh, ow, -1)
    return undo(p.astype(dtype))


from lamina.backend.jax.ops.image_filters import gaussian_blur, sobel_edges, ssim  # noqa: E402,F401
from lamina.backend.jax.ops.image_resize import resize  # noqa: E402,F401
from lamina.backend.jax.ops.image_warp import (  # noqa: E402,F401
    affine_transform,
    map_coordinates,
    perspective_transform,
)

_fill(globals(), "image", _NAMES, [])
