"""Keras 2 backend math: elementwise functions, comparisons and reductions (``K.mean``...).

Each takes eager tensors, NumPy arrays, numbers, lamina variables, or symbolic tensors of the
functional API (then it records a graph node, see ``_symbolic``). Axis conventions, defaults
and numerics are Keras 2's: ``K.argmax`` reduces the last axis, ``K.std``/``K.var`` are the
population statistics, ``K.sqrt`` clips negative inputs to 0, booleans are averaged as floats.
"""

from __future__ import annotations

import builtins

from lamina import config, ops
from lamina.backend.legacy._symbolic import symbolic


def tensor(x, dtype=None):
    """``x`` as a backend tensor: variables by their value, arrays and numbers converted."""
    if ops.is_tensor(x):
        return x if dtype is None else ops.cast(x, dtype)
    value = getattr(x, "value", None)
    if ops.is_tensor(value):  # a lamina Variable handle (layer weight)
        return value if dtype is None else ops.cast(value, dtype)
    return ops.convert_to_tensor(x, dtype)


def _float(x):
    x = tensor(x)
    return x if ops.is_float_dtype(ops.dtype(x)) else ops.cast(x, config.floatx())


def _axis(axis):
    return tuple(axis) if isinstance(axis, list) else axis


def _unary(name, fn, doc):
    def f(x):
        return fn(tensor(x))

    f.__name__ = f.__qualname__ = name
    f.__doc__ = f"{doc}\n\n    Args:\n        x: a tensor, array or variable.\n"
    return symbolic(f)


square = _unary("square", ops.square, "Elementwise square.")
abs = _unary("abs", ops.abs, "Elementwise absolute value.")  # noqa: A001
exp = _unary("exp", ops.exp, "Elementwise exponential.")
log = _unary("log", ops.log, "Elementwise natural logarithm.")
sign = _unary("sign", ops.sign, "Elementwise sign: -1, 0 or 1.")
sin = _unary("sin", ops.sin, "Elementwise sine.")
cos = _unary("cos", ops.cos, "Elementwise cosine.")
round = _unary("round", ops.round, "Elementwise rounding to the nearest integer, halves to even.")  # noqa: A001
stop_gradient = _unary("stop_gradient", ops.stop_gradient,
                       "The same values, with no gradient flowing back through them.")


@symbolic
def sqrt(x):
    """Elementwise square root; negative inputs are clipped to 0 first, as in Keras 2."""
    return ops.sqrt(ops.maximum(_float(x), 0.0))


@symbolic
def pow(x, a):  # noqa: A001
    """Elementwise ``x ** a``."""
    return ops.power(tensor(x), a if isinstance(a, (int, float)) else tensor(a))


@symbolic
def clip(x, min_value, max_value):
    """Elementwise clipping to ``[min_value, max_value]`` (None: unbounded on that side).

    As in Keras 2, a ``max_value`` below ``min_value`` is raised to ``min_value``.
    """
    if isinstance(min_value, (int, float)) and isinstance(max_value, (int, float)):
        max_value = builtins.max(min_value, max_value)
    min_value = float("-inf") if min_value is None else min_value
    max_value = float("inf") if max_value is None else max_value
    return ops.clip(tensor(x), min_value, max_value)


def _binary(name, fn, doc):
    def f(x, y):
        if isinstance(y, (int, float)) and not isinstance(x, (int, float)):
            return fn(tensor(x), y)
        y = tensor(y)
        if isinstance(x, (int, float)):
            y_dtype = ops.dtype(y)
            x = ops.convert_to_tensor(x, y_dtype if ops.is_float_dtype(y_dtype) else None)
        return fn(tensor(x), y)

    f.__name__ = f.__qualname__ = name
    f.__doc__ = f"{doc}\n\n    Args:\n        x, y: tensors, arrays or numbers (broadcast).\n"
    return symbolic(f)


maximum = _binary("maximum", ops.maximum, "Elementwise maximum of two tensors.")
minimum = _binary("minimum", ops.minimum, "Elementwise minimum of two tensors.")
equal = _binary("equal", ops.equal, "Elementwise ``x == y`` (a bool tensor).")
not_equal = _binary("not_equal", ops.not_equal, "Elementwise ``x != y`` (a bool tensor).")
greater = _binary("greater", ops.greater, "Elementwise ``x > y`` (a bool tensor).")
greater_equal = _binary("greater_equal", ops.greater_equal, "Elementwise ``x >= y`` (a bool tensor).")
less = _binary("less", ops.less, "Elementwise ``x < y`` (a bool tensor).")
less_equal = _binary("less_equal", ops.less_equal, "Elementwise ``x <= y`` (a bool tensor).")


# ---------------------------------------------------------------- reductions
def _reduction(name, fn, cast, doc):
    def f(x, axis=None, keepdims=False):
        x = tensor(x)
        if cast == "float":
            x = _float(x)
        elif cast == "bool":
            x = ops.cast(x, "bool")
        out = fn(x, axis=_axis(axis), keepdims=keepdims)
        if keepdims and axis is None and len(out.shape) != len(x.shape):
            out = ops.reshape(out, (1,) * len(x.shape))
        return out

    f.__name__ = f.__qualname__ = name
    f.__doc__ = (f"{doc}\n\n    Args:\n        x: a tensor, array or variable.\n"
                 "        axis: an int, a list of ints, or None (all axes).\n"
                 "        keepdims: keep the reduced axes with size 1.\n")
    return symbolic(f)


sum = _reduction("sum", ops.sum, None, "Sum of the values along ``axis``.")  # noqa: A001
prod = _reduction("prod", ops.prod, None, "Product of the values along ``axis``.")
max = _reduction("max", ops.max, None, "Maximum along ``axis``.")  # noqa: A001
min = _reduction("min", ops.min, None, "Minimum along ``axis``.")  # noqa: A001
mean = _reduction("mean", ops.mean, "float", "Mean along ``axis`` (booleans and integers as floats).")
var = _reduction("var", ops.var, "float", "Population variance along ``axis`` (divides by n).")
std = _reduction("std", ops.std, "float", "Population standard deviation along ``axis``.")
any = _reduction("any", ops.any, "bool", "Logical OR along ``axis``.")  # noqa: A001
all = _reduction("all", ops.all, "bool", "Logical AND along ``axis``.")  # noqa: A001
logsumexp = _reduction("logsumexp", ops.logsumexp, "float",
                       "``log(sum(exp(x)))`` along ``axis``, computed without overflow.")


@symbolic
def argmax(x, axis=-1):
    """Index of the maximum along ``axis`` (the last axis by default)."""
    return ops.argmax(tensor(x), axis=axis)


@symbolic
def argmin(x, axis=-1):
    """Index of the minimum along ``axis`` (the last axis by default)."""
    return ops.argmin(tensor(x), axis=axis)


@symbolic
def cumsum(x, axis=0):
    """Cumulative sum along ``axis`` (the first axis by default)."""
    return ops.cumsum(tensor(x), axis=axis)


@symbolic
def cumprod(x, axis=0):
    """Cumulative product along ``axis``, computed as a running product of slices."""
    x = tensor(x)
    parts = ops.unstack(x, axis=axis)
    out = [parts[0]]
    for p in parts[1:]:
        out.append(out[-1] * p)
    return ops.stack(out, axis=axis)
