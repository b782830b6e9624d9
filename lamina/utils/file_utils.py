"""``get_file``: download a file once, verify it, cache it under ``~/.lamina``, and unpack archives.

Keras's ``keras.utils.get_file`` (Keras 2: ``keras.utils.data_utils.get_file``) with the same
signature and cache layout, rooted at ``$LAMINA_HOME`` or ``~/.lamina`` instead of ``~/.keras``.
Downloads go to a temporary file next to the target and are renamed into place only once complete
and verified, so an interrupted download never leaves a half file in the cache. Archives are
checked member by member before anything is written: absolute paths, ``..``, links that point out
of the extraction folder and device files make the whole archive refused.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
import tarfile
import tempfile
import urllib.error
import urllib.parse
import urllib.request
import zipfile

from lamina.errors import deprecated
from lamina.utils.io_utils import print_msg

__all__ = ["DownloadError", "get_file", "hash_file", "lamina_home", "validate_file"]

_CHUNK = 1 << 16


class DownloadError(OSError):
    """A file could not be downloaded (offline, HTTP error); the message says where to put it by hand."""


def lamina_home() -> str:
    """The root of lamina's caches: ``$LAMINA_HOME`` if set, else ``~/.lamina``."""
    return os.environ.get("LAMINA_HOME") or os.path.join(os.path.expanduser("~"), ".lamina")


def _hasher(algorithm, file_hash=None):
    if algorithm == "sha256" or algorithm == "auto" and file_hash is not None and len(str(file_hash)) == 64:
        return hashlib.sha256()
    if algorithm in ("md5", "auto"):
        return hashlib.md5()
    raise ValueError(
        f"get_file: unknown hash_algorithm {algorithm!r}; expected 'auto', 'sha256' or 'md5'."
    )


def hash_file(fpath, algorithm="sha256", chunk_size=_CHUNK):
    """The hex digest of a file (``'sha256'`` or ``'md5'``), read in chunks.

    Args:
        fpath: path of the file.
        algorithm: ``'sha256'`` (default), ``'md5'``, or a ``hashlib`` hash object.
        chunk_size: bytes read at a time.

    Returns:
        The hex digest as a string (``sha256sum`` / ``md5sum`` print the same).

    Example:
        >>> import tempfile, os
        >>> path = os.path.join(tempfile.mkdtemp(), "empty")
        >>> open(path, "wb").close()
        >>> hash_file(path)
        'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'
    """
    hasher = _hasher(algorithm) if isinstance(algorithm, str) else algorithm
    with open(fpath, "rb") as f:
        for chunk in iter(lambda: f.read(chunk_size), b""):
            hasher.update(chunk)
    return hasher.hexdigest()


def validate_file(fpath, file_hash, algorithm="auto", chunk_size=_CHUNK):
    """Whether the file's sha256 or md5 digest is ``file_hash`` (``'auto'``: sha256 if 64 hex digits)."""
    return hash_file(fpath, _hasher(algorithm, file_hash), chunk_size) == str(file_hash).lower()


def _cache_dir(cache_dir):
    base = os.path.expanduser(os.fspath(cache_dir)) if cache_dir is not None else lamina_home()
    try:
        os.makedirs(base, exist_ok=True)
    except OSError:
        pass
    if not os.access(base, os.W_OK):  # e.g. a read-only home: fall back to the temp folder, as Keras does
        base = os.path.join(tempfile.gettempdir(), ".lamina")
    return base


def _download(origin, target, file_hash, hash_algorithm):
    """Streams ``origin`` into a temporary file beside ``target``, verifies it, renames it into place."""
    from tqdm.auto import tqdm

    manual = (
        f"If this machine has no internet access, download the file on another machine and copy it "
        f"to '{target}'; lamina uses a file found there without downloading."
    )
    print_msg(f"Downloading data from {origin}")
    fd, part = tempfile.mkstemp(dir=os.path.dirname(target), prefix="." + os.path.basename(target) + ".",
                                suffix=".part")
    try:
        with os.fdopen(fd, "wb") as out:
            try:
                response = urllib.request.urlopen(origin, timeout=60)
            except urllib.error.HTTPError as e:
                raise DownloadError(
                    f"Could not download '{origin}': the server answered HTTP {e.code} ({e.reason}). "
                    f"Check the URL. {manual}"
                ) from None
            except (urllib.error.URLError, OSError) as e:
                reason = getattr(e, "reason", e)
                raise DownloadError(
                    f"Could not download '{origin}': {reason}. {manual}"
                ) from None
            with response:
                total = response.headers.get("Content-Length")
                with tqdm(total=int(total) if total else None, unit="B", unit_scale=True,
                          unit_divisor=1024, desc=os.path.basename(target), leave=False) as bar:
                    while True:
                        try:
                            chunk = response.read(_CHUNK)
                        except OSError as e:
                            raise DownloadError(
                                f"The download of '{origin}' was interrupted ({e}). Try again. {manual}"
                            ) from None
                        if not chunk:
                            break
                        out.write(chunk)
                        bar.update(len(chunk))
            if total and out.tell() != int(total):
                raise DownloadError(
                    f"The download of '{origin}' is incomplete: {out.tell()} of {total} bytes. "
                    f"Try again. {manual}"
                )
        if file_hash is not None and not validate_file(part, file_hash, hash_algorithm):
            got = hash_file(part, _hasher(hash_algorithm, file_hash))
            raise ValueError(
                f"get_file: the file downloaded from '{origin}' is corrupted or not the expected one: "
                f"its hash is {got}, expected {file_hash}. It was not kept. Check the URL and the "
                "hash, and try again."
            )
        os.replace(part, target)
    finally:
        if os.path.exists(part):
            os.remove(part)


