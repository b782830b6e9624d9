"""The connectionist temporal classification (CTC) loss, Keras 3's ``ctc`` and ``CTC``."""

from __future__ import annotations

from lamina.ops import _internal as ops
from lamina.ops import nn as _nn
from lamina.losses.loss import LossFunctionWrapper


def ctc(y_true, y_pred):
    """CTC negative log-likelihood per sample, with label 0 as the blank (Keras 3 convention).

    Every sample uses all ``max_time`` steps of ``y_pred``; a label sequence ends at its first
    padding zero (its length is the number of non-zero labels).

    Args:
        y_true: integer labels, shape (batch, max_label_length), padded with 0.
        y_pred: logits, shape (batch, max_time, num_classes); class 0 is the blank.

    Example:

    >>> import numpy as np, lamina
    >>> v = lamina.losses.ctc(np.array([[1, 2]]), np.zeros((1, 4, 3), "float32"))
    >>> round(float(v[0]), 4)
    1.6864
    """
    y_pred = ops.convert_to_tensor(y_pred) if not ops.is_tensor(y_pred) else y_pred
    y_true = ops.convert_to_tensor(y_true) if not ops.is_tensor(y_true) else y_true
    if y_true.ndim != 2:
        raise ValueError(
            "ctc: y_true must be integer labels of shape (batch_size, max_length), padded with 0; "
            f"received y_true.shape={tuple(y_true.shape)}."
        )
    if y_pred.ndim != 3:
        raise ValueError(
            "ctc: y_pred must be logits of shape (batch_size, max_time, num_classes); "
            f"received y_pred.shape={tuple(y_pred.shape)}."
        )
    y_true = ops.cast(y_true, "int32")
    batch, steps = y_pred.shape[0], y_pred.shape[1]
    input_length = ops.full((batch,), steps, "int32")
    label_length = ops.cast(ops.sum(ops.cast(ops.not_equal(y_true, 0), "int32"), axis=-1), "int32")
    return _nn.ctc_loss(y_true, y_pred, label_length, input_length, mask_index=0)


class CTC(LossFunctionWrapper):
    """The CTC loss as a loss object (see ``ctc``).

    Args:
        reduction, name ('ctc'), dtype: see ``Loss``.

    Example:

    >>> import numpy as np, lamina
    >>> round(float(lamina.losses.CTC()(np.array([[1, 2]]), np.zeros((1, 4, 3), "float32"))), 4)
    1.6864
    """

    def __init__(self, reduction="sum_over_batch_size", name="ctc", dtype=None):
        super().__init__(ctc, reduction=reduction, name=name, dtype=dtype)

    def call(self, y_true, y_pred):
        return self.fn(y_true, y_pred)
