"""Correlation metrics: Pearson's r and Lin's concordance correlation, averaged over batches."""

from __future__ import annotations

from lamina import config, ops
from lamina.losses.loss import squeeze_or_expand_to_same_rank
from lamina.metrics.reduction import MeanMetricWrapper


def _pair(y_true, y_pred):
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = ops.convert_to_tensor(y_true, ops.dtype(y_pred))
    return squeeze_or_expand_to_same_rank(y_true, y_pred)


def pearson_correlation(y_true, y_pred, axis=-1):
    """Pearson's correlation coefficient between targets and predictions along ``axis``.

    Example:

    >>> import lamina
    >>> float(lamina.metrics.pearson_correlation([1.0, 2.0, 3.0], [2.0, 4.0, 6.5]))  # doctest: +ELLIPSIS
    0.99...
    """
    y_true, y_pred = _pair(y_true, y_pred)
    t = y_true - ops.mean(y_true, axis=axis, keepdims=True)
    p = y_pred - ops.mean(y_pred, axis=axis, keepdims=True)
    t = t / ops.std(t, axis=axis, keepdims=True)
    p = p / ops.std(p, axis=axis, keepdims=True)
    return ops.mean(t * p, axis=axis)


def concordance_correlation(y_true, y_pred, axis=-1):
    """Lin's concordance correlation, 2 cov / (var_t + var_p + (mean_t - mean_p)^2), along ``axis``.

    Unlike Pearson's r it also penalises a shift or scale between targets and predictions.

    Example:

    >>> import lamina
    >>> round(float(lamina.metrics.concordance_correlation([1.0, 2.0, 3.0], [1.0, 2.0, 3.0])), 4)
    1.0
    """
    y_true, y_pred = _pair(y_true, y_pred)
    mean_t = ops.mean(y_true, axis=axis, keepdims=True)
    mean_p = ops.mean(y_pred, axis=axis, keepdims=True)
    var_t = ops.var(y_true - mean_t, axis=axis, keepdims=True)
    var_p = ops.var(y_pred - mean_p, axis=axis, keepdims=True)
    # Keras centres y_true on mean_p too; the mean over ``axis`` equals the covariance either way.
    covar = (y_true - mean_p) * (y_pred - mean_p)
    norm = var_t + var_p + ops.square(mean_t - mean_p)
    return ops.mean(2.0 * covar / (norm + config.epsilon()), axis=axis)


class PearsonCorrelation(MeanMetricWrapper):
    """The running mean of the per-sample Pearson correlation (name 'pearson_correlation').

    Args:
        name, dtype: see ``Metric``.
        axis: the axis the correlation is computed along (default -1).
    """

    def __init__(self, name="pearson_correlation", dtype=None, axis=-1):
        super().__init__(pearson_correlation, name=name, dtype=dtype, axis=axis)
        self.axis = axis


class ConcordanceCorrelation(MeanMetricWrapper):
    """The running mean of the per-sample concordance correlation (name 'concordance_correlation').

    Args:
        name, dtype: see ``Metric``.
        axis: the axis the correlation is computed along (default -1).
    """

    def __init__(self, name="concordance_correlation", dtype=None, axis=-1):
        super().__init__(concordance_correlation, name=name, dtype=dtype, axis=axis)
        self.axis = axis
