"""Regression losses: squared, absolute, percentage, logarithmic, cosine, Huber and log-cosh.

Each function returns one value per sample (it reduces the last axis, as Keras does); each
class wraps its function with a reduction over the batch.
"""

from __future__ import annotations

import math

from lamina import config
from lamina.ops import _internal as ops
from lamina.losses import checks
from lamina.losses.loss import LossFunctionWrapper, squeeze_or_expand_to_same_rank


def _pair(y_true, y_pred):
    """Tensors of one float dtype, with a trailing (N, 1) vs (N,) difference resolved."""
    if not ops.is_tensor(y_pred):
        y_pred = ops.convert_to_tensor(y_pred)
    if not ops.is_tensor(y_true):
        y_true = ops.convert_to_tensor(y_true)
    if y_true.dtype != y_pred.dtype:
        y_true = ops.cast(y_true, ops.dtype(y_pred))
    return squeeze_or_expand_to_same_rank(y_true, y_pred)


@checks.mark(checks.SAME_SHAPE)
def mean_squared_error(y_true, y_pred):
    """mean(square(y_true - y_pred), axis=-1).

    Example:

    >>> import numpy as np, lamina
    >>> lamina.ops.convert_to_numpy(lamina.losses.mean_squared_error([[0.0, 1.0]], [[1.0, 1.0]]))
    array([0.5], dtype=float32)
    """
    y_true, y_pred = _pair(y_true, y_pred)
    return ops.mean(ops.square(y_true - y_pred), axis=-1)


@checks.mark(checks.SAME_SHAPE)
def mean_absolute_error(y_true, y_pred):
    """mean(abs(y_true - y_pred), axis=-1)."""
    y_true, y_pred = _pair(y_true, y_pred)
    return ops.mean(ops.abs(y_true - y_pred), axis=-1)


def _mean_squared_error_mean(y_true, y_pred):
    y_true, y_pred = _pair(y_true, y_pred)
    if y_true.shape != y_pred.shape:
        return ops.mean(mean_squared_error(y_true, y_pred))
    return ops.mean_squared_error_mean(y_true, y_pred)


def _mean_absolute_error_mean(y_true, y_pred):
    y_true, y_pred = _pair(y_true, y_pred)
    if y_true.shape != y_pred.shape:
        return ops.mean(mean_absolute_error(y_true, y_pred))
    return ops.mean_absolute_error_mean(y_true, y_pred)


# Fused batch means for reduction='sum_over_batch_size' without sample weights.
mean_squared_error._lamina_batch_mean = _mean_squared_error_mean
mean_absolute_error._lamina_batch_mean = _mean_absolute_error_mean


@checks.mark(checks.SAME_SHAPE)
def mean_absolute_percentage_error(y_true, y_pred):
    """100 * mean(abs((y_true - y_pred) / max(abs(y_true), epsilon)), axis=-1)."""
    y_true, y_pred = _pair(y_true, y_pred)
    diff = ops.abs((y_true - y_pred) / ops.maximum(ops.abs(y_true), config.epsilon()))
    return 100.0 * ops.mean(diff, axis=-1)


@checks.mark(checks.SAME_SHAPE)
def mean_squared_logarithmic_error(y_true, y_pred):
    """mean(square(log(max(y_pred, eps) + 1) - log(max(y_true, eps) + 1)), axis=-1)."""
    y_true, y_pred = _pair(y_true, y_pred)
    eps = config.epsilon()
    first = ops.log(ops.maximum(y_pred, eps) + 1.0)
    second = ops.log(ops.maximum(y_true, eps) + 1.0)
    return ops.mean(ops.square(first - second), axis=-1)


def l2_normalize(x, axis=-1):
    """x / max(||x||, epsilon) along ``axis`` (computed as x * min(rsqrt(sum x^2), 1/eps))."""
    inv = ops.minimum(ops.rsqrt(ops.sum(ops.square(x), axis=axis, keepdims=True)), 1.0 / config.epsilon())
    return x * inv


