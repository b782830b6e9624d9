"""The ``keras.ops.core`` kernels for the torch backend: control flow, scatter/slice, gradients.

Control flow runs eagerly in Python (torch executes op by op), with the signatures and the
structure rules of Keras 3 (loop variables may be any nested structure, see ``lamina.tree``).
"""

from __future__ import annotations

import builtins

import numpy as np
import torch

from lamina import tree
from lamina.backend.torch.ops._convert import Tensor, _t, dtype_name
from lamina.backend.torch.ops.core import (  # noqa: F401
    convert_to_numpy,
    convert_to_tensor,
    is_tensor,
    to_torch_dtype,
)


def shape(x):
    return tuple(x.shape) if isinstance(x, Tensor) else tuple(np.shape(x))


def dtype(x):
    return dtype_name(_t(x))


def cast(x, dtype):
    td = to_torch_dtype(dtype)
    if isinstance(x, Tensor):
        return x if x.dtype == td else x.to(td)
    return _t(x, dtype)


def saturate_cast(x, dtype):
    """Cast to ``dtype``, clipping values to its range first (no integer wrap-around)."""
    x = _t(x)
    td = to_torch_dtype(dtype)
    if td.is_floating_point or td == torch.bool or x.dtype == torch.bool:
        if td.is_floating_point and x.is_floating_point():
            info = torch.finfo(td)
            x = x.clamp(info.min, info.max)
        return x.to(td)
    info = torch.iinfo(td)
    if x.is_floating_point():
        lo = torch.tensor(info.min, dtype=torch.float64).to(x.dtype)
        hi = torch.tensor(info.max, dtype=torch.float64).to(x.dtype)
        # the float nearest the integer bound may lie above it: step inside the range
        if int(hi.item()) > info.max:
            hi = torch.nextafter(hi, torch.tensor(0, dtype=x.dtype))
        return x.clamp(lo.item(), hi.item()).to(td)
    src = torch.iinfo(x.dtype)
    return x.clamp(max(info.min, src.min), min(info.max, src.max)).to(td)


def stop_gradient(variable):
    value = getattr(variable, "value", variable)
    return _t(value).detach()


def unstack(x, num=None, axis=0):
    x = _t(x)
    if num is not None and x.shape[axis] != num:
        raise ValueError(f"unstack() received num={num} but axis {axis} has size {x.shape[axis]}.")
    return list(torch.unbind(x, dim=axis))


# ---------------------------------------------------------------- scatter and slices
def scatter(indices, values, shape):
    """A zero tensor of ``shape`` with ``values`` added at ``indices`` (duplicates sum)."""
    idx = _t(indices).long()
    values = _t(values)
    out = torch.zeros(tuple(shape), dtype=values.dtype, device=values.device)
    out.index_put_(tuple(idx[..., i] for i in range(idx.shape[-1])), values, accumulate=True)
    return out


def scatter_update(inputs, indices, updates, reduction=None):
    x = _t(inputs).clone()
    idx = _t(indices).long()
    updates = _t(updates).to(x.dtype)
    key = tuple(idx[..., i] for i in range(idx.shape[-1]))
    if reduction is None:
        x[key] = updates
    elif reduction in ("add", "max", "min", "mul"):
        flat_idx = torch.zeros(idx.shape[:-1], dtype=torch.int64, device=x.device)
        stride = 1
        for i in reversed(range(idx.shape[-1])):
            flat_idx = flat_idx + key[i] * stride
            stride *= x.shape[i]
        tail = x.shape[idx.shape[-1]:]
        flat = x.reshape((-1,) + tail)
        src = updates.reshape((-1,) + tail)
        index = flat_idx.reshape(-1).reshape((-1,) + (1,) * len(tail)).expand_as(src)
        op = {"add": "sum", "max": "amax", "min": "amin", "mul": "prod"}[reduction]
        x = flat.scatter_reduce(0, index, src, op).reshape(x.shape)
    else:
        raise ValueError(f"scatter_update() received reduction={reduction!r}; expected None, 'add', "
                         "'max', 'min' or 'mul'.")
    return x


def _starts(start_indices):
    if isinstance(start_indices, Tensor):
        return [int(i) for i in start_indices.tolist()]
    return [int(i) for i in start_indices]


def slice(inputs, start_indices, shape):  # noqa: A001
    x = _t(inputs)
    starts = _starts(start_indices)
    return x[tuple(builtins.slice(s, s + n) for s, n in zip(starts, shape))]


