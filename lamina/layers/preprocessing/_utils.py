"""Helpers shared by the preprocessing layers: batches for ``adapt()``, host-side string arrays,
encodings of integer ids (one_hot / multi_hot / count / tf_idf)."""

from __future__ import annotations

import numpy as np

from lamina import ops
from lamina.errors import suggest


def to_numpy(x):
    """A NumPy array of ``x`` (tensor, array, list); strings become an object array."""
    if isinstance(x, np.ndarray):
        return x
    if hasattr(x, "numpy") and hasattr(x, "shape") and not isinstance(x, (list, tuple)):
        return ops.convert_to_numpy(x)
    arr = np.asarray(x, dtype=object if _has_strings(x) else None)
    return arr


def _has_strings(x):
    while isinstance(x, (list, tuple)) and x:
        x = x[0]
    return isinstance(x, (str, bytes))


def is_string_array(arr) -> bool:
    return arr.dtype.kind in "USO"


def as_str_array(x, encoding="utf-8"):
    """An object array of Python ``str`` (bytes are decoded with ``encoding``)."""
    arr = to_numpy(x)
    out = np.empty(arr.shape, dtype=object)
    flat = arr.reshape(-1)
    out_flat = out.reshape(-1)
    for i, v in enumerate(flat):
        out_flat[i] = v.decode(encoding) if isinstance(v, bytes) else str(v)
    return out


def iter_batches(data):
    """Yield NumPy batches from an array, a tensor, a lamina Dataset, a PyDataset or any iterable
    of batches; (x, y) tuples give their x."""
    if isinstance(data, list) and not data:
        return
    if isinstance(data, (np.ndarray, list, str)) or ops.is_tensor(data):
        if isinstance(data, list) and data and not _has_strings(data) and hasattr(data[0], "shape") \
                and not isinstance(data[0], (int, float)):
            for b in data:
                yield to_numpy(b)
            return
        yield to_numpy(data)
        return
    if hasattr(data, "__getitem__") and hasattr(data, "__len__") and hasattr(data, "on_epoch_end"):
        data = (data[i] for i in range(len(data)))
    if not hasattr(data, "__iter__"):
        raise TypeError(
            f"adapt() expects a NumPy array, a tensor, a lamina.utils.Dataset or an iterable of "
            f"batches; received {type(data).__name__}. Pass e.g. layer.adapt(x_train).")
    for batch in data:
        if isinstance(batch, tuple):
            batch = batch[0]
        yield to_numpy(batch)


def check_choice(owner, arg, value, choices):
    if value not in choices:
        raise ValueError(
            f"{owner}: unknown {arg}={value!r}; expected one of {list(choices)}."
            f"{suggest(str(value), list(choices))}")
    return value


def encode(ids, depth, output_mode, dtype="float32", count_weights=None, idf_weights=None):
    """Encode integer ids (a tensor whose last axis holds one sample's tokens) as Keras does.

    'int' casts to int64; 'one_hot' adds an axis of size ``depth`` (a trailing axis of size 1 is
    replaced); 'multi_hot' / 'count' / 'tf_idf' reduce the last axis (a 1-D input is one sample).
    """
    ids = ops.convert_to_tensor(ids)
    if output_mode == "int":
        return ops.cast(ids, "int64")
    if len(ids.shape) == 0:
        ids = ops.reshape(ids, (1,))
    if output_mode == "one_hot":
        if len(ids.shape) > 1 and ids.shape[-1] == 1:
            ids = ops.squeeze(ids, -1)
        return ops.one_hot(ids, depth, dtype=dtype)
    if len(ids.shape) > 2:
        raise ValueError(
            f"When output_mode is {output_mode!r}, inputs can be at most rank 2 (batch, tokens); "
            f"received shape {tuple(ids.shape)}. Reshape the inputs or use output_mode='int'.")
    hot = ops.one_hot(ids, depth, dtype=dtype)
    if output_mode == "multi_hot":
        return ops.max(hot, axis=-2)
    if count_weights is not None:
        hot = hot * ops.expand_dims(ops.cast(ops.convert_to_tensor(count_weights), dtype), -1)
    out = ops.sum(hot, axis=-2)
    if output_mode == "tf_idf":
        out = out * ops.convert_to_tensor(np.asarray(idf_weights, dtype=dtype))
    return out


class HostCallMixin:
    """For layers that compute on the host in NumPy/Python (strings, hashes, lookups): a concrete
    call runs ``call`` directly; a symbolic one (``Input(shape=(1,), dtype="string")``) records a
    graph node whose output spec comes from ``compute_output_shape`` and ``_output_dtype``, so
    these layers can start a functional model that is then fed NumPy string arrays."""

    _computes_on_host = True  # a compiled (JAX) step runs a model holding one op by op

    def __call__(self, inputs, *args, **kwargs):
        from lamina.layers.keras_tensor import any_symbolic

        if any_symbolic(inputs):
            return self._symbolic_call((inputs,), {})
        return self.call(inputs)

    def _output_dtype(self):
        return "int64" if getattr(self, "output_mode", "int") == "int" else self.compute_dtype

    def compute_output_spec(self, inputs, *args, **kwargs):
        from lamina.layers.keras_tensor import KerasTensor

        shapes = [tuple(t.shape) for t in inputs] if isinstance(inputs, (list, tuple)) else tuple(inputs.shape)
        return KerasTensor(self.compute_output_shape(shapes), self._output_dtype())


def encoded_shape(input_shape, output_mode, depth):
    """Keras's output shape of an id encoding: 'int' keeps the shape; 'one_hot' appends
    ``depth`` (replacing a trailing 1); the bag modes replace the last axis by ``depth``."""
    shape = tuple(input_shape)
    if output_mode == "int":
        return shape
    if output_mode == "one_hot":
        return (shape[:-1] if shape and shape[-1] == 1 else shape) + (depth,)
    return (shape[:-1] if len(shape) > 1 else ()) + (depth,)
