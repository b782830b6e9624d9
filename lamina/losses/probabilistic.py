"""Probabilistic losses: binary, categorical and sparse categorical cross-entropy, KL divergence,
Poisson.

Probabilities (``from_logits=False``) are clipped to [epsilon, 1 - epsilon] (epsilon = 1e-7)
exactly as Keras does; logits go through fused log-softmax / log-sigmoid kernels.
"""

from __future__ import annotations

from lamina import config
from lamina.ops import _internal as ops
from lamina.losses import checks
from lamina.losses.loss import LossFunctionWrapper, reduce_weighted_values, squeeze_or_expand_to_same_rank


def _tensors(y_true, y_pred, cast_true=True):
    if not ops.is_tensor(y_pred):
        y_pred = ops.convert_to_tensor(y_pred)
    if not ops.is_tensor(y_true):
        y_true = ops.convert_to_tensor(y_true)
    if cast_true and y_true.dtype != y_pred.dtype:
        y_true = ops.cast(y_true, ops.dtype(y_pred))
    return y_true, y_pred


def _binary_inputs(y_true, y_pred, label_smoothing):
    y_true, y_pred = _tensors(y_true, y_pred)
    if y_true.shape != y_pred.shape:
        raise ValueError(
            f"binary_crossentropy needs y_true and y_pred of the same shape; received "
            f"y_true.shape={tuple(y_true.shape)} and y_pred.shape={tuple(y_pred.shape)}."
        )
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    return y_true, y_pred


def _categorical_inputs(y_true, y_pred, label_smoothing, axis):
    y_true, y_pred = _tensors(y_true, y_pred)
    if y_true.shape != y_pred.shape:
        raise checks.categorical_mismatch(y_true.shape, y_pred.shape)
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + label_smoothing / y_true.shape[axis]
    return y_true, y_pred


def _sparse_inputs(y_true, y_pred, axis):
    y_true, y_pred = _tensors(y_true, y_pred, cast_true=False)
    if y_true.ndim == y_pred.ndim and y_true.shape[axis] == 1:
        y_true = ops.squeeze(y_true, axis)
    a = axis % y_pred.ndim
    if tuple(y_true.shape) != tuple(y_pred.shape[:a]) + tuple(y_pred.shape[a + 1:]):
        raise checks.sparse_mismatch(y_true.shape, y_pred.shape)
    return y_true, y_pred


@checks.mark(checks.SAME_SHAPE)
def binary_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """Binary cross-entropy, averaged over ``axis`` (one value per sample).

    Args:
        y_true: 0/1 targets, shape (batch, ..., d).
        y_pred: probabilities (or logits with ``from_logits=True``) of the same shape.
        from_logits: whether ``y_pred`` holds logits.
        label_smoothing: in [0, 1]; targets become y * (1 - s) + 0.5 * s.
        axis: the axis averaged over (default -1).

    Example:

    >>> import lamina
    >>> v = lamina.losses.binary_crossentropy([[0.0, 1.0]], [[0.4, 0.6]])
    >>> round(float(v[0]), 4)
    0.5108
    """
    y_true, y_pred = _binary_inputs(y_true, y_pred, label_smoothing)
    if from_logits:
        values = ops.binary_crossentropy_logits(y_true, y_pred)
    else:
        values = ops.binary_crossentropy_probs(y_true, y_pred, config.epsilon())
    return ops.mean(values, axis=axis)


@checks.mark(checks.CATEGORICAL)
def categorical_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """Categorical cross-entropy between one-hot (or soft) targets and class scores.

    Probabilities are renormalised to sum to 1 along ``axis`` and clipped, as in Keras.

    Args:
        y_true: one-hot targets, the shape of ``y_pred``.
        y_pred: class probabilities (or logits with ``from_logits=True``).
        from_logits: whether ``y_pred`` holds logits.
        label_smoothing: in [0, 1]; targets become y * (1 - s) + s / num_classes.
        axis: the class axis (default -1).

    Example:

    >>> import lamina
    >>> v = lamina.losses.categorical_crossentropy([[0.0, 1.0, 0.0]], [[0.05, 0.95, 0.0]])
    >>> round(float(v[0]), 4)
    0.0513
    """
    y_true, y_pred = _categorical_inputs(y_true, y_pred, label_smoothing, axis)
    if from_logits:
        return ops.categorical_crossentropy_logits(y_true, y_pred, axis)
    return ops.categorical_crossentropy_probs(y_true, y_pred, config.epsilon(), axis)


