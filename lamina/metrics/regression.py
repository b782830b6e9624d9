"""Regression metrics: running means of the regression losses, plus RMSE."""

from __future__ import annotations

from lamina import losses, ops
from lamina.losses.loss import squeeze_or_expand_to_same_rank
from lamina.losses.regression import _pair, l2_normalize
from lamina.metrics.reduction import Mean, MeanMetricWrapper, _as_tensor


def cosine_similarity(y_true, y_pred, axis=-1):
    """sum(l2_normalize(y_true) * l2_normalize(y_pred), axis): +1 for parallel vectors."""
    y_true, y_pred = _pair(y_true, y_pred)
    return ops.sum(l2_normalize(y_true, axis) * l2_normalize(y_pred, axis), axis=axis)


class MeanSquaredError(MeanMetricWrapper):
    """Running mean of the mean squared error (name 'mean_squared_error').

    Example:

    >>> import lamina
    >>> m = lamina.metrics.MeanSquaredError()
    >>> m.update_state([[0.0, 1.0]], [[1.0, 1.0]])
    >>> float(m.result())
    0.5
    """

    def __init__(self, name="mean_squared_error", dtype=None):
        super().__init__(losses.mean_squared_error, name=name, dtype=dtype)


class MeanAbsoluteError(MeanMetricWrapper):
    """Running mean of the mean absolute error (name 'mean_absolute_error')."""

    def __init__(self, name="mean_absolute_error", dtype=None):
        super().__init__(losses.mean_absolute_error, name=name, dtype=dtype)


class MeanAbsolutePercentageError(MeanMetricWrapper):
    """Running mean of the mean absolute percentage error."""

    def __init__(self, name="mean_absolute_percentage_error", dtype=None):
        super().__init__(losses.mean_absolute_percentage_error, name=name, dtype=dtype)


class MeanSquaredLogarithmicError(MeanMetricWrapper):
    """Running mean of the mean squared logarithmic error."""

    def __init__(self, name="mean_squared_logarithmic_error", dtype=None):
        super().__init__(losses.mean_squared_logarithmic_error, name=name, dtype=dtype)


class CosineSimilarity(MeanMetricWrapper):
    """Running mean of the cosine similarity (+1 is best) along ``axis`` (default -1)."""

    def __init__(self, name="cosine_similarity", dtype=None, axis=-1):
        super().__init__(cosine_similarity, name=name, dtype=dtype, axis=axis)


class LogCoshError(MeanMetricWrapper):
    """Running mean of log(cosh(error)) (name 'logcosh')."""

    def __init__(self, name="logcosh", dtype=None):
        super().__init__(losses.log_cosh, name=name, dtype=dtype)


class RootMeanSquaredError(Mean):
    """sqrt of the running mean squared error (name 'root_mean_squared_error').

    Example:

    >>> import lamina
    >>> m = lamina.metrics.RootMeanSquaredError()
    >>> m.update_state([[0.0], [0.0]], [[3.0], [4.0]])
    >>> round(float(m.result()), 4)
    3.5355
    """

    def __init__(self, name="root_mean_squared_error", dtype=None):
        super().__init__(name=name, dtype=dtype)

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_pred = ops.stop_gradient(_as_tensor(y_pred, self.dtype))
        y_true = _as_tensor(y_true, self.dtype)
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        super().update_state(ops.square(y_pred - y_true), sample_weight)

    def result(self):
        return ops.sqrt(super().result())
