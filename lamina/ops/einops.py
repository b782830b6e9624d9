"""``rearrange``: einops-style axis reordering, reshaping and splitting (``keras.ops.rearrange``)."""

from __future__ import annotations

import re

from lamina.ops import core as _core
from lamina.ops import numpy as _np
from lamina.ops.symbolic_dispatch import dispatching as _dispatching

__all__ = ["rearrange"]

_TOKEN = re.compile(r"\(|\)|[A-Za-z_][A-Za-z0-9_]*|\d+|\.\.\.")


def _parse(side: str, what: str) -> list:
    """``'b (h w) c'`` -> ``['b', ['h', 'w'], 'c']``."""
    groups, current = [], None
    for tok in _TOKEN.findall(side):
        if tok == "(":
            if current is not None:
                raise ValueError(f"rearrange(): nested parentheses in the {what} pattern {side!r}.")
            current = []
        elif tok == ")":
            if current is None:
                raise ValueError(f"rearrange(): unbalanced ')' in the {what} pattern {side!r}.")
            groups.append(current)
            current = None
        elif current is not None:
            current.append(tok)
        else:
            groups.append(tok)
    if current is not None:
        raise ValueError(f"rearrange(): unbalanced '(' in the {what} pattern {side!r}.")
    return groups


def rearrange(tensor, pattern: str, **axes_lengths):
    """Reorder, merge and split axes by an einops pattern.

    Args:
        tensor: input tensor.
        pattern: ``"input axes -> output axes"``; parentheses group axes that are merged (on the
            right) or split (on the left, with sizes from ``axes_lengths``).
        **axes_lengths: sizes of axes that the input shape does not determine.

    Example:
        >>> import lamina
        >>> x = lamina.ops.ones((2, 3, 4))
        >>> tuple(rearrange(x, "b h w -> b (h w)").shape)
        (2, 12)
        >>> tuple(rearrange(x, "b (h1 h2) w -> b h1 h2 w", h1=3).shape)
        (2, 3, 1, 4)
    """
    if "->" not in pattern:
        raise ValueError(f"rearrange() needs a pattern 'input -> output'; received {pattern!r}.")
    left, right = (p.strip() for p in pattern.split("->"))
    lhs, rhs = _parse(left, "input"), _parse(right, "output")
    x = _core.convert_to_tensor(tensor)
    shape = _core.shape(x)
    if len(lhs) != len(shape):
        raise ValueError(f"rearrange(): the pattern {left!r} names {len(lhs)} axes but the input has shape {shape}.")
    sizes = dict(axes_lengths)
    flat = []
    for group, dim in zip(lhs, shape):
        if isinstance(group, list):
            unknown = [a for a in group if a not in sizes]
            known = 1
            for a in group:
                if a in sizes:
                    known *= sizes[a]
            if len(unknown) > 1:
                raise ValueError(f"rearrange(): cannot infer the sizes of {unknown}; pass them as keywords.")
            if unknown:
                sizes[unknown[0]] = dim // known
            flat.extend(group)
        else:
            sizes[group] = dim
            flat.append(group)
    x = _np.reshape(x, [sizes[a] for a in flat])
    out_axes = [a for g in rhs for a in (g if isinstance(g, list) else [g])]
    missing = set(out_axes) ^ set(flat)
    if missing:
        raise ValueError(f"rearrange(): axes {sorted(missing)} appear on only one side of {pattern!r}.")
    x = _np.transpose(x, [flat.index(a) for a in out_axes])
    final = []
    for g in rhs:
        size = 1
        for a in (g if isinstance(g, list) else [g]):
            size *= sizes[a]
        final.append(size)
    return _np.reshape(x, final)


rearrange = _dispatching("ops.rearrange", rearrange)
