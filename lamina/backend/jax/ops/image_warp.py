"""Sampling and warps of ``lamina.ops.image`` under JAX: ``map_coordinates`` is
``jax.scipy.ndimage.map_coordinates``; ``affine_transform`` applies projective transforms
``[a0, a1, a2, b0, b1, b2, c0, c1]`` (as TF's ImageProjectiveTransform and the torch backend);
``perspective_transform`` solves the 4-point homography on the device, so all of them work inside
``jax.jit`` and are differentiable with respect to the images (and, for order 1, the coordinates).
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

from lamina.backend.jax.ops._convert import _t, to_float
from lamina.backend.jax.ops._image_layout import batched

_FILL_MODES = ("constant", "nearest", "wrap", "mirror", "reflect")
_ORDER = {"nearest": 0, "bilinear": 1}


def _sample(x, coords, order, fill_mode, fill_value):
    """map_coordinates on float data; integer inputs are rounded back (half to even, as torch)."""
    xf = to_float(x)
    out = jax.scipy.ndimage.map_coordinates(xf, list(coords), order, fill_mode, fill_value)
    if not jnp.issubdtype(x.dtype, jnp.floating):
        out = jnp.round(out).astype(x.dtype)
    return out


def map_coordinates(inputs, coordinates, order, fill_mode="constant", fill_value=0):
    """Sample ``inputs`` at ``coordinates`` (one array per input axis) by nearest (order 0) or
    linear (order 1) interpolation, as ``scipy.ndimage.map_coordinates`` (``'wrap'`` is SciPy's
    'grid-wrap' and ``'constant'`` its 'grid-constant')."""
    if order not in (0, 1):
        raise ValueError(f"map_coordinates() supports order 0 or 1; received order={order}.")
    if fill_mode not in _FILL_MODES:
        raise ValueError(f"map_coordinates() received fill_mode={fill_mode!r}; expected one of {_FILL_MODES}.")
    x = _t(inputs)
    coords = [to_float(_t(c)) for c in coordinates]
    if len(coords) != x.ndim:
        raise ValueError(f"map_coordinates() needs one coordinate array per input axis ({x.ndim}); "
                         f"received {len(coords)}.")
    return _sample(x, coords, order, fill_mode, fill_value)


def _warp(x, src_y, src_x, order, fill_mode, fill_value):
    """Each image of x (batch, h, w, c) read at its own (h, w) source coordinates."""
    per_channel = jax.vmap(lambda im, ys, xs: _sample(im, (ys, xs), order, fill_mode, fill_value),
                           in_axes=(-1, None, None), out_axes=-1)
    return jax.vmap(per_channel)(x, src_y, src_x)


def affine_transform(images, transform, interpolation="bilinear", fill_mode="constant", fill_value=0,
                     data_format=None):
    """Output pixel (x, y) reads input ((a0 x + a1 y + a2) / k, (b0 x + b1 y + b2) / k) with
    k = c0 x + c1 y + 1, for one transform or one per image."""
    if interpolation not in _ORDER:
        raise ValueError(f"affine_transform() received interpolation={interpolation!r}; expected "
                         "'nearest' or 'bilinear'.")
    if fill_mode not in _FILL_MODES:
        raise ValueError(f"affine_transform() received fill_mode={fill_mode!r}; expected one of {_FILL_MODES}.")
    x, undo = batched(images, data_format)
    t = to_float(_t(transform))
    if t.ndim not in (1, 2) or t.shape[-1] != 8:
        raise ValueError(f"affine_transform() needs a transform of shape (8,) or (batch, 8); received "
                         f"{tuple(t.shape)}.")
    t = jnp.broadcast_to(t.reshape(-1, 8), (x.shape[0], 8)).astype(to_float(x).dtype)
    n, h, w, _ = x.shape
    ys, xs = jnp.meshgrid(jnp.arange(h, dtype=t.dtype), jnp.arange(w, dtype=t.dtype), indexing="ij")
    a0, a1, a2, b0, b1, b2, c0, c1 = (t[:, i, None, None] for i in range(8))
    k = c0 * xs + c1 * ys + 1.0
    src_x = (a0 * xs + a1 * ys + a2) / k
    src_y = (b0 * xs + b1 * ys + b2) / k
    return undo(_warp(x, src_y, src_x, _ORDER[interpolation], fill_mode, fill_value))


def _homography(start, end):
    """The 8 transform parameters mapping each end point (output) to its start point (input).

    The points are scaled to about unit size first, so the 8x8 solve is well conditioned in float32
    (image coordinates in the hundreds would otherwise cost digits), then the scale is undone."""
    scale = jnp.maximum(jnp.max(jnp.abs(jnp.concatenate([start, end], axis=1)), axis=(1, 2)), 1.0)
    s, e = start / scale[:, None, None], end / scale[:, None, None]
    sx, sy, ex, ey = s[..., 0], s[..., 1], e[..., 0], e[..., 1]
    zero, one = jnp.zeros_like(ex), jnp.ones_like(ex)
    rows_x = jnp.stack([ex, ey, one, zero, zero, zero, -sx * ex, -sx * ey], axis=-1)
    rows_y = jnp.stack([zero, zero, zero, ex, ey, one, -sy * ex, -sy * ey], axis=-1)
    a = jnp.concatenate([rows_x, rows_y], axis=1)
    h = jnp.linalg.solve(a, jnp.concatenate([sx, sy], axis=1)[..., None])[..., 0]
    c = scale[:, None]
    return jnp.concatenate([h[:, 0:2], h[:, 2:3] * c, h[:, 3:5], h[:, 5:6] * c, h[:, 6:8] / c], axis=1)


def perspective_transform(images, start_points, end_points, interpolation="bilinear", fill_value=0,
                          data_format=None):
    """Warp so that the four ``start_points`` (x, y) land on ``end_points``."""
    s = to_float(_t(start_points)).astype(jnp.float32)
    e = to_float(_t(end_points)).astype(jnp.float32)
    if s.shape[-2:] != (4, 2) or s.ndim not in (2, 3) or s.shape != e.shape:
        raise ValueError(f"perspective_transform() needs start_points and end_points of one shape, (4, 2) or "
                         f"(batch, 4, 2); received {tuple(s.shape)} and {tuple(e.shape)}.")
    if s.ndim == 2:
        s, e = s[None], e[None]
    return affine_transform(images, _homography(s, e), interpolation, "constant", fill_value, data_format)
