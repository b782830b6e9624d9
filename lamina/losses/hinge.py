"""Hinge losses for maximum-margin classifiers: hinge, squared hinge, categorical hinge."""

from __future__ import annotations

from lamina import ops
from lamina.losses import checks
from lamina.losses.loss import LossFunctionWrapper
from lamina.losses.regression import _pair


def _to_plus_minus_one(y_true):
    """0/1 labels become -1/+1; labels already in another form are left alone.

    The choice is made on device (``where`` with a scalar condition): no host sync.
    """
    is_binary = ops.all(ops.logical_or(ops.equal(y_true, 0), ops.equal(y_true, 1)))
    return ops.where(is_binary, 2.0 * y_true - 1.0, y_true)


@checks.mark(checks.SAME_SHAPE)
def hinge(y_true, y_pred):
    """mean(maximum(1 - y_true * y_pred, 0), axis=-1); 0/1 labels are read as -1/+1.

    Example:

    >>> import lamina
    >>> round(float(lamina.losses.hinge([[0.0, 1.0]], [[-0.5, 0.25]])[0]), 4)
    0.625
    """
    y_true, y_pred = _pair(y_true, y_pred)
    y_true = _to_plus_minus_one(y_true)
    return ops.mean(ops.maximum(1.0 - y_true * y_pred, 0.0), axis=-1)


@checks.mark(checks.SAME_SHAPE)
def squared_hinge(y_true, y_pred):
    """mean(square(maximum(1 - y_true * y_pred, 0)), axis=-1); 0/1 labels are read as -1/+1."""
    y_true, y_pred = _pair(y_true, y_pred)
    y_true = _to_plus_minus_one(y_true)
    return ops.mean(ops.square(ops.maximum(1.0 - y_true * y_pred, 0.0)), axis=-1)


@checks.mark(checks.CATEGORICAL)
def categorical_hinge(y_true, y_pred):
    """maximum(max((1 - y_true) * y_pred) - sum(y_true * y_pred) + 1, 0) for one-hot targets."""
    y_true, y_pred = _pair(y_true, y_pred)
    pos = ops.sum(y_true * y_pred, axis=-1)
    neg = ops.max((1.0 - y_true) * y_pred, axis=-1)
    return ops.maximum(neg - pos + 1.0, 0.0)


class Hinge(LossFunctionWrapper):
    """Hinge loss (name 'hinge'). Args: reduction, name, dtype as for every ``Loss``."""

    def __init__(self, reduction="sum_over_batch_size", name="hinge", dtype=None):
        super().__init__(hinge, reduction=reduction, name=name, dtype=dtype)


class SquaredHinge(LossFunctionWrapper):
    """Squared hinge loss (name 'squared_hinge')."""

    def __init__(self, reduction="sum_over_batch_size", name="squared_hinge", dtype=None):
        super().__init__(squared_hinge, reduction=reduction, name=name, dtype=dtype)


class CategoricalHinge(LossFunctionWrapper):
    """Categorical hinge loss for one-hot targets (name 'categorical_hinge')."""

    def __init__(self, reduction="sum_over_batch_size", name="categorical_hinge", dtype=None):
        super().__init__(categorical_hinge, reduction=reduction, name=name, dtype=dtype)
