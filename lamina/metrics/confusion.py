"""Confusion-matrix metrics: Precision, Recall and AUC.

Counts are accumulated per threshold on the device; a prediction is positive when it is
strictly greater than the threshold, as in Keras.
"""

from __future__ import annotations

from lamina import config, ops
from lamina.losses.loss import squeeze_or_expand_to_same_rank
from lamina.metrics.metric import Metric

NEG_INF = -1e10


def _top_k_only(y_pred, k):
    """Keep the k largest scores of the last axis; set the others to NEG_INF."""
    _, idx = ops.top_k(y_pred, k)
    keep = ops.sum(ops.one_hot(idx, y_pred.shape[-1], dtype=ops.dtype(y_pred)), axis=-2)
    return y_pred * keep + NEG_INF * (1.0 - keep)


def confusion_counts(y_true, y_pred, thresholds, sample_weight=None, top_k=None, class_id=None,
                     negatives=False):
    """(tp, fp, fn[, tn]) per threshold, each of shape (len(thresholds),).

    Args:
        y_true: 0/1 labels (any shape broadcastable to ``y_pred``).
        y_pred: scores in [0, 1].
        thresholds: 1-D tensor of thresholds.
        sample_weight: per-sample or per-element weights, or None.
        top_k: only the k highest scores per sample may count as positive.
        class_id: only this class (last axis of y_pred) is counted.
        negatives: also return true negatives.
    """
    y_pred, y_true = squeeze_or_expand_to_same_rank(y_pred, y_true)
    dtype = ops.dtype(y_pred)
    if sample_weight is not None:
        sample_weight = ops.convert_to_tensor(sample_weight, dtype)
        if 0 < sample_weight.ndim < y_pred.ndim:
            sample_weight = ops.reshape(sample_weight, tuple(sample_weight.shape)
                                        + (1,) * (y_pred.ndim - sample_weight.ndim))
        sample_weight = ops.broadcast_to(sample_weight, ops.shape(y_pred))
    if top_k is not None:
        y_pred = _top_k_only(y_pred, top_k)
    if class_id is not None:
        if y_pred.ndim < 2:
            raise ValueError(
                f"class_id={class_id} needs predictions of shape (num_samples, num_classes); "
                f"received y_pred.shape={tuple(y_pred.shape)}."
            )
        y_pred = y_pred[..., class_id]
        y_true = y_true[..., class_id]
        if sample_weight is not None:
            sample_weight = sample_weight[..., class_id]
    pred = ops.reshape(y_pred, (-1, 1))
    label = ops.reshape(ops.cast(y_true, dtype), (-1, 1))
    pos = ops.cast(ops.greater(pred, ops.reshape(thresholds, (1, -1))), dtype)  # (M, T)
    if sample_weight is not None:
        w = ops.reshape(sample_weight, (-1, 1))
        label_w, nolabel_w = label * w, (1.0 - label) * w
    else:
        label_w, nolabel_w = label, 1.0 - label
    tp = ops.sum(pos * label_w, axis=0)
    fp = ops.sum(pos * nolabel_w, axis=0)
    fn = ops.sum(label_w, axis=0) - tp
    if not negatives:
        return tp, fp, fn
    tn = ops.sum(nolabel_w, axis=0) - fp
    return tp, fp, fn, tn


