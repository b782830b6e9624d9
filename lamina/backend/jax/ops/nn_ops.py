"""Kernels of ``lamina.ops.nn`` under JAX (``jax.nn`` and the backend's layer kernels)."""

from __future__ import annotations

import sys

import jax
import jax.numpy as jnp
import numpy as np

from lamina import config
import lamina.backend.jax.ops.conv  # noqa: F401  (the module; the package's `conv` is the conv function)
from lamina.backend.jax.ops import core as _core
from lamina.backend.jax.ops import nn as _nn
from lamina.backend.jax.ops._convert import _t, at_least_float32, promote_float, to_float
from lamina.backend.jax.ops._names import NN as _NAMES
from lamina.backend.jax.ops._stubs import fill as _fill

_conv = sys.modules["lamina.backend.jax.ops.conv"]


def _f(x):
    x = jnp.asarray(x)
    return x if jnp.issubdtype(x.dtype, jnp.floating) else x.astype(jnp.float32)


def relu(x):
    x = jnp.asarray(x)
    # integers keep their dtype (Keras 3: ``jax.nn.relu`` on the tensor); bools become floats
    return jax.nn.relu(x if jnp.issubdtype(x.dtype, jnp.integer) else _f(x))


def relu6(x):
    return jnp.clip(_f(x), 0.0, 6.0)


def sigmoid(x):
    return jax.nn.sigmoid(_f(x))


def softmax(x, axis=-1):
    return _nn.softmax(_f(x), axis)


def log_softmax(x, axis=-1):
    return jax.nn.log_softmax(_f(x), axis=axis)


def hard_tanh(x):
    return jnp.clip(_f(x), -1.0, 1.0)


def hard_swish(x):
    return _nn.hard_silu(_f(x))


def hard_shrink(x, threshold=0.5):
    x = _f(x)
    return jnp.where(jnp.abs(x) > threshold, x, 0.0)


def soft_shrink(x, threshold=0.5):
    x = _f(x)
    return jnp.where(x > threshold, x - threshold, jnp.where(x < -threshold, x + threshold, 0.0))


def tanh_shrink(x):
    x = _f(x)
    return x - jnp.tanh(x)


def squareplus(x, b=4):
    x = _f(x)
    return (x + jnp.sqrt(x * x + b)) / 2


def sparse_plus(x):
    x = _f(x)
    return jnp.where(x <= -1, 0.0, jnp.where(x >= 1, x, (x + 1) ** 2 / 4))


def sparse_sigmoid(x):
    x = _f(x)
    return jnp.where(x <= -1, 0.0, jnp.where(x >= 1, 1.0, (x + 1) / 2))


def threshold(x, threshold, default_value):
    x = _f(x)
    return jnp.where(x > threshold, x, default_value)


def glu(x, axis=-1):
    a, b = jnp.split(_f(x), 2, axis=axis)
    return a * jax.nn.sigmoid(b)


def conv(inputs, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1):
    return _conv.conv(_f(inputs), _f(kernel), strides, padding, data_format, dilation_rate)


def depthwise_conv(inputs, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1):
    return _conv.depthwise_conv(_f(inputs), _f(kernel), strides, padding, data_format, dilation_rate)


def separable_conv(inputs, depthwise_kernel, pointwise_kernel, strides=1, padding="valid",
                   data_format=None, dilation_rate=1):
    return _conv.separable_conv(_f(inputs), _f(depthwise_kernel), _f(pointwise_kernel), strides, padding,
                                data_format, dilation_rate)


def conv_transpose(inputs, kernel, strides=1, padding="valid", output_padding=None, data_format=None,
                   dilation_rate=1):
    return _conv.conv_transpose(_f(inputs), _f(kernel), strides, padding, output_padding, data_format,
                                dilation_rate)


def max_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    return _conv.max_pool(_f(inputs), pool_size, strides, padding, data_format)


def average_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    return _conv.average_pool(_f(inputs), pool_size, strides, padding, data_format)


