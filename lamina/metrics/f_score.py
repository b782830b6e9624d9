"""FBetaScore and F1Score: the weighted harmonic mean of precision and recall, per class."""

from __future__ import annotations

from lamina import config, ops
from lamina.metrics.metric import Metric


class FBetaScore(Metric):
    """F-beta score, (1 + beta^2) * P * R / (beta^2 * P + R), for multi-class or multi-label outputs.

    Predictions of shape (samples, classes) are turned into 0/1 decisions: above ``threshold``,
    or, with ``threshold=None``, the largest score of each sample. The counts are kept per class
    (or pooled, with ``average='micro'``) in state variables created on the first update.

    Args:
        average: None (one score per class), 'micro' (from pooled counts), 'macro' (mean of the
            class scores) or 'weighted' (mean weighted by each class's number of true labels).
        beta: a positive float (default 1.0): recall counts beta times as much as precision.
        threshold: a float in (0, 1], or None (the top score of each sample is the prediction).
        name, dtype: see ``Metric`` (default name 'fbeta_score').

    Example:

    >>> import lamina
    >>> m = lamina.metrics.FBetaScore(beta=2.0, threshold=0.5)
    >>> m.update_state([[1, 0], [0, 1], [1, 1]], [[0.9, 0.2], [0.7, 0.8], [0.1, 0.9]])
    >>> [round(v, 4) for v in lamina.ops.convert_to_numpy(m.result()).tolist()]
    [0.5, 1.0]
    """

    def __init__(self, average=None, beta=1.0, threshold=None, name="fbeta_score", dtype=None):
        super().__init__(name=name, dtype=dtype)
        cls = type(self).__name__
        if average not in (None, "micro", "macro", "weighted"):
            raise ValueError(
                f"{cls}: invalid average={average!r}. Expected one of None, 'micro', 'macro', 'weighted'."
            )
        if not isinstance(beta, float) or beta <= 0.0:
            raise ValueError(f"{cls}: beta must be a Python float > 0; received beta={beta!r}.")
        if threshold is not None and (not isinstance(threshold, float) or not 0.0 < threshold <= 1.0):
            raise ValueError(
                f"{cls}: threshold must be None or a Python float with 0 < threshold <= 1; "
                f"received threshold={threshold!r}."
            )
        self.average = average
        self.beta = beta
        self.threshold = threshold
        self.axis = None if average == "micro" else 0
        self._built = False

    def _build(self, y_true_shape, y_pred_shape):
        if len(y_pred_shape) != 2 or len(y_true_shape) != 2:
            raise ValueError(
                f"{type(self).__name__} expects 2D inputs of shape (batch_size, output_dim); "
                f"received y_true.shape={tuple(y_true_shape)} and y_pred.shape={tuple(y_pred_shape)}."
            )
        shape = () if self.average == "micro" else (y_pred_shape[-1],)
        self.true_positives = self.add_variable(shape, name="true_positives")
        self.false_positives = self.add_variable(shape, name="false_positives")
        self.false_negatives = self.add_variable(shape, name="false_negatives")
        self.intermediate_weights = self.add_variable(shape, name="intermediate_weights")
        self._built = True

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true = ops.convert_to_tensor(y_true, self.dtype)
        y_pred = ops.stop_gradient(ops.convert_to_tensor(y_pred, self.dtype))
        if not self._built:
            self._build(y_true.shape, y_pred.shape)
        if self.threshold is None:
            top = ops.max(y_pred, axis=-1, keepdims=True)
            decided = ops.logical_and(y_pred >= top, ops.abs(y_pred) > 1e-9)
        else:
            decided = y_pred > self.threshold
        y_pred = ops.cast(decided, self.dtype)
        w = None if sample_weight is None else ops.expand_dims(ops.convert_to_tensor(sample_weight, self.dtype), 1)

        def total(values):
            return ops.sum(values if w is None else values * w, axis=self.axis)

        self.true_positives.assign_add(total(y_pred * y_true))
        self.false_positives.assign_add(total(y_pred * (1.0 - y_true)))
        self.false_negatives.assign_add(total((1.0 - y_pred) * y_true))
        self.intermediate_weights.assign_add(total(y_true))

    def result(self):
        if not self._built:
            return ops.convert_to_tensor(0.0, self.dtype)
        eps = config.epsilon()
        tp = self.true_positives.value
        precision = tp / (tp + self.false_positives.value + eps)
        recall = tp / (tp + self.false_negatives.value + eps)
        b2 = self.beta ** 2
        score = (1.0 + b2) * precision * recall / (b2 * precision + recall + eps)
        if self.average == "weighted":
            weights = self.intermediate_weights.value
            return ops.sum(score * weights / (ops.sum(weights) + eps))
        if self.average is not None:
            return ops.mean(score)
        return score

    def reset_state(self) -> None:
        if self._built:
            super().reset_state()

    def get_config(self) -> dict:
        return {**super().get_config(), "average": self.average, "beta": self.beta,
                "threshold": self.threshold}


class F1Score(FBetaScore):
    """F1 score, 2 * P * R / (P + R): ``FBetaScore`` with beta = 1.

    Args: ``average``, ``threshold``, ``name`` (default 'f1_score'), ``dtype`` as ``FBetaScore``.

    Example:

    >>> import lamina
    >>> m = lamina.metrics.F1Score(average="micro")
    >>> m.update_state([[1, 0], [0, 1], [1, 0]], [[0.9, 0.1], [0.7, 0.3], [0.2, 0.8]])
    >>> round(float(m.result()), 4)
    0.3333
    """

    def __init__(self, average=None, threshold=None, name="f1_score", dtype=None):
        super().__init__(average=average, beta=1.0, threshold=threshold, name=name, dtype=dtype)

    def get_config(self) -> dict:
        config = super().get_config()
        del config["beta"]
        return config
