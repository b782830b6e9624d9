"""Tensors, dtypes and the core ops of the JAX backend, with Keras 3's numerics.

JAX runs with 64-bit types off (its default), so Python floats and NumPy float arrays become
float32 (Keras's ``floatx``) and integers int32, as in Keras on JAX. While floatx is float64
(``lamina.config.set_floatx('float64')``, Keras 2's ``K.set_floatx``) the backend turns JAX's
64-bit types on (``jax_enable_x64``), so float64 weights are really float64, and back off when
floatx changes again (unless the user had them on: ``JAX_ENABLE_X64=1``).
"""

from __future__ import annotations

import builtins
import functools

import jax
import jax.numpy as jnp
import numpy as np

from lamina import config

Tensor = jax.Array  # concrete arrays and tracers alike
DEVICE = jax.devices()[0]

_NAMES = {
    "float16", "bfloat16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8",
    "uint16", "uint32", "uint64", "bool", "complex64", "complex128",
}


_x64_before = None  # the user's jax_enable_x64 while floatx float64 has it on, else None


def _follow_floatx(name: str) -> None:
    """Turn JAX's 64-bit types on while floatx is float64 (see the module docstring)."""
    global _x64_before
    if name == "float64":
        if _x64_before is None and not jax.config.jax_enable_x64:
            _x64_before = False
            jax.config.update("jax_enable_x64", True)
    elif _x64_before is not None:
        jax.config.update("jax_enable_x64", _x64_before)
        _x64_before = None


config._floatx_hooks.append(_follow_floatx)
_follow_floatx(config.floatx())


def standardize_dtype(dtype) -> str:
    """A dtype's canonical name ('float32', 'int32', ...)."""
    if dtype is None:
        return config.floatx()
    if isinstance(dtype, str):
        if dtype in ("float", "float_"):
            return "float32"
        if dtype == "int":
            return "int64"
        return dtype
    if dtype is float:
        return "float32"
    if dtype is int:
        return "int64"
    if dtype is bool:
        return "bool"
    if hasattr(dtype, "name") and not isinstance(dtype, type):
        return str(dtype.name)
    return np.dtype(dtype).name


def to_jax_dtype(dtype):
    """The NumPy/JAX dtype for a name (64-bit names map to 32-bit while x64 is off)."""
    if dtype is None:
        return None
    name = standardize_dtype(dtype)
    if name not in _NAMES:
        raise ValueError(f"Unsupported dtype {dtype!r}. Expected one of {sorted(_NAMES)}.")
    return jnp.dtype(name) if name != "bfloat16" else jnp.bfloat16


def is_tensor(x) -> bool:
    return isinstance(x, jax.Array)


def convert_to_tensor(x, dtype=None):
    """A jax.Array; NumPy and Python floats become floatx unless ``dtype`` says otherwise."""
    jd = to_jax_dtype(dtype)
    if isinstance(x, jax.Array):
        return x if jd is None or x.dtype == jd else x.astype(jd)
    if hasattr(x, "value") and type(x).__name__ == "Variable":
        return convert_to_tensor(x.value, dtype)
    if isinstance(x, np.ndarray) or hasattr(x, "__array__") and not isinstance(x, (list, tuple)):
        arr = np.asarray(x)
        if arr.dtype.kind in "US" or arr.dtype == object:
            raise TypeError(
                f"Cannot convert a NumPy array of dtype {arr.dtype} to a tensor; "
                "only numeric and boolean arrays are supported."
            )
    else:
        arr = np.asarray(x)
    if jd is None:
        if arr.dtype.kind == "f":
            jd = to_jax_dtype(config.floatx())
        elif arr.dtype.kind in "iu" and arr.dtype.itemsize == 8:
            jd = jnp.int32 if arr.dtype.kind == "i" else jnp.uint32
    if jd is not None and arr.dtype != jd and np.dtype(jd) == jax.dtypes.canonicalize_dtype(jd):
        arr = arr.astype(jd)  # on the host: jnp.asarray(arr, dtype) compiles a convert per shape
    return jnp.asarray(arr, dtype=jd)


_BFLOAT16 = np.dtype(jnp.bfloat16)


