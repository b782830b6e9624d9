"""Activations, fused losses, normalisation, attention, dropout, embedding and RNN for JAX.

Formulas and epsilon placement follow the torch backend (``backend/torch/ops/nn.py``,
``losses_ops.py``, ``norm_attn.py``, ``rnn.py``), which follow Keras 3.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from lamina.backend.jax import ids as _ids




def _r():
    # the random kernels (they import this package's dtype helpers: imported on use, no cycle)
    from lamina.backend.jax import random

    return random


relu = jax.nn.relu
sigmoid = jax.nn.sigmoid
tanh = jnp.tanh
softplus = jax.nn.softplus
silu = jax.nn.silu
swish = jax.nn.silu
selu = jax.nn.selu
exponential = jnp.exp
log_sigmoid = jax.nn.log_sigmoid


def softsign(x):
    return x / (1.0 + jnp.abs(x))


def mish(x):
    return x * jnp.tanh(jax.nn.softplus(x))


def relu6(x):
    return jnp.clip(x, 0.0, 6.0)


def relu_with(x, negative_slope=0.0, max_value=None, threshold=0.0):
    """Keras's general ReLU: slope below threshold, identity above, optionally capped."""
    if negative_slope == 0.0 and threshold == 0.0:
        out = jax.nn.relu(x)
    elif negative_slope == 0.0:
        out = jnp.where(x >= threshold, x, jnp.zeros_like(x))
    else:
        out = jnp.where(x >= threshold, x, negative_slope * (x - threshold))
    if max_value is not None:
        out = jnp.minimum(out, max_value)
    return out


def elu(x, alpha=1.0):
    return jax.nn.elu(x, alpha)


def celu(x, alpha=1.0):
    return jax.nn.celu(x, alpha)


def leaky_relu(x, negative_slope=0.2):
    return jax.nn.leaky_relu(x, negative_slope)


def gelu(x, approximate=True):
    return jax.nn.gelu(x, approximate=approximate)


def hard_sigmoid(x):
    return jnp.clip(x + 3.0, 0.0, 6.0) / 6.0


def hard_silu(x):
    return x * hard_sigmoid(x)


def softmax(x, axis=-1):
    return jax.nn.softmax(x, axis=tuple(axis) if isinstance(axis, list) else axis)


def log_softmax(x, axis=-1):
    return jax.nn.log_softmax(x, axis=axis)


def prelu(x, alpha):
    return jnp.where(x > 0, x, alpha * x)


# ---------------------------------------------------------------- random helpers (global state)
def dropout(x, rate, noise_shape=None):
    """Inverted dropout from the global seed state (threaded through compiled steps)."""
    return _r().dropout(x, rate, noise_shape, None)


def normal_like(x, mean=0.0, stddev=1.0):
    return _r().normal(tuple(x.shape), mean, stddev, x.dtype, None)


def bernoulli_like(x, keep_prob, shape=None):
    shape = tuple(x.shape) if shape is None else tuple(shape)
    return _r().bernoulli(shape, keep_prob, x.dtype, None)


# ---------------------------------------------------------------- losses
def _take_class(x, target, axis=-1):
    t = jnp.asarray(target).astype(jnp.int32)
    return jnp.squeeze(jnp.take_along_axis(x, jnp.expand_dims(t, axis), axis=axis), axis)


def sparse_categorical_crossentropy_logits(target, logits, axis=-1):
    return -_take_class(jax.nn.log_softmax(logits, axis=axis), target, axis)


def binary_crossentropy_logits(target, logits):
    # max(x, 0) - x * z + log(1 + exp(-|x|)): the stable form
    return jnp.maximum(logits, 0) - logits * target + jnp.log1p(jnp.exp(-jnp.abs(logits)))


def binary_crossentropy_probs(target, output, epsilon=1e-7):
    output = jnp.clip(output, epsilon, 1.0 - epsilon)
    return -(target * jnp.log(output) + (1.0 - target) * jnp.log(1.0 - output))


def categorical_crossentropy_logits(target, logits, axis=-1):
    return -jnp.sum(target * jax.nn.log_softmax(logits, axis=axis), axis=axis)


def categorical_crossentropy_probs(target, output, epsilon=1e-7, axis=-1):
    output = output / jnp.sum(output, axis=axis, keepdims=True)
    output = jnp.clip(output, epsilon, 1.0 - epsilon)
    return -jnp.sum(target * jnp.log(output), axis=axis)


def sparse_categorical_crossentropy_probs(target, output, epsilon=1e-7, axis=-1):
    picked = _take_class(output, target, axis)
    total = jnp.sum(output, axis=axis)
    return -jnp.log(jnp.clip(picked / total, epsilon, 1.0 - epsilon))


def binary_crossentropy_mean(target, output, from_logits=False, epsilon=1e-7):
    if from_logits:
        return jnp.mean(binary_crossentropy_logits(target, output))
    return jnp.mean(binary_crossentropy_probs(target, output, epsilon))


