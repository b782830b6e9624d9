"""Focal cross-entropies (Lin et al., 2018) and the generalized cross-entropy (Zhang & Sabuncu, 2018).

Numerics follow Keras 3: probabilities are clipped to [epsilon, 1 - epsilon] inside the
cross-entropy; the focal factor (1 - p_t)^gamma uses the unclipped probability.
"""

from __future__ import annotations

import warnings

from lamina import config
from lamina.ops import _internal as ops
from lamina.losses import checks
from lamina.losses.loss import LossFunctionWrapper


def _inputs(y_true, y_pred):
    y_pred = ops.convert_to_tensor(y_pred) if not ops.is_tensor(y_pred) else y_pred
    y_true = ops.convert_to_tensor(y_true) if not ops.is_tensor(y_true) else y_true
    return ops.cast(y_true, ops.dtype(y_pred)), y_pred


@checks.mark(checks.SAME_SHAPE)
def binary_focal_crossentropy(y_true, y_pred, apply_class_balancing=False, alpha=0.25, gamma=2.0,
                              from_logits=False, label_smoothing=0.0, axis=-1):
    """Binary cross-entropy scaled by (1 - p_t)^gamma, averaged over ``axis``.

    p_t is the predicted probability of the true label; easy examples (p_t near 1) are
    down-weighted. ``gamma=0`` gives the binary cross-entropy.

    Args:
        y_true: 0/1 targets.
        y_pred: probabilities (or logits with ``from_logits=True``) of the same shape.
        apply_class_balancing: weight positives by ``alpha`` and negatives by ``1 - alpha``.
        alpha: the class-balancing weight (default 0.25).
        gamma: the focusing exponent (default 2.0).
        from_logits: whether ``y_pred`` holds logits.
        label_smoothing: in [0, 1]; targets become y * (1 - s) + 0.5 * s.
        axis: the axis averaged over (default -1).

    Example:

    >>> import lamina
    >>> v = lamina.losses.binary_focal_crossentropy([[0.0, 1.0]], [[0.4, 0.6]])
    >>> round(float(v[0]), 4)
    0.0817
    """
    y_true, y_pred = _inputs(y_true, y_pred)
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    if from_logits:
        y_pred = ops.sigmoid(y_pred)
    bce = ops.binary_crossentropy_probs(y_true, y_pred, config.epsilon())
    p_t = y_true * y_pred + (1.0 - y_true) * (1.0 - y_pred)
    focal = ops.power(1.0 - p_t, gamma) * bce
    if apply_class_balancing:
        focal = (y_true * alpha + (1.0 - y_true) * (1.0 - alpha)) * focal
    return ops.mean(focal, axis=axis)


@checks.mark(checks.CATEGORICAL)
def categorical_focal_crossentropy(y_true, y_pred, alpha=0.25, gamma=2.0, from_logits=False,
                                   label_smoothing=0.0, axis=-1):
    """Categorical cross-entropy with each class term scaled by alpha * (1 - p)^gamma.

    Args:
        y_true: one-hot targets, the shape of ``y_pred``.
        y_pred: class probabilities (or logits with ``from_logits=True``).
        alpha: weighting factor (default 0.25).
        gamma: the focusing exponent (default 2.0).
        from_logits: whether ``y_pred`` holds logits.
        label_smoothing: in [0, 1]; targets become y * (1 - s) + s / num_classes.
        axis: the class axis (default -1).

    Example:

    >>> import lamina
    >>> v = lamina.losses.categorical_focal_crossentropy([[0.0, 1.0, 0.0]], [[0.05, 0.95, 0.0]])
    >>> round(float(v[0]) * 1e5, 3)
    3.206
    """
    if isinstance(axis, bool):
        raise ValueError(f"categorical_focal_crossentropy: axis must be an int; received axis={axis!r}.")
    y_true, y_pred = _inputs(y_true, y_pred)
    if y_pred.shape[-1] == 1:
        warnings.warn(
            "categorical_focal_crossentropy expects y_pred of shape (batch_size, num_classes) "
            f"with num_classes > 1; received y_pred.shape={tuple(y_pred.shape)}. Use "
            "'binary_focal_crossentropy' for a single sigmoid output.", SyntaxWarning, stacklevel=2)
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + label_smoothing / y_true.shape[-1]
    if from_logits:
        y_pred = ops.softmax(y_pred, axis)
    eps = config.epsilon()
    probs = ops.clip(y_pred / ops.sum(y_pred, axis=axis, keepdims=True), eps, 1.0 - eps)
    return ops.sum(alpha * ops.power(1.0 - probs, gamma) * (-y_true * ops.log(probs)), axis=axis)