def convert_to_numpy(x):
    if isinstance(x, jax.Array):
        if x.dtype == _BFLOAT16:
            x = x.astype(jnp.float32)
        return np.asarray(x)
    if hasattr(x, "numpy") and type(x).__name__ == "Variable":
        return x.numpy()
    return np.asarray(x)


def cast(x, dtype):
    return convert_to_tensor(x, dtype)


def dtype(x) -> str:
    return standardize_dtype(x.dtype)


def is_float_dtype(dtype) -> bool:
    return standardize_dtype(dtype).startswith(("float", "bfloat"))


def is_int_dtype(dtype) -> bool:
    return standardize_dtype(dtype).startswith(("int", "uint"))


def shape(x) -> tuple:
    return tuple(x.shape)


def ndim(x) -> int:
    return jnp.ndim(x)


def size(x) -> int:
    return int(np.prod(jnp.shape(x), dtype=np.int64))


def _fd(dtype):
    return to_jax_dtype(dtype or config.floatx())


# ---------------------------------------------------------------- creation
def zeros(shape, dtype=None):
    return jnp.zeros(tuple(shape) if not isinstance(shape, int) else shape, _fd(dtype))


def ones(shape, dtype=None):
    return jnp.ones(tuple(shape) if not isinstance(shape, int) else shape, _fd(dtype))


def full(shape, fill_value, dtype=None):
    return jnp.full(tuple(shape) if not isinstance(shape, int) else shape, fill_value, to_jax_dtype(dtype))


def zeros_like(x, dtype=None):
    return jnp.zeros_like(x, dtype=to_jax_dtype(dtype))


def ones_like(x, dtype=None):
    return jnp.ones_like(x, dtype=to_jax_dtype(dtype))


def full_like(x, fill_value, dtype=None):
    return jnp.full_like(x, fill_value, dtype=to_jax_dtype(dtype))


def _int32(x):
    """Keras's int32 for indices, counts and integer sums: what JAX gives with 64-bit types off,
    and int64 while they are on (floatx float64); an int64 input stays int64 where it decides."""
    return x if x.dtype != jnp.int64 else x.astype(jnp.int32)


def arange(start, stop=None, step=1, dtype=None):
    out = jnp.arange(start, stop, step, dtype=to_jax_dtype(dtype))
    return _int32(out) if dtype is None else out


def eye(n, m=None, dtype=None):
    return jnp.eye(n, m, dtype=_fd(dtype))


def linspace(start, stop, num=50, dtype=None):
    return jnp.linspace(start, stop, num, dtype=_fd(dtype))


# ---------------------------------------------------------------- elementwise
add, subtract, multiply, divide, negative, power = (jnp.add, jnp.subtract, jnp.multiply, jnp.true_divide,
                                                    jnp.negative, jnp.power)
sqrt, square, exp, expm1, log, log1p = jnp.sqrt, jnp.square, jnp.exp, jnp.expm1, jnp.log, jnp.log1p
abs = jnp.abs  # noqa: A001
absolute, sign, floor, ceil = jnp.abs, jnp.sign, jnp.floor, jnp.ceil
sin, cos, tan, tanh = jnp.sin, jnp.cos, jnp.tan, jnp.tanh
erf = jax.scipy.special.erf
reciprocal, isnan, isinf, isfinite = jnp.reciprocal, jnp.isnan, jnp.isinf, jnp.isfinite
logical_and, logical_or, logical_not = jnp.logical_and, jnp.logical_or, jnp.logical_not
floor_divide, mod = jnp.floor_divide, jnp.remainder
maximum, minimum = jnp.maximum, jnp.minimum
equal, not_equal, greater, greater_equal, less, less_equal = (
    jnp.equal, jnp.not_equal, jnp.greater, jnp.greater_equal, jnp.less, jnp.less_equal)


def _accept_lists(fn):
    """``fn`` with Python lists and tuples among its arguments made arrays first: Keras 3 converts
    every argument, ``jax.numpy`` refuses lists (``ops.add([1.0, 2.0], 1)``)."""

    @functools.wraps(fn)
    def op(*args, **kwargs):
        return fn(*[convert_to_tensor(a) if isinstance(a, (list, tuple)) else a for a in args], **kwargs)

    return op


