"""Accuracy metrics: exact, binary, categorical, sparse categorical and top-k.

The functions return 1.0 / 0.0 per sample (or per element); the classes average them.
"""

from __future__ import annotations

from lamina import config, ops
from lamina.losses.loss import squeeze_or_expand_to_same_rank
from lamina.metrics.reduction import MeanMetricWrapper


def _t(x):
    """A tensor; booleans (one-hot targets built with dtype=bool) become int32 so that argmax
    and comparisons work on them."""
    x = x if ops.is_tensor(x) else ops.convert_to_tensor(x)
    return ops.cast(x, "int32") if ops.dtype(x) == "bool" else x


def _labels(y_true, y_pred):
    """Integer labels of shape y_pred.shape[:-1] from (N,) or (N, 1) labels."""
    y_true = _t(y_true)
    if y_true.ndim == y_pred.ndim and y_true.shape[-1] == 1:
        y_true = ops.squeeze(y_true, -1)
    if not ops.is_int_dtype(ops.dtype(y_true)):
        y_true = ops.cast(y_true, "int64")
    return y_true


def accuracy(y_true, y_pred):
    """1.0 where y_pred equals y_true exactly, else 0.0 (elementwise)."""
    y_pred = _t(y_pred)
    y_true = ops.cast(_t(y_true), ops.dtype(y_pred))
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    return ops.cast(ops.equal(y_true, y_pred), config.floatx())


def binary_accuracy(y_true, y_pred, threshold=0.5):
    """1.0 where (y_pred > threshold) equals the 0/1 label, else 0.0 (elementwise).

    Example:

    >>> import lamina
    >>> lamina.ops.convert_to_numpy(lamina.metrics.binary_accuracy([[1.0], [0.0]], [[0.7], [0.6]]))
    array([[1.],
           [0.]], dtype=float32)
    """
    y_pred, y_true = _t(y_pred), _t(y_true)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    predicted = ops.cast(ops.greater(y_pred, threshold), ops.dtype(y_true))
    return ops.cast(ops.equal(y_true, predicted), config.floatx())


def categorical_accuracy(y_true, y_pred):
    """1.0 where argmax(y_pred) equals argmax of the one-hot y_true (per sample)."""
    y_pred, y_true = _t(y_pred), _t(y_true)
    matches = ops.equal(ops.argmax(y_true, axis=-1), ops.argmax(y_pred, axis=-1))
    return ops.cast(matches, config.floatx())


def sparse_categorical_accuracy(y_true, y_pred):
    """1.0 where argmax(y_pred) equals the integer label (per sample).

    Example:

    >>> import lamina
    >>> lamina.ops.convert_to_numpy(lamina.metrics.sparse_categorical_accuracy([2, 1], [[0.1, 0.2, 0.7], [0.5, 0.4, 0.1]]))
    array([1., 0.], dtype=float32)
    """
    y_pred = _t(y_pred)
    y_true = _labels(y_true, y_pred)
    matches = ops.equal(y_true, ops.cast(ops.argmax(y_pred, axis=-1), ops.dtype(y_true)))
    return ops.cast(matches, config.floatx())


def _in_top_k(labels, y_pred, k):
    shape = tuple(labels.shape)
    if y_pred.ndim > 2:
        y_pred = ops.reshape(y_pred, (-1, y_pred.shape[-1]))
    hits = ops.in_top_k(ops.reshape(labels, (-1,)), y_pred, k)
    return ops.reshape(ops.cast(hits, config.floatx()), shape)


def top_k_categorical_accuracy(y_true, y_pred, k=5):
    """1.0 where the one-hot target's class is among the k highest scores (per sample)."""
    y_pred = _t(y_pred)
    return _in_top_k(ops.argmax(_t(y_true), axis=-1), y_pred, k)


