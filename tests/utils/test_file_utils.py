"""lamina.utils.get_file against a local HTTP server on 127.0.0.1: cache, hashes, archives, offline."""

import hashlib
import io
import os
import tarfile
import zipfile

import pytest
from local_http import FileServer, unreachable_base

from lamina.errors import LaminaDeprecationWarning
from lamina.utils import get_file
from lamina.utils.file_utils import DownloadError, extract_archive, hash_file
from tests.keras3 import keras3

PAYLOAD = b"lamina test payload\n" * 1000


@pytest.fixture
def server():
    s = FileServer()
    s.files["/data/file.bin"] = PAYLOAD
    yield s
    s.close()


def _tar(members, mode="w:gz"):
    """A tar archive in memory; members: (name, bytes) files or (name, tarinfo-type, linkname)."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode=mode) as tar:
        for m in members:
            info = tarfile.TarInfo(m[0])
            if len(m) == 2:
                info.size = len(m[1])
                tar.addfile(info, io.BytesIO(m[1]))
            else:
                info.type, info.linkname = m[1], m[2]
                tar.addfile(info)
    return buf.getvalue()


def _zip(members):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in members:
            z.writestr(zipfile.ZipInfo(name), data)
    return buf.getvalue()


def _files_under(root):
    return sorted(os.path.relpath(os.path.join(d, f), root) for d, _, fs in os.walk(root) for f in fs)


def test_download_then_cache_hit_without_network(server, tmp_path):
    path = get_file("file.bin", server.url("/data/file.bin"), cache_dir=tmp_path)
    assert path == os.path.join(str(tmp_path), "datasets", "file.bin")
    assert open(path, "rb").read() == PAYLOAD and server.requests == ["/data/file.bin"]
    assert _files_under(tmp_path) == [os.path.join("datasets", "file.bin")]  # no temporary file left
    # Second call: the cache answers, even with the hash checked and the origin unreachable.
    sha = hashlib.sha256(PAYLOAD).hexdigest()
    again = get_file("file.bin", unreachable_base() + "/data/file.bin", file_hash=sha, cache_dir=tmp_path)
    assert again == path and server.requests == ["/data/file.bin"]
    # fname defaults to the URL's last part; cache_subdir and force_download.
    other = get_file(origin=server.url("/data/file.bin"), cache_dir=tmp_path, cache_subdir="sub")
    assert other == os.path.join(str(tmp_path), "sub", "file.bin")
    get_file(origin=server.url("/data/file.bin"), cache_dir=tmp_path, cache_subdir="sub", force_download=True)
    assert len(server.requests) == 3


def test_default_cache_is_lamina_home(server, tmp_path, monkeypatch):
    monkeypatch.setenv("LAMINA_HOME", str(tmp_path / "home"))
    path = get_file(origin=server.url("/data/file.bin"))
    assert path == str(tmp_path / "home" / "datasets" / "file.bin")
    monkeypatch.delenv("LAMINA_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "user"))
    assert get_file(origin=server.url("/data/file.bin")) == str(tmp_path / "user" / ".lamina" / "datasets" / "file.bin")


@pytest.mark.parametrize("algorithm", ["sha256", "md5"])
def test_hashes_are_verified(server, tmp_path, algorithm):
    good = hashlib.new(algorithm, PAYLOAD).hexdigest()
    path = get_file("f", server.url("/data/file.bin"), file_hash=good, cache_dir=tmp_path)
    assert hash_file(path, algorithm) == good
    # A cached file that no longer matches is downloaded again.
    with open(path, "wb") as f:
        f.write(b"truncated")
    get_file("f", server.url("/data/file.bin"), file_hash=good, hash_algorithm=algorithm, cache_dir=tmp_path)
    assert open(path, "rb").read() == PAYLOAD and len(server.requests) == 2
    # A fresh download that does not match is refused and not kept.
    bad = "0" * len(good)
    with pytest.raises(ValueError, match=rf"corrupted or not the expected one: its hash is {good}, expected {bad}\. It was not kept"):
        get_file("g", server.url("/data/file.bin"), file_hash=bad, cache_dir=tmp_path)
    assert sorted(os.listdir(tmp_path / "datasets")) == ["f"]


def test_legacy_md5_hash_and_untar_warn(server, tmp_path):
    server.files["/a.tar.gz"] = _tar([("a/x.txt", b"x")])
    with pytest.warns(LaminaDeprecationWarning, match="hash_algorithm='md5'"):
        get_file("f", server.url("/data/file.bin"), md5_hash=hashlib.md5(PAYLOAD).hexdigest(), cache_dir=tmp_path)
    with pytest.warns(LaminaDeprecationWarning, match=r"get_file\(extract=True\)"):
        folder = get_file("a", server.url("/a.tar.gz"), untar=True, cache_dir=tmp_path)
    assert open(os.path.join(folder, "a", "x.txt")).read() == "x"


def test_offline_error_names_the_url_and_the_cache_path(tmp_path):
    url = unreachable_base() + "/data/mnist.npz"
    with pytest.raises(DownloadError) as info:
        get_file("mnist.npz", url, cache_dir=tmp_path)
    target = os.path.join(str(tmp_path), "datasets", "mnist.npz")
    assert f"Could not download '{url}'" in str(info.value)
    assert f"copy it to '{target}'" in str(info.value)
    assert os.listdir(tmp_path / "datasets") == []


def test_http_error_is_clear(server, tmp_path):
    with pytest.raises(DownloadError, match=r"Could not download '.*/missing\.zip': the server answered HTTP 404"):
        get_file(origin=server.url("/missing.zip"), cache_dir=tmp_path)


@pytest.mark.parametrize("fmt", ["tar.gz", "tar", "zip"])
def test_extract_archives(server, tmp_path, fmt):
    members = [("photos/a/1.txt", b"one"), ("photos/b/2.txt", b"two")]
    server.files[f"/photos.{fmt}"] = _zip(members) if fmt == "zip" else _tar(members, "w:gz" if fmt == "tar.gz" else "w")
    folder = get_file("photos", server.url(f"/photos.{fmt}"), extract=True, cache_dir=tmp_path)
    assert folder == os.path.join(str(tmp_path), "datasets", "photos")
    assert _files_under(folder) == [os.path.join("photos", "a", "1.txt"), os.path.join("photos", "b", "2.txt")]
    assert open(os.path.join(folder, "photos", "b", "2.txt"), "rb").read() == b"two"
    # With an extension in fname the archive keeps its name and the folder gets '_extracted'.
    named = get_file(f"photos.{fmt}", server.url(f"/photos.{fmt}"), extract=True, cache_dir=tmp_path)
    assert named == os.path.join(str(tmp_path), "datasets", "photos_extracted")
    assert os.path.isfile(os.path.join(str(tmp_path), "datasets", f"photos.{fmt}"))
    # Cached: neither downloaded nor extracted again.
    n = len(server.requests)
    assert get_file("photos", server.url(f"/photos.{fmt}"), extract=True, cache_dir=tmp_path) == folder
    assert len(server.requests) == n


def test_layout_matches_keras(server, tmp_path):
    keras = keras3()
    server.files["/photos.tar.gz"] = _tar([("photos/a.txt", b"a")])
    (tmp_path / "keras").mkdir()  # Keras falls back to /tmp/.keras for a folder that does not exist yet
    for i, (fname, extract) in enumerate([("photos", True), ("photos.tar.gz", True), (None, True), ("file.bin", False)]):
        origin = server.url("/photos.tar.gz" if extract else "/data/file.bin")
        ours = get_file(fname, origin, extract=extract, cache_dir=tmp_path / "lamina", cache_subdir=str(i))
        theirs = keras.utils.get_file(fname, origin, extract=extract, cache_dir=str(tmp_path / "keras"),
                                      cache_subdir=str(i))
        assert os.path.relpath(ours, tmp_path / "lamina") == os.path.relpath(theirs, tmp_path / "keras")
        assert _files_under(ours) == _files_under(theirs) if extract else open(ours, "rb").read() == open(theirs, "rb").read()


@pytest.mark.parametrize("archive, why", [
    (lambda: _tar([("../evil.txt", b"x")]), "'../evil.txt' (a path outside the folder)"),
    (lambda: _tar([("ok/../../evil.txt", b"x")]), "a path outside the folder"),
    (lambda: _tar([("/tmp/evil.txt", b"x")]), "'/tmp/evil.txt' (a path outside the folder)"),
    (lambda: _tar([("link", tarfile.SYMTYPE, "/etc/passwd")]), "'link' (a link to '/etc/passwd', outside the folder)"),
    (lambda: _tar([("d/link", tarfile.SYMTYPE, "../../x")]), "a link to '../../x'"),
    (lambda: _tar([("hard", tarfile.LNKTYPE, "../x")]), "'hard' (a link to '../x'"),
    (lambda: _tar([("dev", tarfile.CHRTYPE, "")]), "'dev' (a device or special file)"),
    (lambda: _zip([("../evil.txt", b"x")]), "'../evil.txt' (a path outside the folder)"),
])
def test_unsafe_archives_are_refused_whole(tmp_path, archive, why):
    src = tmp_path / "bad.archive"
    src.write_bytes(archive())
    out = tmp_path / "out" / "folder"
    with pytest.raises(ValueError, match="Refusing to extract .*Nothing was extracted") as info:
        extract_archive(src, out)
    assert why in str(info.value)
    assert not out.exists() and os.listdir(tmp_path / "out") == []
    assert not (tmp_path / "evil.txt").exists() and not (tmp_path / "out" / "evil.txt").exists()


def test_links_inside_the_folder_are_allowed(tmp_path):
    src = tmp_path / "ok.tar"
    src.write_bytes(_tar([("d/a.txt", b"a"), ("d/alias", tarfile.SYMTYPE, "a.txt")], "w"))
    assert extract_archive(src, tmp_path / "out")
    assert open(tmp_path / "out" / "d" / "alias").read() == "a"


def test_not_an_archive_and_bad_arguments(server, tmp_path):
    with pytest.raises(ValueError, match="is not a tar or zip archive.*extract=False"):
        get_file("x", server.url("/data/file.bin"), extract=True, cache_dir=tmp_path)
    with pytest.raises(ValueError, match="fname must be a file name, not a path.*cache_dir"):
        get_file(os.path.join("a", "b.bin"), server.url("/data/file.bin"), cache_dir=tmp_path)
    with pytest.raises(ValueError, match="pass origin"):
        get_file("x")
    with pytest.raises(ValueError, match="unknown hash_algorithm 'sha1'"):
        get_file("x", server.url("/data/file.bin"), file_hash="ab", hash_algorithm="sha1", cache_dir=tmp_path)
