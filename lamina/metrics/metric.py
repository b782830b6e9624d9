"""The Metric base class: streaming state on the device, no host sync per update."""

from __future__ import annotations

from lamina import config, ops
from lamina.utils import naming


class Metric:
    """Base class of stateful metrics.

    A metric accumulates statistics over batches with ``update_state`` and reports them with
    ``result()``. Its state lives in tensors on the compute device created by
    ``add_variable`` and updated in place (``ops.state_add`` / ``ops.state_assign``), so an
    update never waits for the device; only reading a result as a Python number does.

    Args:
        name: name of the metric (default: the class name in snake case).
        dtype: dtype of the state and result (default floatx).

    Example:

    >>> import lamina
    >>> from lamina import ops
    >>> class Count(lamina.metrics.Metric):
    ...     def __init__(self, name="count", dtype=None):
    ...         super().__init__(name=name, dtype=dtype)
    ...         self.n = self.add_variable((), name="n")
    ...     def update_state(self, values, sample_weight=None):
    ...         ops.state_add(self.n, len(values))
    ...     def result(self):
    ...         return self.n + 0
    >>> m = Count()
    >>> m.update_state([1, 2, 3]); float(m.result())
    3.0
    """

    def __init__(self, name=None, dtype=None):
        self.name = name or naming.auto_name(naming.to_snake_case(type(self).__name__))
        self._dtype = ops.standardize_dtype(dtype or config.floatx())
        self._variables = []

    @property
    def dtype(self) -> str:
        return self._dtype

    def add_variable(self, shape=(), initializer="zeros", dtype=None, name=None):
        """Create a state tensor (zeros, ones or a constant) owned by this metric."""
        dtype = dtype or self._dtype
        if initializer in ("zeros", None):
            value = ops.zeros(shape, dtype)
        elif initializer == "ones":
            value = ops.ones(shape, dtype)
        elif isinstance(initializer, (int, float)):
            value = ops.full(shape, initializer, dtype)
        else:
            raise ValueError(
                f"Metric '{self.name}': unsupported initializer {initializer!r} for state "
                f"'{name}'. Use 'zeros', 'ones' or a number."
            )
        self._variables.append((value, value + 0 if initializer not in ("zeros", None) else 0.0))
        return value

    add_weight = add_variable

    @property
    def variables(self) -> list:
        """The state tensors (updated in place, so these references stay current)."""
        return [v for v, _ in self._variables]

    def reset_state(self) -> None:
        """Return every state tensor to its initial value."""
        for var, initial in self._variables:
            ops.state_assign(var, initial)

    def update_state(self, *args, **kwargs):
        raise NotImplementedError(f"{type(self).__name__} must implement update_state().")

    def result(self):
        raise NotImplementedError(f"{type(self).__name__} must implement result().")

    def __call__(self, *args, **kwargs):
        """Update the state with one batch and return the result so far."""
        self.update_state(*args, **kwargs)
        return self.result()

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config: dict):
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name}>"
