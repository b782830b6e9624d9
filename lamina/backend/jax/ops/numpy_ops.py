"""Kernels of ``lamina.ops.numpy`` under JAX: ``jax.numpy``, whose promotion rules are the ones
Keras 3 adopted (weak Python scalars, float32 by default)."""

from __future__ import annotations

import builtins

import numpy as _np

import jax
import jax.numpy as jnp

from lamina.backend.jax.ops import core as _core
from lamina.backend.jax.ops._convert import to_float
from lamina.backend.jax.ops._stubs import fill as _fill


def get_item(x, key):
    return jnp.asarray(x)[key]


def array(x, dtype=None):
    return _core.convert_to_tensor(x, dtype)


def view(x, dtype=None):
    return jnp.asarray(x).view(_core.to_jax_dtype(dtype))


def vectorize(pyfunc, *, excluded=None, signature=None):
    return jnp.vectorize(pyfunc, excluded=excluded or set(), signature=signature)


def bitwise_invert(x):
    return jnp.invert(x)


def trapezoid(y, x=None, dx=1.0, axis=-1):
    return jnp.trapezoid(y, x, dx=dx, axis=axis)


def empty(shape, dtype=None):
    return _core.zeros(shape, dtype)


def empty_like(x, dtype=None):
    return jnp.zeros_like(x, dtype=_core.to_jax_dtype(dtype))


def identity(n, dtype=None):
    return _core.eye(n, dtype=dtype)


def average(x, axis=None, weights=None):
    return jnp.average(x, axis=axis, weights=weights)


def count_nonzero(x, axis=None):
    return jnp.count_nonzero(x, axis=axis).astype(jnp.int32)


def nonzero(x):
    return tuple(_core._int32(i) for i in jnp.nonzero(x))


def true_divide(x1, x2):
    return jnp.true_divide(x1, x2)


def isneginf(x):
    return jnp.isneginf(x)


def isposinf(x):
    return jnp.isposinf(x)


def tri(N, M=None, k=0, dtype=None):
    return jnp.tri(N, M, k, dtype=_core.to_jax_dtype(dtype or "float32"))


def unravel_index(indices, shape):
    return jnp.unravel_index(indices, shape)


def slogdet(x):
    """(sign, log|det|) of square matrices, as ``numpy.linalg.slogdet``."""
    return jnp.linalg.slogdet(to_float(x))


# The public ops below take Keras 3's full signatures; the backend's internal kernels of the same
# names in ``core`` keep their short ones.
def max(x, axis=None, keepdims=False, initial=None):  # noqa: A001
    return jnp.max(x, axis=_core._axis(axis), keepdims=keepdims, initial=initial)


def min(x, axis=None, keepdims=False, initial=None):  # noqa: A001
    return jnp.min(x, axis=_core._axis(axis), keepdims=keepdims, initial=initial)


def eye(N, M=None, k=0, dtype=None):  # noqa: N803  (Keras's argument names)
    return jnp.eye(N, M, k, dtype=_core._fd(dtype))


def linspace(start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0):
    return jnp.linspace(start, stop, num, endpoint=endpoint, retstep=retstep, dtype=_core._fd(dtype), axis=axis)


def diagonal(x, offset=0, axis1=0, axis2=1):
    return jnp.diagonal(x, offset=offset, axis1=axis1, axis2=axis2)


def pad(x, pad_width, mode="constant", constant_values=None):
    """NumPy's pad_width forms: an int, one (before, after) pair, or one pair per axis."""
    # NumPy, not jnp: pad widths are static, and jnp.asarray inside a trace would stage them
    pad_width = _np.asarray(pad_width).tolist() if not isinstance(pad_width, int) else pad_width
    if mode == "constant":
        return jnp.pad(x, pad_width, mode="constant", constant_values=constant_values or 0)
    if constant_values is not None:
        raise ValueError(f"pad() received constant_values={constant_values!r} with mode={mode!r}; "
                         "constant_values applies to mode='constant' only.")
    return jnp.pad(x, pad_width, mode=mode)


