"""Confusion-matrix metrics: Precision and Recall, and the counting helper AUC and the others use.

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
                     negatives=False, multi_label=False, label_weights=None):
    """(tp, fp, fn[, tn]) per threshold, each of shape (len(thresholds),), or
    (len(thresholds), num_labels) with ``multi_label``.

    Args:
        y_true: 0/1 labels (any shape broadcastable to ``y_pred``).
        y_pred: scores in [0, 1].
        thresholds: 1-D tensor of thresholds.
        sample_weight: per-sample or per-element weights, or None.
        top_k: only the k highest scores per sample may count as positive.
        class_id: only this class (last axis of y_pred) is counted.
        negatives: also return true negatives.
        multi_label: count each label (last axis of y_pred) separately.
        label_weights: per-label weights multiplied into the counts (not with multi_label).
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
    if label_weights is not None:
        lw = ops.broadcast_to(ops.convert_to_tensor(label_weights, dtype), ops.shape(y_pred))
        sample_weight = lw if sample_weight is None else sample_weight * lw
    # Rows are the counted elements; with multi_label, one column group per label.
    rows = (-1, y_pred.shape[-1], 1) if multi_label else (-1, 1)
    pred = ops.reshape(y_pred, rows)
    label = ops.reshape(ops.cast(y_true, dtype), rows)
    pos = ops.cast(ops.greater(pred, ops.reshape(thresholds, (1,) * (len(rows) - 1) + (-1,))), dtype)
    if sample_weight is not None:
        w = ops.reshape(sample_weight, rows)
        label_w, nolabel_w = label * w, (1.0 - label) * w
    else:
        label_w, nolabel_w = label, 1.0 - label
    tp = ops.sum(pos * label_w, axis=0)
    fp = ops.sum(pos * nolabel_w, axis=0)
    fn = ops.sum(label_w, axis=0) - tp
    counts = (tp, fp, fn) + ((ops.sum(nolabel_w, axis=0) - fp,) if negatives else ())
    if multi_label:  # (labels, thresholds) -> (thresholds, labels), Keras's variable layout
        counts = tuple(ops.transpose(c) for c in counts)
    return counts


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