class _ThresholdMetric(Metric):
    def __init__(self, thresholds=None, top_k=None, class_id=None, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.init_thresholds = thresholds
        self.top_k = top_k
        self.class_id = class_id
        default = 0.5 if top_k is None else NEG_INF
        values = default if thresholds is None else thresholds
        self._single = not isinstance(values, (list, tuple))
        values = [values] if self._single else list(values)
        for t in values:
            if not (t == NEG_INF or 0.0 <= t <= 1.0):
                raise ValueError(
                    f"{type(self).__name__}: thresholds must lie in [0, 1]; received {thresholds}."
                )
        self._thresholds = ops.convert_to_tensor(values, self.dtype)
        self.true_positives = self.add_variable((len(values),), name="true_positives")

    def _counts(self, y_true, y_pred, sample_weight):
        y_pred = ops.stop_gradient(ops.convert_to_tensor(y_pred, self.dtype))
        y_true = ops.convert_to_tensor(y_true)
        return confusion_counts(y_true, y_pred, self._thresholds, sample_weight,
                                self.top_k, self.class_id)

    def _finish(self, value):
        return value[0] if self._single else value

    def get_config(self) -> dict:
        return {**super().get_config(), "thresholds": self.init_thresholds,
                "top_k": self.top_k, "class_id": self.class_id}


class Precision(_ThresholdMetric):
    """Precision, tp / (tp + fp), of predictions above ``thresholds`` (default 0.5).

    Args:
        thresholds: a float or a list of floats in [0, 1]; with a list, ``result()`` has one
            value per threshold.
        top_k: only the top k scores of each sample count as predicted positives.
        class_id: compute the metric for this class of a (samples, classes) output only.
        name, dtype: see ``Metric`` (default name 'precision').

    Example:

    >>> import lamina
    >>> m = lamina.metrics.Precision()
    >>> m.update_state([0, 1, 1, 1], [1, 0, 1, 1])
    >>> round(float(m.result()), 4)
    0.6667
    """

    def __init__(self, thresholds=None, top_k=None, class_id=None, name=None, dtype=None):
        super().__init__(thresholds, top_k, class_id, name, dtype)
        self.false_positives = self.add_variable(tuple(self.true_positives.shape), name="false_positives")

    def update_state(self, y_true, y_pred, sample_weight=None):
        tp, fp, _ = self._counts(y_true, y_pred, sample_weight)
        self.true_positives.assign_add(tp)
        self.false_positives.assign_add(fp)

    def result(self):
        return self._finish(ops.divide_no_nan(self.true_positives.value, self.true_positives + self.false_positives))


class Recall(_ThresholdMetric):
    """Recall, tp / (tp + fn), of predictions above ``thresholds`` (default 0.5).

    Args as ``Precision`` (default name 'recall').

    Example:

    >>> import lamina
    >>> m = lamina.metrics.Recall()
    >>> m.update_state([0, 1, 1, 1], [1, 0, 1, 1])
    >>> round(float(m.result()), 4)
    0.6667
    """

    def __init__(self, thresholds=None, top_k=None, class_id=None, name=None, dtype=None):
        super().__init__(thresholds, top_k, class_id, name, dtype)
        self.false_negatives = self.add_variable(tuple(self.true_positives.shape), name="false_negatives")

    def update_state(self, y_true, y_pred, sample_weight=None):
        tp, _, fn = self._counts(y_true, y_pred, sample_weight)
        self.true_positives.assign_add(tp)
        self.false_negatives.assign_add(fn)

    def result(self):
        return self._finish(ops.divide_no_nan(self.true_positives.value, self.true_positives + self.false_negatives))


class AUC(Metric):
    """Area under the ROC or precision-recall curve, from counts at fixed thresholds.

    Args:
        num_thresholds: number of thresholds (default 200), evenly spaced in [0, 1].
        curve: 'ROC' (default) or 'PR'.
        summation_method: 'interpolation' (default; trapezoids for ROC, the Davis-Goadrich
            interpolation for PR), 'minoring' or 'majoring'.
        name, dtype: see ``Metric`` (default name 'auc').
        thresholds: explicit thresholds in (0, 1), instead of ``num_thresholds``.
        multi_label: must be False (multi-label AUC is not implemented).
        num_labels, label_weights: only meaningful with multi_label; must be None.
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
        if multi_label or num_labels is not None or label_weights is not None:
            raise ValueError(
                "AUC(multi_label=True / num_labels / label_weights) is not supported by lamina "
                "yet. Use one AUC(class_id-free) per label, or leave multi_label=False."
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
        self.multi_label = False
        self.num_labels = None
        self.label_weights = None
        self._init_thresholds = None if thresholds is None else list(inner)
        self._from_logits = from_logits
        self._thresholds_list = [0.0 - eps] + inner + [1.0 + eps]
        self._thresholds = ops.convert_to_tensor(self._thresholds_list, self.dtype)
        shape = (num_thresholds,)
        self.true_positives = self.add_variable(shape, name="true_positives")
        self.false_positives = self.add_variable(shape, name="false_positives")
        self.true_negatives = self.add_variable(shape, name="true_negatives")
        self.false_negatives = self.add_variable(shape, name="false_negatives")

    @property
    def thresholds(self) -> list:
        return list(self._thresholds_list)

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_pred = ops.stop_gradient(ops.convert_to_tensor(y_pred, self.dtype))
        if self._from_logits:
            y_pred = ops.sigmoid(y_pred)
        y_true = ops.convert_to_tensor(y_true)
        tp, fp, fn, tn = confusion_counts(y_true, y_pred, self._thresholds, sample_weight, negatives=True)
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
        return ops.sum(area)

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
        return ops.sum((x[:-1] - x[1:]) * heights)

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "num_thresholds": self.num_thresholds,
            "curve": self.curve,
            "summation_method": self.summation_method,
            "multi_label": False,
            "num_labels": None,
            "label_weights": None,
            "from_logits": self._from_logits,
            **({"thresholds": self._init_thresholds} if self._init_thresholds is not None else {}),
        }
