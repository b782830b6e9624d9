"""Probabilistic and hinge metrics: running means of the matching losses."""

from __future__ import annotations

from lamina import losses, ops
from lamina.metrics.reduction import MeanMetricWrapper


class BinaryCrossentropy(MeanMetricWrapper):
    """Running mean of binary cross-entropy (name 'binary_crossentropy').

    Args:
        name, dtype: see ``Metric``.
        from_logits: whether predictions are logits.
        label_smoothing: as in ``lamina.losses.BinaryCrossentropy``.
    """

    def __init__(self, name="binary_crossentropy", dtype=None, from_logits=False, label_smoothing=0):
        super().__init__(losses.binary_crossentropy, name=name, dtype=dtype,
                         from_logits=from_logits, label_smoothing=label_smoothing)
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing


class CategoricalCrossentropy(MeanMetricWrapper):
    """Running mean of categorical cross-entropy (name 'categorical_crossentropy')."""

    def __init__(self, name="categorical_crossentropy", dtype=None, from_logits=False,
                 label_smoothing=0, axis=-1):
        super().__init__(losses.categorical_crossentropy, name=name, dtype=dtype,
                         from_logits=from_logits, label_smoothing=label_smoothing, axis=axis)
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing
        self.axis = axis


class SparseCategoricalCrossentropy(MeanMetricWrapper):
    """Running mean of sparse categorical cross-entropy ('sparse_categorical_crossentropy').

    Positions labelled ``ignore_class`` are left out of the mean.
    """

    def __init__(self, name="sparse_categorical_crossentropy", dtype=None, from_logits=False,
                 ignore_class=None, axis=-1):
        super().__init__(losses.sparse_categorical_crossentropy, name=name, dtype=dtype,
                         from_logits=from_logits, ignore_class=ignore_class, axis=axis)
        self.from_logits = from_logits
        self.ignore_class = ignore_class
        self.axis = axis

    def update_state(self, y_true, y_pred, sample_weight=None):
        if self.ignore_class is not None:
            y_true = ops.convert_to_tensor(y_true)
            y_pred = ops.convert_to_tensor(y_pred, self.dtype)
            valid = ops.cast(ops.not_equal(y_true, self.ignore_class), self.dtype)
            if valid.ndim == ops.ndim(y_pred) and valid.shape[-1] == 1:
                valid = ops.squeeze(valid, -1)
            if sample_weight is not None:
                sample_weight = losses.reduce_weighted_values(valid, sample_weight, "none")
            else:
                sample_weight = valid
        super().update_state(y_true, y_pred, sample_weight)


class KLDivergence(MeanMetricWrapper):
    """Running mean of the KL divergence (name 'kl_divergence')."""

    def __init__(self, name="kl_divergence", dtype=None):
        super().__init__(losses.kl_divergence, name=name, dtype=dtype)


class Poisson(MeanMetricWrapper):
    """Running mean of the Poisson loss (name 'poisson')."""

    def __init__(self, name="poisson", dtype=None):
        super().__init__(losses.poisson, name=name, dtype=dtype)


class Hinge(MeanMetricWrapper):
    """Running mean of the hinge loss (name 'hinge')."""

    def __init__(self, name="hinge", dtype=None):
        super().__init__(losses.hinge, name=name, dtype=dtype)


class SquaredHinge(MeanMetricWrapper):
    """Running mean of the squared hinge loss (name 'squared_hinge')."""

    def __init__(self, name="squared_hinge", dtype=None):
        super().__init__(losses.squared_hinge, name=name, dtype=dtype)


class CategoricalHinge(MeanMetricWrapper):
    """Running mean of the categorical hinge loss (name 'categorical_hinge')."""

    def __init__(self, name="categorical_hinge", dtype=None):
        super().__init__(losses.categorical_hinge, name=name, dtype=dtype)
