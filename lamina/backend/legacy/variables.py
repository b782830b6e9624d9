"""Keras 2 backend variables, constants and random tensors (``K.variable``, ``K.set_value``...).

``K.variable`` makes a standalone trainable tensor (under torch an ``nn.Parameter``) that the
other functions, optimizers and autograd accept. ``K.get_value``/``K.set_value`` also work on
layer weights, optimizer hyperparameters (``K.set_value(model.optimizer.lr, 0.01)``) and
plain tensors.
"""

from __future__ import annotations

import numpy as np

from lamina import backend, config, ops
from lamina.backend.legacy._symbolic import symbolic
from lamina.backend.legacy.math import tensor
from lamina.backend.legacy.shapes import dims


# JAX: a weight is a Variable holding an immutable array (there is no separate parameter type).
_VARIABLE_IS_PARAMETER = backend.Parameter is backend.Variable


class KerasVariable(backend.Parameter):
    """What ``K.variable`` returns: a backend parameter with a Keras ``name`` and ``constraint``
    (under JAX, a ``Variable``, which has its own name and assign methods)."""

    if not _VARIABLE_IS_PARAMETER:
        @property
        def name(self) -> str:
            return self.__dict__.get("_keras_name") or "Variable"

        def assign_add(self, value):
            return self.assign(self + tensor(value, ops.dtype(self)))

        def assign_sub(self, value):
            return self.assign(self - tensor(value, ops.dtype(self)))


def variable(value, dtype=None, name=None, constraint=None):
    """A variable holding ``value`` (an array, a number or a tensor).

    Args:
        value: the initial value.
        dtype: its dtype (default: ``K.floatx()``, whatever the value).
        name: a name for the variable.
        constraint: an optional projection applied by optimizers after each update.

    Example:
        >>> from lamina import backend as K
        >>> v = K.variable([[1.0, 2.0]])
        >>> K.set_value(v, [[3.0, 4.0]])
        >>> K.get_value(v).tolist()
        [[3.0, 4.0]]
    """
    value = tensor(value, dtype or config.floatx())  # Keras 2: floatx unless told otherwise
    if _VARIABLE_IS_PARAMETER:
        v = KerasVariable(value, name=name or "Variable")
    else:
        v = KerasVariable(ops.copy(value), requires_grad=ops.is_float_dtype(ops.dtype(value)))
        v.__dict__["_keras_name"] = name
    v.constraint = constraint
    return v


def is_variable(x) -> bool:
    return isinstance(x, backend.Parameter) or isinstance(x, backend.Variable)


def constant(value, dtype=None, shape=None, name=None):
    """A constant tensor of ``value``; with ``shape``, a scalar value fills that shape."""
    t = tensor(value, dtype or (None if ops.is_tensor(value) else config.floatx()))
    if shape is not None:
        t = ops.broadcast_to(t, dims(shape))
    return t


def _filled(fill, shape, dtype, name):
    return variable(fill(dims(shape), dtype=dtype or config.floatx()), dtype=dtype, name=name)


def zeros(shape, dtype=None, name=None):
    """A variable of zeros (Keras 2 returns variables here, not constants)."""
    return _filled(ops.zeros, shape, dtype, name)


def ones(shape, dtype=None, name=None):
    """A variable of ones."""
    return _filled(ops.ones, shape, dtype, name)


def eye(size, dtype=None, name=None):
    """An identity-matrix variable; ``size`` is n or (n, m)."""
    n, m = (size, size) if isinstance(size, int) else tuple(size)
    return variable(ops.eye(n, m, dtype=dtype or config.floatx()), dtype=dtype, name=name)


@symbolic
def zeros_like(x, dtype=None, name=None):
    """Zeros of the shape (and by default the dtype) of ``x``."""
    return ops.zeros_like(tensor(x), dtype=dtype)


@symbolic
def ones_like(x, dtype=None, name=None):
    """Ones of the shape (and by default the dtype) of ``x``."""
    return ops.ones_like(tensor(x), dtype=dtype)


@symbolic
def identity(x, name=None):
    """A copy of ``x``."""
    return ops.copy(tensor(x))


# ---------------------------------------------------------------- random
@symbolic
def random_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """Samples of a normal distribution; ``seed`` makes them reproducible."""
    return ops.random_normal(dims(shape), mean=mean, stddev=stddev, dtype=dtype or config.floatx(), seed=seed)


@symbolic
def random_uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None):
    """Samples of the uniform distribution on ``[minval, maxval)``."""
    return ops.random_uniform(dims(shape), minval=minval, maxval=maxval, dtype=dtype or config.floatx(),
                              seed=seed)