def categorical_crossentropy_mean(target, output, from_logits=False, epsilon=1e-7, axis=-1):
    if from_logits:
        return jnp.mean(categorical_crossentropy_logits(target, output, axis))
    return jnp.mean(categorical_crossentropy_probs(target, output, epsilon, axis))


def sparse_categorical_crossentropy_logits_mean(target, logits, axis=-1):
    return jnp.mean(sparse_categorical_crossentropy_logits(target, logits, axis))


def mean_squared_error_mean(target, output):
    return jnp.mean(jnp.square(output - target))


def mean_absolute_error_mean(target, output):
    return jnp.mean(jnp.abs(output - target))


# ---------------------------------------------------------------- normalisation
def _bshape(x, axis):
    shape = [1] * x.ndim
    shape[axis % x.ndim] = -1
    return shape


def batch_norm_inference(x, mean, variance, gamma, beta, axis, epsilon):
    shape = _bshape(x, axis)
    inv = jax.lax.rsqrt(variance + epsilon)
    if gamma is not None:
        inv = inv * gamma
    out = (x - mean.reshape(shape)) * inv.reshape(shape)
    return out + beta.reshape(shape) if beta is not None else out


def _new_moving(moving_mean, moving_variance, mean, var, momentum):
    mean = jax.lax.stop_gradient(mean).astype(moving_mean.dtype)
    var = jax.lax.stop_gradient(var).astype(moving_variance.dtype)
    return (moving_mean * momentum + mean * (1.0 - momentum),
            moving_variance * momentum + var * (1.0 - momentum))


def batch_norm_train(x, gamma, beta, moving_mean, moving_variance, axis, momentum, epsilon):
    """Normalise with the batch's (biased) statistics; return ``(y, new_mean, new_variance)``."""
    axis = axis % x.ndim
    dims = tuple(d for d in range(x.ndim) if d != axis)
    mean = jnp.mean(x, axis=dims)
    var = jnp.mean(jnp.square(x - jnp.mean(x, axis=dims, keepdims=True)), axis=dims)
    new_mean, new_var = _new_moving(moving_mean, moving_variance, mean, var, momentum)
    return batch_norm_inference(x, mean, var, gamma, beta, axis, epsilon), new_mean, new_var


def batch_norm_train_masked(x, mask, gamma, beta, moving_mean, moving_variance, axis, momentum,
                            epsilon, count_epsilon=1e-7):
    nd = x.ndim
    axis = axis % nd
    dims = tuple(d for d in range(nd) if d != axis)
    m = jnp.broadcast_to(jnp.expand_dims(mask.astype(bool), -1), x.shape)
    w = m.astype(x.dtype)
    count = jnp.sum(w, axis=dims, keepdims=True)
    mean = jnp.sum(x * w, axis=dims, keepdims=True) / (count + count_epsilon)
    diff = jnp.where(m, x - mean, 0.0)
    var = jnp.sum(diff * diff, axis=dims, keepdims=True) / (count + count_epsilon)
    new_mean, new_var = _new_moving(moving_mean, moving_variance, mean.reshape(-1), var.reshape(-1), momentum)
    shape = _bshape(x, axis)
    inv = jax.lax.rsqrt(var + epsilon)
    if gamma is not None:
        inv = inv * gamma.reshape(shape)
    out = (x - mean) * inv
    return (out + beta.reshape(shape) if beta is not None else out), new_mean, new_var


def _axes_shape(x, axes):
    return [x.shape[a] if a in axes else 1 for a in range(x.ndim)]


def layer_norm(x, gamma, beta, axes, epsilon):
    axes = tuple(axes)
    mean = jnp.mean(x, axis=axes, keepdims=True)
    var = jnp.mean(jnp.square(x - mean), axis=axes, keepdims=True)
    inv = jax.lax.rsqrt(var + epsilon)
    shape = _axes_shape(x, axes)
    if gamma is not None:
        inv = inv * gamma.reshape(shape)
    out = (x - mean) * inv
    return out + beta.reshape(shape) if beta is not None else out


def variance_scaling_norm(x, gamma, axes, epsilon):
    axes = tuple(axes)
    var = jnp.var(x, axis=axes, keepdims=True)
    out = x * jax.lax.rsqrt(var + epsilon)
    return out * gamma.reshape(_axes_shape(x, axes)) if gamma is not None else out


def rms_norm(x, scale, axes, epsilon):
    axes = tuple(axes)
    out = x * jax.lax.rsqrt(jnp.mean(x * x, axis=axes, keepdims=True) + epsilon)
    return out * scale.reshape(_axes_shape(x, axes))


