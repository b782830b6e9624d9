"""``Variable`` for the JAX backend: a named, shaped piece of state holding an immutable
``jax.Array`` that changes only through ``assign`` / ``assign_add`` / ``assign_sub``.

Two kinds of storage, one API, as under torch:

- a layer weight: the handle reads the layer's own store by attribute name (``layer.kernel``);
- a free variable (seed states, metric accumulators): the variable holds its array.

``assign`` rebinds the stored array. Inside a ``StatelessScope`` reads return the scope's value
and assignments are recorded in the scope, which is how a compiled step stays a pure function.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from lamina.backend import stateless_scope as _scope
from lamina.backend.jax import pending as _pending
from lamina.backend.jax.ops.core import convert_to_numpy, convert_to_tensor, standardize_dtype, to_jax_dtype

# Bumped whenever the set of variables a model reaches may have changed (a weight created, a
# sub-layer attached or detached, an attribute rebound, a ``trainable`` flag flipped), so that a
# cached list of a model's variables (the compiled predict's) is re-read only then.
structure_version = 0


def bump_structure() -> None:
    """Note that some layer's variables or sub-layers may have changed."""
    global structure_version
    structure_version += 1


class Variable:
    """Keras-style variable (``layer.weights`` returns these).

    Attributes: ``name``, ``path``, ``shape``, ``dtype``, ``trainable``; ``numpy()``,
    ``assign()``, ``assign_add()``, ``assign_sub()``; ``value`` is the backing array.

    Args:
        initializer: an initial value (array, number) or a callable ``initializer(shape, dtype=...)``.
        shape: the shape (required with a callable initializer).
        dtype: the dtype name (default: the initial value's, else floatx).
        trainable: whether training updates it.
        name: the variable's name.

    Example:
        >>> v = Variable([1.0, 2.0], name="v")
        >>> v.assign_add([1.0, 1.0]).numpy().tolist()
        [2.0, 3.0]
    """

    __slots__ = ("_owner", "_attr", "_value", "_path", "name", "_trainable", "__weakref__")
    _read_by_ops = True  # jax.numpy takes no __jax_array__ object: lamina.ops pass ``value``

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
        t = convert_to_tensor(value, dtype)
        if shape is not None and tuple(t.shape) != tuple(shape):
            t = jnp.broadcast_to(t, tuple(shape)) if t.ndim == 0 else t.reshape(tuple(shape))
        self._owner = None
        self._attr = None
        self._value = t
        self.name = name or "variable"
        self._path = self.name
        self._trainable = bool(trainable)

    @classmethod
    def _of_layer(cls, owner, attr: str, name: str, trainable: bool) -> "Variable":
        """A handle on the weight ``owner.<attr>`` (stored in the layer's weight store)."""
        v = cls.__new__(cls)
        v._owner = owner
        v._attr = attr
        v._value = None
        v._path = None
        v.name = name
        v._trainable = trainable
        return v

    def _stored(self):
        o = self._owner
        return self._value if o is None else o.__dict__["_jax_weights"][self._attr]

    def _store(self, value) -> None:
        o = self._owner
        if o is None:
            self._value = value
        else:
            o.__dict__["_jax_weights"][self._attr] = value

    @property
    def value(self):
        scope = _scope.current()
        if scope is not None:
            v = scope.get(self)
            if v is not None:
                return v
        if _pending._owner:  # a compiled step's newer value, not written back yet
            _pending.touch(self)
        return self._stored()

    @property
    def path(self) -> str:
        return self._path if self._owner is None else f"{self._owner.name}/{self.name}"

    @property
    def trainable(self) -> bool:
        return self._trainable

    @trainable.setter
    def trainable(self, flag: bool) -> None:
        self._trainable = bool(flag)
        bump_structure()

    @property
    def shape(self) -> tuple:
        return tuple(self._stored().shape)

    @property
    def dtype(self) -> str:
        return standardize_dtype(self._stored().dtype)

    @property
    def ndim(self) -> int:
        return self._stored().ndim

    def numpy(self) -> np.ndarray:
        """The value as a NumPy array (a copy)."""
        return np.array(convert_to_numpy(self.value), copy=True)

    def __array__(self, dtype=None, copy=None):
        a = self.numpy()
        return a.astype(dtype) if dtype is not None else a

    def __jax_array__(self):
        return self.value

    def assign(self, value) -> "Variable":
        """Set the value (inside a StatelessScope: recorded in the scope)."""
        scope = _scope.current()
        if scope is None and _pending._owner:  # a compiled step's pending value goes back first
            _pending.touch(self)
        t = scope.get_current_value(self) if scope is not None else self._stored()
        if value is t:
            return self
        if isinstance(value, Variable):
            value = value.value
        value = convert_to_tensor(value, t.dtype)
        if tuple(value.shape) != tuple(t.shape):
            if value.ndim == 0:
                value = jnp.broadcast_to(value, t.shape)
            else:
                raise ValueError(
                    f"Cannot assign a value of shape {tuple(value.shape)} to variable '{self.path}' "
                    f"of shape {tuple(t.shape)}. Assign a value of the variable's shape."
                )
        if scope is not None:
            scope.assign(self, value)
        else:
            if isinstance(value, jax.core.Tracer):
                raise ValueError(
                    f"Variable '{self.path}' was assigned a traced value outside a StatelessScope "
                    "(inside jax.jit). Use layer.stateless_call / a StatelessScope to update state "
                    "in a compiled function."
                )
            self._store(value)
        return self

    def assign_add(self, value) -> "Variable":
        scope = _scope.current()
        t = scope.get_current_value(self) if scope is not None else self.value
        return self.assign(t + _operand(value, t))

    def assign_sub(self, value) -> "Variable":
        scope = _scope.current()
        t = scope.get_current_value(self) if scope is not None else self.value
        return self.assign(t - _operand(value, t))

    # ---------------------------------------------------------------- reads as an array
    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.value, name)

    def __add__(self, other):
        return self.value + _v(other)

    def __radd__(self, other):
        return _v(other) + self.value

    def __sub__(self, other):
        return self.value - _v(other)

    def __rsub__(self, other):
        return _v(other) - self.value

    def __mul__(self, other):
        return self.value * _v(other)

    def __rmul__(self, other):
        return _v(other) * self.value

    def __truediv__(self, other):
        return self.value / _v(other)

    def __rtruediv__(self, other):
        return _v(other) / self.value

    def __pow__(self, other):
        return self.value ** _v(other)

    def __matmul__(self, other):
        return self.value @ _v(other)

    def __rmatmul__(self, other):
        return _v(other) @ self.value

    def __neg__(self):
        return -self.value

    def __abs__(self):
        return abs(self.value)

    def __lt__(self, other):
        return self.value < _v(other)

    def __le__(self, other):
        return self.value <= _v(other)

    def __gt__(self, other):
        return self.value > _v(other)

    def __ge__(self, other):
        return self.value >= _v(other)

    def __getitem__(self, index):
        return self.value[index]

    def __float__(self):
        return float(self.value)

    def __int__(self):
        return int(self.value)

    def __len__(self):
        return len(self._stored())

    def __repr__(self) -> str:
        return (f"<Variable path={self.path}, shape={self.shape}, dtype={self.dtype}, "
                f"trainable={self.trainable}>")


def _v(x):
    return x.value if isinstance(x, Variable) else x


def _operand(value, target):
    if isinstance(value, Variable):
        return value.value
    if isinstance(value, (int, float, jax.Array)):
        return value
    return convert_to_tensor(value, target.dtype)


_ = to_jax_dtype