(add, subtract, multiply, divide, power, floor_divide, mod, maximum, minimum, logical_and, logical_or,
 equal, not_equal, greater, greater_equal, less, less_equal) = map(_accept_lists, (
    add, subtract, multiply, divide, power, floor_divide, mod, maximum, minimum, logical_and, logical_or,
    equal, not_equal, greater, greater_equal, less, less_equal))


def rsqrt(x):
    return jax.lax.rsqrt(jnp.asarray(x))


def round(x, decimals=0):  # noqa: A001
    return jnp.round(x, decimals)


def clip(x, x_min, x_max):
    return jnp.clip(x, x_min, x_max)


def where(condition, x1=None, x2=None):
    if x1 is None and x2 is None:
        return jnp.nonzero(condition)
    return jnp.where(condition, x1, x2)


def _axis(axis):
    return tuple(axis) if isinstance(axis, list) else axis


def sum(x, axis=None, keepdims=False):  # noqa: A001
    out = jnp.sum(x, axis=_axis(axis), keepdims=keepdims)
    return _int32(out) if out.dtype == jnp.int64 and jnp.asarray(x).dtype != jnp.int64 else out


def mean(x, axis=None, keepdims=False):
    x = jnp.asarray(x)
    if not jnp.issubdtype(x.dtype, jnp.floating):
        x = x.astype(_fd(None))
    return jnp.mean(x, axis=_axis(axis), keepdims=keepdims)


def max(x, axis=None, keepdims=False):  # noqa: A001
    return jnp.max(x, axis=_axis(axis), keepdims=keepdims)


def min(x, axis=None, keepdims=False):  # noqa: A001
    return jnp.min(x, axis=_axis(axis), keepdims=keepdims)


def prod(x, axis=None, keepdims=False):
    return jnp.prod(x, axis=_axis(axis), keepdims=keepdims)


def var(x, axis=None, keepdims=False):
    return jnp.var(x, axis=_axis(axis), keepdims=keepdims)


def std(x, axis=None, keepdims=False):
    return jnp.std(x, axis=_axis(axis), keepdims=keepdims)


def logsumexp(x, axis=None, keepdims=False):
    return jax.nn.logsumexp(x, axis=_axis(axis), keepdims=keepdims)


def argmax(x, axis=None, keepdims=False):
    return _int32(jnp.argmax(x, axis=axis, keepdims=keepdims))


def argmin(x, axis=None, keepdims=False):
    return _int32(jnp.argmin(x, axis=axis, keepdims=keepdims))


def any(x, axis=None, keepdims=False):  # noqa: A001
    return jnp.any(x, axis=_axis(axis), keepdims=keepdims)


def all(x, axis=None, keepdims=False):  # noqa: A001
    return jnp.all(x, axis=_axis(axis), keepdims=keepdims)


def cumsum(x, axis=None):
    return jnp.cumsum(x, axis=axis)


def norm(x, ord=None, axis=None, keepdims=False):  # noqa: A002
    return jnp.linalg.norm(x, ord=ord, axis=_axis(axis), keepdims=keepdims)


# ---------------------------------------------------------------- shapes
def reshape(x, new_shape):
    return jnp.reshape(x, (new_shape,) if isinstance(new_shape, int) else tuple(new_shape))


def transpose(x, axes=None):
    return jnp.transpose(x, axes)


def expand_dims(x, axis):
    return jnp.expand_dims(x, axis)


def squeeze(x, axis=None):
    return jnp.squeeze(x, axis=_axis(axis))


def concatenate(xs, axis=0):
    return jnp.concatenate(list(xs), axis=axis)


def stack(xs, axis=0):
    return jnp.stack(list(xs), axis=axis)


def split(x, indices_or_sections, axis=0):
    if isinstance(indices_or_sections, int):
        return jnp.array_split(x, indices_or_sections, axis=axis)
    return jnp.split(x, list(indices_or_sections), axis=axis)


def unstack(x, axis=0):
    x = jnp.asarray(x)
    return [jnp.squeeze(t, axis) for t in jnp.split(x, x.shape[axis], axis=axis)]


def take(x, indices, axis=None):
    return jnp.take(x, jnp.asarray(indices), axis=axis)


