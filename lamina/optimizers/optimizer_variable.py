"""Handles on an optimizer's state, in the shape the saving code expects."""

from __future__ import annotations

import numpy as np

from lamina import backend


class OptimizerVariable:
    """One piece of optimizer state (``iteration``, ``learning_rate`` or a slot tensor).

    ``optimizer.variables`` lists these in Keras 3's save order. A handle reads and writes the
    live state: slot handles wrap the backend tensor itself, scalar handles read and write the
    optimizer's Python number through ``getter``/``setter``.

    Args:
        name: Keras name, e.g. ``"iteration"`` or ``"dense_kernel_momentum"``.
        path: Keras path, ``"<optimizer name>/<name>"``.
        tensor: the backend tensor for a slot, or None for a scalar.
        getter, setter: for a scalar handle, read / write the Python value.
        dtype: for a scalar handle, the NumPy dtype it is saved as.

    Example:
        >>> import lamina
        >>> opt = lamina.optimizers.SGD(name="my_sgd")
        >>> [v.path for v in opt.variables]
        ['my_sgd/iteration', 'my_sgd/learning_rate']
    """

    __slots__ = ("name", "path", "value", "_getter", "_setter", "_dtype")

    def __init__(self, name, path, tensor=None, getter=None, setter=None, dtype=None):
        self.name = name
        self.path = path
        self.value = tensor
        self._getter = getter
        self._setter = setter
        self._dtype = dtype

    @property
    def shape(self) -> tuple:
        return () if self.value is None else tuple(self.value.shape)

    @property
    def dtype(self) -> str:
        if self.value is None:
            return np.dtype(self._dtype).name
        return backend.ops.dtype(self.value)

    def numpy(self) -> np.ndarray:
        """A NumPy copy of the current value."""
        _touch(self)
        if self.value is None:
            return np.asarray(self._getter(), dtype=self._dtype)
        return backend.optimizers.to_numpy(self.value)

    def __array__(self, dtype=None, copy=None):
        arr = self.numpy()
        return arr if dtype is None else arr.astype(dtype)

    def assign(self, value) -> None:
        """Overwrite the state with ``value`` (same shape); used when loading a saved optimizer."""
        _touch(self)
        arr = np.asarray(value)
        if arr.shape != self.shape:
            raise ValueError(
                f"Cannot assign a value of shape {arr.shape} to optimizer variable '{self.path}' "
                f"of shape {self.shape}. Load state saved from the same model and optimizer."
            )
        if self.value is None:
            self._setter(arr.item())
        else:
            backend.optimizers.assign(self.value, arr)

    def __repr__(self) -> str:
        return f"<OptimizerVariable path={self.path!r} shape={self.shape} dtype={self.dtype}>"


def _touch(handle) -> None:
    """Under JAX, a compiled step may hold a newer value not yet written back: write it first."""
    touch = getattr(backend.optimizers, "touch", None)
    if touch is not None:
        touch(handle)


class LearningRateValue(float):
    """The current learning rate: a Python float that also has Keras 3's ``.assign()``.

    ``optimizer.learning_rate.assign(0.01)`` is the same as ``optimizer.learning_rate = 0.01``.

    Example:
        >>> import lamina
        >>> opt = lamina.optimizers.Adam()
        >>> opt.learning_rate.assign(0.01)
        >>> opt.learning_rate
        0.01
    """

    __slots__ = ("_optimizer",)

    def __new__(cls, value, optimizer):
        obj = super().__new__(cls, value)
        obj._optimizer = optimizer
        return obj

    def assign(self, value) -> None:
        self._optimizer.learning_rate = value

    def numpy(self) -> np.ndarray:
        return np.asarray(self, dtype="float32")
