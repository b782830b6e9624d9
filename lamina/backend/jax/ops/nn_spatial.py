"""Spatial kernels of ``lamina.ops.nn`` under JAX: adaptive pooling, depth/space rearrangements and
torch's ``unfold`` / ``fold`` (im2col / col2im), with the torch backend's numerics.

Adaptive pooling uses torch's windows (start floor(i * in / out), end ceil((i + 1) * in / out)),
which are separable: averages are an (out, in) matrix per axis, maxima a static gather of each
window padded to the longest one. All sizes are static, so everything works inside ``jax.jit``.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from lamina import config
from lamina.backend.common.image_geometry import adaptive_windows
from lamina.backend.jax.ops._convert import _t, pair, to_float


def _average_matrix(size, out):
    m = np.zeros((out, size))
    for i, (a, b) in enumerate(adaptive_windows(size, out)):
        m[i, a:b] = 1.0 / (b - a)
    return m


def average_along(x, axis, out):
    """torch's adaptive average pooling of one axis of ``x`` to ``out`` positions."""
    m = jnp.asarray(_average_matrix(x.shape[axis], out), x.dtype)
    return jnp.moveaxis(jnp.tensordot(x, m, axes=((axis,), (1,))), -1, axis)


def max_along(x, axis, out):
    """torch's adaptive max pooling of one axis of ``x`` to ``out`` positions."""
    windows = adaptive_windows(x.shape[axis], out)
    longest = max(b - a for a, b in windows)
    idx = np.array([[min(a + k, b - 1) for k in range(longest)] for a, b in windows])  # repeat the last
    g = jnp.take(x, jnp.asarray(idx.reshape(-1)), axis=axis)
    shape = x.shape[:axis] + (out, longest) + x.shape[axis + 1:]
    return jnp.max(g.reshape(shape), axis=axis + 1)


def _adaptive(along, inputs, output_size, data_format):
    x = to_float(_t(inputs))
    rank = x.ndim - 2
    if rank not in (1, 2, 3):
        raise ValueError(f"Adaptive pooling needs a rank 3, 4 or 5 input (batch, spatial..., channels); "
                         f"received shape {tuple(x.shape)}.")
    output_size = pair(output_size, rank)
    first_spatial = 1 if (data_format or config.image_data_format()) == "channels_last" else 2
    for i, out in enumerate(output_size):
        x = along(x, first_spatial + i, out)
    return x


def adaptive_average_pool(inputs, output_size, data_format=None):
    return _adaptive(average_along, inputs, output_size, data_format)


def adaptive_max_pool(inputs, output_size, data_format=None):
    return _adaptive(max_along, inputs, output_size, data_format)


def _nchw(x, data_format):
    return jnp.transpose(x, (0, 3, 1, 2)) if data_format == "channels_last" else x


def _back(x, data_format):
    return jnp.transpose(x, (0, 2, 3, 1)) if data_format == "channels_last" else x


def depth_to_space(x, block_size, data_format="channels_last"):
    """TF's DCR order: the block position is the outer part of the channel index."""
    x = _nchw(_t(x), data_format)
    n, c, h, w = x.shape
    b = block_size
    y = x.reshape(n, b, b, c // b ** 2, h, w).transpose(0, 3, 4, 1, 5, 2)
    return _back(y.reshape(n, c // b ** 2, h * b, w * b), data_format)


def space_to_depth(x, block_size, data_format="channels_last"):
    x = _nchw(_t(x), data_format)
    n, c, h, w = x.shape
    b = block_size
    y = x.reshape(n, c, h // b, b, w // b, b).transpose(0, 3, 5, 1, 2, 4)
    return _back(y.reshape(n, c * b ** 2, h // b, w // b), data_format)


def _unfold4(x, kernel_size, dilation, padding, stride):
    k, d, p, s = pair(kernel_size), pair(dilation), pair(padding), pair(stride)
    patches = jax.lax.conv_general_dilated_patches(x, k, s, [(p[0], p[0]), (p[1], p[1])], rhs_dilation=d,
                                                   dimension_numbers=("NCHW", "OIHW", "NCHW"))
    return patches.reshape(patches.shape[0], patches.shape[1], -1)


def unfold(x, kernel_size, dilation=1, padding=0, stride=1):
    """torch's ``F.unfold``: (N, C, H, W) -> (N, C * kh * kw, L), channel outermost in each column."""
    x = to_float(_t(x))
    if x.ndim not in (3, 4):
        raise ValueError(f"unfold() needs a (N, C, H, W) or (C, H, W) input; received shape {tuple(x.shape)}.")
    single = x.ndim == 3
    out = _unfold4(x[None] if single else x, kernel_size, dilation, padding, stride)
    return out[0] if single else out


def fold(x, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """torch's ``F.fold`` (the adjoint of ``unfold``: overlapping values add up):
    (N, C * kh * kw, L) -> (N, C, output_h, output_w)."""
    x = to_float(_t(x))
    if x.ndim not in (2, 3):
        raise ValueError(f"fold() needs a (N, C * kh * kw, L) or (C * kh * kw, L) input; received shape "
                         f"{tuple(x.shape)}.")
    single = x.ndim == 2
    cols = x[None] if single else x
    kh, kw = pair(kernel_size)
    if cols.shape[1] % (kh * kw):
        raise ValueError(f"fold() needs dimension 1 of the input ({cols.shape[1]}) to be divisible by "
                         f"kernel_size[0] * kernel_size[1] = {kh * kw}.")
    shape = (cols.shape[0], cols.shape[1] // (kh * kw)) + pair(output_size)
    spec = jax.ShapeDtypeStruct(shape, cols.dtype)
    transpose = jax.linear_transpose(lambda im: _unfold4(im, kernel_size, dilation, padding, stride), spec)
    out = transpose(cols)[0]
    return out[0] if single else out
