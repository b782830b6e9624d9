"""Differentiation rules for convolution and max pooling that XLA's CPU backend runs fast.

On CPU, XLA lowers the kernel gradient of a convolution (a "convolution" whose window is the whole
output, e.g. 24x24, producing a 3x3 kernel) to a slow generic loop, and the gradient of
``reduce_window`` max pooling to a scatter with one index per input element. Measured on a 2-core
CPU (jax 0.10) for the classic mnist_cnn's second convolution, (128, 26, 26, 32) -> 64 channels,
3x3: the forward conv 119 ms, the input gradient 31 ms, the kernel gradient 733 ms; max pooling 2x2
of (128, 24, 24, 64): forward 1.6 ms, gradient 103 ms.

The rules here compute the same values with what XLA's CPU backend does well:

* ``conv``: a ``custom_jvp`` whose tangent is ``conv(dx, k) + shifted(x, dk)``, where ``shifted`` is
  the convolution written as one matrix product per kernel offset. Reverse mode transposes the
  second term into ``dk[offset] = x_slice^T @ g``: the kernel gradient above drops to 126 ms. The
  rule is written in differentiable ops and calls ``conv`` for its primal, so forward mode,
  ``jax.hessian`` and every higher order work as before.
* ``conv_transpose`` with strides (2-D): the same rule on the zero-interleaved input (XLA's
  kernel gradient of a DCGAN-style 4x4/2 transposed convolution, (64, 7, 7, 128) -> 64 channels:
  847 -> 372 ms on a loaded machine). Stride-1 transposed convolutions keep XLA's rule.
* ``max_pool`` with non-overlapping windows (strides equal to the pool size, the common case): the
  forward stays XLA's ``reduce_window``; the tangent sees the windows as a reshape and picks each
  window's *first* maximum in row-major window order, the element XLA's select-and-scatter (and
  TensorFlow's and torch's max-pool gradients) pick, so ties get the same gradient: 103 -> 9 ms.
  Forward mode picks that same element (XLA's own forward-mode rule may pick another of tied
  maxima than its reverse mode does).

All are used only where the default backend is the CPU; on GPU/TPU XLA's own rules (cuDNN's
backward-filter convolution) are the fast ones and are kept.
"""

from __future__ import annotations

import functools
import itertools

import jax
import jax.numpy as jnp
from jax import lax
from jax.custom_derivatives import SymbolicZero

__all__ = ["use_cpu_rules", "conv_rule_applies", "conv", "max_pool_disjoint"]

# Tests switch this off to compare against XLA's own rules.
ENABLED = True


def use_cpu_rules() -> bool:
    """Whether the CPU rules apply: enabled and the default JAX backend is the CPU."""
    return ENABLED and jax.default_backend() == "cpu"


def conv_rule_applies(rank: int, dilation) -> bool:
    """Whether ``conv`` below is the faster choice: 2-D convolutions without dilation. Measured
    (benchmarks/conv_grads.py) it wins on every such shape tried, 1.0-20x on the gradient; XLA's own
    rules are as fast or faster for 1-D convolutions (which XLA lowers separately), dilated ones,
    and 3-D ones."""
    return rank == 2 and all(d == 1 for d in dilation) and use_cpu_rules()


def _lax_conv(x, k, strides, pads, dilation, dims, groups, lhs_dilation=None):
    return lax.conv_general_dilated(x, k, strides, pads, lhs_dilation=lhs_dilation, rhs_dilation=dilation,
                                    dimension_numbers=dims, feature_group_count=groups)


@functools.partial(jax.custom_jvp, nondiff_argnums=(2, 3, 4, 5, 6, 7))
def conv(x, k, strides, pads, dilation, dims, groups, lhs_dilation=None):
    """``lax.conv_general_dilated`` (pads explicit, kernel ``(*window, in // groups, out)``;
    ``lhs_dilation`` for transposed convolutions) with the CPU-friendly derivative described in
    the module docstring."""
    return _lax_conv(x, k, strides, pads, dilation, dims, groups, lhs_dilation)


def _conv_jvp(strides, pads, dilation, dims, groups, lhs_dilation, primals, tangents):
    x, k = primals
    dx, dk = tangents
    y = conv(x, k, strides, pads, dilation, dims, groups, lhs_dilation)
    parts = []
    if not isinstance(dx, SymbolicZero):
        parts.append(conv(dx, k, strides, pads, dilation, dims, groups, lhs_dilation))
    if not isinstance(dk, SymbolicZero):
        parts.append(_shifted_conv_remat(x, dk, strides, pads, dilation, dims, groups, lhs_dilation))
    if not parts:  # not reached: JAX calls the rule only with some non-zero tangent
        return y, jnp.zeros_like(y)
    return y, parts[0] if len(parts) == 1 else parts[0] + parts[1]


conv.defjvp(_conv_jvp, symbolic_zeros=True)