@checks.mark(checks.SAME_SHAPE)
def cosine_similarity(y_true, y_pred, axis=-1):
    """-sum(l2_normalize(y_true) * l2_normalize(y_pred), axis): -1 for parallel vectors."""
    y_true, y_pred = _pair(y_true, y_pred)
    return -ops.sum(l2_normalize(y_true, axis) * l2_normalize(y_pred, axis), axis=axis)


@checks.mark(checks.SAME_SHAPE)
def huber(y_true, y_pred, delta=1.0):
    """mean of 0.5 * e^2 where |e| <= delta, else delta * |e| - 0.5 * delta^2 (e = y_pred - y_true)."""
    y_true, y_pred = _pair(y_true, y_pred)
    error = y_pred - y_true
    abs_error = ops.abs(error)
    quadratic = 0.5 * ops.square(error)
    linear = delta * abs_error - 0.5 * delta * delta
    return ops.mean(ops.where(abs_error <= delta, quadratic, linear), axis=-1)


_LOG2 = math.log(2.0)


@checks.mark(checks.SAME_SHAPE)
def log_cosh(y_true, y_pred):
    """mean(log(cosh(y_pred - y_true)), axis=-1), computed stably as x + softplus(-2x) - log 2."""
    y_true, y_pred = _pair(y_true, y_pred)
    x = y_pred - y_true
    return ops.mean(x + ops.softplus(-2.0 * x) - _LOG2, axis=-1)


class MeanSquaredError(LossFunctionWrapper):
    """Mean of squares of errors between labels and predictions.

    Args:
        reduction: 'sum_over_batch_size' (default), 'sum', 'mean', 'mean_with_sample_weight', 'none'.
        name: loss name, default 'mean_squared_error'.
        dtype: computation dtype (default floatx).

    Example:

    >>> import numpy as np, lamina
    >>> float(lamina.losses.MeanSquaredError()(np.array([[0.0, 1.0]]), np.array([[1.0, 1.0]])))
    0.5
    """

    def __init__(self, reduction="sum_over_batch_size", name="mean_squared_error", dtype=None):
        super().__init__(mean_squared_error, reduction=reduction, name=name, dtype=dtype)


class MeanAbsoluteError(LossFunctionWrapper):
    """Mean of absolute errors. Args as ``MeanSquaredError`` (name 'mean_absolute_error')."""

    def __init__(self, reduction="sum_over_batch_size", name="mean_absolute_error", dtype=None):
        super().__init__(mean_absolute_error, reduction=reduction, name=name, dtype=dtype)


class MeanAbsolutePercentageError(LossFunctionWrapper):
    """100 * mean relative absolute error. Args as ``MeanSquaredError``."""

    def __init__(self, reduction="sum_over_batch_size", name="mean_absolute_percentage_error", dtype=None):
        super().__init__(mean_absolute_percentage_error, reduction=reduction, name=name, dtype=dtype)


class MeanSquaredLogarithmicError(LossFunctionWrapper):
    """Mean squared error of log(1 + x). Args as ``MeanSquaredError``."""

    def __init__(self, reduction="sum_over_batch_size", name="mean_squared_logarithmic_error", dtype=None):
        super().__init__(mean_squared_logarithmic_error, reduction=reduction, name=name, dtype=dtype)


class CosineSimilarity(LossFunctionWrapper):
    """Negative cosine similarity along ``axis`` (default -1). Other args as ``MeanSquaredError``."""

    def __init__(self, axis=-1, reduction="sum_over_batch_size", name="cosine_similarity", dtype=None):
        super().__init__(cosine_similarity, reduction=reduction, name=name, dtype=dtype, axis=axis)


class Huber(LossFunctionWrapper):
    """Huber loss: quadratic for |error| <= ``delta`` (default 1.0), linear beyond."""

    def __init__(self, delta=1.0, reduction="sum_over_batch_size", name="huber_loss", dtype=None):
        super().__init__(huber, reduction=reduction, name=name, dtype=dtype, delta=delta)


class LogCosh(LossFunctionWrapper):
    """Logarithm of the hyperbolic cosine of the error. Args as ``MeanSquaredError``."""

    def __init__(self, reduction="sum_over_batch_size", name="log_cosh", dtype=None):
        super().__init__(log_cosh, reduction=reduction, name=name, dtype=dtype)