@checks.mark(checks.SPARSE)
def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False, ignore_class=None, axis=-1):
    """Categorical cross-entropy from integer class labels (no one-hot tensor is built).

    Args:
        y_true: integer labels, shape (batch, ...) or (batch, ..., 1).
        y_pred: class probabilities (or logits with ``from_logits=True``), shape (batch, ..., C).
        from_logits: whether ``y_pred`` holds logits.
        ignore_class: a label whose positions get loss 0 (e.g. padding); None: no such label.
        axis: the class axis of ``y_pred`` (default -1).

    Example:

    >>> import lamina
    >>> v = lamina.losses.sparse_categorical_crossentropy([1], [[0.05, 0.95, 0.0]])
    >>> round(float(v[0]), 4)
    0.0513
    """
    y_true, y_pred = _sparse_inputs(y_true, y_pred, axis)
    valid = None
    if ignore_class is not None:
        valid = ops.not_equal(y_true, ignore_class)
        y_true = ops.where(valid, y_true, ops.zeros_like(y_true))
    if from_logits:
        values = ops.sparse_categorical_crossentropy_logits(y_true, y_pred, axis)
    else:
        values = ops.sparse_categorical_crossentropy_probs(y_true, y_pred, config.epsilon(), axis)
    if valid is not None:
        values = ops.where(valid, values, ops.zeros_like(values))
    return values


# Fused batch means: what reduction='sum_over_batch_size' gives without sample weights, in
# one kernel where torch has one (LossFunctionWrapper uses them on that path).
def _binary_crossentropy_mean(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    y_true, y_pred = squeeze_or_expand_to_same_rank(*_tensors(y_true, y_pred))
    y_true, y_pred = _binary_inputs(y_true, y_pred, label_smoothing)
    return ops.binary_crossentropy_mean(y_true, y_pred, from_logits, config.epsilon())


def _categorical_crossentropy_mean(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    y_true, y_pred = _categorical_inputs(y_true, y_pred, label_smoothing, axis)
    return ops.categorical_crossentropy_mean(y_true, y_pred, from_logits, config.epsilon(), axis)


def _sparse_categorical_crossentropy_mean(y_true, y_pred, from_logits=False, ignore_class=None, axis=-1):
    if not from_logits or ignore_class is not None:
        return ops.mean(sparse_categorical_crossentropy(y_true, y_pred, from_logits, ignore_class, axis))
    y_true, y_pred = _sparse_inputs(y_true, y_pred, axis)
    return ops.sparse_categorical_crossentropy_logits_mean(y_true, y_pred, axis)


binary_crossentropy._lamina_batch_mean = _binary_crossentropy_mean
categorical_crossentropy._lamina_batch_mean = _categorical_crossentropy_mean
sparse_categorical_crossentropy._lamina_batch_mean = _sparse_categorical_crossentropy_mean


@checks.mark(checks.SAME_SHAPE)
def kl_divergence(y_true, y_pred):
    """sum(y_true * log(y_true / y_pred), axis=-1), both clipped to [epsilon, 1]."""
    y_true, y_pred = _tensors(y_true, y_pred)
    eps = config.epsilon()
    y_true = ops.clip(y_true, eps, 1.0)
    y_pred = ops.clip(y_pred, eps, 1.0)
    return ops.sum(y_true * ops.log(y_true / y_pred), axis=-1)


@checks.mark(checks.SAME_SHAPE)
def poisson(y_true, y_pred):
    """mean(y_pred - y_true * log(y_pred + epsilon), axis=-1)."""
    y_true, y_pred = _tensors(y_true, y_pred)
    return ops.mean(y_pred - y_true * ops.log(y_pred + config.epsilon()), axis=-1)


class BinaryCrossentropy(LossFunctionWrapper):
    """Cross-entropy between 0/1 labels and predicted probabilities (or logits).

    Args:
        from_logits: whether predictions are logits (default False: probabilities).
        label_smoothing: in [0, 1]; squeezes targets towards 0.5.
        axis: the axis averaged over per sample (default -1).
        reduction: 'sum_over_batch_size' (default), 'sum', 'mean', 'mean_with_sample_weight', 'none'.
        name: default 'binary_crossentropy'.
        dtype: computation dtype (default floatx).

    Example:

    >>> import numpy as np, lamina
    >>> bce = lamina.losses.BinaryCrossentropy(from_logits=True)
    >>> round(float(bce(np.array([[1.0]]), np.array([[0.0]]))), 4)
    0.6931
    """

    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1,
                 reduction="sum_over_batch_size", name="binary_crossentropy", dtype=None):
        super().__init__(binary_crossentropy, reduction=reduction, name=name, dtype=dtype,
                         from_logits=from_logits, label_smoothing=label_smoothing, axis=axis)
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing
        self.axis = axis


class CategoricalCrossentropy(LossFunctionWrapper):
    """Cross-entropy between one-hot labels and class probabilities (or logits).

    Args as ``BinaryCrossentropy`` (label smoothing spreads s / num_classes over all classes;
    ``axis`` is the class axis); name 'categorical_crossentropy'.
    """

    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1,
                 reduction="sum_over_batch_size", name="categorical_crossentropy", dtype=None):
        super().__init__(categorical_crossentropy, reduction=reduction, name=name, dtype=dtype,
                         from_logits=from_logits, label_smoothing=label_smoothing, axis=axis)
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing
        self.axis = axis