def _shifted_conv(x, k, strides, pads, dilation, dims, groups, lhs_dilation=None):
    """The same convolution as a sum over kernel offsets of ``x_slice @ k[offset]`` (linear in
    ``k``; its transpose is one ``x_slice^T @ g`` product per offset)."""
    rank = k.ndim - 2
    channels_last = dims[0][-1] == "C"
    if not channels_last:
        x = jnp.moveaxis(x, 1, -1)
    interior = [d - 1 for d in lhs_dilation] if lhs_dilation else [0] * rank
    # lax.pad: the input dilated (zeros between elements), then padded (negative pads crop)
    x = lax.pad(x, jnp.zeros((), x.dtype),
                [(0, 0, 0)] + [(lo, hi, i) for (lo, hi), i in zip(pads, interior)] + [(0, 0, 0)])
    window = k.shape[:rank]
    cin_g, cout = k.shape[-2], k.shape[-1]
    outs = [(x.shape[1 + i] - (window[i] - 1) * dilation[i] - 1) // strides[i] + 1 for i in range(rank)]
    flat = k.reshape((-1, cin_g, cout))
    total = None
    for n, offset in enumerate(itertools.product(*(range(w) for w in window))):
        start = [0] + [o * d for o, d in zip(offset, dilation)] + [0]
        limit = [x.shape[0]] + [s + (m - 1) * st + 1 for s, m, st in zip(start[1:], outs, strides)] + [x.shape[-1]]
        xs = lax.slice(x, start, limit, [1] + list(strides) + [1])
        kn = lax.index_in_dim(flat, n, keepdims=False)
        lead = xs.shape[:-1]
        if groups == 1:  # one plain GEMM: (M, in) @ (in, out); its transpose is (in, M) @ (M, out)
            term = (xs.reshape(-1, cin_g) @ kn).reshape(lead + (cout,))
        else:
            xs = xs.reshape((-1, groups, cin_g))
            kg = kn.reshape(cin_g, groups, cout // groups)
            term = jnp.einsum("mgc,cgo->mgo", xs, kg).reshape(lead + (cout,))
        total = term if total is None else total + term
    if not channels_last:
        total = jnp.moveaxis(total, -1, 1)
    return total.astype(x.dtype)


# Recomputed in the backward pass: the per-offset slices of x are cheap copies, and keeping them as
# residuals would hold (kernel size) copies of the input until the backward pass.
_shifted_conv_remat = jax.checkpoint(_shifted_conv, static_argnums=(2, 3, 4, 5, 6, 7))


def _lowest(dtype):
    """The value padding takes in a max pool: it never wins a window."""
    return -jnp.inf if jnp.issubdtype(dtype, jnp.floating) else jnp.iinfo(dtype).min


def _first_max_mask(xr, y, axes):
    """True at each window's first maximum in row-major window order."""
    code = None
    for a in axes:
        shape = [1] * xr.ndim
        shape[a] = xr.shape[a]
        pos = lax.broadcasted_iota(jnp.int32, shape, a)
        code = pos if code is None else code * xr.shape[a] + pos
    size = 1
    for a in axes:
        size *= xr.shape[a]
    hit = xr == jnp.expand_dims(y, axes)
    first = jnp.min(jnp.where(hit, code, size), axis=axes, keepdims=True)
    return code == first


def _windows(x, pool, pads, channels_last, fill):
    """x padded with ``fill``, cropped to whole windows and reshaped so that each spatial axis
    becomes (windows, pool); returns the reshape and the window axes."""
    rank = len(pool)
    first = 1 if channels_last else 2
    if any(p != (0, 0) for p in pads):
        widths = [(0, 0)] * x.ndim
        for i, p in enumerate(pads):
            widths[first + i] = tuple(p)
        x = jnp.pad(x, widths, constant_values=fill)
    shape, axes, crop = [], [], [slice(None)] * x.ndim
    for ax, size in enumerate(x.shape):
        if first <= ax < first + rank:
            p = pool[ax - first]
            crop[ax] = slice(0, (size // p) * p)
            shape += [size // p, p]
            axes.append(len(shape) - 1)
        else:
            shape.append(size)
    return x[tuple(crop)].reshape(shape), tuple(axes)


@functools.partial(jax.custom_jvp, nondiff_argnums=(1, 2, 3))
def max_pool_disjoint(x, pool, pads, channels_last):
    """Max pooling whose windows do not overlap (strides == pool size; ``pads`` TF-style, padding
    never wins): XLA's ``reduce_window`` forward, with the derivative described in the module
    docstring."""
    first = 1 if channels_last else 2
    rank = len(pool)
    window = [1] * x.ndim
    widths = [(0, 0)] * x.ndim
    for i in range(rank):
        window[first + i] = pool[i]
        widths[first + i] = tuple(pads[i])
    return lax.reduce_window(x, jnp.asarray(_lowest(x.dtype), x.dtype), lax.max, window, window, widths)


def _max_pool_jvp(pool, pads, channels_last, primals, tangents):
    (x,), (t,) = primals, tangents
    y = max_pool_disjoint(x, pool, pads, channels_last)  # recursive: higher orders keep the rule
    xr, axes = _windows(x, pool, pads, channels_last, _lowest(x.dtype))
    tr, _ = _windows(t, pool, pads, channels_last, 0)
    mask = _first_max_mask(xr, y, axes)
    return y, jnp.sum(jnp.where(mask, tr, jnp.zeros((), tr.dtype)), axis=axes)


max_pool_disjoint.defjvp(_max_pool_jvp)