def slice_update(inputs, start_indices, updates):
    x = _t(inputs).clone()
    updates = _t(updates).to(x.dtype)
    starts = _starts(start_indices)
    x[tuple(builtins.slice(s, s + n) for s, n in zip(starts, updates.shape))] = updates
    return x


# ---------------------------------------------------------------- control flow
def cond(pred, true_fn, false_fn):
    return true_fn() if bool(pred) else false_fn()


def switch(index, branches, *operands):
    i = int(index)
    i = min(max(i, 0), len(branches) - 1)
    return branches[i](*operands)


def while_loop(cond, body, loop_vars, maximum_iterations=None):
    single = not isinstance(loop_vars, (list, tuple))
    state = (loop_vars,) if single else tuple(loop_vars)
    n = 0
    while (maximum_iterations is None or n < maximum_iterations) and bool(cond(*state)):
        out = body(*state)
        state = (out,) if single else tuple(out) if isinstance(out, (list, tuple)) else (out,)
        n += 1
    if single:
        return state[0]
    return type(loop_vars)(state) if isinstance(loop_vars, list) else state


def fori_loop(lower, upper, body_fun, init_val):
    val = init_val
    for i in range(int(lower), int(upper)):
        val = body_fun(i, val)
    return val


def scan(f, init, xs=None, length=None, reverse=False, unroll=1):
    if xs is None and length is None:
        raise ValueError("scan() needs xs or length to know how many steps to run.")
    leaves = tree.flatten(xs) if xs is not None else []
    n = length if length is not None else leaves[0].shape[0]
    carry, ys = init, []
    steps = range(n - 1, -1, -1) if reverse else range(n)
    for i in steps:
        x = tree.map_structure(lambda v: v[i], xs) if xs is not None else None
        carry, y = f(carry, x)
        ys.append(y)
    if reverse:
        ys.reverse()
    if not ys or ys[0] is None:
        return carry, None
    stacked = tree.map_structure(lambda *v: torch.stack([_t(e) for e in v]), *ys)
    return carry, stacked


def associative_scan(f, elems, reverse=False, axis=0):
    """Inclusive prefix scan of ``elems`` along ``axis`` with the associative ``f``."""
    leaves = [_t(v) for v in tree.flatten(elems)]
    n = leaves[0].shape[axis]
    order = range(n - 1, -1, -1) if reverse else range(n)
    acc, outs = None, []
    for i in order:
        cur = tree.unflatten_as(elems, [v.select(axis, i) for v in leaves])
        acc = cur if acc is None else f(acc, cur)
        outs.append(tree.flatten(acc))
    if reverse:
        outs.reverse()
    stacked = [torch.stack([o[j] for o in outs], dim=axis) for j in range(len(leaves))]
    return tree.unflatten_as(elems, stacked)


def map(f, xs):  # noqa: A001
    leaves = tree.flatten(xs)
    n = leaves[0].shape[0]
    outs = [f(tree.map_structure(lambda v: v[i], xs)) for i in range(n)]
    return tree.map_structure(lambda *v: torch.stack([_t(e) for e in v]), *outs)


def vectorized_map(function, elements):
    """Apply ``function`` to each slice of ``elements`` along axis 0, batched with ``torch.vmap``."""
    try:
        return torch.vmap(function)(elements)
    except Exception:  # functions vmap cannot trace (data-dependent Python control flow)
        return map(function, elements)


# ---------------------------------------------------------------- gradients
def custom_gradient(f):
    """Decorate ``f(*args) -> (y, grad_fn)``: ``y`` flows forward, ``grad_fn(*upstream)`` gives the
    gradients of the inputs (Keras 3's torch convention: ``grad_fn(*args, upstream=...)`` also works)."""

    class _Fn(torch.autograd.Function):
        @staticmethod
        def forward(ctx, *args):
            with torch.enable_grad():
                y, grad_fn = f(*args)
            ctx.grad_fn = grad_fn
            return y.detach() if isinstance(y, Tensor) else y

        @staticmethod
        def backward(ctx, *upstream):
            try:
                grads = ctx.grad_fn(*upstream)
            except TypeError:
                grads = ctx.grad_fn(upstream=upstream[0])
            return grads if isinstance(grads, tuple) else (grads,)

    def wrapper(*args):
        return _Fn.apply(*[_t(a) for a in args])

    wrapper.__name__ = getattr(f, "__name__", "custom_gradient")
    wrapper.__doc__ = f.__doc__
    return wrapper
