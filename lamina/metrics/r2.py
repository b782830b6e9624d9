"""R2Score: the coefficient of determination, streamed over batches."""

from __future__ import annotations

import warnings

from lamina import ops
from lamina.losses.loss import squeeze_or_expand_to_same_rank
from lamina.metrics.metric import Metric


class R2Score(Metric):
    """R^2 = 1 - sum((y - y_pred)^2) / sum((y - mean(y))^2), per output column, then aggregated.

    Sums of y, y^2 and squared residuals are accumulated per column (state created on the first
    update), so the result over many batches equals the result on all the data at once.

    Args:
        class_aggregation: 'uniform_average' (default), 'variance_weighted_average', or None
            (one score per column).
        num_regressors: the number of independent variables, for the adjusted R^2 (default 0:
            plain R^2).
        name, dtype: see ``Metric`` (default name 'r2_score').

    Example:

    >>> import lamina
    >>> m = lamina.metrics.R2Score()
    >>> m.update_state([[1.0], [4.0], [3.0]], [[2.0], [2.0], [3.0]])
    >>> round(float(m.result()), 4)
    -0.0714
    """

    def __init__(self, class_aggregation="uniform_average", num_regressors=0, name="r2_score",
                 dtype=None):
        super().__init__(name=name, dtype=dtype)
        allowed = (None, "uniform_average", "variance_weighted_average")
        if class_aggregation not in allowed:
            raise ValueError(
                f"R2Score: invalid class_aggregation={class_aggregation!r}. Expected one of {allowed}."
            )
        if num_regressors < 0:
            raise ValueError(f"R2Score: num_regressors must be >= 0; received num_regressors={num_regressors}.")
        self.class_aggregation = class_aggregation
        self.num_regressors = num_regressors
        self.num_samples = self.add_variable((), name="num_samples")
        self._built = False

    def _build(self, y_true_shape, y_pred_shape):
        if len(y_pred_shape) != 2 or len(y_true_shape) != 2:
            raise ValueError(
                "R2Score expects 2D inputs of shape (batch_size, output_dim); received "
                f"y_true.shape={tuple(y_true_shape)} and y_pred.shape={tuple(y_pred_shape)}."
            )
        shape = (y_pred_shape[-1],)
        self.squared_sum = self.add_variable(shape, name="squared_sum")
        self.sum = self.add_variable(shape, name="sum")
        self.total_mse = self.add_variable(shape, name="residual")
        self.count = self.add_variable(shape, name="count")
        self._built = True

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true = ops.convert_to_tensor(y_true, self.dtype)
        y_pred = ops.stop_gradient(ops.convert_to_tensor(y_pred, self.dtype))
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        if not self._built:
            self._build(y_true.shape, y_pred.shape)
        w = ops.convert_to_tensor(1.0 if sample_weight is None else sample_weight, self.dtype)
        if w.ndim == 1:
            w = ops.expand_dims(w, 1)
        w = ops.broadcast_to(w, ops.shape(y_true))
        self.sum.assign_add(ops.sum(y_true * w, axis=0))
        self.squared_sum.assign_add(ops.sum(y_true * y_true * w, axis=0))
        self.total_mse.assign_add(ops.sum(ops.square(y_true - y_pred) * w, axis=0))
        self.count.assign_add(ops.sum(w, axis=0))
        self.num_samples.assign_add(float(ops.size(y_true)))

    def result(self):
        if not self._built:
            return ops.convert_to_tensor(0.0, self.dtype)
        total_sum = self.sum.value
        mean = total_sum / self.count.value
        total = self.squared_sum.value - total_sum * mean
        raw = 1.0 - self.total_mse.value / total
        raw = ops.where(ops.isinf(raw), ops.zeros_like(raw), raw)
        if self.class_aggregation == "uniform_average":
            score = ops.mean(raw)
        elif self.class_aggregation == "variance_weighted_average":
            score = ops.sum(total * raw) / ops.sum(total)
        else:
            score = raw
        if self.num_regressors:
            n = float(ops.convert_to_numpy(self.num_samples.value))  # host read: result() only
            p = self.num_regressors
            if p >= n - 1:
                warnings.warn(
                    f"R2Score: num_regressors={p} needs more than {p + 1} samples for the adjusted "
                    f"R^2 (seen {int(n)}); returning the plain R^2.", stacklevel=2)
            else:
                score = 1.0 - (1.0 - score) * (n - 1.0) / (n - p - 1.0)
        return score

    def get_config(self) -> dict:
        return {**super().get_config(), "class_aggregation": self.class_aggregation,
                "num_regressors": self.num_regressors}