def take_along_axis(x, indices, axis):
    return jnp.take_along_axis(x, indices, axis=axis)


def tile(x, repeats):
    return jnp.tile(x, tuple(repeats) if not isinstance(repeats, int) else repeats)


def repeat(x, repeats, axis=None):
    return jnp.repeat(x, repeats, axis=axis)


def broadcast_to(x, shape):
    return jnp.broadcast_to(x, tuple(shape))


def flip(x, axis=None):
    return jnp.flip(x, axis=_axis(axis))


def pad(x, pad_width, mode="constant", constant_values=0):
    if mode == "constant":
        return jnp.pad(x, [tuple(p) for p in pad_width], mode="constant", constant_values=constant_values)
    return jnp.pad(x, [tuple(p) for p in pad_width], mode=mode)


def sort(x, axis=-1):
    return jnp.sort(x, axis=axis)


def argsort(x, axis=-1):
    return _int32(jnp.argsort(x, axis=axis))


def top_k(x, k, sorted=True):  # noqa: A002
    return jax.lax.top_k(x, k)


def in_top_k(targets, predictions, k):
    targets = jnp.reshape(targets, (-1, 1)).astype(jnp.int32)
    target_vals = jnp.take_along_axis(predictions, targets, axis=1)
    return jnp.sum(predictions > target_vals, axis=1) < k


def one_hot(x, num_classes, dtype=None):
    return jax.nn.one_hot(x, num_classes, dtype=_fd(dtype))


def matmul(x1, x2):
    return jnp.matmul(x1, x2)


def addmm(bias, x, kernel):
    """``bias + x @ kernel`` (torch's ``addmm`` argument order)."""
    return jnp.matmul(x, kernel) + bias


dot = jnp.matmul
einsum = jnp.einsum


def tensordot(x1, x2, axes=2):
    return jnp.tensordot(x1, x2, axes)


def outer(x1, x2):
    return jnp.outer(jnp.ravel(x1), jnp.ravel(x2))


def stop_gradient(x):
    return jax.lax.stop_gradient(x)


def copy(x):
    return jnp.array(x, copy=True)


def diagonal(x):
    return jnp.diagonal(x)


def divide_no_nan(x1, x2):
    x1, x2 = jnp.asarray(x1), jnp.asarray(x2)
    safe = jnp.where(x2 == 0, 1, x2)
    return jnp.where(x2 == 0, jnp.zeros_like(x1 / safe), x1 / safe)


# ---------------------------------------------------------------- random (global generator)
def set_seed(seed: int) -> None:
    from lamina.backend.jax import random as _random

    _random.set_seed(seed)


def _draw():
    from lamina.backend.jax import random as _random

    return _random.global_key()


def random_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    from lamina.backend.jax import random as _random

    return _random.normal(shape, mean, stddev, dtype, _random.int_key(seed))


def random_uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None):
    from lamina.backend.jax import random as _random

    return _random.uniform(shape, minval, maxval, dtype, _random.int_key(seed))


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    from lamina.backend.jax import random as _random

    return _random.truncated_normal(shape, mean, stddev, dtype, _random.int_key(seed))


def random_bernoulli_mask(shape, keep_prob, dtype=None, like=None):
    from lamina.backend.jax import random as _random

    return _random.bernoulli(shape, keep_prob, dtype or (like.dtype if like is not None else None))


def random_randint(shape, minval, maxval, dtype="int32", seed=None):
    from lamina.backend.jax import random as _random

    return _random.randint(shape, minval, maxval, dtype, _random.int_key(seed))


def shuffle_indices(n: int, seed=None):
    rng = np.random.default_rng(seed)
    return jnp.asarray(rng.permutation(n))


def state_add(state, value, alpha=None):
    raise NotImplementedError(
        "ops.state_add mutates a tensor in place, which JAX arrays cannot do. Keep the state in a "
        "lamina Variable and call variable.assign_add(value) instead."
    )


def state_assign(state, value):
    raise NotImplementedError(
        "ops.state_assign mutates a tensor in place, which JAX arrays cannot do. Keep the state in "
        "a lamina Variable and call variable.assign(value) instead."
    )


_ = builtins  # the builtins shadowed above stay reachable as builtins.<name>
