"""Argument conversion shared by the JAX kernels of the public op API (the torch backend's
``_convert`` rules): Python ``int`` -> int32, ``float`` -> floatx, NumPy float arrays -> floatx;
``to_float`` turns ints and bools into floatx and keeps floating and complex arrays as they are."""

from __future__ import annotations

import jax.numpy as jnp

from lamina import config
from lamina.backend.common.dtypes import result_type
from lamina.backend.jax.ops.core import convert_to_tensor, standardize_dtype, to_jax_dtype


def _t(x, dtype=None):
    """One argument as a jax.Array (Keras's conversion of Python numbers)."""
    if dtype is None:
        if isinstance(x, bool):
            dtype = "bool"
        elif isinstance(x, int):
            dtype = "int32"
        elif isinstance(x, float):
            dtype = config.floatx()
    return convert_to_tensor(x, dtype)


def is_float(x) -> bool:
    return jnp.issubdtype(x.dtype, jnp.floating)


def to_float(x):
    """Ints and bools become floatx; floating and complex arrays stay as they are."""
    x = _t(x)
    if jnp.issubdtype(x.dtype, jnp.floating) or jnp.issubdtype(x.dtype, jnp.complexfloating):
        return x
    return x.astype(to_jax_dtype(config.floatx()))


def at_least_float32(x):
    """(x computed in float32 when it is a half type, its dtype to cast the result back to)."""
    x = to_float(x)
    if x.dtype in (jnp.float16, jnp.bfloat16):
        return x.astype(jnp.float32), x.dtype
    return x, x.dtype


def promote_float(*xs):
    """Cast arrays to their Keras ``result_type`` with ``float`` (the torch backend's ``promote``)."""
    xs = [_t(x) for x in xs]
    dt = to_jax_dtype(result_type(*[standardize_dtype(x.dtype) for x in xs], float))
    return [x if x.dtype == dt else x.astype(dt) for x in xs]


def pair(v, n=2):
    """An int or a sequence as an ``n``-tuple of ints."""
    return (int(v),) * n if isinstance(v, int) else tuple(int(a) for a in v)
