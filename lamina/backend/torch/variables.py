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

from lamina.backend import stateless_scope as _scope
from lamina.backend.torch.ops.core import (
    DEVICE,
    convert_to_numpy,
    convert_to_tensor,
    standardize_dtype,
    to_torch_dtype,
)
from lamina.backend.torch.weight_tensors import stamp


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
        t = owner._parameters.get(attr)
        stamp(t if t is not None else owner._buffers.get(attr), v)  # layer.<attr>.path, .assign_add...
        return v

    @property
    def value(self) -> torch.Tensor:
        o = self._owner
        if o is None:
            scope = _scope.current()
            if scope is not None:
                return scope.get(self, self._tensor)
            return self._tensor
        # Inside Layer.stateless_call the module's own storage is reparametrized to the values
        # given, so reading it by name returns them.
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
        """Set the value (torch: an in-place copy under ``no_grad``; inside a StatelessScope the
        new value is recorded in the scope and the variable is left unchanged)."""
        scope = _scope.current()
        t = scope.get_current_value(self) if scope is not None else self.value
        if value is t:
            return self
        value = convert_to_tensor(value, t.dtype)
        if tuple(value.shape) != tuple(t.shape):
            raise ValueError(
                f"Cannot assign a value of shape {tuple(value.shape)} to variable '{self.path}' "
                f"of shape {tuple(t.shape)}. Assign a value of the variable's shape."
            )
        if scope is not None:
            scope.assign(self, value)
            return self
        with torch.no_grad():
            t.copy_(value)
        return self

    def assign_add(self, value) -> "Variable":
        scope = _scope.current()
        if scope is not None:
            t = scope.get_current_value(self)
            scope.assign(self, t + _operand(value, t))
            return self
        t = self.value
        if t.requires_grad:
            with torch.no_grad():
                t.add_(_operand(value, t))
        else:  # state (metrics, statistics): a plain in-place add, the cheapest update
            t.add_(_operand(value, t))
        return self

    def assign_sub(self, value) -> "Variable":
        scope = _scope.current()
        if scope is not None:
            t = scope.get_current_value(self)
            scope.assign(self, t - _operand(value, t))
            return self
        t = self.value
        if t.requires_grad:
            with torch.no_grad():
                t.sub_(_operand(value, t))
        else:
            t.sub_(_operand(value, t))
        return self

    # ---------------------------------------------------------------- reads as a tensor
    # A variable reads as its value wherever a tensor is expected: torch functions and tensor
    # methods (``__torch_function__``), arithmetic, indexing, ``float()``. Reading goes through
    # ``value``, so inside a StatelessScope it sees the scope's value.
    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        args = [a.value if isinstance(a, Variable) else a for a in args]
        if kwargs:
            kwargs = {k: v.value if isinstance(v, Variable) else v for k, v in kwargs.items()}
        return func(*args, **(kwargs or {}))

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.value, name)

    def __add__(self, other):
        return self.value + other

    def __radd__(self, other):
        return other + self.value

    def __sub__(self, other):
        return self.value - other

    def __rsub__(self, other):
        return other - self.value

    def __mul__(self, other):
        return self.value * other

    def __rmul__(self, other):
        return other * self.value

    def __truediv__(self, other):
        return self.value / other

    def __rtruediv__(self, other):
        return other / self.value

    def __pow__(self, other):
        return self.value ** other

    def __matmul__(self, other):
        return self.value @ other

    def __neg__(self):
        return -self.value

    def __abs__(self):
        return abs(self.value)

    def __lt__(self, other):
        return self.value < other

    def __le__(self, other):
        return self.value <= other

    def __gt__(self, other):
        return self.value > other

    def __ge__(self, other):
        return self.value >= other

    def __getitem__(self, index):
        return self.value[index]

    def __float__(self):
        return float(self.value)

    def __int__(self):
        return int(self.value)

    def __repr__(self) -> str:
        return (f"<Variable path={self.path}, shape={self.shape}, dtype={self.dtype}, "
                f"trainable={self.trainable}>")


def _operand(value, target):
    """``value`` ready to combine with ``target``: numbers stay numbers, tensors are detached."""
    if isinstance(value, torch.Tensor):
        return value.detach()
    if isinstance(value, (int, float)):
        return value
    return convert_to_tensor(value, target.dtype)