@symbolic
def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """Normal samples, re-drawn when more than two standard deviations from the mean."""
    return ops.truncated_normal(dims(shape), mean=mean, stddev=stddev, dtype=dtype or config.floatx(),
                                seed=seed)


@symbolic
def random_bernoulli(shape, p=0.0, dtype=None, seed=None):
    """Samples that are 1 with probability ``p`` and 0 otherwise."""
    u = ops.random_uniform(dims(shape), dtype="float32", seed=seed)
    return ops.cast(ops.less(u, p), dtype or config.floatx())


def random_binomial(shape, p=0.0, dtype=None, seed=None):
    """Deprecated in Keras 2 for :func:`random_bernoulli`, which it calls."""
    from lamina.errors import deprecated

    deprecated("K.random_binomial", "K.random_bernoulli (or lamina.random)")
    return random_bernoulli(shape, p=p, dtype=dtype, seed=seed)


def random_normal_variable(shape, mean, scale, dtype=None, name=None, seed=None):
    """A variable initialized with normal samples."""
    return variable(random_normal(shape, mean, scale, dtype, seed), dtype=dtype, name=name)


def random_uniform_variable(shape, low, high, dtype=None, name=None, seed=None):
    """A variable initialized with uniform samples on ``[low, high)``."""
    return variable(random_uniform(shape, low, high, dtype, seed), dtype=dtype, name=name)


# ---------------------------------------------------------------- values
def get_value(x) -> np.ndarray:
    """The value of a variable, weight, tensor or optimizer hyperparameter as a NumPy array."""
    if hasattr(x, "numpy") and not ops.is_tensor(x):
        return np.asarray(x.numpy())
    if isinstance(x, (int, float, np.ndarray, np.generic)):
        return np.asarray(x)
    return ops.convert_to_numpy(tensor(x))


def eval(x) -> np.ndarray:  # noqa: A001
    """The value of a tensor or variable as a NumPy array (Keras 2's ``K.eval``)."""
    from lamina.layers.keras_tensor import KerasTensor

    if isinstance(x, KerasTensor):
        raise TypeError(
            f"K.eval cannot evaluate the symbolic tensor {x!r}: it has no value until data flows "
            "through it. Use K.function([inputs], [outputs])([arrays]) or a Model instead.")
    return get_value(x)


def set_value(x, value) -> None:
    """Writes ``value`` into a variable, a layer weight or an optimizer hyperparameter."""
    if not hasattr(x, "assign"):
        raise TypeError(
            f"K.set_value needs a variable (K.variable, a layer weight, optimizer.learning_rate); "
            f"received {type(x).__name__}, which cannot be written to."
            + (" (Under JAX a weight read inside a layer's call() is its current value, an "
               "immutable array: pass the Variable, `layer.kernel` read outside call() or "
               "`layer.weights[i]`.)" if _VARIABLE_IS_PARAMETER and ops.is_tensor(x) else ""))
    if ops.is_tensor(x) or isinstance(x, backend.Variable):  # Keras 2: any value of the right size
        value = tensor(value, x.dtype if isinstance(x, backend.Variable) else ops.dtype(x))
        value = ops.reshape(ops.stop_gradient(value), tuple(x.shape))
    x.assign(value)


def batch_get_value(tensors) -> list:
    """``[K.get_value(x) for x in tensors]``."""
    return [get_value(x) for x in tensors]


def batch_set_value(tuples) -> None:
    """``K.set_value(x, value)`` for each ``(x, value)`` pair."""
    for x, value in tuples:
        set_value(x, value)


def count_params(x) -> int:
    """The number of scalars in a variable or tensor."""
    return int(np.prod(tuple(x.shape), dtype=np.int64))


def update(x, new_x):
    """Sets the variable ``x`` to ``new_x`` now (Keras 2 built an update op) and returns ``x``."""
    set_value(x, new_x)
    return x


def update_add(x, increment):
    """Adds ``increment`` to the variable ``x`` and returns ``x``."""
    return update(x, tensor(x) + tensor(increment))


def update_sub(x, decrement):
    """Subtracts ``decrement`` from the variable ``x`` and returns ``x``."""
    return update(x, tensor(x) - tensor(decrement))


def moving_average_update(x, value, momentum):
    """Sets ``x`` to ``x * momentum + value * (1 - momentum)`` and returns ``x``."""
    return update(x, tensor(x) * momentum + tensor(value) * (1.0 - momentum))


@symbolic
def print_tensor(x, message="", summarize=3):
    """Prints ``message`` and the value of ``x`` when it is computed; returns ``x``."""
    x = tensor(x)
    print(message, np.array2string(ops.convert_to_numpy(x), threshold=summarize * 2 + 1,
                                   edgeitems=summarize))
    return x
