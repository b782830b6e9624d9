"""Confusion-matrix counts: TruePositives, TrueNegatives, FalsePositives, FalseNegatives."""

from __future__ import annotations

from lamina import ops
from lamina.metrics.confusion import confusion_counts
from lamina.metrics.metric import Metric


class _ConditionCount(Metric):
    """The (weighted) number of elements in one cell of the confusion matrix, per threshold."""

    _cell = None  # index into (tp, fp, fn, tn)

    def __init__(self, thresholds=None, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.init_thresholds = thresholds
        self._single = not isinstance(thresholds, (list, tuple))
        values = [0.5 if thresholds is None else thresholds] if self._single else list(thresholds)
        for t in values:
            if not 0.0 <= t <= 1.0:
                raise ValueError(
                    f"{type(self).__name__}: thresholds must lie in [0, 1]; received "
                    f"thresholds={thresholds!r}. A prediction counts as positive when it is "
                    "strictly above a threshold."
                )
        self.thresholds = values
        self._thresholds = ops.convert_to_tensor(values, self.dtype)
        self.accumulator = self.add_variable((len(values),), name="accumulator")

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_pred = ops.stop_gradient(ops.convert_to_tensor(y_pred, self.dtype))
        counts = confusion_counts(ops.convert_to_tensor(y_true), y_pred, self._thresholds,
                                  sample_weight, negatives=True)
        self.accumulator.assign_add(counts[self._cell])

    def result(self):
        value = self.accumulator.value
        return value[0] if self._single else value + 0

    def get_config(self) -> dict:
        return {**super().get_config(), "thresholds": self.init_thresholds}


class TruePositives(_ConditionCount):
    """The (weighted) number of true positives: label 1, prediction above the threshold.

    Args:
        thresholds: a float or a list of floats in [0, 1] (default 0.5); with a list,
            ``result()`` has one count per threshold.
        name, dtype: see ``Metric`` (default name 'true_positives').

    Example:

    >>> import lamina
    >>> m = lamina.metrics.TruePositives()
    >>> m.update_state([0, 1, 1, 1], [1, 0, 1, 1])
    >>> float(m.result())
    2.0
    """

    _cell = 0


class FalsePositives(_ConditionCount):
    """The (weighted) number of false positives: label 0, prediction above the threshold.

    Args as ``TruePositives`` (default name 'false_positives').

    Example:

    >>> import lamina
    >>> m = lamina.metrics.FalsePositives()
    >>> m.update_state([0, 1, 0, 0], [0, 0, 1, 1])
    >>> float(m.result())
    2.0
    """

    _cell = 1


class FalseNegatives(_ConditionCount):
    """The (weighted) number of false negatives: label 1, prediction at or below the threshold.

    Args as ``TruePositives`` (default name 'false_negatives').

    Example:

    >>> import lamina
    >>> m = lamina.metrics.FalseNegatives()
    >>> m.update_state([0, 1, 1, 1], [0, 1, 0, 0])
    >>> float(m.result())
    2.0
    """

    _cell = 2


class TrueNegatives(_ConditionCount):
    """The (weighted) number of true negatives: label 0, prediction at or below the threshold.

    Args as ``TruePositives`` (default name 'true_negatives').

    Example:

    >>> import lamina
    >>> m = lamina.metrics.TrueNegatives()
    >>> m.update_state([0, 1, 0, 0], [1, 1, 0, 0])
    >>> float(m.result())
    2.0
    """

    _cell = 3
