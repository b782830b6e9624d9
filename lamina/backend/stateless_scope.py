"""StatelessScope: run code with given variable values and capture, not apply, assignments.

Inside ``with StatelessScope([(variable, value), ...]) as scope:`` a variable reads the value
given for it, and ``variable.assign(...)`` (and ``assign_add``/``assign_sub``) records the new
value in the scope instead of changing the variable. ``scope.get_current_value(v)`` returns it
afterwards. ``Layer.stateless_call`` and ``Metric.stateless_update_state`` are built on it; it is
what makes a call a pure function of its inputs and state (for ``torch.func`` and, later, JAX).
Backend-neutral: each backend's ``Variable`` consults ``current()``.
"""

from __future__ import annotations

import threading

class _Local(threading.local):
    scope = None  # a class default: no missing-attribute lookup (an exception) on every read


_LOCAL = _Local()


def current():
    """The innermost active StatelessScope, or None."""
    return _LOCAL.scope


class StatelessScope:
    """Variable values for the duration of a ``with`` block (see the module docstring).

    Args:
        state_mapping: pairs ``(variable, value)``.

    Example:
        >>> from lamina import backend
        >>> v = backend.Variable([1.0], name="v")
        >>> with StatelessScope([(v, [5.0])]) as scope:
        ...     _ = v.assign_add([1.0])
        >>> v.numpy().tolist(), scope.get_current_value(v).tolist()
        ([1.0], [6.0])
    """

    def __init__(self, state_mapping=()):
        from lamina import backend

        self._values = {}
        for var, value in state_mapping:
            self._values[var] = backend.ops.convert_to_tensor(value, var.value.dtype) \
                if not backend.ops.is_tensor(value) else value
        self._parent = None
        self.losses = []

    def add_loss(self, loss) -> None:
        """A loss added by a layer during the scope (``add_loss``, activity regularizers)."""
        self.losses.append(loss)

    def __contains__(self, variable) -> bool:
        return variable in self._values

    def get(self, variable, default=None):
        return self._values.get(variable, default)

    def assign(self, variable, value) -> None:
        self._values[variable] = value

    def get_current_value(self, variable):
        """The value ``variable`` has in this scope (assigned, given, or its own)."""
        v = self._values.get(variable)
        return variable.value if v is None else v

    def __enter__(self):
        self._parent = current()
        _LOCAL.scope = self
        return self

    def __exit__(self, *exc):
        _LOCAL.scope = self._parent
        return False
