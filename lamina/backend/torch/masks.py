"""Where a tensor's Keras mask lives (the contract's ``set_mask``/``get_mask``).

As in Keras 3: the mask rides on the tensor as ``_keras_mask`` when the tensor accepts
attributes (so ``y._keras_mask`` reads as Keras users expect); a tensor that refuses attributes
(functorch wrappers, subclasses with ``__slots__``) keeps it in a side table keyed by the
tensor's id and cleared by a weak reference when the tensor dies.
"""

from __future__ import annotations

import weakref

_SIDE: dict = {}  # id(tensor) -> (weakref to the tensor, mask)


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
    except TypeError:  # neither attributes nor weak references: the mask cannot travel
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
