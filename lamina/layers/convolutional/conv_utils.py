"""Argument checks and output-shape arithmetic shared by the convolution, pooling and reshaping
layers (Keras's rules, with errors that name the layer, the value and the fix)."""

from __future__ import annotations

import numbers

from lamina import config, constraints, regularizers
from lamina.errors import deprecated, unknown_identifier

_DIM_ORDERING = {"th": "channels_first", "tf": "channels_last", "default": None}

# Keras 1 spelling shared by every layer of these families: dim_ordering='th'|'tf'|'default'.
LEGACY_DIM_ORDERING = {"dim_ordering": ("data_format", lambda v: _DIM_ORDERING.get(v, v))}


def is_int(v) -> bool:
    return isinstance(v, numbers.Integral) and not isinstance(v, bool)


def standardize_tuple(value, n, name, owner, allow_zero=False):
    """An int or n ints -> a tuple of n positive ints (non-negative if ``allow_zero``)."""
    if is_int(value):
        out = (int(value),) * n
    else:
        try:
            out = tuple(value)
        except TypeError:
            out = None
        if out is None or len(out) != n or not all(is_int(v) for v in out):
            raise ValueError(
                f"{owner}: `{name}` must be an int or a tuple of {n} ints, received {name}={value!r}. "
                f"Example: {name}={(2,) * n if n > 1 else 2}."
            )
        out = tuple(int(v) for v in out)
    low = 0 if allow_zero else 1
    if any(v < low for v in out):
        raise ValueError(
            f"{owner}: every value of `{name}` must be {'>= 0' if allow_zero else '> 0'}, "
            f"received {name}={value!r}."
        )
    return out


def standardize_padding(value, owner, allow_causal=False):
    """'valid' / 'same' (/ 'causal' for 1D convolutions), case-insensitive."""
    allowed = ["valid", "same"] + (["causal"] if allow_causal else [])
    text = str(value).lower() if isinstance(value, str) else value
    if text not in allowed:
        if text == "causal":
            raise ValueError(
                f"{owner}: padding='causal' is only supported by 1D convolutions (Conv1D, "
                "SeparableConv1D, DepthwiseConv1D). Use 'same' or 'valid', or pad explicitly "
                "with a ZeroPadding layer."
            )
        err = unknown_identifier("padding", value, allowed)
        raise ValueError(f"{owner}: {err}") from None
    return text


def standardize_data_format(value):
    return config.standardize_data_format(value)


def conv_output_length(size, kernel, padding, stride, dilation=1):
    """Length of one spatial axis after a convolution or pooling window (None stays None)."""
    if size is None:
        return None
    k = (kernel - 1) * dilation + 1
    if padding in ("same", "causal"):
        return -(-size // stride)
    return (size - k) // stride + 1


def conv_transpose_output_length(size, kernel, padding, stride, output_padding=None, dilation=1):
    """Length of one spatial axis after a transposed convolution (Keras's rule)."""
    if size is None:
        return None
    k = (kernel - 1) * dilation + 1
    if padding == "valid":
        extra = max(k, stride) - k if output_padding is None else output_padding
        return (size - 1) * stride + k + extra
    if output_padding is None:
        return size * stride
    return (size - 1) * stride + k % 2 + output_padding


def spatial_axes(rank, data_format):
    """Indices of the spatial axes in a (batch, ...) shape."""
    first = 1 if data_format == "channels_last" else 2
    return tuple(range(first, first + rank))


def channel_axis(data_format):
    return -1 if data_format == "channels_last" else 1


def check_output_positive(layer, input_shape, out_spatial):
    if any(d is not None and d <= 0 for d in out_spatial):
        raise ValueError(
            f"Layer '{layer.name}' ({type(layer).__name__}) would produce an output with "
            f"non-positive spatial size {tuple(out_spatial)} for input shape {tuple(input_shape)} "
            f"(window {getattr(layer, 'kernel_size', getattr(layer, 'pool_size', None))}, "
            f"padding='{layer.padding}'). Use padding='same', a smaller window or stride, or a "
            "larger input."
        )


def serialize_or_none(module, obj):
    return None if obj is None else module.serialize(obj)


def serialize_regularizer(obj):
    return serialize_or_none(regularizers, obj)


def serialize_constraint(obj):
    return serialize_or_none(constraints, obj)


def legacy_kernel_size(layer, kernel_size, kwargs):
    """Combine Keras 1 per-axis kernel arguments (nb_row, nb_col ...) into kernel_size, warning."""
    names = layer._keras1_kernel_kwargs
    if not names or not any(n in kwargs for n in names):
        return kernel_size
    missing = [n for n in names if n not in kwargs]
    if missing or kernel_size is not None:
        raise TypeError(
            f"{type(layer).__name__}: the Keras 1 arguments {', '.join(names)} must all be given "
            f"and replace kernel_size; received {sorted(n for n in names if n in kwargs)}"
            + (f" and kernel_size={kernel_size!r}" if kernel_size is not None else "")
            + f". Write kernel_size=({', '.join('3' for _ in names)}) instead."
        )
    size = tuple(kwargs.pop(n) for n in names)
    deprecated(f"{type(layer).__name__}({', '.join(f'{n}={v}' for n, v in zip(names, size))})",
               f"{type(layer).__name__}(kernel_size={size if len(size) > 1 else size[0]})", stacklevel=5)
    return size if len(size) > 1 else size[0]


def standardize_pairs(value, rank, name, owner):
    """Per-axis (before, after) amounts for padding/cropping layers: an int (all sides), ``rank``
    ints (symmetric per axis), or ``rank`` pairs. Returns a tuple of ``rank`` pairs."""
    if is_int(value):
        pairs = ((int(value), int(value)),) * rank
    elif hasattr(value, "__len__") and len(value) == rank:
        pairs = tuple(standardize_tuple(v, 2, f"{name}[{i}]", owner, allow_zero=True)
                      for i, v in enumerate(value))
    else:
        raise ValueError(
            f"{owner}: `{name}` must be an int, a tuple of {rank} ints (symmetric per axis) or a "
            f"tuple of {rank} (before, after) pairs, received {name}={value!r}. "
            f"Example: {name}={((1, 1),) * rank}."
        )
    if any(v < 0 for p in pairs for v in p):
        raise ValueError(f"{owner}: `{name}` cannot be negative, received {name}={value!r}.")
    return pairs