def one_hot(x, num_classes, axis=-1, dtype=None, sparse=False):
    return jax.nn.one_hot(jnp.asarray(x), num_classes, axis=axis,
                          dtype=_core.to_jax_dtype(dtype or config.floatx()))


def multi_hot(inputs, num_classes=None, axis=-1, dtype=None, sparse=False, **kwargs):
    num_classes = num_classes or kwargs.get("num_tokens")
    hot = one_hot(inputs, num_classes, axis=axis, dtype=dtype)
    return jnp.max(hot, axis=-2 if axis == -1 else axis)


def moments(x, axes, keepdims=False, synchronized=False):
    x = _f(x)
    axes = tuple(axes) if isinstance(axes, (list, tuple)) else axes
    mean = jnp.mean(x, axis=axes, keepdims=True)
    var = jnp.mean(jnp.square(x - mean), axis=axes, keepdims=keepdims)
    return (mean if keepdims else jnp.squeeze(mean, axes)), var


def batch_normalization(x, mean, variance, axis, offset=None, scale=None, epsilon=1e-3):
    return _nn.batch_norm_inference(_f(x), jnp.asarray(mean), jnp.asarray(variance), scale, offset, axis,
                                    epsilon)


def normalize(x, axis=-1, order=2, epsilon=None):
    x = _f(x)
    eps = config.epsilon() if epsilon is None else epsilon
    n = jnp.linalg.norm(x, ord=order, axis=axis, keepdims=True)
    return x / jnp.maximum(n, eps)


def binary_crossentropy(target, output, from_logits=False):
    t, o = _f(target), _f(output)
    return _nn.binary_crossentropy_logits(t, o) if from_logits else _nn.binary_crossentropy_probs(
        t, o, config.epsilon())


def categorical_crossentropy(target, output, from_logits=False, axis=-1):
    t, o = _f(target), _f(output)
    if from_logits:
        return _nn.categorical_crossentropy_logits(t, o, axis)
    return _nn.categorical_crossentropy_probs(t, o, config.epsilon(), axis)


def sparse_categorical_crossentropy(target, output, from_logits=False, axis=-1):
    o = _f(output)
    if from_logits:
        return _nn.sparse_categorical_crossentropy_logits(target, o, axis)
    return _nn.sparse_categorical_crossentropy_probs(target, o, config.epsilon(), axis)


def psnr(x1, x2, max_val):
    mse = jnp.mean(jnp.square(_f(x1) - _f(x2)))
    return 20 * jnp.log10(max_val) - 10 * jnp.log10(mse)


def layer_normalization(x, gamma=None, beta=None, axis=-1, epsilon=None, **kwargs):
    """(x - mean) / sqrt(var + epsilon) * gamma + beta over ``axis``, computed in at least float32;
    ``rms_scaling=True`` (Keras's deprecated variant) gives x / sqrt(var + epsilon) * gamma."""
    x, dtype = at_least_float32(x)
    epsilon = config.epsilon() if epsilon is None else epsilon
    axes = sorted(a % x.ndim for a in ((axis,) if isinstance(axis, int) else axis))
    shape = [x.shape[a] if a in axes else 1 for a in range(x.ndim)]
    mean = jnp.mean(x, axis=axes, keepdims=True)
    var = jnp.mean(jnp.square(x - mean), axis=axes, keepdims=True)
    out = (x if kwargs.get("rms_scaling") else x - mean) * jax.lax.rsqrt(var + epsilon)
    if gamma is not None:
        out = out * jnp.reshape(_t(gamma).astype(x.dtype), shape)
    if beta is not None and not kwargs.get("rms_scaling"):
        out = out + jnp.reshape(_t(beta).astype(x.dtype), shape)
    return out.astype(dtype)


