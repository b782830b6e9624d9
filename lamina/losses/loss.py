"""The Loss base class, the function wrapper, and the Keras reduction rules."""

from __future__ import annotations

from lamina import config
from lamina.ops import _internal as ops
from lamina.utils import naming

REDUCTIONS = ("sum_over_batch_size", "sum", "mean", "mean_with_sample_weight", "none", None)


def standardize_reduction(reduction):
    """Check ``reduction``; tf.keras 2's 'auto' (found in old files) means 'sum_over_batch_size'."""
    if reduction == "auto":
        return "sum_over_batch_size"
    if reduction not in REDUCTIONS:
        raise ValueError(
            f"Invalid loss reduction {reduction!r}. Expected one of {list(REDUCTIONS)}; "
            "'sum_over_batch_size' (the default) averages the loss over all elements."
        )
    return reduction


def squeeze_or_expand_to_same_rank(x1, x2, expand_rank_1=True):
    """Make two tensors whose ranks differ by one and whose longer shape ends in 1 the same rank.

    (N, 1) against (N,) becomes (N, 1), (N, 1) when ``expand_rank_1`` and the shorter one has
    rank 1; otherwise the trailing 1 is squeezed away. Anything else is returned unchanged.
    """
    r1, r2 = x1.ndim, x2.ndim
    if r1 == r2:
        return x1, x2
    if r1 == r2 + 1 and x1.shape[-1] == 1:
        if r2 == 1 and expand_rank_1:
            return x1, ops.expand_dims(x2, -1)
        return ops.squeeze(x1, -1), x2
    if r2 == r1 + 1 and x2.shape[-1] == 1:
        if r1 == 1 and expand_rank_1:
            return ops.expand_dims(x1, -1), x2
        return x1, ops.squeeze(x2, -1)
    return x1, x2


def _align_weights(values, sample_weight):
    values, sample_weight = squeeze_or_expand_to_same_rank(values, sample_weight)
    extra = values.ndim - sample_weight.ndim
    if extra > 0 and sample_weight.ndim > 0:
        # Per-sample weights on per-timestep losses: broadcast from the left, not the right.
        sample_weight = ops.reshape(sample_weight, tuple(sample_weight.shape) + (1,) * extra)
    return values, sample_weight


def reduce_weighted_values(values, sample_weight=None, reduction="sum_over_batch_size"):
    """Weight per-sample loss values and reduce them as Keras 3 does.

    'sum_over_batch_size' and 'mean' divide the weighted sum by the number of loss elements
    (not by the sum of the weights); 'mean_with_sample_weight' divides by the sum of weights.
    """
    if sample_weight is not None:
        if not ops.is_tensor(sample_weight):
            sample_weight = ops.convert_to_tensor(sample_weight)
        if sample_weight.dtype != values.dtype:
            sample_weight = ops.cast(sample_weight, ops.dtype(values))
        values, sample_weight = _align_weights(values, sample_weight)
        values = values * sample_weight
    if reduction is None or reduction == "none" or values.ndim == 0:
        return values
    if reduction == "sum":
        return ops.sum(values)
    if reduction == "mean_with_sample_weight" and sample_weight is not None:
        return ops.divide_no_nan(ops.sum(values), ops.sum(ops.broadcast_to(sample_weight, values.shape)))
    n = ops.size(values)
    return ops.sum(values) / n if n else ops.sum(values)


