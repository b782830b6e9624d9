"""Kernels of ``lamina.ops.core`` under JAX: control flow on ``jax.lax``."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from lamina.backend.jax.ops import core as _core
from lamina.backend.jax.ops._names import CORE as _NAMES
from lamina.backend.jax.ops._stubs import fill as _fill

convert_to_tensor = _core.convert_to_tensor
convert_to_numpy = _core.convert_to_numpy
is_tensor = _core.is_tensor
dtype = _core.dtype
stop_gradient = _core.stop_gradient


def shape(x):
    return tuple(jnp.shape(x))


def cast(x, dtype):
    return _core.convert_to_tensor(x, dtype)


def saturate_cast(x, dtype):
    """Cast to ``dtype``, clipping to its range first. The bounds are values of ``x``'s dtype inside
    the range, as Keras 3 computes them: float32 -> int32 saturates at 2147483520, the float32 just
    below 2**31 (XLA's own cast would give 2**31 - 1)."""
    d = _core.to_jax_dtype(dtype)
    x = jnp.asarray(x)
    if d == jnp.bool_ or x.dtype == jnp.bool_:
        return x.astype(d)
    info = (lambda t: jnp.iinfo(t) if jnp.issubdtype(t, jnp.integer) else jnp.finfo(t))
    src, out = info(x.dtype), info(d)
    nd = np.dtype(x.dtype)
    lo = np.asarray(src.min if src.min > out.min else out.min).astype(nd)
    if lo.item() < out.min:  # Python scalars compare exactly (NumPy would round the bound)
        lo = np.nextafter(lo, np.zeros((), nd))
    hi = np.asarray(src.max if src.max < out.max else out.max).astype(nd)
    if hi.item() > out.max:
        hi = np.nextafter(hi, np.zeros((), nd))
    return jnp.clip(x, lo, hi).astype(d)


def unstack(x, num=None, axis=0):
    return _core.unstack(x, axis)


def scatter(indices, values, shape):
    indices = jnp.asarray(indices)
    zeros = jnp.zeros(tuple(shape), jnp.asarray(values).dtype)
    return zeros.at[tuple(jnp.moveaxis(indices, -1, 0))].add(values)


def scatter_update(inputs, indices, updates, reduction=None):
    indices = jnp.asarray(indices)
    at = jnp.asarray(inputs).at[tuple(jnp.moveaxis(indices, -1, 0))]
    return {None: at.set, "add": at.add, "max": at.max, "min": at.min, "mul": at.multiply}[reduction](updates)


def slice(inputs, start_indices, shape):  # noqa: A001
    return jax.lax.dynamic_slice(jnp.asarray(inputs), tuple(start_indices), tuple(shape))


def slice_update(inputs, start_indices, updates):
    return jax.lax.dynamic_update_slice(jnp.asarray(inputs), jnp.asarray(updates), tuple(start_indices))


def cond(pred, true_fn, false_fn):
    return jax.lax.cond(pred, true_fn, false_fn)


def switch(index, branches, *operands):
    return jax.lax.switch(index, branches, *operands)


def while_loop(cond, body, loop_vars, maximum_iterations=None):
    is_tuple = isinstance(loop_vars, (list, tuple))
    state = tuple(loop_vars) if is_tuple else (loop_vars,)
    if maximum_iterations is not None:
        state = (0, state)
        c = lambda s: (s[0] < maximum_iterations) & cond(*s[1])  # noqa: E731
        b = lambda s: (s[0] + 1, tuple(body(*s[1])) if is_tuple else (body(*s[1]),))  # noqa: E731
        out = jax.lax.while_loop(c, b, state)[1]
    else:
        out = jax.lax.while_loop(lambda s: cond(*s), lambda s: tuple(body(*s)) if is_tuple else (body(*s),),
                                 state)
    return out if is_tuple else out[0]


def fori_loop(lower, upper, body_fun, init_val):
    return jax.lax.fori_loop(lower, upper, body_fun, init_val)


def scan(f, init, xs=None, length=None, reverse=False, unroll=1):
    return jax.lax.scan(f, init, xs, length=length, reverse=reverse, unroll=unroll)


def associative_scan(f, elems, reverse=False, axis=0):
    return jax.lax.associative_scan(f, elems, reverse=reverse, axis=axis)


def map(f, xs):  # noqa: A001
    return jax.lax.map(f, xs)


def vectorized_map(function, elements):
    return jax.vmap(function)(elements)


def custom_gradient(f):
    """Decorate ``f(*args) -> (y, grad_fn)``: ``y`` flows forward, ``grad_fn(*upstream)`` gives the
    gradients of the inputs (one per positional argument; Keras 3's ``grad_fn(*args, upstream=...)``
    also works). Built on ``jax.custom_gradient``, so it composes with ``jax.jit`` and ``jax.grad``."""

    def with_rule(*args):
        y, grad_fn = f(*args)

        def rule(upstream):
            cts = tuple(upstream) if isinstance(y, (tuple, list)) else (upstream,)
            try:
                grads = grad_fn(*cts)
            except TypeError:
                grads = grad_fn(upstream=cts[0] if len(cts) == 1 else cts)
            return tuple(grads) if isinstance(grads, (tuple, list)) else (grads,)

        return y, rule

    wrapped = jax.custom_gradient(with_rule)

    def wrapper(*args):
        return wrapped(*[_core.convert_to_tensor(a) for a in args])

    wrapper.__name__ = getattr(f, "__name__", "custom_gradient")
    wrapper.__doc__ = f.__doc__
    return wrapper


_fill(globals(), "core", _NAMES, [_core])
