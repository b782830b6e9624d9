"""Overlap losses for segmentation: Dice and Tversky (Keras 3 formulas and defaults)."""

from __future__ import annotations

from lamina import config
from lamina.ops import _internal as ops
from lamina.losses.loss import LossFunctionWrapper


def _inputs(y_true, y_pred):
    y_pred = ops.convert_to_tensor(y_pred) if not ops.is_tensor(y_pred) else y_pred
    y_true = ops.convert_to_tensor(y_true) if not ops.is_tensor(y_true) else y_true
    return ops.cast(y_true, ops.dtype(y_pred)), y_pred


def dice(y_true, y_pred, axis=None):
    """1 - 2 * sum(y_true * y_pred) / (sum(y_true) + sum(y_pred) + epsilon), summed over ``axis``.

    Args:
        y_true: targets in [0, 1].
        y_pred: predictions in [0, 1], the same shape.
        axis: the axes summed over; None (Keras's default) sums over everything, giving one value
            for the whole batch; (1, 2, 3) gives one value per image.

    Example:

    >>> import lamina
    >>> round(float(lamina.losses.dice([[1.0, 0.0]], [[0.5, 0.5]])), 4)
    0.5
    """
    y_true, y_pred = _inputs(y_true, y_pred)
    inter = ops.sum(y_true * y_pred, axis=axis)
    return 1.0 - 2.0 * inter / (ops.sum(y_true, axis=axis) + ops.sum(y_pred, axis=axis) + config.epsilon())


def tversky(y_true, y_pred, alpha=0.5, beta=0.5, axis=None):
    """1 - tp / (tp + alpha * fp + beta * fn + epsilon), with soft counts summed over ``axis``.

    As in Keras 3, fp = sum((1 - y_pred) * y_true) and fn = sum(y_pred * (1 - y_true)):
    ``alpha`` weighs missed positives and ``beta`` false alarms. alpha = beta = 0.5 is Dice.

    Args:
        y_true, y_pred, axis: as ``dice``.
        alpha, beta: the weights of the two error kinds (default 0.5 each).

    Example:

    >>> import lamina
    >>> round(float(lamina.losses.tversky([[1.0, 0.0]], [[0.5, 0.5]])), 4)
    0.5
    """
    y_true, y_pred = _inputs(y_true, y_pred)
    tp = ops.sum(y_true * y_pred, axis=axis)
    fp = ops.sum((1.0 - y_pred) * y_true, axis=axis)
    fn = ops.sum(y_pred * (1.0 - y_true), axis=axis)
    return 1.0 - tp / (tp + fp * alpha + fn * beta + config.epsilon())


class Dice(LossFunctionWrapper):
    """The Dice loss as a loss object (see ``dice``).

    Args:
        reduction, name ('dice'), dtype: see ``Loss``.
        axis: the axes summed over (default None: all).

    Example:

    >>> import numpy as np, lamina
    >>> round(float(lamina.losses.Dice()(np.array([[1.0, 0.0]]), np.array([[0.5, 0.5]]))), 4)
    0.5
    """

    def __init__(self, reduction="sum_over_batch_size", name="dice", axis=None, dtype=None):
        super().__init__(dice, reduction=reduction, name=name, dtype=dtype, axis=axis)
        self.axis = axis


class Tversky(LossFunctionWrapper):
    """The Tversky loss as a loss object (see ``tversky``).

    Args:
        alpha, beta: the error weights (default 0.5 each).
        reduction, name ('tversky'), dtype: see ``Loss``.
        axis: the axes summed over (default None: all).
    """

    def __init__(self, alpha=0.5, beta=0.5, reduction="sum_over_batch_size", name="tversky",
                 axis=None, dtype=None):
        super().__init__(tversky, reduction=reduction, name=name, dtype=dtype,
                         alpha=alpha, beta=beta, axis=axis)
        self.alpha, self.beta, self.axis = alpha, beta, axis