def _inside(base, name):
    path = os.path.realpath(os.path.join(base, name))
    return os.path.commonpath([path, base]) == base


def _unsafe_members(archive, base):
    """Names of the members that would write outside ``base`` or create links/devices out of it."""
    base = os.path.realpath(base)
    bad = []
    if isinstance(archive, zipfile.ZipFile):
        for info in archive.infolist():
            name = info.filename
            is_link = stat.S_ISLNK(info.external_attr >> 16)
            if os.path.isabs(name) or name.startswith(("/", "\\")) or not _inside(base, name) or is_link:
                bad.append(f"{name!r} ({'a symbolic link' if is_link else 'a path outside the folder'})")
        return bad
    for info in archive.getmembers():
        name = info.name
        if os.path.isabs(name) or not _inside(base, name):
            bad.append(f"{name!r} (a path outside the folder)")
        elif info.issym() or info.islnk():
            start = base if info.islnk() else os.path.dirname(os.path.join(base, name))
            if os.path.isabs(info.linkname) or not _inside(base, os.path.relpath(os.path.join(start, info.linkname), base)):
                bad.append(f"{name!r} (a link to {info.linkname!r}, outside the folder)")
        elif not (info.isfile() or info.isdir()):
            bad.append(f"{name!r} (a device or special file)")
    return bad


def extract_archive(file_path, path=".", archive_format="auto"):
    """Extracts a tar (``.tar``, ``.tar.gz``, ``.tar.bz2``, ``.tar.xz``) or zip archive into ``path``.

    Every member is checked first; an archive with a member that would land outside ``path``
    (absolute path, ``..``), a link that points outside it, or a device file is refused whole with
    a ValueError naming the members, and nothing is written. The files are extracted into a
    temporary folder beside ``path`` and renamed into place, so ``path`` is complete or absent.

    Args:
        file_path: the archive.
        path: the folder to create.
        archive_format: ``'auto'`` (tar, then zip), ``'tar'``, ``'zip'``, a list of these, or None.

    Returns:
        True if the file was an archive of an accepted format and was extracted, False otherwise.
    """
    if archive_format is None:
        return False
    formats = ["tar", "zip"] if archive_format == "auto" else [archive_format] if isinstance(archive_format, str) else list(archive_format)
    for fmt in formats:
        if fmt not in ("tar", "zip"):
            raise ValueError(f"extract_archive: unknown archive_format {fmt!r}; expected 'auto', 'tar', 'zip' or None.")
    file_path, path = os.fspath(file_path), os.path.abspath(os.fspath(path))
    for fmt in formats:
        is_match, opener = (tarfile.is_tarfile, tarfile.open) if fmt == "tar" else (zipfile.is_zipfile, zipfile.ZipFile)
        if not is_match(file_path):
            continue
        parent = os.path.dirname(path)
        os.makedirs(parent, exist_ok=True)
        staging = tempfile.mkdtemp(dir=parent, prefix="." + os.path.basename(path) + ".")
        try:
            with opener(file_path) as archive:
                bad = _unsafe_members(archive, staging)
                if bad:
                    raise ValueError(
                        f"Refusing to extract '{file_path}': {len(bad)} member(s) would be written outside "
                        f"the extraction folder or are links/devices: {', '.join(bad[:5])}"
                        f"{' ...' if len(bad) > 5 else ''}. Nothing was extracted. The archive is unsafe or "
                        "corrupt; do not extract it by hand either unless you trust its source."
                    )
                if fmt == "tar" and hasattr(tarfile, "data_filter"):
                    archive.extractall(staging, filter="data")
                else:
                    archive.extractall(staging)
            if os.path.isdir(path):
                shutil.rmtree(path)
            os.replace(staging, path)
        finally:
            if os.path.exists(staging):
                shutil.rmtree(staging)
        return True
    return False