def percentile(x, q, axis=None, method="linear", keepdims=False):
    return jnp.percentile(to_float(x), jnp.asarray(q), axis=axis, method=method, keepdims=keepdims)


def quantile(x, q, axis=None, method="linear", keepdims=False):
    return jnp.quantile(to_float(x), jnp.asarray(q), axis=axis, method=method, keepdims=keepdims)


def reshape(x, newshape):
    """``numpy.reshape`` under Keras 3's argument name; ``None`` in ``newshape`` means -1."""
    if isinstance(newshape, int):
        newshape = (newshape,)
    return jnp.reshape(x, tuple(-1 if d is None else d for d in newshape))


_SMALL_INTS = ("bool", "uint8", "int8", "int16", "uint16")


def prod(x, axis=None, keepdims=False, dtype=None):
    x = jnp.asarray(x)
    dt = _core.to_jax_dtype(dtype) if dtype else (jnp.int32 if x.dtype.name in _SMALL_INTS else None)
    return jnp.prod(x, axis=_core._axis(axis), keepdims=keepdims, dtype=dt)


def cumsum(x, axis=None, dtype=None):
    x = jnp.asarray(x)
    dt = _core.to_jax_dtype(dtype) if dtype else (jnp.int32 if x.dtype == jnp.bool_ else None)
    return jnp.cumsum(x, axis=axis, dtype=dt)


def bincount(x, weights=None, minlength=0, sparse=False):
    """Counts of each value in ``x`` (rows counted separately when ``x`` is 2-D); the length
    depends on the values, so this runs eagerly, as in Keras 3."""
    if sparse:
        raise ValueError("bincount(sparse=True) is not supported by the JAX backend; pass sparse=False.")
    x = jnp.asarray(x)
    if x.ndim == 2:
        ws = [None] * len(x) if weights is None else list(jnp.asarray(weights))
        rows = [bincount(r, w, minlength) for r, w in zip(x, ws)]
        n = builtins.max(int(r.shape[0]) for r in rows)
        return jnp.stack([jnp.pad(r, (0, n - r.shape[0])) for r in rows])
    if weights is None:
        return jnp.bincount(x, minlength=minlength).astype(jnp.int32)
    weights = jnp.asarray(weights)
    out = jnp.bincount(x, weights, minlength=minlength)
    return out.astype(weights.dtype if jnp.issubdtype(weights.dtype, jnp.floating) else jnp.int32)


# Keras 3's parameter names (x1, x2), which a saved op node binds its arguments to; jax.numpy's
# ufuncs take (*args) and its comparisons (x, y).
def _binary(fn):
    def op(x1, x2):
        return fn(x1, x2)
    op.__name__ = op.__qualname__ = fn.__name__
    return op


add, subtract, multiply, maximum, minimum = map(_binary, (
    _core.add, _core.subtract, _core.multiply, jnp.maximum, jnp.minimum))
greater, greater_equal, less, less_equal, equal, not_equal = map(_binary, (
    jnp.greater, jnp.greater_equal, jnp.less, jnp.less_equal, jnp.equal, jnp.not_equal))


def negative(x):
    return jnp.negative(x)


def stack(x, axis=0):
    return jnp.stack(x, axis=axis)


def ones(shape, dtype=None):
    return _core.ones(shape, dtype)


def zeros(shape, dtype=None):
    return _core.zeros(shape, dtype)


_ALIASES = {"bitwise_not": "invert", "bitwise_left_shift": "left_shift",
            "bitwise_right_shift": "right_shift", "absolute": "abs"}

from lamina.backend.jax.ops._names import NUMPY as _NAMES  # noqa: E402

_fill(globals(), "numpy", _NAMES, [_core, jnp], _ALIASES)
del jax
