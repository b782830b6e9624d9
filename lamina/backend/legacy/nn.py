"""Keras 2 backend neural-network functions: activations, dropout, bias, convolution, pooling.

Kernels are in Keras layout (``(*kernel_size, in_channels, out_channels)``); ``data_format``
None means ``K.image_data_format()``; ``K.pool2d``'s strides default to 1, as in Keras 2.
"""

from __future__ import annotations

from lamina import config, ops
from lamina.backend.legacy._symbolic import symbolic
from lamina.backend.legacy.math import tensor


@symbolic
def relu(x, alpha=0.0, max_value=None, threshold=0.0):
    """Rectified linear unit, with Keras 2's options.

    ``max_value`` for ``x >= max_value``, ``x`` for ``threshold < x < max_value`` and
    ``alpha * (x - threshold)`` otherwise.

    Args:
        x: a tensor.
        alpha: slope below the threshold.
        max_value: the cap (None: no cap).
        threshold: where the identity part starts.
    """
    x = tensor(x)
    if threshold != 0:
        out = x * ops.cast(ops.greater(x, threshold), ops.dtype(x))
    else:
        out = ops.relu(x)
    if max_value is not None:
        out = ops.clip(out, 0.0, max_value)
    if alpha != 0:
        out = out - alpha * ops.relu(threshold - x)
    return out


@symbolic
def elu(x, alpha=1.0):
    """Exponential linear unit: ``x`` above 0, ``alpha * (exp(x) - 1)`` below."""
    x = tensor(x)
    return ops.where(ops.greater(x, 0), x, alpha * ops.expm1(ops.minimum(x, 0.0)))


@symbolic
def softmax(x, axis=-1):
    """Softmax along ``axis`` (the last axis by default)."""
    return ops.softmax(tensor(x), axis=axis)


@symbolic
def softplus(x):
    """``log(1 + exp(x))``."""
    return ops.softplus(tensor(x))


@symbolic
def softsign(x):
    """``x / (1 + |x|)``."""
    return ops.softsign(tensor(x))


@symbolic
def sigmoid(x):
    """``1 / (1 + exp(-x))``."""
    return ops.sigmoid(tensor(x))


@symbolic
def hard_sigmoid(x):
    """Keras 2's piecewise-linear sigmoid: ``clip(0.2 * x + 0.5, 0, 1)``.

    (Keras 3's ``hard_sigmoid`` is ``relu6(x + 3) / 6``; this is the Keras 2 formula.)
    """
    return ops.clip(tensor(x) * 0.2 + 0.5, 0.0, 1.0)


@symbolic
def tanh(x):
    """Hyperbolic tangent."""
    return ops.tanh(tensor(x))


@symbolic
def dropout(x, level, noise_shape=None, seed=None):
    """Zeroes entries of ``x`` with probability ``level`` and scales the rest by 1 / (1 - level).

    Unlike the Dropout layer this always drops, in training and inference alike (Keras 2).

    Args:
        x: a tensor.
        level: the fraction of entries to drop, in [0, 1).
        noise_shape: shape of the keep/drop mask, broadcast against ``x``.
        seed: an int for a reproducible mask.
    """
    x = tensor(x)
    if not 0 <= level < 1:
        raise ValueError(f"K.dropout: level must be in [0, 1); received {level!r}.")
    if seed is None:
        return ops.dropout(x, level, noise_shape=noise_shape)
    shape = tuple(x.shape) if noise_shape is None else tuple(
        x.shape[i] if d is None else int(d) for i, d in enumerate(noise_shape))
    keep = ops.greater_equal(ops.random_uniform(shape, seed=seed), level)
    return x * ops.cast(keep, ops.dtype(x)) / (1.0 - level)


@symbolic
def bias_add(x, bias, data_format=None):
    """``x`` plus ``bias`` along the channels axis (last for channels_last, else axis 1).

    ``bias`` is a vector (one value per channel) or has ``ndim(x) - 1`` axes (channels last).
    """
    x, bias = tensor(x), tensor(bias)
    fmt = config.standardize_data_format(data_format)
    if len(bias.shape) not in (1, len(x.shape) - 1):
        raise ValueError(
            f"K.bias_add: the bias has {len(bias.shape)} axes; expected 1 or {len(x.shape) - 1} "
            f"(ndim(x) - 1) for x of shape {tuple(x.shape)}.")
    if fmt == "channels_first" and len(x.shape) > 2:
        if len(bias.shape) == 1:
            return x + ops.reshape(bias, (1, bias.shape[0]) + (1,) * (len(x.shape) - 2))
        rank = len(bias.shape)
        return x + ops.expand_dims(ops.transpose(bias, (rank - 1,) + tuple(range(rank - 1))), 0)
    return x + bias


def _conv(x, kernel, strides, padding, data_format, dilation_rate):
    return ops.conv(tensor(x), tensor(kernel), strides=strides, padding=padding,
                    data_format=config.standardize_data_format(data_format), dilation_rate=dilation_rate)


@symbolic
def conv1d(x, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1):
    """1D convolution; ``padding`` is 'valid', 'same' or 'causal'."""
    return _conv(x, kernel, strides, padding, data_format, dilation_rate)


