"""The state half of the Optimizer base class: slots, their handles, get/set_weights."""

from __future__ import annotations

import warnings

from lamina import errors
from lamina.optimizers.optimizer_variable import OptimizerVariable


class OptimizerState:
    """Creates and lists an optimizer's state in Keras 3's order (mixed into ``Optimizer``).

    ``variables`` is ``iteration``, ``learning_rate`` (absent when the rate is a schedule or a
    callable, as in Keras), then every slot in creation order.
    """

    def add_optimizer_variables(self, variables, name, initializer=0.0):
        """One state tensor per variable (like each variable, filled with ``initializer``).

        With a list of names, the slots are created interleaved per variable (Keras's order)
        and a tuple of lists is returned.
        """
        names = [name] if isinstance(name, str) else list(name)
        lists = tuple([] for _ in names)
        for i, variable in enumerate(variables):
            for slots, slot_name in zip(lists, names):
                slots.append(self.add_variable_from_reference(variable, slot_name, initializer, i))
        return lists[0] if isinstance(name, str) else lists

    def add_variable_from_reference(self, reference_variable, name=None, initializer=0.0, index=None):
        """A state tensor shaped like ``reference_variable``, tracked in :attr:`variables`."""
        if isinstance(initializer, str):
            fills = {"zeros": 0.0, "ones": 1.0}
            if initializer not in fills:
                raise errors.unknown_identifier("optimizer slot initializer", initializer, fills)
            initializer = fills[initializer]
        tensor = self._kernels.make_slots([reference_variable], initializer)[0]
        paths = self._variable_paths
        label = paths[index].replace("/", "_") if paths and index is not None else None
        slot_name = f"{label or _variable_label(reference_variable, index)}_{name or 'var'}"
        self._state_handles.append(OptimizerVariable(slot_name, f"{self.name}/{slot_name}", tensor))
        return tensor

    def _add_scalar_state(self, name, getter, setter) -> None:
        self._state_handles.append(
            OptimizerVariable(name, f"{self.name}/{name}", getter=getter, setter=setter, dtype="float32"))

    @property
    def variables(self) -> list[OptimizerVariable]:
        """The optimizer's state in Keras 3's save order: ``iteration``, ``learning_rate`` (absent
        when the rate is a schedule or callable), then the per-variable slots."""
        handles = [self._iteration_handle]
        if type(self._learning_rate) is float:
            handles.append(self._learning_rate_handle)
        return handles + self._state_handles

    def get_weights(self) -> list:
        """The state as NumPy arrays, in :attr:`variables` order."""
        return [v.numpy() for v in self.variables]

    def set_weights(self, weights) -> None:
        """Load state from NumPy arrays in :attr:`variables` order (the optimizer must be built)."""
        if not self.built:
            raise ValueError(
                f"{type(self).__name__} '{self.name}' is not built, so it has no state to set. "
                "Call optimizer.build(model.trainable_weights) first."
            )
        handles = self.variables
        weights = list(weights)
        if len(weights) != len(handles):
            raise ValueError(
                f"{type(self).__name__} '{self.name}' has {len(handles)} variables "
                f"({[h.name for h in handles]}) but received {len(weights)} arrays."
            )
        for handle, value in zip(handles, weights):
            handle.assign(value)

    def save_own_variables(self, store) -> None:
        """Keras 3 saving hook: ``store["0"], store["1"], ...`` in :attr:`variables` order."""
        for i, handle in enumerate(self.variables):
            store[str(i)] = handle.numpy()

    def load_own_variables(self, store) -> None:
        """Keras 3 loading hook; skips (with a warning) when the counts differ, as Keras does."""
        handles = self.variables
        if len(store.keys()) != len(handles):
            warnings.warn(
                f"Skipping variable loading for optimizer '{self.name}': it has {len(handles)} "
                f"variables but the saved optimizer has {len(store.keys())}."
                + (" It is not built yet: build it (or train one step) before loading."
                   if not self.built else ""),
                errors.LaminaWarning, stacklevel=2)
            return
        for i, handle in enumerate(handles):
            handle.assign(store[str(i)])


def _variable_label(variable, index) -> str:
    """Keras names a slot after its variable's path: 'sequential/dense/kernel' -> 'sequential_dense_kernel'."""
    path = getattr(variable, "path", None)
    if isinstance(path, str) and path:
        return path.replace("/", "_")
    name = getattr(variable, "name", None)
    if isinstance(name, str) and name:
        return name.replace("/", "_").replace(":", "_")
    return "variable" if not index else f"variable_{index}"
