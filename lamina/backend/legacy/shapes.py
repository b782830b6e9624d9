"""Keras 2 backend shape functions and linear algebra (``K.reshape``, ``K.batch_dot``...).

Shapes may be given as tuples whose entries are ints or 0-d tensors (``K.shape(x)[0]``), or as
a 1-D integer tensor, as Keras 2 allowed.
"""

from __future__ import annotations

import builtins

import numpy as np

from lamina import config, ops
from lamina.ops import _internal
from lamina.backend.legacy._symbolic import symbolic
from lamina.backend.legacy.math import tensor


def dims(shape, unknown=None):
    """A shape argument as a tuple of Python ints (None entries become ``unknown``)."""
    if ops.is_tensor(shape) or isinstance(shape, np.ndarray):
        shape = ops.convert_to_numpy(shape).reshape(-1).tolist()
    elif isinstance(shape, (int, np.integer)):
        shape = (shape,)
    return tuple(unknown if d is None else int(d) for d in shape)


@symbolic
def shape(x):
    """The shape of ``x`` as a 1-D int32 tensor (its values known when the model runs)."""
    return ops.convert_to_tensor(np.asarray(tuple(tensor(x).shape), dtype="int32"))


def ndim(x) -> int:
    """The number of axes of ``x`` (a Python int, also for symbolic tensors)."""
    return len(x.shape)


def dtype(x) -> str:
    """The dtype of ``x`` as a string, e.g. ``'float32'``."""
    d = getattr(x, "dtype", None)
    if isinstance(d, str):
        return d
    if ops.is_tensor(x) or ops.is_tensor(getattr(x, "value", None)):
        return ops.standardize_dtype(d)
    return np.asarray(x).dtype.name


@symbolic
def cast(x, dtype):  # noqa: F811  (Keras's argument name)
    """``x`` converted to ``dtype`` (a string such as ``'float32'``)."""
    return ops.cast(tensor(x), dtype)


def cast_to_floatx(x):
    """``x`` as a NumPy array of the default float type (``K.floatx()``)."""
    return np.asarray(x, dtype=config.floatx())


@symbolic
def reshape(x, shape):  # noqa: F811
    """``x`` with a new shape; one entry may be -1 (inferred)."""
    return ops.reshape(tensor(x), dims(shape, unknown=-1))


@symbolic
def flatten(x):
    """``x`` as a 1-D tensor."""
    return ops.reshape(tensor(x), (-1,))


@symbolic
def batch_flatten(x):
    """``x`` of shape (batch, ...) as a 2-D tensor (batch, everything else)."""
    x = tensor(x)
    return ops.reshape(x, (x.shape[0], -1))


@symbolic
def expand_dims(x, axis=-1):
    """``x`` with a new axis of size 1 at ``axis`` (the end by default)."""
    x = tensor(x)
    return ops.expand_dims(x, axis % (len(x.shape) + 1))


@symbolic
def squeeze(x, axis):
    """``x`` without its size-1 axis ``axis``."""
    return ops.squeeze(tensor(x), axis)


@symbolic
def permute_dimensions(x, pattern):
    """``x`` with its axes reordered as ``pattern``, e.g. ``(0, 2, 1)``."""
    return ops.transpose(tensor(x), tuple(pattern))


@symbolic
def transpose(x):
    """``x`` with its axes reversed (a matrix transposed)."""
    return ops.transpose(tensor(x))


@symbolic
def repeat_elements(x, rep, axis):
    """Each slice of ``x`` along ``axis`` repeated ``rep`` times, like ``np.repeat``."""
    return ops.repeat(tensor(x), int(rep), axis=axis)


@symbolic
def repeat(x, n):
    """A 2-D ``x`` (samples, dim) repeated ``n`` times as (samples, n, dim)."""
    x = tensor(x)
    if len(x.shape) != 2:
        raise ValueError(f"K.repeat expects a 2-D tensor (samples, dim); received shape {tuple(x.shape)}.")
    return ops.tile(ops.expand_dims(x, 1), (1, int(n), 1))


@symbolic
def tile(x, n):
    """``x`` tiled ``n`` times (an int, or one count per axis)."""
    return ops.tile(tensor(x), dims(n))


@symbolic
def concatenate(tensors, axis=-1):
    """The tensors joined along ``axis`` (the last axis by default)."""
    return ops.concatenate([tensor(t) for t in tensors], axis=axis)


@symbolic
def stack(x, axis=0):
    """The tensors of the list ``x`` stacked along a new axis ``axis``."""
    return ops.stack([tensor(t) for t in x], axis=axis)


@symbolic
def one_hot(indices, num_classes):
    """The one-hot encoding of integer ``indices``: a new last axis of size ``num_classes``."""
    return ops.one_hot(ops.cast(tensor(indices), "int64"), int(num_classes), dtype="float32")


@symbolic
def gather(reference, indices):
    """The slices of ``reference`` at ``indices`` along the first axis."""
    return ops.take(tensor(reference), ops.cast(tensor(indices), "int64"), axis=0)


@symbolic
def reverse(x, axes):
    """``x`` reversed along ``axes`` (an int or a list of ints)."""
    return ops.flip(tensor(x), axis=(axes,) if isinstance(axes, int) else tuple(axes))


@symbolic
def slice(x, start, size):  # noqa: A001
    """The block of ``x`` that begins at index ``start`` and has shape ``size`` (-1: to the end)."""
    x = tensor(x)
    start, size = dims(start), dims(size)
    return x[tuple(builtins.slice(b, None if s == -1 else b + s) for b, s in zip(start, size))]


def arange(start, stop=None, step=1, dtype="int32"):
    """A 1-D tensor of evenly spaced values, like ``np.arange`` (int32 by default)."""
    return ops.arange(start, stop, step, dtype=dtype)