class Loss:
    """Base class of every loss: ``loss(y_true, y_pred, sample_weight=None)`` returns a scalar.

    Subclasses implement ``call(y_true, y_pred)`` returning one value per sample (or per
    sample and timestep); ``__call__`` applies sample weights and the reduction.

    Args:
        name: name of the loss instance (default: the class name in snake case).
        reduction: 'sum_over_batch_size' (default), 'sum', 'mean', 'mean_with_sample_weight'
            or 'none'/None.
        dtype: dtype of the computation (default: floatx, 'float32').

    Example:

    >>> import numpy as np, lamina
    >>> class MyMSE(lamina.losses.Loss):
    ...     def call(self, y_true, y_pred):
    ...         return lamina.ops.mean(lamina.ops.square(y_pred - y_true), axis=-1)
    >>> float(MyMSE()(np.zeros((2, 2)), np.ones((2, 2))))
    1.0
    """

    def __init__(self, name=None, reduction="sum_over_batch_size", dtype=None):
        self.name = name or naming.auto_name(naming.to_snake_case(type(self).__name__))
        self.reduction = standardize_reduction(reduction)
        self._dtype = ops.standardize_dtype(dtype or config.floatx())

    @property
    def dtype(self) -> str:
        return self._dtype

    _batch_mean = None  # optional fused fn(y_true, y_pred, **kwargs) -> the batch mean

    def __call__(self, y_true, y_pred, sample_weight=None):
        if sample_weight is None and self.reduction == "sum_over_batch_size":
            if self._batch_mean is not None:  # one fused kernel (e.g. torch cross_entropy)
                y_true, y_pred = self._inputs(y_true, y_pred)
                return self._batch_mean(y_true, y_pred, **self._fn_kwargs)
            return ops.mean(self.unreduced(y_true, y_pred))
        return reduce_weighted_values(self.unreduced(y_true, y_pred), sample_weight, self.reduction)

    def _inputs(self, y_true, y_pred):
        if not ops.is_tensor(y_pred):
            y_pred = ops.convert_to_tensor(y_pred, self._dtype)
        elif ops.dtype(y_pred) != self._dtype:
            y_pred = ops.cast(y_pred, self._dtype)
        if not ops.is_tensor(y_true):
            y_true = ops.convert_to_tensor(y_true)
        return y_true, y_pred

    def unreduced(self, y_true, y_pred):
        """The per-sample loss values, before sample weights and reduction."""
        return self.call(*self._inputs(y_true, y_pred))

    def call(self, y_true, y_pred):
        raise NotImplementedError(
            f"{type(self).__name__} must implement call(y_true, y_pred) returning per-sample losses."
        )

    def get_config(self) -> dict:
        return {"name": self.name, "reduction": self.reduction}

    @classmethod
    def from_config(cls, config: dict):
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name}>"


class LossFunctionWrapper(Loss):
    """A Loss built from a function ``fn(y_true, y_pred, **kwargs)`` returning per-sample losses.

    Args:
        fn: the loss function.
        reduction: see ``Loss``.
        name: name of the loss (default: the function's name).
        dtype: see ``Loss``.
        **kwargs: keyword arguments passed on to ``fn``.

    Example:

    >>> import numpy as np, lamina
    >>> loss = lamina.losses.LossFunctionWrapper(lamina.losses.huber, delta=0.5)
    >>> round(float(loss(np.zeros((1, 2)), np.array([[1.0, 0.2]]))), 4)
    0.1975
    """

    def __init__(self, fn, reduction="sum_over_batch_size", name=None, dtype=None, **kwargs):
        super().__init__(name=name or getattr(fn, "__name__", None), reduction=reduction, dtype=dtype)
        self.fn = fn
        self._fn_kwargs = kwargs
        if type(self).__module__.startswith("lamina.losses"):  # call() not overridden by users
            self._batch_mean = getattr(fn, "_lamina_batch_mean", None)

    def call(self, y_true, y_pred):
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        return self.fn(y_true, y_pred, **self._fn_kwargs)

    def get_config(self) -> dict:
        config = super().get_config()
        if type(self) is LossFunctionWrapper:
            from lamina.losses import serialize

            config["fn"] = serialize(self.fn)
        config.update(self._fn_kwargs)  # built-in subclasses: their constructor arguments
        return config

    @classmethod
    def from_config(cls, config: dict):
        config = dict(config)
        if cls is LossFunctionWrapper and "fn" in config:
            from lamina.losses import deserialize

            config["fn"] = deserialize(config["fn"])
        return cls(**config)

    def __repr__(self) -> str:
        return f"<LossFunctionWrapper({getattr(self.fn, '__name__', self.fn)}, kwargs={self._fn_kwargs})>"
