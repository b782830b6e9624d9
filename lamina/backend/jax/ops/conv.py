"""Convolution, pooling and upsampling on ``jax.lax`` in Keras layouts (NHWC/HWIO).

Keras's kernels are already in the layout ``lax.conv_general_dilated`` takes ("HWIO"), so no
transposes are needed; 'same' padding is passed as explicit TensorFlow-style ``(before, after)``
pairs (the extra element after), which is what Keras computes.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from lamina import config
from lamina.backend.jax.ops import cpu_grads

__all__ = ["conv", "conv_transpose", "depthwise_conv", "separable_conv", "max_pool", "average_pool",
           "upsample"]

_SPATIAL = "DHW"


def _tuple(value, rank):
    if isinstance(value, int):
        return (value,) * rank
    return tuple(value)


def _check_rank(x, rank, what):
    if x.ndim != rank + 2:
        raise ValueError(
            f"{what} expects a {rank + 2}-D input (batch, {rank} spatial dims, channels), "
            f"received shape {tuple(x.shape)}."
        )


def same_padding(size: int, kernel: int, stride: int, dilation: int = 1) -> tuple:
    """Keras/TF 'same' padding of one spatial axis: (before, after), the extra one after."""
    k = (kernel - 1) * dilation + 1
    out = -(-size // stride)
    total = max(0, (out - 1) * stride + k - size)
    return total // 2, total - total // 2


def _channels_last(data_format):
    return (data_format or config.image_data_format()) == "channels_last"


def _spatial_sizes(x, rank, channels_last):
    return x.shape[1:1 + rank] if channels_last else x.shape[2:2 + rank]


def _pads(x, rank, channels_last, kernel, strides, dilation, padding):
    padding = padding.lower()
    if padding == "valid":
        return [(0, 0)] * rank
    sizes = _spatial_sizes(x, rank, channels_last)
    if padding == "causal":
        return [((kernel[0] - 1) * dilation[0], 0)]
    if padding == "same":
        return [same_padding(sizes[i], kernel[i], strides[i], dilation[i]) for i in range(rank)]
    raise ValueError(f"Invalid padding {padding!r}: expected 'valid', 'same' or 'causal'.")


def _dims(rank, channels_last):
    sp = _SPATIAL[-rank:]
    lhs = f"N{sp}C" if channels_last else f"NC{sp}"
    return (lhs, f"{sp}IO", lhs)


def conv(inputs, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1, groups=None,
         bias=None):
    """N-D convolution (cross-correlation) with a Keras kernel (*kernel_size, in // groups, out)."""
    rank = kernel.ndim - 2
    _check_rank(inputs, rank, f"conv with a {rank}-D kernel")
    cl = _channels_last(data_format)
    strides = _tuple(strides, rank)
    dilation = _tuple(dilation_rate, rank)
    pads = _pads(inputs, rank, cl, kernel.shape[:rank], strides, dilation, padding)
    if groups is None:
        groups = inputs.shape[-1 if cl else 1] // kernel.shape[-2]
    kernel = kernel.astype(inputs.dtype)
    if cpu_grads.conv_rule_applies(rank, dilation):
        y = cpu_grads.conv(inputs, kernel, strides, tuple(tuple(p) for p in pads), dilation, _dims(rank, cl),
                           groups)
    else:
        y = jax.lax.conv_general_dilated(inputs, kernel, strides, pads, rhs_dilation=dilation,
                                         dimension_numbers=_dims(rank, cl), feature_group_count=groups)
    if bias is not None:
        y = y + (bias if cl else bias.reshape((-1,) + (1,) * rank))
    return y


def depthwise_conv(inputs, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1,
                   bias=None):
    """Depthwise convolution with a Keras kernel (*kernel_size, in, depth_multiplier)."""
    rank = kernel.ndim - 2
    in_ch, mult = kernel.shape[-2], kernel.shape[-1]
    flat = kernel.reshape(tuple(kernel.shape[:rank]) + (1, in_ch * mult))
    return conv(inputs, flat, strides, padding, data_format, dilation_rate, in_ch, bias)


def separable_conv(inputs, depthwise_kernel, pointwise_kernel, strides=1, padding="valid",
                   data_format=None, dilation_rate=1, bias=None):
    y = depthwise_conv(inputs, depthwise_kernel, strides, padding, data_format, dilation_rate)
    return conv(y, pointwise_kernel, 1, "valid", data_format, 1, 1, bias)


def _conv_transpose_crops(kernel, stride, padding, output_padding=None, dilation=1):
    """Keras's transposed-convolution geometry on one axis, as (crop_before, crop_after) of the
    full output ``(size - 1) * stride + k_eff`` (negative: extend with zeros)."""
    k = (kernel - 1) * dilation + 1
    if padding == "valid":
        extra = max(k, stride) - k if output_padding is None else output_padding
        before, after = k - 1, k - 1 + extra
    else:
        total = stride + k - 2 if output_padding is None else k + k % 2 - 2 + output_padding
        before = min(total // 2 + total % 2, k - 1)
        after = total - before
    return k - 1 - before, k - 1 - after


def conv_transpose(inputs, kernel, strides=1, padding="valid", output_padding=None, data_format=None,
                   dilation_rate=1, bias=None):
    """Transposed convolution with a Keras kernel (*kernel_size, out, in): the input dilated by
    the strides, convolved with the flipped kernel, with Keras's output geometry."""
    rank = kernel.ndim - 2
    _check_rank(inputs, rank, f"conv_transpose with a {rank}-D kernel")
    cl = _channels_last(data_format)
    strides = _tuple(strides, rank)
    dilation = _tuple(dilation_rate, rank)
    outpad = (None,) * rank if output_padding is None else _tuple(output_padding, rank)
    pads = []
    for i in range(rank):
        cb, ca = _conv_transpose_crops(kernel.shape[i], strides[i], padding.lower(), outpad[i], dilation[i])
        k = (kernel.shape[i] - 1) * dilation[i] + 1
        pads.append((k - 1 - cb, k - 1 - ca))
    w = jnp.swapaxes(jnp.flip(kernel, axis=tuple(range(rank))), -1, -2).astype(inputs.dtype)
    if any(s > 1 for s in strides) and cpu_grads.conv_rule_applies(rank, dilation):
        y = cpu_grads.conv(inputs, w, (1,) * rank, tuple(pads), dilation, _dims(rank, cl), 1, strides)
    else:
        y = jax.lax.conv_general_dilated(inputs, w, (1,) * rank, pads, lhs_dilation=strides,
                                         rhs_dilation=dilation, dimension_numbers=_dims(rank, cl))
    if bias is not None:
        y = y + (bias if cl else bias.reshape((-1,) + (1,) * rank))
    return y


def _window(rank, cl, pool_size, strides, pads):
    if cl:
        return (1,) + pool_size + (1,), (1,) + strides + (1,), [(0, 0)] + list(pads) + [(0, 0)]
    return (1, 1) + pool_size, (1, 1) + strides, [(0, 0), (0, 0)] + list(pads)


def _pool_args(inputs, pool_size, strides, padding, data_format):
    rank = inputs.ndim - 2
    cl = _channels_last(data_format)
    pool_size = _tuple(pool_size, rank)
    strides = pool_size if strides is None else _tuple(strides, rank)
    pads = _pads(inputs, rank, cl, pool_size, strides, (1,) * rank, padding)
    return rank, cl, pool_size, strides, pads


def max_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    """Max pooling; 'same' pads TF-style (padding never wins the max)."""
    rank, cl, pool_size, strides, pads = _pool_args(inputs, pool_size, strides, padding, data_format)
    if strides == pool_size and cpu_grads.use_cpu_rules():
        return cpu_grads.max_pool_disjoint(inputs, pool_size, tuple(tuple(p) for p in pads), cl)
    win, st, pd = _window(rank, cl, pool_size, strides, pads)
    return jax.lax.reduce_window(inputs, -jnp.inf, jax.lax.max, win, st, pd)


def average_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    """Average pooling; with 'same', padded positions are excluded from each window's count."""
    rank, cl, pool_size, strides, pads = _pool_args(inputs, pool_size, strides, padding, data_format)
    win, st, pd = _window(rank, cl, pool_size, strides, pads)
    total = jax.lax.reduce_window(inputs, 0.0, jax.lax.add, win, st, pd)
    if all(p == (0, 0) for p in pads):
        return total / float(np.prod(pool_size))
    ones = jnp.ones((1,) + tuple(_spatial_sizes(inputs, rank, cl)) + (1,) if cl
                    else (1, 1) + tuple(_spatial_sizes(inputs, rank, cl)), inputs.dtype)
    counts = jax.lax.reduce_window(ones, 0.0, jax.lax.add, win, st, pd)
    return total / counts


def upsample(inputs, size, data_format=None, interpolation="nearest"):
    """Repeat each spatial element ``size`` times per axis ('nearest'), or resize with half-pixel
    'bilinear' / 'bicubic' interpolation."""
    rank = inputs.ndim - 2
    cl = _channels_last(data_format)
    size = _tuple(size, rank)
    first = 1 if cl else 2
    if interpolation == "nearest":
        y = inputs
        for i in range(rank):
            y = jnp.repeat(y, size[i], axis=first + i)
        return y
    shape = list(inputs.shape)
    for i in range(rank):
        shape[first + i] *= size[i]
    method = {"bilinear": "linear", "bicubic": "cubic"}.get(interpolation, interpolation)
    return jax.image.resize(inputs, tuple(shape), method=method, antialias=False)