@symbolic
def temporal_padding(x, padding=(1, 1)):
    """Zero-pads the middle axis of a 3-D tensor (batch, steps, features)."""
    return ops.pad(tensor(x), ((0, 0), tuple(padding), (0, 0)))


def _spatial_pad(x, padding, data_format):
    x = tensor(x)
    fmt = config.standardize_data_format(data_format)
    pads = [tuple(p) for p in padding]
    full = [(0, 0)] + pads + [(0, 0)] if fmt == "channels_last" else [(0, 0), (0, 0)] + pads
    return ops.pad(x, tuple(full))


@symbolic
def spatial_2d_padding(x, padding=((1, 1), (1, 1)), data_format=None):
    """Zero-pads the two spatial axes of a 4-D tensor."""
    return _spatial_pad(x, padding, data_format)


@symbolic
def spatial_3d_padding(x, padding=((1, 1), (1, 1), (1, 1)), data_format=None):
    """Zero-pads the three spatial axes of a 5-D tensor."""
    return _spatial_pad(x, padding, data_format)


@symbolic
def resize_images(x, height_factor, width_factor, data_format, interpolation="nearest"):
    """Upsamples the spatial axes of a 4-D tensor by integer factors."""
    return _internal.upsample(tensor(x), (int(height_factor), int(width_factor)),
                        data_format=config.standardize_data_format(data_format),
                        interpolation=interpolation)


@symbolic
def resize_volumes(x, depth_factor, height_factor, width_factor, data_format):
    """Repeats the three spatial axes of a 5-D tensor by integer factors."""
    x = tensor(x)
    first = 1 if config.standardize_data_format(data_format) == "channels_last" else 2
    for i, f in enumerate((depth_factor, height_factor, width_factor)):
        x = ops.repeat(x, int(f), axis=first + i)
    return x


# ---------------------------------------------------------------- linear algebra
@symbolic
def dot(x, y):
    """Matrix product with ``np.dot``'s rule for N-D inputs.

    The last axis of ``x`` is contracted with the second-to-last axis of ``y`` (its only axis
    when ``y`` is 1-D): shapes (2, 3, 4) and (5, 4, 6) give (2, 3, 5, 6).
    """
    x, y = tensor(x), tensor(y)
    if len(x.shape) <= 2 and len(y.shape) <= 2:
        return ops.matmul(x, y)
    return ops.tensordot(x, y, ([len(x.shape) - 1], [builtins.max(len(y.shape) - 2, 0)]))


@symbolic
def batch_dot(x, y, axes=None):
    """Dot product of each pair of samples of ``x`` and ``y`` (Keras 2's semantics).

    ``axes`` (an int or a pair) are the axes of ``x`` and ``y`` that are contracted; by default
    the last axis of ``x`` and the second-to-last of ``y`` (its last when ``y`` is 2-D). The
    result has shape ``x.shape`` without ``axes[0]`` followed by ``y.shape[1:]`` without
    ``axes[1]``; a result of rank 1 gets a trailing axis of size 1, e.g. (32, 20) and (32, 20)
    give (32, 1).
    """
    x, y = tensor(x), tensor(y)
    nx, ny = len(x.shape), len(y.shape)
    if nx < 2 or ny < 2:
        raise ValueError(
            f"K.batch_dot needs inputs of rank >= 2 (batch first); received shapes "
            f"{tuple(x.shape)} and {tuple(y.shape)}.")
    if isinstance(axes, int):
        axes = (axes, axes)
    if axes is None:
        axes = (nx - 1, ny - 1 if ny == 2 else ny - 2)
    if any(isinstance(a, (list, tuple)) for a in axes):
        raise ValueError(f"K.batch_dot: axes must be None, an int or a pair of ints; received {axes!r}.")
    a0, a1 = axes[0] % nx, axes[1] % ny
    if 0 in (a0, a1):
        raise ValueError(
            "K.batch_dot cannot contract the batch axis 0 (axes=" f"{tuple(axes)}); if your inputs "
            "have no batch axis, add one with K.expand_dims(x, 0).")
    if x.shape[a0] != y.shape[a1]:
        raise ValueError(
            f"K.batch_dot: x.shape[{a0}] != y.shape[{a1}] ({x.shape[a0]} != {y.shape[a1]}) for "
            f"shapes {tuple(x.shape)} and {tuple(y.shape)} with axes={tuple(axes)}.")
    letters = "abcdefghijklmnopqrstuvwxy"
    xs = ["z"] + [letters[i] for i in range(nx - 1)]
    ys = ["z"] + [letters[nx - 1 + i] for i in range(ny - 1)]
    ys[a1] = xs[a0]
    out = [c for i, c in enumerate(xs) if i != a0] + [c for i, c in enumerate(ys) if i not in (0, a1)]
    result = ops.einsum(f"{''.join(xs)},{''.join(ys)}->{''.join(out)}", x, y)
    return ops.expand_dims(result, 1) if len(result.shape) == 1 else result


@symbolic
def l2_normalize(x, axis=None):
    """``x / sqrt(max(sum(x ** 2), 1e-12))`` along ``axis`` (all axes when None)."""
    x = tensor(x)
    axis = tuple(axis) if isinstance(axis, (list, tuple)) else axis
    square_sum = ops.sum(ops.square(x), axis=axis, keepdims=True)
    return x * ops.rsqrt(ops.maximum(square_sum, 1e-12))


@symbolic
def in_top_k(predictions, targets, k):
    """For each row of ``predictions``, whether its ``targets`` entry is among the top ``k``."""
    return ops.in_top_k(tensor(targets), tensor(predictions), int(k))
