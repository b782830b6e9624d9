"""Weight regularizers: penalties added to the training loss (l1, l2, l1_l2, orthogonal)."""

from __future__ import annotations

import math

from lamina import ops
from lamina.utils.registry import lookup


class Regularizer:
    """Base class: ``reg(weight) -> scalar penalty``."""

    def __call__(self, x):
        return 0.0

    def get_config(self) -> dict:
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


class L1L2(Regularizer):
    """l1 * sum(|x|) + l2 * sum(x^2)."""

    def __init__(self, l1=0.0, l2=0.0):
        self.l1 = _check(0.0 if l1 is None else l1, "l1")
        self.l2 = _check(0.0 if l2 is None else l2, "l2")

    def __call__(self, x):
        out = None
        if self.l1:
            out = self.l1 * ops.sum(ops.abs(x))
        if self.l2:
            term = self.l2 * ops.sum(ops.square(x))
            out = term if out is None else out + term
        return ops.zeros((), dtype=ops.dtype(x)) if out is None else out

    def get_config(self):
        return {"l1": self.l1, "l2": self.l2}


class L1(Regularizer):
    """l1 * sum(|x|) (``'l1'``: l1=0.01)."""

    def __init__(self, l1=0.01):
        self.l1 = _check(0.01 if l1 is None else l1, "l1")

    def __call__(self, x):
        return self.l1 * ops.sum(ops.abs(x))

    def get_config(self):
        return {"l1": self.l1}


class L2(Regularizer):
    """l2 * sum(x^2) (``'l2'``: l2=0.01)."""

    def __init__(self, l2=0.01):
        self.l2 = _check(0.01 if l2 is None else l2, "l2")

    def __call__(self, x):
        return self.l2 * ops.sum(ops.square(x))

    def get_config(self):
        return {"l2": self.l2}


class OrthogonalRegularizer(Regularizer):
    """factor * mean of |off-diagonal| of the (row- or column-) normalised Gram matrix."""

    def __init__(self, factor=0.01, mode="rows"):
        if mode not in ("rows", "columns"):
            raise ValueError(f"OrthogonalRegularizer: mode must be 'rows' or 'columns', received {mode!r}.")
        self.factor, self.mode = _check(factor, "factor"), mode

    def __call__(self, x):
        if x.ndim != 2:
            raise ValueError(
                f"OrthogonalRegularizer applies to 2-D weights (e.g. a Dense kernel), received a "
                f"weight of shape {tuple(x.shape)}."
            )
        if self.mode == "columns":
            x = ops.transpose(x)
        x = x / ops.maximum(ops.norm(x, axis=1, keepdims=True), 1e-12)
        g = ops.matmul(x, ops.transpose(x))
        n = x.shape[0]
        off = ops.abs(g * (1.0 - ops.eye(n, dtype=g.dtype)))
        return self.factor * ops.sum(off) / (n * (n - 1)) if n > 1 else 0.0 * ops.sum(off)

    def get_config(self):
        return {"factor": self.factor, "mode": self.mode}


def _check(v, name):
    if isinstance(v, bool) or not isinstance(v, (int, float)) or math.isnan(v) or math.isinf(v) or v < 0:
        raise ValueError(
            f"Regularizer argument {name} must be a finite non-negative number, received {name}={v!r}."
        )
    return float(v)


def l1_l2(l1=0.01, l2=0.01):
    return L1L2(l1, l2)


l1, l2 = L1, L2
_TABLE = {"l1": L1, "l2": L2, "l1_l2": l1_l2, "l1l2": L1L2, "L1": L1, "L2": L2, "L1L2": L1L2,
          "OrthogonalRegularizer": OrthogonalRegularizer, "orthogonal_regularizer": OrthogonalRegularizer}


def get(identifier):
    if identifier is None:
        return None
    if isinstance(identifier, Regularizer) or callable(identifier) and not isinstance(identifier, type):
        return identifier
    if isinstance(identifier, type) and issubclass(identifier, Regularizer):
        return identifier()
    if identifier == "l1_l2":  # Keras 2's string: both factors 0.01
        return l1_l2()
    return lookup("regularizer", identifier, _TABLE, instantiate=True)


def serialize(reg):
    if reg is None:
        return None
    return {"module": "keras.regularizers", "class_name": type(reg).__name__,
            "config": reg.get_config(), "registered_name": None}


def deserialize(config):
    return get(config)
