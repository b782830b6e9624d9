"""Kernels of ``lamina.ops.linalg`` under JAX (``jax.numpy.linalg``)."""

from __future__ import annotations

import jax
import jax.numpy as jnp

from lamina.backend.jax.ops._names import LINALG as _NAMES
from lamina.backend.jax.ops._stubs import fill as _fill


def norm(x, ord=None, axis=None, keepdims=False):  # noqa: A002
    x = jnp.asarray(x)
    if not jnp.issubdtype(x.dtype, jnp.floating):
        x = x.astype(jnp.float32)
    return jnp.linalg.norm(x, ord=ord, axis=tuple(axis) if isinstance(axis, list) else axis, keepdims=keepdims)


def solve_triangular(a, b, lower=False):
    return jax.scipy.linalg.solve_triangular(a, b, lower=lower)


def lu_factor(x):
    lu, piv, _ = jax.lax.linalg.lu(x)
    return lu, piv


def cholesky_inverse(x, upper=False):
    inv = jnp.linalg.inv(x)
    return inv @ jnp.swapaxes(inv, -1, -2) if upper else jnp.swapaxes(inv, -1, -2) @ inv


def lstsq(a, b, rcond=None):
    """The least-squares solution only, as Keras 3 (``jnp.linalg.lstsq`` also returns residuals,
    rank and singular values)."""
    return jnp.linalg.lstsq(a, b, rcond=rcond)[0]


def jvp(fun, primals, tangents, has_aux=False):
    return jax.jvp(fun, primals, tangents, has_aux=has_aux)


_fill(globals(), "linalg", _NAMES, [jnp.linalg])
