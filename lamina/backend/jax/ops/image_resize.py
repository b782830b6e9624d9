"""``ops.image.resize`` under JAX, numerically the torch backend's ``F.interpolate``.

- 'nearest' is torch's 'nearest-exact' (source index floor((i + 0.5) * in / out)), which is what
  ``jax.image.resize(method='nearest')`` computes;
- 'bilinear' (and 'bicubic' with ``antialias=True``) is ``jax.image.resize``: half-pixel centres,
  taps outside the image dropped and the rest renormalised, which equals torch's clamped taps for
  the triangle kernel and torch's antialiased (PIL-style, a = -0.5) kernels;
- 'bicubic' without antialias is torch's cubic convolution with a = -0.75 and edge-replicated
  taps, which no JAX function computes: it is a (out, in) weight matrix per axis built on the host
  from the static sizes, applied with two matrix products;
- 'area' is torch's adaptive average pooling; 'lanczos3' / 'lanczos5' (Keras on JAX only) are
  ``jax.image.resize``.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from lamina.backend.common.image_geometry import aspect_crop_box, aspect_pad_amounts
from lamina.backend.jax.ops._convert import to_float
from lamina.backend.jax.ops._image_layout import batched
from lamina.backend.jax.ops.nn_spatial import average_along

_INTERPOLATIONS = ("bilinear", "nearest", "bicubic", "area", "lanczos3", "lanczos5")
_JAX_METHOD = {"bilinear": "linear", "bicubic": "cubic", "lanczos3": "lanczos3", "lanczos5": "lanczos5"}


def _cubic(d, a=-0.75):
    d = np.abs(d)
    near = ((a + 2) * d - (a + 3)) * d * d + 1
    far = ((a * d - 5 * a) * d + 8 * a) * d - 4 * a
    return np.where(d <= 1, near, np.where(d < 2, far, 0.0))


def cubic_matrix(size, out):
    """(out, size) weights of torch's bicubic interpolation (align_corners=False, no antialias)."""
    src = (np.arange(out) + 0.5) * (size / out) - 0.5
    base = np.floor(src)
    t = src - base
    m = np.zeros((out, size))
    for k in range(-1, 3):
        idx = np.clip(base + k, 0, size - 1).astype(np.int64)
        np.add.at(m, (np.arange(out), idx), _cubic(t - k))
    return m


def _along(x, m, axis):
    """Apply an (out, in) matrix to ``axis`` of ``x``."""
    y = jnp.tensordot(x, jnp.asarray(m, x.dtype), axes=((axis,), (1,)))
    return jnp.moveaxis(y, -1, axis)


def resize(images, size, interpolation="bilinear", antialias=False, crop_to_aspect_ratio=False,
           pad_to_aspect_ratio=False, fill_mode="constant", fill_value=0.0, data_format=None):
    if interpolation not in _INTERPOLATIONS:
        raise ValueError(f"resize() received interpolation={interpolation!r}; expected one of "
                         f"{sorted(_INTERPOLATIONS)}.")
    if fill_mode != "constant":
        raise ValueError(f"resize() received fill_mode={fill_mode!r}; only 'constant' is supported.")
    if crop_to_aspect_ratio and pad_to_aspect_ratio:
        raise ValueError("resize() accepts only one of crop_to_aspect_ratio and pad_to_aspect_ratio.")
    if len(size) != 2:
        raise ValueError(f"resize() needs size=(height, width); received size={size}.")
    x, undo = batched(images, data_format)
    dtype = x.dtype
    x = to_float(x)
    th, tw = int(size[0]), int(size[1])
    n, h, w, c = x.shape
    if crop_to_aspect_ratio:
        top, left, ch, cw = aspect_crop_box(h, w, th, tw)
        x = x[:, top:top + ch, left:left + cw, :]
    elif pad_to_aspect_ratio:
        rows, cols = aspect_pad_amounts(h, w, th, tw)
        x = jnp.pad(x, ((0, 0), rows, cols, (0, 0)), constant_values=fill_value)
    h, w = x.shape[1:3]
    if interpolation == "area":
        y = average_along(average_along(x, 1, th), 2, tw)
    elif interpolation == "nearest":
        y = jax.image.resize(x, (n, th, tw, c), "nearest")
    elif interpolation == "bicubic" and not antialias:
        y = _along(_along(x, cubic_matrix(h, th), 1), cubic_matrix(w, tw), 2)
    else:
        y = jax.image.resize(x, (n, th, tw, c), _JAX_METHOD[interpolation], antialias=antialias)
    if not jnp.issubdtype(dtype, jnp.floating):
        info = jnp.iinfo(dtype)
        y = jnp.clip(jnp.round(y), info.min, info.max).astype(dtype)
    return undo(y)