@symbolic
def conv2d(x, kernel, strides=(1, 1), padding="valid", data_format=None, dilation_rate=(1, 1)):
    """2D convolution with a (kh, kw, in, out) kernel."""
    return _conv(x, kernel, strides, padding, data_format, dilation_rate)


@symbolic
def conv3d(x, kernel, strides=(1, 1, 1), padding="valid", data_format=None, dilation_rate=(1, 1, 1)):
    """3D convolution with a (kd, kh, kw, in, out) kernel."""
    return _conv(x, kernel, strides, padding, data_format, dilation_rate)


@symbolic
def conv2d_transpose(x, kernel, output_shape, strides=(1, 1), padding="valid", data_format=None,
                     dilation_rate=(1, 1)):
    """Transposed 2D convolution with a (kh, kw, out, in) kernel to ``output_shape``."""
    fmt = config.standardize_data_format(data_format)
    x, kernel = tensor(x), tensor(kernel)
    strides = (strides, strides) if isinstance(strides, int) else tuple(strides)
    out = ops.conv_transpose(x, kernel, strides=strides, padding=padding, data_format=fmt,
                             dilation_rate=dilation_rate)
    spatial = slice(1, 3) if fmt == "channels_last" else slice(2, 4)
    want = [int(d) for d in tuple(output_shape)[spatial]]
    extra = [w - int(g) for w, g in zip(want, tuple(out.shape)[spatial])]
    if any(extra):
        if not all(0 <= e < s for e, s in zip(extra, strides)):
            raise ValueError(
                f"K.conv2d_transpose: output_shape {tuple(output_shape)} cannot be reached from "
                f"input shape {tuple(x.shape)} with strides {strides} and padding '{padding}'.")
        out = ops.conv_transpose(x, kernel, strides=strides, padding=padding, output_padding=extra,
                                 data_format=fmt, dilation_rate=dilation_rate)
    return out


@symbolic
def depthwise_conv2d(x, depthwise_kernel, strides=(1, 1), padding="valid", data_format=None,
                     dilation_rate=(1, 1)):
    """Depthwise 2D convolution with a (kh, kw, in, multiplier) kernel."""
    return ops.depthwise_conv(tensor(x), tensor(depthwise_kernel), strides=strides, padding=padding,
                              data_format=config.standardize_data_format(data_format),
                              dilation_rate=dilation_rate)


@symbolic
def separable_conv2d(x, depthwise_kernel, pointwise_kernel, strides=(1, 1), padding="valid",
                     data_format=None, dilation_rate=(1, 1)):
    """Depthwise 2D convolution followed by a 1x1 (pointwise) convolution."""
    return ops.separable_conv(tensor(x), tensor(depthwise_kernel), tensor(pointwise_kernel),
                              strides=strides, padding=padding,
                              data_format=config.standardize_data_format(data_format),
                              dilation_rate=dilation_rate)


def _pool(x, pool_size, strides, padding, data_format, pool_mode):
    fmt = config.standardize_data_format(data_format)
    if pool_mode == "max":
        return ops.max_pool(tensor(x), pool_size, strides=strides, padding=padding, data_format=fmt)
    if pool_mode == "avg":
        return ops.average_pool(tensor(x), pool_size, strides=strides, padding=padding, data_format=fmt)
    raise ValueError(f"K.pool2d/pool3d: pool_mode must be 'max' or 'avg'; received {pool_mode!r}.")


@symbolic
def pool2d(x, pool_size, strides=(1, 1), padding="valid", data_format=None, pool_mode="max"):
    """2D max or average pooling (``pool_mode`` 'max' or 'avg'); strides default to 1."""
    return _pool(x, pool_size, strides, padding, data_format, pool_mode)


@symbolic
def pool3d(x, pool_size, strides=(1, 1, 1), padding="valid", data_format=None, pool_mode="max"):
    """3D max or average pooling (``pool_mode`` 'max' or 'avg'); strides default to 1."""
    return _pool(x, pool_size, strides, padding, data_format, pool_mode)


# ---------------------------------------------------------------- normalization
@symbolic
def batch_normalization(x, mean, var, beta, gamma, axis=-1, epsilon=1e-3):
    """``(x - mean) / sqrt(var + epsilon) * gamma + beta`` (beta/gamma may be None)."""
    x = tensor(x)
    out = (x - tensor(mean)) * ops.rsqrt(tensor(var) + epsilon)
    if gamma is not None:
        out = out * tensor(gamma)
    return out if beta is None else out + tensor(beta)


def normalize_batch_in_training(x, gamma, beta, reduction_axes, epsilon=1e-3):
    """Normalizes ``x`` by its own mean and variance over ``reduction_axes``.

    Returns:
        ``(normalized, mean, variance)``; mean and variance have the reduced axes removed.
    """
    x = tensor(x)
    axes = tuple(reduction_axes)
    mean = ops.mean(x, axis=axes, keepdims=True)
    var = ops.var(x, axis=axes, keepdims=True)
    out = batch_normalization(x, mean, var, beta, gamma, epsilon=epsilon)
    return out, ops.squeeze(mean, axes), ops.squeeze(var, axes)
