"""Kernels of ``lamina.ops.nn`` under JAX (``jax.nn`` and the backend's layer kernels)."""

from __future__ import annotations

import sys as _sys

import jax
import jax.numpy as jnp

from lamina import config
import lamina.backend.jax.ops.conv  # noqa: F401  (the module; the package's `conv` is the function)
from lamina.backend.jax.ops import core as _core
from lamina.backend.jax.ops import nn as _nn
from lamina.backend.jax.ops._names import NN as _NAMES
from lamina.backend.jax.ops._stubs import fill as _fill

_conv = _sys.modules["lamina.backend.jax.ops.conv"]


def _f(x):
    x = jnp.asarray(x)
    return x if jnp.issubdtype(x.dtype, jnp.floating) else x.astype(jnp.float32)


def relu(x):
    return jax.nn.relu(_f(x))


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


def dot_product_attention(query, key, value, bias=None, mask=None, scale=None, is_causal=False,
                          flash_attention=None, attn_logits_soft_cap=None):
    """Keras layout (batch, length, heads, depth)."""
    q, k, v = (jnp.swapaxes(_f(t), 1, 2) for t in (query, key, value))
    if bias is not None:
        raise NotImplementedError("ops.nn.dot_product_attention(bias=...) is not implemented under JAX yet.")
    out = _nn.dot_product_attention(q, k, v, mask=mask, is_causal=is_causal, scale=scale)
    return jnp.swapaxes(out, 1, 2)


_fill(globals(), "nn", _NAMES, [_nn, jax.nn])