def sparse_top_k_categorical_accuracy(y_true, y_pred, k=5, from_sorted_ids=False):
    """1.0 where the integer label is among the k highest scores (per sample).

    With ``from_sorted_ids=True``, ``y_pred`` holds category ids sorted from the highest score down
    (shape (batch, N), N >= k, e.g. from a retrieval top-N) and the label is looked for in its first
    k columns.
    """
    y_pred = _t(y_pred)
    if not from_sorted_ids:
        return _in_top_k(_labels(y_true, y_pred), y_pred, k)
    labels = _t(y_true)
    shape = tuple(labels.shape)
    if len(shape) == y_pred.ndim and shape[-1] == 1:
        shape = shape[:-1]
    if y_pred.ndim > 2:
        y_pred = ops.reshape(y_pred, (-1, y_pred.shape[-1]))
    labels = ops.cast(ops.reshape(labels, (-1, 1)), ops.dtype(y_pred))
    hits = ops.any(ops.equal(labels, y_pred[:, :k]), axis=1)  # a repeated id counts once
    return ops.reshape(ops.cast(hits, config.floatx()), shape)


class Accuracy(MeanMetricWrapper):
    """How often predictions equal labels exactly (name 'accuracy').

    For classifiers use ``metrics=['accuracy']`` in compile, which picks binary, categorical
    or sparse categorical accuracy from the loss and the shapes.
    """

    def __init__(self, name="accuracy", dtype=None):
        super().__init__(accuracy, name=name, dtype=dtype)


class BinaryAccuracy(MeanMetricWrapper):
    """How often (prediction > ``threshold``) matches 0/1 labels (name 'binary_accuracy').

    Example:

    >>> import lamina
    >>> m = lamina.metrics.BinaryAccuracy()
    >>> m.update_state([[1], [1], [0], [0]], [[0.98], [1], [0], [0.6]])
    >>> float(m.result())
    0.75
    """

    def __init__(self, name="binary_accuracy", dtype=None, threshold=0.5):
        super().__init__(binary_accuracy, name=name, dtype=dtype, threshold=threshold)
        self.threshold = threshold


class CategoricalAccuracy(MeanMetricWrapper):
    """How often argmax of predictions matches one-hot labels (name 'categorical_accuracy')."""

    def __init__(self, name="categorical_accuracy", dtype=None):
        super().__init__(categorical_accuracy, name=name, dtype=dtype)


class SparseCategoricalAccuracy(MeanMetricWrapper):
    """How often argmax of predictions matches integer labels ('sparse_categorical_accuracy')."""

    def __init__(self, name="sparse_categorical_accuracy", dtype=None):
        super().__init__(sparse_categorical_accuracy, name=name, dtype=dtype)


class TopKCategoricalAccuracy(MeanMetricWrapper):
    """How often the one-hot target is in the top ``k`` (default 5) predictions."""

    def __init__(self, k=5, name="top_k_categorical_accuracy", dtype=None):
        super().__init__(top_k_categorical_accuracy, name=name, dtype=dtype, k=k)
        self.k = k


class SparseTopKCategoricalAccuracy(MeanMetricWrapper):
    """How often the integer target is in the top ``k`` (default 5) predictions.

    Args:
        k: how many of the top predictions count.
        name, dtype: as for every metric.
        from_sorted_ids: False (default): ``y_pred`` holds a score per category. True: ``y_pred``
            holds category ids sorted from the best down, shape (batch, N) with N >= k.

    Example:
        >>> import lamina
        >>> m = lamina.metrics.SparseTopKCategoricalAccuracy(k=2, from_sorted_ids=True)
        >>> m.update_state([3, 7], [[5, 3, 1], [1, 2, 7]])
        >>> float(m.result())
        0.5
    """

    def __init__(self, k=5, name="sparse_top_k_categorical_accuracy", dtype=None, from_sorted_ids=False):
        super().__init__(sparse_top_k_categorical_accuracy, name=name, dtype=dtype, k=k,
                         from_sorted_ids=from_sorted_ids)
        self.k = k
        self.from_sorted_ids = from_sorted_ids

    def get_config(self):
        config = super().get_config()
        if not self.from_sorted_ids:  # Keras writes it only when set
            config.pop("from_sorted_ids", None)
        return config
