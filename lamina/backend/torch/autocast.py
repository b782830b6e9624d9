"""Inputs follow the layer's dtype: Keras's autocast, and ``model.to(dtype)`` as torch users do it.

A layer casts a float input of another dtype to its compute dtype, and integer or bool inputs
too (uint8 images, 0/1 features), except layers that index with them (Embedding, Lambda,
models, which leave that to their layers). ``model.to(torch.float64)``, ``.half()`` or
``.bfloat16()`` moves the weights; ``set_compute_dtype`` then makes every layer compute in that
dtype, so ``fit``/``predict`` cast the data to it.
"""

from __future__ import annotations

import torch

from lamina.backend.torch.ops.core import standardize_dtype, to_torch_dtype

_FLOATS = {}


def float_dtype(name):
    """The torch dtype of a floating dtype name, False for other dtypes."""
    t = _FLOATS.get(name)
    if t is None:
        t = to_torch_dtype(name)
        t = _FLOATS[name] = t if t is not None and t.is_floating_point else False
    return t


def autocast_input(layer, x):
    want = float_dtype(layer._dtype)
    if want is False:
        return x
    d = x.dtype
    if d is want:
        return x
    if d.is_floating_point or (layer._casts_integer_inputs and not d.is_complex):
        return x.to(want)
    return x


def set_compute_dtype(root, dtype) -> None:
    """After ``root.to(dtype)``: ``root`` and its layers compute in ``dtype`` (if floating)."""
    if dtype is None or not dtype.is_floating_point:
        return
    name = standardize_dtype(dtype)
    for layer in root._flatten_layers():
        layer._dtype = name
