"""The Metric base class: streaming state on the device, no host sync per update."""

from __future__ import annotations

from lamina import backend, config, ops
from lamina.utils import naming


class Metric:
    """Base class of stateful metrics.

    A metric accumulates statistics over batches with ``update_state`` and reports them with
    ``result()``. Its state lives in named, non-trainable ``Variable``s on the compute device,
    created by ``add_variable`` and changed only through ``assign``/``assign_add`` (torch: in
    place), so an update never waits for the device; only reading a result as a Python number
    does. ``stateless_update_state``, ``stateless_result`` and ``stateless_reset_state`` run the
    same code as pure functions of the variable values (as Keras 3).

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
    ...         self.n.assign_add(len(values))
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
        """Create a state variable (zeros, ones or a constant) owned by this metric; its path is
        '<metric name>/<name>'."""
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
        var = backend.Variable(value, dtype=dtype, trainable=False, name=name or "variable")
        var._path = f"{self.name}/{var.name}"
        self._variables.append((var, value))
        return var

    add_weight = add_variable

    @property
    def variables(self) -> list:
        """The state ``Variable``s, in creation order."""
        return [v for v, _ in self._variables]

    def reset_state(self) -> None:
        """Return every state variable to its initial value."""
        for var, initial in self._variables:
            var.assign(initial)

    # ------------------------------------------------------------------ stateless API (Keras 3)
    def _scope(self, metric_variables):
        values = list(metric_variables)
        mine = self.variables
        if len(values) != len(mine):
            raise ValueError(
                f"Metric '{self.name}' has {len(mine)} variables ({[v.name for v in mine]}), but "
                f"received {len(values)} values. Pass one value per metric.variables entry."
            )
        return backend.StatelessScope(list(zip(mine, values)))

    def stateless_update_state(self, metric_variables, *args, **kwargs):
        """``update_state`` as a pure function: the new variable values, variables untouched."""
        with self._scope(metric_variables) as scope:
            self.update_state(*args, **kwargs)
        return [scope.get_current_value(v) for v in self.variables]

    def stateless_result(self, metric_variables):
        """``result()`` computed from the given variable values."""
        with self._scope(metric_variables):
            return self.result()

    def stateless_reset_state(self):
        """The variable values after ``reset_state()``, variables untouched."""
        with self._scope([v.value for v in self.variables]) as scope:
            self.reset_state()
        return [scope.get_current_value(v) for v in self.variables]

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
