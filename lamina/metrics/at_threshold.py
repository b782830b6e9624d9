"""One rate at the best threshold where another reaches a target: PrecisionAtRecall,
RecallAtPrecision, SensitivityAtSpecificity, SpecificityAtSensitivity (Keras 3 semantics).

Counts are kept at ``num_thresholds`` evenly spaced thresholds in [0, 1]; the result is the
largest value of the dependent rate over the thresholds where the constrained rate is at least
the target (0 if there is none).
"""

from __future__ import annotations

from lamina import ops
from lamina.metrics.confusion import confusion_counts
from lamina.metrics.metric import Metric


class _RateAtRate(Metric):
    _target_name = None  # 'recall', 'precision', 'specificity', 'sensitivity'

    def __init__(self, value, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        cls = type(self).__name__
        if not 0.0 <= value <= 1.0:
            raise ValueError(
                f"{cls}: {self._target_name} must lie in [0, 1]; received "
                f"{self._target_name}={value!r}."
            )
        if num_thresholds <= 0:
            raise ValueError(
                f"{cls}: num_thresholds must be an integer > 0; received num_thresholds={num_thresholds!r}."
            )
        setattr(self, self._target_name, value)
        self.value = value
        self.num_thresholds = num_thresholds
        self.class_id = class_id
        if num_thresholds == 1:
            self.thresholds = [0.5]
        else:
            self.thresholds = [0.0] + [(i + 1) / (num_thresholds - 1) for i in range(num_thresholds - 2)] + [1.0]
        self._thresholds = ops.convert_to_tensor(self.thresholds, self.dtype)
        shape = (len(self.thresholds),)
        self.true_positives = self.add_variable(shape, name="true_positives")
        self.false_positives = self.add_variable(shape, name="false_positives")
        self.true_negatives = self.add_variable(shape, name="true_negatives")
        self.false_negatives = self.add_variable(shape, name="false_negatives")

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_pred = ops.stop_gradient(ops.convert_to_tensor(y_pred, self.dtype))
        tp, fp, fn, tn = confusion_counts(ops.convert_to_tensor(y_true), y_pred, self._thresholds,
                                          sample_weight, class_id=self.class_id, negatives=True)
        for var, value in ((self.true_positives, tp), (self.false_positives, fp),
                           (self.false_negatives, fn), (self.true_negatives, tn)):
            var.assign_add(value)

    def _rates(self):
        tp, fp, fn, tn = (v.value for v in (self.true_positives, self.false_positives,
                                            self.false_negatives, self.true_negatives))
        return {"recall": ops.divide_no_nan(tp, tp + fn), "precision": ops.divide_no_nan(tp, tp + fp),
                "specificity": ops.divide_no_nan(tn, tn + fp)}

    def _best(self, constrained, dependent):
        feasible = ops.greater_equal(constrained, self.value)
        return ops.maximum(ops.max(ops.where(feasible, dependent, ops.zeros_like(dependent))), 0.0)

    def get_config(self) -> dict:
        return {**super().get_config(), "class_id": self.class_id,
                "num_thresholds": self.num_thresholds, self._target_name: self.value}


class PrecisionAtRecall(_RateAtRate):
    """The best precision over thresholds whose recall is at least ``recall``.

    Args:
        recall: the target recall, in [0, 1].
        num_thresholds: number of evenly spaced thresholds (default 200).
        class_id: compute the metric for this class of a (samples, classes) output only.
        name, dtype: see ``Metric`` (default name 'precision_at_recall').

    Example:

    >>> import lamina
    >>> m = lamina.metrics.PrecisionAtRecall(0.5)
    >>> m.update_state([0, 0, 0, 1, 1], [0, 0.3, 0.8, 0.3, 0.8])
    >>> float(m.result())
    0.5
    """

    _target_name = "recall"

    def __init__(self, recall, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(recall, num_thresholds, class_id, name, dtype)

    def result(self):
        r = self._rates()
        return self._best(r["recall"], r["precision"])


class RecallAtPrecision(_RateAtRate):
    """The best recall over thresholds whose precision is at least ``precision``.

    Args as ``PrecisionAtRecall``, with ``precision`` the target (default name 'recall_at_precision').

    Example:

    >>> import lamina
    >>> m = lamina.metrics.RecallAtPrecision(0.8)
    >>> m.update_state([0, 0, 1, 1], [0, 0.5, 0.3, 0.9])
    >>> float(m.result())
    0.5
    """

    _target_name = "precision"

    def __init__(self, precision, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(precision, num_thresholds, class_id, name, dtype)

    def result(self):
        r = self._rates()
        return self._best(r["precision"], r["recall"])


class SensitivityAtSpecificity(_RateAtRate):
    """The best sensitivity (recall) over thresholds whose specificity is at least ``specificity``.

    Args as ``PrecisionAtRecall``, with ``specificity`` the target (default name
    'sensitivity_at_specificity').

    Example:

    >>> import lamina
    >>> m = lamina.metrics.SensitivityAtSpecificity(0.5)
    >>> m.update_state([0, 0, 0, 1, 1], [0, 0.3, 0.8, 0.3, 0.8])
    >>> float(m.result())
    0.5
    """

    _target_name = "specificity"

    def __init__(self, specificity, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(specificity, num_thresholds, class_id, name, dtype)

    def result(self):
        r = self._rates()
        return self._best(r["specificity"], r["recall"])


class SpecificityAtSensitivity(_RateAtRate):
    """The best specificity over thresholds whose sensitivity (recall) is at least ``sensitivity``.

    Args as ``PrecisionAtRecall``, with ``sensitivity`` the target (default name
    'specificity_at_sensitivity').

    Example:

    >>> import lamina
    >>> m = lamina.metrics.SpecificityAtSensitivity(0.5)
    >>> m.update_state([0, 0, 0, 1, 1], [0, 0.3, 0.8, 0.3, 0.8])
    >>> round(float(m.result()), 4)
    0.6667
    """

    _target_name = "sensitivity"

    def __init__(self, sensitivity, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(sensitivity, num_thresholds, class_id, name, dtype)

    def result(self):
        r = self._rates()
        return self._best(r["recall"], r["specificity"])
