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


def encode_ids(ids, depth, output_mode, count_weights=None, idf_weights=None):
    """Encode integer ``ids`` (NumPy, last axis = tokens of one sample) as Keras does.

    'one_hot' adds an axis of size ``depth`` (a trailing axis of size 1 is replaced);
    'multi_hot' / 'count' / 'tf_idf' reduce the last axis (a 1-D input is one sample).
    """
    ids = np.asarray(ids).astype(np.int64)
    if ids.size and (ids.min() < 0 or ids.max() >= depth):
        raise ValueError(
            f"encoding: every id must be in [0, {depth}) (num_tokens={depth}); received values in "
            f"[{ids.min()}, {ids.max()}]. Raise num_tokens or clip the inputs.")
    if output_mode == "one_hot":
        if ids.ndim >= 1 and ids.shape[-1] == 1 and ids.ndim > 1:
            ids = ids[..., 0]
        out = np.zeros(ids.shape + (depth,), dtype="float32")
        np.put_along_axis(out, ids[..., None], 1.0, axis=-1)
        return out
    squeeze = ids.ndim == 1
    if ids.ndim == 0:
        ids = ids.reshape(1, 1)
        squeeze = True
    elif squeeze:
        ids = ids[None]
    lead = ids.shape[:-1]
    flat = ids.reshape(-1, ids.shape[-1])
    out = np.zeros((flat.shape[0], depth), dtype="float32")
    rows = np.repeat(np.arange(flat.shape[0]), flat.shape[1])
    if output_mode == "multi_hot":
        out[rows, flat.reshape(-1)] = 1.0
    else:
        w = np.ones(flat.size, "float32") if count_weights is None else np.asarray(
            count_weights, "float32").reshape(-1)
        np.add.at(out, (rows, flat.reshape(-1)), w)
        if output_mode == "tf_idf":
            out = out * np.asarray(idf_weights, "float32")
    out = out.reshape(lead + (depth,))
    return out[0] if squeeze else out
