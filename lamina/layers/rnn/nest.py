"""Helpers for recurrent states, which may be nested (a list per cell in a stacked RNN)."""

from __future__ import annotations

from lamina import ops, tree


def as_list(s):
    return list(s) if isinstance(s, (list, tuple)) else [s]


def map1(fn, s):
    if isinstance(s, (list, tuple)):
        return [map1(fn, x) for x in s]
    return fn(s)


def map2(fn, a, b):
    if isinstance(a, (list, tuple)):
        return [map2(fn, x, y) for x, y in zip(a, b)]
    return fn(a, b)


flatten = tree.flatten


def group(flat, sizes):
    """Regroup a flat list of states as ``sizes`` (ints, or lists for multi-state cells)."""
    out, i = [], 0
    for s in sizes:
        if isinstance(s, (list, tuple)):
            out.append(list(flat[i:i + len(s)]))
            i += len(s)
        else:
            out.append(flat[i])
            i += 1
    return out


def unflatten(structure, flat):
    it = iter(flat)
    return map1(lambda _: next(it), structure)


def fit(m, like):
    """Broadcast a (batch, 1) mask against a state of any rank."""
    while m.ndim < like.ndim:
        m = ops.expand_dims(m, -1)
    return m
