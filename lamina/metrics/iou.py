"""Intersection-over-union metrics for segmentation: IoU, BinaryIoU, MeanIoU, OneHotIoU,
OneHotMeanIoU (Keras 3 semantics: an accumulated (num_classes, num_classes) confusion matrix)."""

from __future__ import annotations

import warnings

from lamina import config, ops
from lamina.metrics.metric import Metric


class IoU(Metric):
    """Mean intersection-over-union, tp / (tp + fp + fn), over the classes in ``target_class_ids``.

    A confusion matrix (rows: true class, columns: predicted class) is accumulated over batches;
    labels outside [0, num_classes) and ``ignore_class`` are left out. Classes that never occur
    (empty denominator) do not count in the mean.

    Args:
        num_classes: the number of classes.
        target_class_ids: the classes whose IoU is averaged.
        name, dtype: see ``Metric``; the state dtype defaults to 'int32' as in Keras.
        ignore_class: a label left out of the counts (e.g. a 'void' class), or None.
        sparse_y_true, sparse_y_pred: whether labels / predictions are class ids (True) or
            scores along ``axis`` to take the argmax of (False).
        axis: the class axis of non-sparse inputs (default -1).

    Example:

    >>> import lamina
    >>> m = lamina.metrics.IoU(num_classes=2, target_class_ids=[0])
    >>> m.update_state([0, 0, 1, 1], [0, 1, 0, 1])
    >>> round(float(m.result()), 4)
    0.3333
    """

    def __init__(self, num_classes, target_class_ids, name=None, dtype=None, ignore_class=None,
                 sparse_y_true=True, sparse_y_pred=True, axis=-1):
        super().__init__(name=name, dtype=dtype or "int32")
        target_class_ids = list(target_class_ids)
        if not target_class_ids or max(target_class_ids) >= num_classes or min(target_class_ids) < 0:
            raise ValueError(
                f"{type(self).__name__}: target_class_ids={target_class_ids} must be non-empty and "
                f"lie in [0, num_classes) = [0, {num_classes})."
            )
        self.num_classes = num_classes
        self.target_class_ids = target_class_ids
        self.ignore_class = ignore_class
        self.sparse_y_true = sparse_y_true
        self.sparse_y_pred = sparse_y_pred
        self.axis = axis
        self.total_cm = self.add_variable((num_classes, num_classes), name="total_confusion_matrix")

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true = ops.convert_to_tensor(y_true)
        y_pred = ops.stop_gradient(ops.convert_to_tensor(y_pred))
        if not self.sparse_y_true:
            y_true = ops.argmax(y_true, axis=self.axis)
        if not self.sparse_y_pred:
            y_pred = ops.argmax(y_pred, axis=self.axis)
        y_true = ops.reshape(ops.cast(y_true, "int64"), (-1,))
        y_pred = ops.reshape(ops.cast(y_pred, "int64"), (-1,))
        n = self.num_classes
        valid = ops.logical_and(ops.logical_and(y_true >= 0, y_true < n),
                                ops.logical_and(y_pred >= 0, y_pred < n))
        if self.ignore_class is not None:
            valid = ops.logical_and(valid, ops.not_equal(y_true, self.ignore_class))
        if sample_weight is None:
            weight = ops.ones(y_true.shape, "float32")
        else:
            if ops.is_int_dtype(self.dtype) and not ops.is_int_dtype(ops.dtype(ops.convert_to_tensor(sample_weight))):
                warnings.warn(
                    f"{type(self).__name__} '{self.name}': float sample weights are cast to the "
                    f"metric's dtype {self.dtype!r} (truncated). Pass integer weights or "
                    "dtype='float32'.", stacklevel=2)
            weight = ops.cast(ops.cast(ops.convert_to_tensor(sample_weight), self.dtype), "float32")
            weight = ops.broadcast_to(ops.reshape(weight, (-1,)) if weight.ndim > 1 else weight, y_true.shape)
        weight = ops.where(valid, weight, ops.zeros_like(weight))
        zero = ops.zeros_like(y_true)
        true_1h = ops.one_hot(ops.where(valid, y_true, zero), n, dtype="float32")
        pred_1h = ops.one_hot(ops.where(valid, y_pred, zero), n, dtype="float32")
        cm = ops.matmul(ops.transpose(true_1h * ops.expand_dims(weight, 1)), pred_1h)
        self.total_cm.assign_add(ops.cast(ops.round(cm) if ops.is_int_dtype(self.dtype) else cm, self.dtype))

    def result(self):
        cm = ops.cast(self.total_cm.value, "float32")
        tp = ops.diagonal(cm)
        denominator = ops.sum(cm, axis=0) + ops.sum(cm, axis=1) - tp
        ids = ops.convert_to_tensor(self.target_class_ids, "int64")
        tp, denominator = ops.take(tp, ids), ops.take(denominator, ids)
        valid = ops.greater(denominator, 1e-9)
        iou = ops.where(valid, tp / (denominator + config.epsilon()), ops.zeros_like(tp))
        eps = config.epsilon()
        return ops.sum(iou, axis=self.axis) / (ops.sum(ops.cast(valid, "float32")) + eps)

    def get_config(self) -> dict:
        return {**super().get_config(), "num_classes": self.num_classes,
                "target_class_ids": self.target_class_ids, "ignore_class": self.ignore_class,
                "sparse_y_true": self.sparse_y_true, "sparse_y_pred": self.sparse_y_pred,
                "axis": self.axis}


