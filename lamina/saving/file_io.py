"""Atomic file writes, file-kind sniffing, and HDF5 attribute helpers shared by the formats.

A save never writes over the target in place: the file is written to a temporary file in the
same folder, flushed and fsync-ed, then ``os.replace``-d over the target (atomic on POSIX and
Windows). A process killed in the middle of a save leaves the previous file intact, and its
temporary file (named after the host and process) is removed by the next save to that target.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import secrets
import socket
import stat

import numpy as np

# The Keras file-format version lamina writes (the files are what Keras 3.15.1 writes).
KERAS_VERSION = "3.15.1"
HDF5_OBJECT_HEADER_LIMIT = 64512

_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_HDF5_MAGIC = b"\x89HDF\r\n\x1a\n"

_UMASK = os.umask(0)
os.umask(_UMASK)


def lamina_version() -> str:
    import lamina

    return getattr(lamina, "__version__", "0")


def prepare_target(filepath, overwrite=True) -> str:
    """Check the destination and return the path to write.

    Refuses a folder, an existing file when ``overwrite`` is False, and a read-only file
    (``os.replace`` would silently replace it); follows a symlink, so the file it points to is
    replaced (atomically) and the link kept; creates a missing parent folder.
    """
    filepath = os.fspath(filepath)
    if os.path.islink(filepath):
        filepath = os.path.realpath(filepath)
    if os.path.isdir(filepath):
        raise ValueError(
            f"Cannot save to '{filepath}': it is a folder. lamina saves single files; use a name "
            "such as 'model.keras' (whole model) or 'model.weights.h5' (weights only). Keras's "
            "SavedModel folders are not supported; use model.export('model.onnx') to deploy."
        )
    if os.path.exists(filepath):
        if not overwrite:
            raise FileExistsError(
                f"'{filepath}' already exists and overwrite=False. Pass overwrite=True to replace "
                "it, or choose another name."
            )
        if not os.stat(filepath).st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH) \
                or not os.access(filepath, os.W_OK):
            raise PermissionError(
                errno.EACCES,
                f"Cannot save to '{filepath}': the file is read-only, so lamina will not replace "
                "it (the previous file is unchanged). Make it writable (chmod u+w) or save under "
                "another name", filepath)
    parent = os.path.dirname(os.path.abspath(filepath))
    try:
        os.makedirs(parent, exist_ok=True)
    except OSError as e:
        raise type(e)(e.errno, f"Cannot save to '{filepath}': its folder cannot be created "
                      f"({e.strerror or e})", filepath) from e
    return filepath


# Temporary files are named ".<target>.lamina.<host>.<pid>.<random>.tmp" so that the next save
# to the same target can recognise, and remove, those left by a process that no longer runs.
_TMP_SUFFIX = ".tmp"


def _host() -> str:
    return re.sub(r"[^A-Za-z0-9]", "-", socket.gethostname())[:40] or "host"


def temp_name(filepath) -> str:
    """A fresh temporary path next to ``filepath`` naming this host and process."""
    folder = os.path.dirname(os.path.abspath(filepath))
    base = os.path.basename(filepath)
    return os.path.join(folder, f"{_tmp_prefix(base)}{os.getpid()}.{secrets.token_hex(4)}{_TMP_SUFFIX}")


def _tmp_prefix(base) -> str:
    return f".{base}.lamina.{_host()}."


def _pid_running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, owned by someone else
        return True
    return True


def remove_stale_temporaries(filepath) -> list:
    """Delete the temporary files of earlier saves to ``filepath`` whose process (on this host)
    is gone, e.g. killed with SIGKILL mid-save; return their paths."""
    folder = os.path.dirname(os.path.abspath(filepath))
    prefix = _tmp_prefix(os.path.basename(filepath))
    removed = []
    try:
        names = os.listdir(folder)
    except OSError:
        return removed
    for name in names:
        if not (name.startswith(prefix) and name.endswith(_TMP_SUFFIX)):
            continue
        pid_text = name[len(prefix):-len(_TMP_SUFFIX)].split(".")[0]
        if not pid_text.isdigit() or int(pid_text) == os.getpid() or _pid_running(int(pid_text)):
            continue
        with contextlib.suppress(OSError):
            os.unlink(os.path.join(folder, name))
            removed.append(os.path.join(folder, name))
    return removed


@contextlib.contextmanager
def atomic_write(filepath):
    """Yield a temporary path next to ``filepath``; on success it replaces ``filepath``.

    The caller writes and closes the temporary file inside the ``with`` block. Stale temporary
    files of killed earlier saves to the same target are removed first. An ``OSError`` (disk
    full, permission denied...) is re-raised naming the target and saying that the previous
    file is unchanged.
    """
    filepath = os.fspath(filepath)
    folder = os.path.dirname(os.path.abspath(filepath))
    remove_stale_temporaries(filepath)
    tmp = temp_name(filepath)
    try:
        try:
            with open(tmp, "xb"):
                pass
            yield tmp
            _fsync(tmp)
            os.chmod(tmp, 0o666 & ~_UMASK)
            os.replace(tmp, filepath)
        except OSError as e:
            raise _save_error(e, filepath) from e
        except RuntimeError as e:  # h5py reports write failures (disk full) at close this way
            code = re.search(r"errno = (\d+)", str(e))
            if code is None:
                raise
            raise _save_error(OSError(int(code.group(1)), os.strerror(int(code.group(1)))), filepath) from e
        _fsync_folder(folder)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _save_error(e: OSError, filepath) -> OSError:
    previous = ("the previous file there is unchanged" if os.path.exists(filepath)
                else "no file was written there")
    reason = e.strerror or str(e)
    msg = (f"Could not save to '{filepath}': {reason}; {previous}. Free some disk space or "
           "check the folder's permissions, then save again")
    try:
        err = type(e)(e.errno, msg) if e.errno is not None else type(e)(msg)
    except TypeError:
        err = OSError(e.errno, msg)
    err.filename = filepath
    return err


def _fsync(path):
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_folder(folder):
    if os.name != "posix":
        return
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def sniff(filepath) -> str:
    """'zip', 'hdf5', 'json', 'dir', 'missing', 'empty' or 'unknown', from the file's bytes."""
    filepath = os.fspath(filepath)
    if os.path.isdir(filepath):
        return "dir"
    if not os.path.exists(filepath):
        return "missing"
    with open(filepath, "rb") as f:
        head = f.read(8)
    if not head:
        return "empty"
    if head[:4] in _ZIP_MAGIC:
        return "zip"
    if head == _HDF5_MAGIC:
        return "hdf5"
    if head.lstrip()[:1] in (b"{", b"["):
        return "json"
    return "unknown"


