"""Circle loss (Sun et al., 2020) for metric learning, Keras 3's ``circle`` and ``Circle``."""

from __future__ import annotations

from lamina.ops import _internal as ops
from lamina.losses.loss import LossFunctionWrapper, reduce_weighted_values


def _pos_neg_masks(query_labels, key_labels, remove_diagonal):
    same = ops.equal(ops.reshape(query_labels, (-1, 1)), ops.reshape(key_labels, (1, -1)))
    negative = ops.logical_not(same)
    if remove_diagonal:
        eye = ops.eye(same.shape[0], same.shape[1], dtype="bool")
        same = ops.logical_and(same, ops.logical_not(eye))
    return same, negative


def circle(y_true, y_pred, ref_labels=None, ref_embeddings=None, remove_diagonal=True, gamma=80,
           margin=0.4):
    """Circle loss per query: softplus(logsumexp(positive terms) + logsumexp(negative terms)).

    Embeddings should be L2-normalised: the distance is 1 - cosine similarity. Each similarity
    is weighted by how far it is from its optimum, so pairs far from it get larger gradients.

    Args:
        y_true: integer class labels of the queries, shape (batch,).
        y_pred: query embeddings, shape (batch, dim), L2-normalised.
        ref_labels, ref_embeddings: the reference set (default: the queries themselves).
        remove_diagonal: leave out each query's pair with itself (default True).
        gamma: the scale (default 80).
        margin: the relaxation margin (default 0.4).

    Example:

    >>> import numpy as np, lamina
    >>> e = np.eye(3, dtype="float32")[[0, 0, 1, 1]]
    >>> [round(float(v), 3) for v in lamina.losses.circle(np.array([0, 0, 1, 1]), e)]
    [0.0, 0.0, 0.0, 0.0]
    """
    y_pred = ops.convert_to_tensor(y_pred) if not ops.is_tensor(y_pred) else y_pred
    y_true = ops.cast(ops.convert_to_tensor(y_true) if not ops.is_tensor(y_true) else y_true, "int32")
    ref_embeddings = y_pred if ref_embeddings is None else ops.convert_to_tensor(ref_embeddings)
    ref_labels = y_true if ref_labels is None else ops.cast(ops.convert_to_tensor(ref_labels), "int32")
    dist = ops.maximum(1.0 - ops.matmul(y_pred, ops.transpose(ref_embeddings)), 0.0)
    pos_mask, neg_mask = _pos_neg_masks(y_true, ref_labels, remove_diagonal)
    dtype = ops.dtype(dist)
    pos_w = ops.maximum((margin + dist) * ops.cast(pos_mask, dtype), 0.0)
    neg_w = ops.maximum((1.0 + margin - dist) * ops.cast(neg_mask, dtype), 0.0)
    pos_terms = -gamma * pos_w * (margin - dist)
    neg_terms = gamma * neg_w * ((1.0 - margin) - dist)
    ninf = ops.full_like(dist, float("-inf"))
    p_loss = ops.logsumexp(ops.where(pos_mask, pos_terms, ninf), axis=1)
    n_loss = ops.logsumexp(ops.where(neg_mask, neg_terms, ninf), axis=1)
    return ops.softplus(p_loss + n_loss)


class Circle(LossFunctionWrapper):
    """The Circle loss as a loss object (see ``circle``).

    As in Keras 3, queries whose loss is exactly 0 count as masked: 'sum_over_batch_size'
    averages over the queries with a positive loss only.

    Args:
        gamma, margin, remove_diagonal: as the function (defaults 80.0, 0.4, True).
        reduction, name ('circle'), dtype: see ``Loss``.
    """

    def __init__(self, gamma=80.0, margin=0.4, remove_diagonal=True,
                 reduction="sum_over_batch_size", name="circle", dtype=None):
        super().__init__(circle, reduction=reduction, name=name, dtype=dtype, gamma=gamma,
                         margin=margin, remove_diagonal=remove_diagonal)
        self.gamma, self.margin, self.remove_diagonal = gamma, margin, remove_diagonal

    def call(self, y_true, y_pred):
        return self.fn(y_true, y_pred, **self._fn_kwargs)

    def __call__(self, y_true, y_pred, sample_weight=None):
        values = self.unreduced(y_true, y_pred)
        mask = ops.cast(ops.greater(values, 0.0), ops.dtype(values))
        if self.reduction in ("sum_over_batch_size", "mean"):
            mask = mask * ops.divide_no_nan(ops.cast(ops.size(mask), ops.dtype(values)), ops.sum(mask))
        weight = mask if sample_weight is None else reduce_weighted_values(mask, sample_weight, "none")
        return reduce_weighted_values(values, weight, self.reduction)