def get_file(fname=None, origin=None, untar=False, md5_hash=None, file_hash=None, cache_subdir="datasets",
             hash_algorithm="auto", extract=False, archive_format="auto", cache_dir=None, force_download=False):
    """Downloads a file from a URL unless it is already in the cache, and returns its local path.

    The file at ``origin`` is saved as ``<cache_dir>/<cache_subdir>/<fname>``, by default
    ``~/.lamina/datasets/<fname>`` (``$LAMINA_HOME`` replaces ``~/.lamina``). A file already there is
    used without any network access; with ``file_hash`` it is verified first and downloaded again if
    it does not match. A fresh download that does not match the hash is deleted and raises a
    ValueError. When the download fails (offline, HTTP error) the error names the URL and the exact
    path where you can put the file by hand.

    Args:
        fname: local file name; the last part of the URL's path if None. With ``extract=True``, a name
            without an extension names the extraction folder.
        origin: the URL.
        untar: deprecated spelling of ``extract=True, archive_format='tar'``.
        md5_hash: deprecated spelling of ``file_hash=..., hash_algorithm='md5'``.
        file_hash: the expected sha256 (64 hex digits) or md5 (32) digest of the file.
        cache_subdir: folder under the cache root (an absolute path is used as is). Default
            ``'datasets'``.
        hash_algorithm: ``'auto'`` (from the hash's length), ``'sha256'`` or ``'md5'``.
        extract: extract the archive (tar, tar.gz, tar.bz2, zip) and return the folder.
        archive_format: ``'auto'``, ``'tar'``, ``'zip'`` or None.
        cache_dir: the cache root; ``$LAMINA_HOME`` or ``~/.lamina`` if None.
        force_download: download even if the file is in the cache.

    Returns:
        The path of the file, or of the extraction folder with ``extract=True``.

    Example:
        >>> path = get_file(origin="https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz",
        ...                 file_hash="731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1")
        ...                 # doctest: +SKIP
    """
    if origin is None:
        raise ValueError("get_file: pass origin, the URL of the file to download.")
    if md5_hash is not None:
        deprecated("get_file(md5_hash=...)", "get_file(file_hash=..., hash_algorithm='md5')")
        if file_hash is None:
            file_hash, hash_algorithm = md5_hash, "md5"
    if untar:
        deprecated("get_file(untar=True)", "get_file(extract=True)")
        archive_format = "tar"
    _hasher(hash_algorithm, file_hash)  # checks the algorithm's name early
    datadir = os.path.join(_cache_dir(cache_dir), os.fspath(cache_subdir))
    os.makedirs(datadir, exist_ok=True)
    provided = fname is not None and os.fspath(fname) != ""
    fname = os.fspath(fname) if provided else os.path.basename(urllib.parse.urlsplit(origin).path)
    if not fname:
        raise ValueError(f"get_file: cannot take a file name from origin '{origin}'; pass fname='...'.")
    if os.sep in fname or (os.altsep and os.altsep in fname):
        raise ValueError(
            f"get_file: fname must be a file name, not a path; received fname={fname!r}. "
            f"Pass the folder as cache_dir=... (and cache_subdir=...) instead."
        )
    unpack = bool(extract or untar)
    if unpack:
        if provided and "." in fname:
            target, folder = os.path.join(datadir, fname), os.path.join(datadir, fname.split(".")[0] + "_extracted")
        else:
            target, folder = os.path.join(datadir, fname + "_archive"), os.path.join(datadir, fname)
    else:
        target, folder = os.path.join(datadir, fname), None

    download = force_download or not os.path.exists(target)
    if not download and file_hash is not None and not validate_file(target, file_hash, hash_algorithm):
        print_msg(
            f"A local file was found at '{target}', but its hash does not match {file_hash} (incomplete "
            "or outdated), so it is downloaded again."
        )
        download = True
    if download:
        _download(origin, target, file_hash, hash_algorithm)
    if not unpack:
        return target
    if download or not os.path.isdir(folder):
        if not extract_archive(target, folder, archive_format):
            raise ValueError(
                f"get_file: '{target}' is not a {archive_format if archive_format != 'auto' else 'tar or zip'} "
                f"archive, so it cannot be extracted. Pass extract=False to keep the file as is."
            )
    return folder