# ---------------------------------------------------------------------------------------------
# HDF5 attributes (legacy format): string lists, possibly chunked into name0, name1, ...
# ---------------------------------------------------------------------------------------------
def decode(value):
    if isinstance(value, bytes):
        return value.decode("utf-8")
    if isinstance(value, np.bytes_):
        return bytes(value).decode("utf-8")
    if isinstance(value, np.str_):
        return str(value)
    return value


def save_attributes(group, name, data):
    """Write a list of strings as ``group.attrs[name]``, chunked into ``name0, name1, ...`` when
    larger than the HDF5 object header limit (as Keras does). An empty list is written as an
    empty float64 array, as Keras writes it."""
    encoded = [str(x).encode("utf-8") for x in data]
    too_big = [x for x in encoded if len(x) > HDF5_OBJECT_HEADER_LIMIT]
    if too_big:
        raise ValueError(
            f"Cannot save the HDF5 attribute '{name}': an item is larger than "
            f"{HDF5_OBJECT_HEADER_LIMIT} bytes ({too_big[0][:60]!r}...)."
        )
    arr = np.asarray(encoded) if encoded else np.asarray([], dtype="float64")
    chunks = 1
    while arr.nbytes > 0 and any(c.nbytes > HDF5_OBJECT_HEADER_LIMIT for c in np.array_split(arr, chunks)):
        chunks += 1
    if chunks > 1:
        for i, chunk in enumerate(np.array_split(arr, chunks)):
            group.attrs[f"{name}{i}"] = chunk
    else:
        group.attrs[name] = arr


def load_attributes(group, name):
    """Read a string-list attribute written by Keras 1/2/3 (str or bytes, maybe chunked)."""
    from lamina.saving.h5_reader import read_attribute

    if name in group.attrs:
        values = read_attribute(group, name)
        return [_name(v) for v in np.atleast_1d(values) if not isinstance(v, (float, np.floating))]
    out, i = [], 0
    while f"{name}{i}" in group.attrs:
        out.extend(_name(v) for v in np.atleast_1d(read_attribute(group, f"{name}{i}")))
        i += 1
    return out


def _name(value):
    value = decode(value)
    if not isinstance(value, str):
        raise ValueError(f"a name list attribute holds {str(value)[:60]!r}, expected strings.")
    return value


def has_attribute(group, name):
    return name in group.attrs or f"{name}0" in group.attrs