@checks.mark(checks.SPARSE)
def categorical_generalized_cross_entropy(y_true, y_pred, q):
    """(1 - p^q) / q, where p is the predicted probability of the integer label ``y_true``.

    q -> 0 gives the cross-entropy, q = 1 the mean absolute error; values in between are robust
    to noisy labels.

    Args:
        y_true: integer labels, shape (batch,) (or (batch, 1)).
        y_pred: class probabilities, shape (batch, num_classes).
        q: in (0, 1).

    Example:

    >>> import lamina
    >>> v = lamina.losses.categorical_generalized_cross_entropy([1], [[0.2, 0.8]], q=0.5)
    >>> round(float(v[0]), 4)
    0.2111
    """
    y_pred = ops.convert_to_tensor(y_pred) if not ops.is_tensor(y_pred) else y_pred
    y_true = ops.convert_to_tensor(y_true) if not ops.is_tensor(y_true) else y_true
    if y_true.ndim == y_pred.ndim and y_true.shape[-1] == 1:
        y_true = ops.squeeze(y_true, -1)
    one_hot = ops.one_hot(ops.cast(y_true, "int64"), y_pred.shape[-1], dtype=ops.dtype(y_pred))
    p = ops.sum(y_pred * one_hot, axis=-1)
    return (1.0 - ops.power(p, q)) / q


class BinaryFocalCrossentropy(LossFunctionWrapper):
    """The binary focal cross-entropy as a loss object (see ``binary_focal_crossentropy``).

    Args:
        apply_class_balancing, alpha, gamma, from_logits, label_smoothing, axis: as the function.
        reduction, name ('binary_focal_crossentropy'), dtype: see ``Loss``.

    Example:

    >>> import numpy as np, lamina
    >>> loss = lamina.losses.BinaryFocalCrossentropy(gamma=2.0)
    >>> round(float(loss(np.array([[0.0, 1.0]]), np.array([[0.4, 0.6]]))), 4)
    0.0817
    """

    def __init__(self, apply_class_balancing=False, alpha=0.25, gamma=2.0, from_logits=False,
                 label_smoothing=0.0, axis=-1, reduction="sum_over_batch_size",
                 name="binary_focal_crossentropy", dtype=None):
        super().__init__(binary_focal_crossentropy, reduction=reduction, name=name, dtype=dtype,
                         apply_class_balancing=apply_class_balancing, alpha=alpha, gamma=gamma,
                         from_logits=from_logits, label_smoothing=label_smoothing, axis=axis)
        self.apply_class_balancing = apply_class_balancing
        self.alpha, self.gamma = alpha, gamma
        self.from_logits, self.label_smoothing, self.axis = from_logits, label_smoothing, axis


class CategoricalFocalCrossentropy(LossFunctionWrapper):
    """The categorical focal cross-entropy as a loss object (see ``categorical_focal_crossentropy``).

    Args:
        alpha, gamma, from_logits, label_smoothing, axis: as the function.
        reduction, name ('categorical_focal_crossentropy'), dtype: see ``Loss``.
    """

    def __init__(self, alpha=0.25, gamma=2.0, from_logits=False, label_smoothing=0.0, axis=-1,
                 reduction="sum_over_batch_size", name="categorical_focal_crossentropy", dtype=None):
        super().__init__(categorical_focal_crossentropy, reduction=reduction, name=name, dtype=dtype,
                         alpha=alpha, gamma=gamma, from_logits=from_logits,
                         label_smoothing=label_smoothing, axis=axis)
        self.alpha, self.gamma = alpha, gamma
        self.from_logits, self.label_smoothing, self.axis = from_logits, label_smoothing, axis


class CategoricalGeneralizedCrossEntropy(LossFunctionWrapper):
    """The generalized cross-entropy as a loss object (see ``categorical_generalized_cross_entropy``).

    Args:
        q: in (0, 1) (default 0.5).
        reduction, name ('categorical_generalized_cross_entropy'), dtype: see ``Loss``.
    """

    def __init__(self, q=0.5, reduction="sum_over_batch_size",
                 name="categorical_generalized_cross_entropy", dtype=None):
        if not 0 < q < 1:
            raise ValueError(
                f"CategoricalGeneralizedCrossEntropy: q must lie in the open interval (0, 1); "
                f"received q={q!r}. Use q close to 0 for cross-entropy-like behaviour, close to 1 "
                "for MAE-like robustness."
            )
        super().__init__(categorical_generalized_cross_entropy, reduction=reduction, name=name,
                         dtype=dtype, q=q)
        self.q = q

    def call(self, y_true, y_pred):
        return self.fn(y_true, y_pred, **self._fn_kwargs)  # integer labels: no rank matching
