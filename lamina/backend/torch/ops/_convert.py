"""Input conversion and dtype helpers shared by the torch kernels of the public op API.

Public ops take torch tensors, NumPy arrays and Python numbers. ``_t`` turns one argument into a
tensor (Python ``int`` -> int32, ``float`` -> floatx, as Keras); ``_pair`` does two at once and
keeps a lone Python number *weak* (a 0-d tensor, which torch promotes like Keras's weak scalars:
``int8 + 1`` stays int8, ``float16 + 1.5`` stays float16).
"""

from __future__ import annotations

import numpy as np
import torch

from lamina import config
from lamina.backend.common.dtypes import result_type
from lamina.backend.torch.ops.core import DEVICE, convert_to_tensor, to_torch_dtype

Tensor = torch.Tensor
_NUMBER = (bool, int, float, complex, np.bool_, np.number)


def _t(x, dtype=None) -> Tensor:
    """One argument as a tensor on lamina's device (Keras's conversion of Python numbers)."""
    if isinstance(x, Tensor):
        return x if dtype is None else x.to(to_torch_dtype(dtype))
    if dtype is None:
        if isinstance(x, bool):
            dtype = "bool"
        elif isinstance(x, int):
            dtype = "int32"
        elif isinstance(x, float):
            dtype = config.floatx()
        elif isinstance(x, complex):
            dtype = "complex64"
    return convert_to_tensor(x, dtype)


def _scalar(x, like: Tensor) -> Tensor:
    """A Python number as a weak 0-d tensor next to ``like``."""
    if isinstance(x, bool):
        return torch.tensor(x, device=like.device)
    if isinstance(x, int):
        dtype = like.dtype if not like.is_floating_point() and like.dtype != torch.bool else None
        return torch.tensor(x, dtype=dtype if dtype is not None else torch.int64, device=like.device)
    if isinstance(x, float) and like.is_floating_point():
        return torch.tensor(x, dtype=like.dtype, device=like.device)
    return torch.tensor(x, device=like.device)


def _pair(x1, x2):
    """Two arguments as tensors; a Python number next to a tensor stays weak."""
    a, b = isinstance(x1, Tensor), isinstance(x2, Tensor)
    if a and b:
        return x1, x2
    if a and isinstance(x2, (bool, int, float)):
        return x1, _scalar(x2, x1)
    if b and isinstance(x1, (bool, int, float)):
        return _scalar(x1, x2), x2
    x1, x2 = _t(x1), _t(x2)
    return x1, x2


def dtype_name(x: Tensor) -> str:
    return str(x.dtype)[6:]


def to_float(x: Tensor) -> Tensor:
    """Ints and bools become floatx; floating and complex tensors stay as they are."""
    if x.is_floating_point() or x.is_complex():
        return x
    return x.to(to_torch_dtype(config.floatx()))


_WIDE = {"float32": "float64", "int32": "int64", "complex64": "complex128"}


def promote(*xs, floating=False):
    """Cast tensors to their Keras ``result_type`` (with ``float`` when ``floating``)."""
    names = [dtype_name(x) for x in xs]
    out = result_type(*names, float) if floating else result_type(*names)
    # Keras narrows 64-bit results to 32 bits; an op that receives a 64-bit input keeps 64 bits
    # (as most Keras ops on torch do: add, where, concatenate), so no input loses precision.
    wide = _WIDE.get(out)
    if wide is not None and wide in names:
        out = wide
    td = to_torch_dtype(out)
    return [x if x.dtype == td else x.to(td) for x in xs]


def axis_arg(axis):
    if isinstance(axis, list):
        return tuple(axis)
    return axis


def device() -> torch.device:
    return DEVICE
