"""Reading the pickled parts of public data sets without letting the file run code.

CIFAR's batches are Python pickles and the IMDB/Reuters ``.npz`` files hold ragged sequences as
NumPy object arrays, which ``np.save`` stores as pickles. A pickle can name any importable callable
and have the loader call it; :class:`RestrictedUnpickler` resolves only the handful of NumPy names
that rebuild arrays, dtypes and scalars, so a tampered file fails with an error instead of running
anything. Plain containers, strings, bytes and numbers need no names at all.
"""

from __future__ import annotations

import io
import pickle
import zipfile

import numpy as np

_ALLOWED = frozenset(
    (module, name)
    for core in ("numpy.core.multiarray", "numpy._core.multiarray")
    for module, name in ((core, "_reconstruct"), (core, "scalar"), ("numpy", "ndarray"), ("numpy", "dtype"))
)


class RestrictedUnpickler(pickle.Unpickler):
    """A ``pickle.Unpickler`` that refuses every global except NumPy's array/dtype/scalar rebuilders."""

    def find_class(self, module, name):
        if (module, name) in _ALLOWED:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(
            f"Refusing to load '{module}.{name}' from a data set file: only NumPy arrays, numbers, "
            "strings, bytes and plain containers are accepted. The file is corrupt or was tampered "
            "with; delete it so that it is downloaded again."
        )


def load_pickle(path, encoding="bytes"):
    """Unpickles ``path`` with :class:`RestrictedUnpickler` (``encoding='bytes'`` reads Python 2 pickles)."""
    with open(path, "rb") as f:
        return RestrictedUnpickler(f, encoding=encoding).load()


def _read_npy(fp):
    """One ``.npy`` member: numeric arrays with pickling off, object arrays with the restricted unpickler."""
    version = np.lib.format.read_magic(fp)
    if version == (1, 0):
        shape, fortran, dtype = np.lib.format.read_array_header_1_0(fp)
    else:  # 2.0 and 3.0 share the header layout (3.0 only changes the header's text encoding)
        shape, fortran, dtype = np.lib.format.read_array_header_2_0(fp)
    if dtype.hasobject:
        return RestrictedUnpickler(fp, encoding="latin1").load()
    data = np.frombuffer(fp.read(), dtype=dtype, count=int(np.prod(shape, dtype=np.int64)))
    return data.reshape(shape, order="F" if fortran else "C").copy()


def load_npz(path):
    """The arrays of an ``.npz`` file as a dict, object arrays included, without executing code.

    A drop-in for ``np.load(path, allow_pickle=True)`` on data set files: NumPy's own loader runs
    any pickle it finds, this one accepts only NumPy array reconstruction.
    """
    out = {}
    with zipfile.ZipFile(path) as archive:
        for member in archive.namelist():
            if member.endswith(".npy"):
                with archive.open(member) as raw:
                    out[member[:-4]] = _read_npy(io.BytesIO(raw.read()))
    return out
