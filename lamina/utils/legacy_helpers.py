"""Small Keras 2 utility functions that Keras 3 kept only internally, reached through old paths."""

from __future__ import annotations

import math


def to_list(x, allow_tuple=False):
    """``x`` as a list: a list stays, a tuple becomes a list only if ``allow_tuple``, else ``[x]``.

    Example:
        >>> to_list(3), to_list([1, 2]), to_list((1, 2), allow_tuple=True)
        ([3], [1, 2], [1, 2])
    """
    if isinstance(x, list):
        return x
    if allow_tuple and isinstance(x, tuple):
        return list(x)
    return [x]


def count_params(weights):
    """The number of scalars in a list of weights (variables or arrays); shared ones count once.

    Example:
        >>> import numpy as np
        >>> count_params([np.zeros((3, 4)), np.zeros(4)])
        16
    """
    seen, total = set(), 0
    for w in weights:
        if id(w) in seen:
            continue
        seen.add(id(w))
        total += math.prod(int(d) for d in w.shape)
    return total


def get_source_inputs(tensor):
    """The Input tensors a symbolic tensor was computed from (Keras 2 ``get_source_inputs``).

    Example:
        >>> import lamina
        >>> x = lamina.Input((3,))
        >>> get_source_inputs(lamina.layers.Dense(2)(x))[0] is x
        True
    """
    found, stack, seen = [], [tensor], set()
    while stack:
        t = stack.pop()
        if id(t) in seen:
            continue
        seen.add(id(t))
        history = getattr(t, "_keras_history", None) or getattr(t, "keras_history", None)
        layer = history[0] if history else None
        node = None
        if layer is not None and getattr(layer, "_inbound_nodes", None):
            node = layer._inbound_nodes[history[1]]
        parents = list(getattr(node, "input_tensors", None) or []) if node is not None else []
        if not parents:
            found.append(t)
        else:
            stack.extend(reversed(parents))
    return found
