"""Reduction metrics: Sum, Mean, and MeanMetricWrapper (the mean of a per-sample function)."""

from __future__ import annotations

from lamina import ops
from lamina.losses import checks
from lamina.losses.loss import squeeze_or_expand_to_same_rank
from lamina.metrics.metric import Metric
from lamina.utils import naming


def _as_tensor(x, dtype):
    """A tensor of ``dtype`` on the metric's device (where its state lives)."""
    return ops.convert_to_tensor(x, dtype)


def _inner_axes(start, ndim):
    return list(range(start, ndim))


def weighted_samplewise(values, sample_weight, reduce_fn):
    """Per-sample values times weights, and per-sample weights (Keras's weighting rules).

    Values with more axes than the weights are first reduced (``reduce_fn``) down to the
    weights' rank; then both are reduced to one entry per sample.
    """
    values, sample_weight = squeeze_or_expand_to_same_rank(values, sample_weight)
    if values.ndim > sample_weight.ndim:
        values = reduce_fn(values, axis=_inner_axes(sample_weight.ndim, values.ndim))
    sample_weight = ops.broadcast_to(sample_weight, ops.shape(values))
    values = values * sample_weight
    if sample_weight.ndim > 1:
        sample_weight = reduce_fn(sample_weight, axis=_inner_axes(1, sample_weight.ndim))
    if values.ndim > 1:
        values = reduce_fn(values, axis=_inner_axes(1, values.ndim))
    return values, sample_weight


class Sum(Metric):
    """The (weighted) sum of the values seen.

    Example:

    >>> import lamina
    >>> m = lamina.metrics.Sum()
    >>> m.update_state([1.0, 3.0, 5.0, 7.0], sample_weight=[1, 1, 0, 0])
    >>> float(m.result())
    4.0
    """

    def __init__(self, name="sum", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_variable((), name="total")

    def update_state(self, values, sample_weight=None):
        values = _as_tensor(values, self.dtype)
        if sample_weight is not None:
            values, _ = weighted_samplewise(values, _as_tensor(sample_weight, self.dtype), ops.sum)
        self.total.assign_add(ops.sum(values))

    def result(self):
        return self.total + 0  # a new tensor: later updates must not change this result


class Mean(Metric):
    """The (weighted) mean of the values seen: total / count.

    Values with several entries per sample are averaged per sample first, so ``count``
    counts samples (or their weights).

    Example:

    >>> import lamina
    >>> m = lamina.metrics.Mean()
    >>> m.update_state([1.0, 3.0, 5.0, 7.0], sample_weight=[1, 1, 0, 0])
    >>> float(m.result())
    2.0
    """

    def __init__(self, name="mean", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_variable((), name="total")
        self.count = self.add_variable((), name="count")

    def update_state(self, values, sample_weight=None):
        values = _as_tensor(values, self.dtype)
        if sample_weight is None:
            if values.ndim == 0:
                self.total.assign_add(values)
                self.count.assign_add(1)
                return
            n = values.shape[0]
            size = ops.size(values)
            alpha = None if size == n or n == 0 else n / size
            self.total.assign_add(ops.sum(values) if alpha is None else ops.sum(values) * alpha)
            self.count.assign_add(n)
            return
        values, sample_weight = weighted_samplewise(values, _as_tensor(sample_weight, self.dtype), ops.mean)
        self.total.assign_add(ops.sum(values))
        self.count.assign_add(ops.sum(sample_weight))

    def result(self):
        return ops.divide_no_nan(self.total.value, self.count.value)


class MeanMetricWrapper(Mean):
    """The running mean of a per-sample function ``fn(y_true, y_pred, **kwargs)``.

    Any loss function works (``MeanMetricWrapper(lamina.losses.mse)``); so does your own.
    Inputs are detached from autograd first, so a metric never keeps a training graph alive.

    Args:
        fn: the function.
        name: metric name (default 'mean_metric_wrapper').
        dtype: state dtype (default floatx).
        **kwargs: passed on to ``fn``.

    Example:

    >>> import lamina
    >>> m = lamina.metrics.MeanMetricWrapper(lamina.losses.mean_absolute_error, name="mae")
    >>> m.update_state([[0.0], [1.0]], [[1.0], [1.0]])
    >>> float(m.result())
    0.5
    """

    def __init__(self, fn, name=None, dtype=None, **kwargs):
        super().__init__(name=name or naming.auto_name("mean_metric_wrapper"), dtype=dtype)
        self._fn = fn
        self._fn_kwargs = kwargs
        self._match_rank = checks.target_kind(fn) == checks.SAME_SHAPE

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_pred = ops.stop_gradient(ops.convert_to_tensor(y_pred))
        y_true = ops.convert_to_tensor(y_true)
        if self._match_rank:
            y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        values = self._fn(y_true, y_pred, **self._fn_kwargs)
        super().update_state(values, sample_weight)

    def get_config(self) -> dict:
        config = super().get_config()
        if type(self) is MeanMetricWrapper:
            from lamina.losses import serialize

            config["fn"] = serialize(self._fn)
        config.update(self._fn_kwargs)
        return config

    @classmethod
    def from_config(cls, config: dict):
        config = dict(config)
        if cls is MeanMetricWrapper and "fn" in config:
            from lamina.metrics import deserialize_function

            config["fn"] = deserialize_function(config["fn"])
        return cls(**config)

