"""Input pipelines under JAX.

In-memory arrays stay on the host as NumPy arrays (floats in floatx, 64-bit integers as int32, as
``convert_to_tensor`` would make them) and are cut into batches there, where slicing and
shuffling cost microseconds; the compiled step takes each NumPy batch directly. There is no
framework dataset type to adapt (torch Datasets need torch).
"""

from __future__ import annotations

import numpy as np

from lamina import config


def host_tensor(x, dtype=None):
    """``x`` as the host (NumPy) array fit/evaluate/predict cut batches from."""
    if dtype is not None:
        return np.asarray(batch_source(x)).astype(np.dtype(dtype) if dtype != "bfloat16" else np.float32)
    return batch_source(x)


def take_rows(x, idx):
    """Rows ``idx`` (a 1-D integer NumPy array) of a host array."""
    return x[np.asarray(idx)]


def device_batches(batches, device=None):
    """The batches as they are: the compiled step takes NumPy batches and moves them itself."""
    yield from batches


def batch_source(x):
    """``x`` as the host array batches are cut from."""
    if type(x) is not np.ndarray and hasattr(x, "value") and type(x).__name__ == "Variable":
        x = x.value
    a = np.asarray(x)
    if a.dtype.kind == "f" and a.dtype.name != config.floatx():
        return a.astype(config.floatx())
    if a.dtype.kind in "iu" and a.dtype.itemsize == 8:
        return a.astype(np.int32 if a.dtype.kind == "i" else np.uint32)
    if a.dtype.kind in "US" or a.dtype == object:
        raise TypeError(
            f"Cannot convert a NumPy array of dtype {a.dtype} to a tensor; "
            "only numeric and boolean arrays are supported."
        )
    return a


def batch_dataset(x, batch_size, shuffle, what):
    """None: ``x`` is not a framework dataset, the core data adapter iterates it as it is."""
    return None