def rms_normalization(x, scale=None, axis=-1, epsilon=None):
    """x / sqrt(mean(x^2) + epsilon) * scale over ``axis``, computed in at least float32."""
    x, dtype = at_least_float32(x)
    epsilon = config.epsilon() if epsilon is None else epsilon
    axes = tuple(axis) if isinstance(axis, (list, tuple)) else axis
    out = x * jax.lax.rsqrt(jnp.mean(jnp.square(x), axis=axes, keepdims=True) + epsilon)
    if scale is not None:
        out = out * _t(scale).astype(x.dtype)
    return out.astype(dtype)


def polar(abs_, angle):
    """The complex number of modulus ``abs_`` and argument ``angle``."""
    a, t = promote_float(abs_, angle)
    c = jnp.complex128 if a.dtype == jnp.float64 else jnp.complex64
    return jax.lax.complex(a * jnp.cos(t), a * jnp.sin(t)).astype(c)


def sparsemax(x, axis=-1):
    """Euclidean projection of ``x`` onto the probability simplex (Martins & Astudillo, 2016)."""
    z = jnp.moveaxis(to_float(x), axis, -1)
    srt = -jnp.sort(-z, axis=-1)
    k = jnp.arange(1, z.shape[-1] + 1, dtype=z.dtype)
    cums = jnp.cumsum(srt, axis=-1)
    k_z = jnp.sum((1 + k * srt) > cums, axis=-1, keepdims=True)
    tau = (jnp.take_along_axis(cums, k_z - 1, axis=-1) - 1) / k_z.astype(z.dtype)
    return jnp.moveaxis(jnp.maximum(z - tau, 0), -1, axis)


def _rank4(t):
    return None if t is None else t.reshape((1,) * (4 - t.ndim) + t.shape)


def dot_product_attention(query, key, value, bias=None, mask=None, scale=None, is_causal=False,
                          flash_attention=None, attn_logits_soft_cap=None):
    """softmax(q k^T * scale + bias [masked]) v on (batch, length, heads, depth) tensors (Keras
    layout, which is ``jax.nn.dot_product_attention``'s); ``mask`` is True where a query may attend.

    As the torch backend: a query row whose ``mask`` (without bias, soft cap or is_causal) allows
    nothing gives zeros; otherwise masked logits get the dtype's most negative value, so such a row
    averages the values. ``flash_attention`` is left to XLA, which picks the kernel."""
    q, k, v = promote_float(query, key, value)
    b = None if bias is None else _rank4(_t(bias).astype(q.dtype))
    m = None if mask is None else _rank4(_t(mask).astype(bool))
    if attn_logits_soft_cap is None:
        out = jax.nn.dot_product_attention(q, k, v, bias=b, mask=m, scale=scale, is_causal=is_causal)
        if m is not None and b is None and not is_causal:
            out = jnp.where(jnp.swapaxes(jnp.any(m, axis=-1), 1, 2)[..., None], out, 0.0)
        return out
    qh, kh, vh = (jnp.swapaxes(t, 1, 2) for t in (q, k, v))
    scale = 1.0 / np.sqrt(q.shape[-1]) if scale is None else scale
    logits = jnp.einsum("bhqd,bhkd->bhqk", qh, kh) * scale
    if b is not None:
        logits = logits + b
    logits = attn_logits_soft_cap * jnp.tanh(logits / attn_logits_soft_cap)
    allowed = m
    if is_causal:
        causal = jnp.tril(jnp.ones((qh.shape[-2], kh.shape[-2]), bool))
        allowed = causal if allowed is None else allowed & causal
    if allowed is not None:
        logits = jnp.where(allowed, logits, jnp.finfo(logits.dtype).min)
    return jnp.swapaxes(jnp.einsum("bhqk,bhkd->bhqd", jax.nn.softmax(logits, axis=-1), vh), 1, 2)


from lamina.backend.jax.ops.nn_ctc import ctc_decode, ctc_loss  # noqa: E402,F401
from lamina.backend.jax.ops.nn_spatial import (  # noqa: E402,F401
    adaptive_average_pool,
    adaptive_max_pool,
    depth_to_space,
    fold,
    space_to_depth,
    unfold,
)

_fill(globals(), "nn", _NAMES, [_nn, jax.nn])
