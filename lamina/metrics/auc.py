"""AUC: the area under the ROC or precision-recall curve, one curve or one per label."""

from __future__ import annotations

from lamina import config, ops
from lamina.metrics.confusion import confusion_counts
from lamina.metrics.metric import Metric


class AUC(Metric):
    """Area under the ROC or precision-recall curve, from counts at fixed thresholds.

    Args:
        num_thresholds: number of thresholds (default 200), evenly spaced in [0, 1].
        curve: 'ROC' (default) or 'PR'.
        summation_method: 'interpolation' (default; trapezoids for ROC, the Davis-Goadrich
            interpolation for PR), 'minoring' or 'majoring'.
        name, dtype: see ``Metric`` (default name 'auc').
        thresholds: explicit thresholds in (0, 1), instead of ``num_thresholds``.
        multi_label: with (samples, labels) predictions, compute one curve per label and
            average the areas (True), or pool every element into one curve (False, default).
        num_labels: the number of labels with ``multi_label`` (default: read from the first
            batch); the state is created then.
        label_weights: per-label weights: with ``multi_label``, for the average of the areas;
            otherwise multiplied into the counts.
        from_logits: apply a sigmoid to predictions first.

    Example:

    >>> import lamina
    >>> m = lamina.metrics.AUC(num_thresholds=3)
    >>> m.update_state([0, 0, 1, 1], [0, 0.5, 0.3, 0.9])
    >>> round(float(m.result()), 4)
    0.75
    """

    def __init__(self, num_thresholds=200, curve="ROC", summation_method="interpolation",
                 name=None, dtype=None, thresholds=None, multi_label=False, num_labels=None,
                 label_weights=None, from_logits=False):
        super().__init__(name=name, dtype=dtype)
        curve_u, summation = str(curve).upper(), str(summation_method).lower()
        if curve_u not in ("ROC", "PR"):
            raise ValueError(f"AUC: invalid curve {curve!r}. Expected 'ROC' or 'PR'.")
        if summation not in ("interpolation", "minoring", "majoring"):
            raise ValueError(
                f"AUC: invalid summation_method {summation_method!r}. "
                "Expected 'interpolation', 'minoring' or 'majoring'."
            )
        if num_labels and not multi_label:
            raise ValueError(
                f"AUC: num_labels={num_labels} is only used with multi_label=True. Pass "
                "multi_label=True for one curve per label, or drop num_labels."
            )
        if thresholds is not None:
            inner = sorted(float(t) for t in thresholds)
            num_thresholds = len(inner) + 2
        else:
            if num_thresholds <= 1:
                raise ValueError(f"AUC: num_thresholds must be an integer > 1; received {num_thresholds}.")
            inner = [(i + 1) / (num_thresholds - 1) for i in range(num_thresholds - 2)]
        eps = config.epsilon()
        self.num_thresholds = num_thresholds
        self.curve = curve_u
        self.summation_method = summation
        self.multi_label = bool(multi_label)
        self.num_labels = num_labels
        if isinstance(label_weights, dict) and label_weights.get("class_name") == "__tensor__":
            label_weights = label_weights["config"]["value"]  # as Keras 3 writes a tensor in a config
        self.label_weights = None if label_weights is None else [float(w) for w in label_weights]
        self._init_thresholds = None if thresholds is None else list(inner)
        self._from_logits = from_logits
        self._thresholds_list = [0.0 - eps] + inner + [1.0 + eps]
        self._thresholds = ops.convert_to_tensor(self._thresholds_list, self.dtype)
        self._built = False
        if not self.multi_label:
            self._build((num_thresholds,))
        elif num_labels:
            self._build((num_thresholds, num_labels))

    def _build(self, shape):
        self.true_positives = self.add_variable(shape, name="true_positives")
        self.false_positives = self.add_variable(shape, name="false_positives")
        self.true_negatives = self.add_variable(shape, name="true_negatives")
        self.false_negatives = self.add_variable(shape, name="false_negatives")
        self._built = True

    @property
    def thresholds(self) -> list:
        return list(self._thresholds_list)

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_pred = ops.stop_gradient(ops.convert_to_tensor(y_pred, self.dtype))
        if self.multi_label and y_pred.ndim != 2:
            raise ValueError(
                f"AUC(multi_label=True) needs predictions of shape (samples, labels); received "
                f"y_pred.shape={tuple(y_pred.shape)}. Reshape them, or use multi_label=False."
            )
        if not self._built:
            self._build((self.num_thresholds, y_pred.shape[-1]))
        if self._from_logits:
            y_pred = ops.sigmoid(y_pred)
        y_true = ops.convert_to_tensor(y_true)
        tp, fp, fn, tn = confusion_counts(
            y_true, y_pred, self._thresholds, sample_weight, negatives=True,
            multi_label=self.multi_label, label_weights=None if self.multi_label else self.label_weights)
        for var, value in ((self.true_positives, tp), (self.false_positives, fp),
                           (self.false_negatives, fn), (self.true_negatives, tn)):
            var.assign_add(value)

    def _pr_interpolated(self):
        tp, fp, fn = self.true_positives.value, self.false_positives.value, self.false_negatives.value
        dtp = tp[:-1] - tp[1:]
        p = tp + fp
        dp = p[:-1] - p[1:]
        slope = ops.divide_no_nan(dtp, ops.maximum(dp, 0.0))
        intercept = tp[1:] - slope * p[1:]
        both = ops.logical_and(p[:-1] > 0, p[1:] > 0)
        ratio = ops.where(both, ops.divide_no_nan(p[:-1], ops.maximum(p[1:], 0.0)), ops.ones_like(p[1:]))
        area = ops.divide_no_nan(slope * (dtp + intercept * ops.log(ratio)), ops.maximum(tp[1:] + fn[1:], 0.0))
        return self._total(area)

    def _total(self, terms):
        """Sum the per-threshold terms; with multi_label, average the per-label areas."""
        if not self.multi_label:
            return ops.sum(terms)
        by_label = ops.sum(terms, axis=0)
        if self.label_weights is None:
            return ops.mean(by_label)
        weights = ops.convert_to_tensor(self.label_weights, self.dtype)
        return ops.divide_no_nan(ops.sum(by_label * weights), ops.sum(weights))

    def result(self):
        if self.curve == "PR" and self.summation_method == "interpolation":
            return self._pr_interpolated()
        tp, fp, fn, tn = (v.value for v in (self.true_positives, self.false_positives, self.false_negatives,
                                            self.true_negatives))
        recall = ops.divide_no_nan(tp, tp + fn)
        if self.curve == "ROC":
            x, y = ops.divide_no_nan(fp, fp + tn), recall
        else:
            x, y = recall, ops.divide_no_nan(tp, tp + fp)
        if self.summation_method == "interpolation":
            heights = (y[:-1] + y[1:]) / 2.0
        elif self.summation_method == "minoring":
            heights = ops.minimum(y[:-1], y[1:])
        else:
            heights = ops.maximum(y[:-1], y[1:])
        return self._total((x[:-1] - x[1:]) * heights)

    def reset_state(self) -> None:
        if self._built:
            super().reset_state()

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "num_thresholds": self.num_thresholds,
            "curve": self.curve,
            "summation_method": self.summation_method,
            "multi_label": self.multi_label,
            "num_labels": self.num_labels,
            "label_weights": self.label_weights,
            "from_logits": self._from_logits,
            **({"thresholds": self._init_thresholds} if self._init_thresholds is not None else {}),
        }
