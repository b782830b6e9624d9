"""``Variable`` for the torch backend: a named, shaped piece of state that changes only through
``assign`` / ``assign_add`` / ``assign_sub``.

Two kinds of storage, one API:

- a layer weight: the handle reads the module's own parameter or buffer by attribute name, so it
  stays valid across ``.to(device)`` and ``load_state_dict`` (made by ``Layer.add_weight``);
- a free variable (seed states, metric accumulators): the variable owns its tensor
  (``Variable(initializer, shape, dtype, trainable, name=...)``, as Keras 3's constructor).

Updates are in-place copies under ``no_grad``: the tensor object never changes, so a compiled
step or a module that holds it sees the new value at no cost.
"""

from __future__ import annotations

import numpy as np
import torch

from lamina.backend.torch.ops.core import (
    DEVICE,
    convert_to_numpy,
    convert_to_tensor,
    standardize_dtype,
    to_torch_dtype,
)


class Variable:
    """Keras-style variable (``layer.weights`` returns these).

    Attributes: ``name`` (e.g. 'kernel'), ``path`` (e.g. 'dense/kernel'), ``shape``, ``dtype``,
    ``trainable``; ``numpy()``, ``assign()``, ``assign_add()``, ``assign_sub()``; ``value`` is
    the backing tensor.

    Args:
        initializer: an initial value (array, tensor, number) or a callable
            ``initializer(shape, dtype=...)``.
        shape: the shape (required with a callable initializer).
        dtype: the dtype name (default: the initial value's, else floatx).
        trainable: whether training updates it.
        name: the variable's name.

    Example:
        >>> v = Variable([1.0, 2.0], name="v")
        >>> v.assign_add([1.0, 1.0]).numpy().tolist()
        [2.0, 3.0]
    """

    __slots__ = ("_owner", "_attr", "_tensor", "_path", "name", "_trainable", "__weakref__")

    def __init__(self, initializer=None, shape=None, dtype=None, trainable=True, autocast=True,
                 aggregation="none", synchronization="auto", name=None):
        if callable(initializer):
            if shape is None:
                raise ValueError(
                    f"Variable '{name}': a callable initializer needs a shape; received shape=None. "
                    "Pass shape=(...) or an initial value instead of a callable."
                )
            value = initializer(tuple(shape), dtype=dtype)
        else:
            value = initializer
        t = convert_to_tensor(value, to_torch_dtype(dtype) if dtype is not None else None)
        if shape is not None and tuple(t.shape) != tuple(shape):
            t = t.expand(tuple(shape)) if t.ndim == 0 else t.reshape(tuple(shape))
        self._owner = None
        self._attr = None
        self._tensor = t.clone().to(DEVICE)
        self.name = name or "variable"
        self._path = self.name
        self._trainable = bool(trainable)

    @classmethod
    def _of_layer(cls, owner, attr: str, name: str, trainable: bool) -> "Variable":
        """A handle on the weight ``owner.<attr>`` (a parameter or a buffer of the module)."""
        v = cls.__new__(cls)
        v._owner = owner
        v._attr = attr
        v._tensor = None
        v._path = None
        v.name = name
        v._trainable = trainable
        return v

    @property
    def value(self) -> torch.Tensor:
        o = self._owner
        if o is None:
            return self._tensor
        t = o._parameters.get(self._attr)
        return t if t is not None else o._buffers[self._attr]

    @property
    def path(self) -> str:
        return self._path if self._owner is None else f"{self._owner.name}/{self.name}"

    @property
    def trainable(self) -> bool:
        return self._trainable

    @trainable.setter
    def trainable(self, flag: bool) -> None:
        self._trainable = bool(flag)
        t = self.value
        if isinstance(t, torch.nn.Parameter):
            t.requires_grad_(self._trainable and self._owner.trainable)

    @property
    def shape(self) -> tuple:
        return tuple(self.value.shape)

    @property
    def dtype(self) -> str:
        return standardize_dtype(self.value.dtype)

    def numpy(self) -> np.ndarray:
        """The value as a NumPy array (a copy: later training does not change it)."""
        return np.array(convert_to_numpy(self.value), copy=True)

    def __array__(self, dtype=None, copy=None):
        a = self.numpy()
        return a.astype(dtype) if dtype is not None else a

    def assign(self, value) -> "Variable":
        t = self.value
        if value is t:
            return self
        value = convert_to_tensor(value, t.dtype)
        if tuple(value.shape) != tuple(t.shape):
            raise ValueError(
                f"Cannot assign a value of shape {tuple(value.shape)} to variable '{self.path}' "
                f"of shape {tuple(t.shape)}. Assign a value of the variable's shape."
            )
        with torch.no_grad():
            t.copy_(value)
        return self

    def assign_add(self, value) -> "Variable":
        t = self.value
        with torch.no_grad():
            t.add_(convert_to_tensor(value, t.dtype))
        return self

    def assign_sub(self, value) -> "Variable":
        t = self.value
        with torch.no_grad():
            t.sub_(convert_to_tensor(value, t.dtype))
        return self

    def __repr__(self) -> str:
        return (f"<Variable path={self.path}, shape={self.shape}, dtype={self.dtype}, "
                f"trainable={self.trainable}>")
