"""Where a tensor's Keras mask lives under JAX (the contract's ``set_mask``/``get_mask``).

A concrete ``jax.Array`` accepts attributes, so the mask rides on it as ``_keras_mask`` (as in
Keras 3); a tracer does not, so under ``jit`` the mask goes to a side table keyed by the
tracer's id and cleared by a weak reference when the tracer dies.
"""

from __future__ import annotations

import weakref

_SIDE: dict = {}


def set_mask(tensor, mask) -> None:
    try:
        tensor._keras_mask = mask
        return
    except (AttributeError, TypeError):
        pass
    key = id(tensor)
    if mask is None:
        _SIDE.pop(key, None)
        return
    try:
        ref = weakref.ref(tensor, lambda _r, key=key: _SIDE.pop(key, None))
    except TypeError:
        return
    _SIDE[key] = (ref, mask)


def get_mask(tensor):
    m = getattr(tensor, "_keras_mask", None)
    if m is not None:
        return m
    if _SIDE:
        entry = _SIDE.get(id(tensor))
        if entry is not None and entry[0]() is tensor:
            return entry[1]
    return None