class BinaryIoU(IoU):
    """IoU for binary predictions: a score counts as class 1 when it is >= ``threshold``.

    Args:
        target_class_ids: which of the classes 0 and 1 to average (default both).
        threshold: the decision threshold (default 0.5).
        name, dtype: see ``IoU``.

    Example:

    >>> import lamina
    >>> m = lamina.metrics.BinaryIoU(target_class_ids=[1])
    >>> m.update_state([0, 1, 1, 1], [0.2, 0.7, 0.4, 0.9])
    >>> round(float(m.result()), 4)
    0.6667
    """

    def __init__(self, target_class_ids=(0, 1), threshold=0.5, name=None, dtype=None):
        super().__init__(num_classes=2, target_class_ids=target_class_ids, name=name, dtype=dtype)
        self.threshold = threshold

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_pred = ops.convert_to_tensor(y_pred, "float32") >= self.threshold
        super().update_state(y_true, ops.cast(y_pred, "int64"), sample_weight)

    def get_config(self) -> dict:
        return {"target_class_ids": self.target_class_ids, "threshold": self.threshold,
                "name": self.name, "dtype": self.dtype}


class MeanIoU(IoU):
    """IoU averaged over all ``num_classes`` classes.

    Args: as ``IoU`` without ``target_class_ids``.

    Example:

    >>> import lamina
    >>> m = lamina.metrics.MeanIoU(num_classes=2)
    >>> m.update_state([0, 0, 1, 1], [0, 1, 0, 1])
    >>> round(float(m.result()), 4)
    0.3333
    """

    def __init__(self, num_classes, name=None, dtype=None, ignore_class=None, sparse_y_true=True,
                 sparse_y_pred=True, axis=-1):
        super().__init__(num_classes, list(range(num_classes)), name=name, dtype=dtype,
                         ignore_class=ignore_class, sparse_y_true=sparse_y_true,
                         sparse_y_pred=sparse_y_pred, axis=axis)

    def get_config(self) -> dict:
        config = super().get_config()
        del config["target_class_ids"]
        return config


class OneHotIoU(IoU):
    """IoU for one-hot targets and class scores (the argmax along ``axis`` is taken).

    Args: as ``IoU``; ``sparse_y_true`` is always False, ``sparse_y_pred`` defaults to False.
    """

    def __init__(self, num_classes, target_class_ids, name=None, dtype=None, ignore_class=None,
                 sparse_y_pred=False, axis=-1):
        super().__init__(num_classes, target_class_ids, name=name, dtype=dtype,
                         ignore_class=ignore_class, sparse_y_true=False,
                         sparse_y_pred=sparse_y_pred, axis=axis)

    def get_config(self) -> dict:
        config = super().get_config()
        del config["sparse_y_true"]
        return config


class OneHotMeanIoU(MeanIoU):
    """MeanIoU for one-hot targets and class scores (the argmax along ``axis`` is taken).

    Args: as ``MeanIoU``; ``sparse_y_true`` is always False, ``sparse_y_pred`` defaults to False.
    """

    def __init__(self, num_classes, name=None, dtype=None, ignore_class=None, sparse_y_pred=False,
                 axis=-1):
        super().__init__(num_classes, name=name, dtype=dtype, ignore_class=ignore_class,
                         sparse_y_true=False, sparse_y_pred=sparse_y_pred, axis=axis)

    def get_config(self) -> dict:
        config = super().get_config()
        del config["sparse_y_true"]
        return config