class SparseCategoricalCrossentropy(LossFunctionWrapper):
    """Cross-entropy between integer labels and class probabilities (or logits).

    Args:
        from_logits: whether predictions are logits (default False).
        ignore_class: label to ignore; ignored positions neither add loss nor count in the mean.
        reduction, name ('sparse_categorical_crossentropy'), dtype: see ``Loss``.
        axis: the class axis (default -1).

    Example:

    >>> import numpy as np, lamina
    >>> scce = lamina.losses.SparseCategoricalCrossentropy(from_logits=True)
    >>> round(float(scce(np.array([0]), np.array([[0.0, 0.0]]))), 4)
    0.6931
    """

    def __init__(self, from_logits=False, ignore_class=None, reduction="sum_over_batch_size",
                 axis=-1, name="sparse_categorical_crossentropy", dtype=None):
        super().__init__(sparse_categorical_crossentropy, reduction=reduction, name=name, dtype=dtype,
                         from_logits=from_logits, ignore_class=ignore_class, axis=axis)
        self.from_logits = from_logits
        self.ignore_class = ignore_class
        self.axis = axis

    def call(self, y_true, y_pred):
        # Integer labels: no rank matching against the class axis (the function squeezes (N, 1)).
        return self.fn(y_true, y_pred, **self._fn_kwargs)

    def __call__(self, y_true, y_pred, sample_weight=None):
        if self.ignore_class is None:
            return super().__call__(y_true, y_pred, sample_weight)
        # Ignored positions act as a mask: they are left out of the mean as well (Keras).
        y_true, y_pred = _tensors(y_true, y_pred, cast_true=False)
        valid = ops.cast(ops.not_equal(y_true, self.ignore_class), self.dtype)
        if valid.ndim == y_pred.ndim and valid.shape[self.axis] == 1:
            valid = ops.squeeze(valid, self.axis)
        values = self.unreduced(y_true, y_pred)
        weight = valid
        if sample_weight is not None:
            weight = reduce_weighted_values(valid, sample_weight, "none")
        if self.reduction in ("sum_over_batch_size", "mean"):
            scale = ops.divide_no_nan(ops.cast(ops.size(valid), self.dtype), ops.sum(valid))
            weight = weight * scale
        return reduce_weighted_values(values, weight, self.reduction)


class KLDivergence(LossFunctionWrapper):
    """Kullback-Leibler divergence between target and predicted distributions ('kl_divergence')."""

    def __init__(self, reduction="sum_over_batch_size", name="kl_divergence", dtype=None):
        super().__init__(kl_divergence, reduction=reduction, name=name, dtype=dtype)


class Poisson(LossFunctionWrapper):
    """Poisson loss: mean(y_pred - y_true * log(y_pred)) ('poisson')."""

    def __init__(self, reduction="sum_over_batch_size", name="poisson", dtype=None):
        super().__init__(poisson, reduction=reduction, name=name, dtype=dtype)