def group_norm(x, groups, gamma, beta, axis, epsilon):
    nd = x.ndim
    axis = axis % nd
    if axis != nd - 1:
        return jnp.moveaxis(group_norm(jnp.moveaxis(x, axis, -1), groups, gamma, beta, -1, epsilon), -1, axis)
    shape = x.shape
    g = x.reshape(shape[0], -1, groups, shape[-1] // groups)
    mean = jnp.mean(g, axis=(1, 3), keepdims=True)
    var = jnp.mean(jnp.square(g - mean), axis=(1, 3), keepdims=True)
    out = ((g - mean) * jax.lax.rsqrt(var + epsilon)).reshape(shape)
    if gamma is not None:
        out = out * gamma
    return out + beta if beta is not None else out


def l2_normalize(x, axis=-1, epsilon=1e-12):
    axis = tuple(axis) if isinstance(axis, (list, tuple)) else axis
    inv = jax.lax.rsqrt(jnp.sum(x * x, axis=axis, keepdims=True))
    return x * jnp.minimum(inv, 1.0 / epsilon)


# ---------------------------------------------------------------- attention
_LARGE_NEGATIVE = -1e9


def _neg(dtype):
    return -3e4 if dtype == jnp.float16 else _LARGE_NEGATIVE


def masked_softmax(x, mask, axis=-1):
    keep = mask if mask.dtype == jnp.bool_ else mask > 0.5
    x = jnp.where(keep, x, _neg(x.dtype))
    return jnp.where(keep, softmax(x, axis), 0.0)


def dot_product_attention(query, key, value, mask=None, is_causal=False, scale=None, dropout_rate=0.0,
                          zero_empty_rows=False):
    """softmax(q k^T * scale [masked]) v for (batch, heads, length, depth) tensors."""
    scale = 1.0 / np.sqrt(query.shape[-1]) if scale is None else scale
    scores = jnp.einsum("...qd,...kd->...qk", query, key) * scale
    lq, lk = query.shape[-2], key.shape[-2]
    keep = None
    if mask is not None:
        keep = mask if mask.dtype == jnp.bool_ else mask > 0.5
    if is_causal:
        tri = jnp.tril(jnp.ones((lq, lk), bool))
        keep = tri if keep is None else keep & tri
    if keep is not None:
        scores = jnp.where(keep, scores, _neg(scores.dtype))
    probs = jax.nn.softmax(scores.astype(jnp.float32), axis=-1).astype(query.dtype)
    if dropout_rate:
        probs = _r().dropout(probs, dropout_rate, None, None)
    out = jnp.einsum("...qk,...kd->...qd", probs, value)
    if zero_empty_rows and keep is not None:
        out = jnp.where(jnp.any(keep, axis=-1, keepdims=True), out, 0.0)
    return out


def causal_mask(q_length, kv_length, like=None):
    return jnp.tril(jnp.ones((q_length, kv_length), bool))[None]


def sliding_window_mask(q_length, kv_length, window, like=None):
    i = jnp.arange(q_length).reshape(q_length, 1)
    j = jnp.arange(kv_length).reshape(1, kv_length)
    return (jnp.abs(i - j) < window)[None]


# ---------------------------------------------------------------- embedding, RNN
def embedding_lookup(embeddings, ids):
    """Rows of ``embeddings`` for ``ids``. Concrete ids are checked on the host. Traced ids
    cannot raise: fit/evaluate/predict check them on the host before each compiled step
    (lamina/backend/jax/ids.py); elsewhere (a user's own ``jax.jit``) an out-of-range id gets a
    row of NaN (``jnp.take`` alone would clamp it to a valid row silently)."""
    n = embeddings.shape[0]
    if isinstance(ids, jax.core.Tracer):
        _ids.note(ids, n)
        fill = jnp.nan if jnp.issubdtype(embeddings.dtype, jnp.floating) else None
        i = ids.astype(jnp.int32)
        return jnp.take(embeddings, jnp.where(i < 0, n, i), axis=0, mode="fill", fill_value=fill)
    arr = np.asarray(ids)
    if arr.size and (arr.min() < 0 or arr.max() >= n):
        lo, hi = int(arr.min()), int(arr.max())
        raise IndexError(
            f"Embedding lookup received ids in [{lo}, {hi}], but the layer's input_dim is {n}, so "
            f"valid ids are 0 to {n - 1}. Increase input_dim to the vocabulary size (largest id + 1) "
            "or fix the ids."
        )
    return jnp.take(embeddings, jnp.asarray(ids).astype(jnp.int32), axis=0)


def id_range(ids, n):
    """(min, max) of integer ``ids`` as Python ints, or None when they are traced: then the ids
    are noted for the host check before the compiled step (ids.py), as an embedding lookup's."""
    if isinstance(ids, jax.core.Tracer):
        _ids.note(ids, n)
        return None
    a = np.asarray(ids)
    return (int(a.min()), int(a.max())) if a.size else (0, 0)


def fused_rnn(mode, inputs, initial_states, kernel, recurrent_kernel, bias=None, mask=None,
              *args, **kwargs):
    """No fused kernel under JAX: None tells the layer to run its own step function."""
    return None
