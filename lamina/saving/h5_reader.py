"""Reading HDF5 weights without trusting the file: links, storage, dtypes, sizes and checksums.

An HDF5 file can point outside itself: an external link or an external-storage dataset makes
h5py read another local file, a virtual dataset maps other files' data, and a soft link aliases
another object. None of these is written by Keras or lamina, so each is refused
(``UnsafeLoadError``) before any data is read. A dataset is read only once its dtype is a plain
number and its shape is the one the model's variable has, so a small file declaring a huge
array cannot make lamina allocate it. Datasets lamina writes carry a ``sha256`` attribute of
their bytes; it is checked on read, so a flipped bit is an error, not different weights.
"""

from __future__ import annotations

import hashlib

import numpy as np

from lamina.errors import FileFormatError, UnsafeLoadError

DIGEST_ATTR = "sha256"
# A dataset read without a known expected shape (a layer with its own loader) may declare at
# most this many bytes more than it stores (compressed or fill-value data).
_UNCHECKED_SLACK = 64 << 20
# Attributes holding JSON configs / name lists larger than this are refused unread.
MAX_ATTRIBUTE_BYTES = 16 << 20


def digest(arr) -> str:
    """The SHA-256 (hex) of an array's bytes in C order."""
    return hashlib.sha256(np.ascontiguousarray(arr).view(np.uint8).reshape(-1).data).hexdigest()


def write_dataset(group, name, arr):
    """``group.create_dataset(name, data=arr)`` plus the ``sha256`` attribute of its bytes."""
    arr = np.asarray(arr)
    ds = group.create_dataset(name, data=arr)
    ds.attrs[DIGEST_ATTR] = digest(arr)
    return ds


def get(group, path):
    """``group[path]`` following hard links only (each component is checked); None if absent."""
    import h5py

    obj = group
    for part in [p for p in str(path).split("/") if p]:
        if not isinstance(obj, h5py.Group):
            return None
        link = obj.get(part, getlink=True)
        if link is None:
            return None
        if not isinstance(link, h5py.HardLink):
            kind = "an external link" if isinstance(link, h5py.ExternalLink) else "a soft link"
            raise UnsafeLoadError(
                f"'{obj.name.rstrip('/')}/{part}' in the HDF5 file is {kind}; "
                "Keras and lamina files hold only hard links, and following it would read "
                "another object or file.")
        obj = obj[part]
    return obj


def children(group):
    """``[(name, object)]`` of a group, refusing soft and external links."""
    return [(k, get(group, k)) for k in group.keys()]


class LazyArray:
    """A checked HDF5 dataset whose data is read only on ``read()`` (shape known before)."""

    __slots__ = ("ds", "shape", "dtype", "where", "path")

    def __init__(self, ds, path=""):
        import h5py

        self.path = path
        self.where = f"dataset '{ds.name}'"
        if not isinstance(ds, h5py.Dataset):
            raise FileFormatError(path, f"'{ds.name}' is a group where a weight array was expected.")
        self.ds = ds
        dt = ds.dtype
        if dt.kind not in "biuf" or dt.fields is not None or dt.subdtype is not None:
            raise FileFormatError(
                path, f"{self.where} holds {dt} values; weights are numbers (float, int, bool).",
                "The file is damaged or was not written by Keras or lamina.")
        if ds.is_virtual:
            raise UnsafeLoadError(f"{self.where} is a virtual dataset mapping data from other "
                                  "files; lamina refuses it.")
        if ds.external:
            raise UnsafeLoadError(
                f"{self.where} keeps its data in external file(s) {[e[0] for e in ds.external][:3]}; "
                "reading it would read another local file, so lamina refuses it.")
        self.shape = tuple(int(d) for d in ds.shape)
        self.dtype = dt

    @property
    def nbytes(self) -> int:
        return int(np.prod(self.shape, dtype=np.int64)) * self.dtype.itemsize

    def read(self, expected_shape=None):
        """The data as a NumPy array, after checking the shape (when given) and the size; the
        ``sha256`` attribute, when present, must match."""
        if expected_shape is not None and self.shape != tuple(expected_shape):
            raise FileFormatError(self.path, f"{self.where} has shape {self.shape}, expected {tuple(expected_shape)}.")
        if expected_shape is None:
            stored = self.ds.id.get_storage_size()
            if self.nbytes > 64 * stored + _UNCHECKED_SLACK:
                raise UnsafeLoadError(
                    f"{self.where} declares {self.nbytes} bytes but stores {stored}; lamina "
                    "does not allocate arrays a file only declares.")
        arr = np.asarray(self.ds[()])
        expected = self.ds.attrs.get(DIGEST_ATTR) if DIGEST_ATTR in self.ds.attrs else None
        if expected is not None:
            expected = expected.decode() if isinstance(expected, bytes) else str(expected)
            if digest(arr) != expected:
                raise FileFormatError(
                    self.path, f"{self.where} does not match its SHA-256 checksum: the file was damaged "
                    "after it was written (a flipped bit, a bad disk or copy).",
                    "Restore it from a backup or save the model again.")
        return arr


def lazy_arrays(group, path=""):
    """``[(key, LazyArray)]`` of a ``vars``-style group, in numeric key order."""
    from lamina.saving.weights_store import num_key

    out = []
    for key in sorted(group.keys(), key=num_key):
        obj = get(group, key)
        if hasattr(obj, "shape"):
            out.append((key, LazyArray(obj, path)))
    return out


def read_attribute(obj, name):
    """``obj.attrs[name]`` after checking its stored size (a crafted file can declare a huge
    attribute)."""
    try:
        aid = obj.attrs.get_id(name)
    except (KeyError, AttributeError):
        return obj.attrs[name]
    try:
        size = aid.get_storage_size()
    except RuntimeError:  # HDF5 reports 0 (an empty attribute) as an error
        size = int(np.prod(aid.shape or (), dtype=np.int64)) * aid.dtype.itemsize
    if size > MAX_ATTRIBUTE_BYTES:
        raise UnsafeLoadError(f"the HDF5 attribute '{name}' of '{obj.name}' is "
                              f"{size} bytes; lamina reads attributes of at most {MAX_ATTRIBUTE_BYTES}.")
    return obj.attrs[name]
