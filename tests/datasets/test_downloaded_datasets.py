"""lamina.datasets' downloadable sets, served from 127.0.0.1 as small files in the real formats.

The fixture writes each file the way the public one is written (npz with object arrays, gzip IDX,
CIFAR's pickled batches in a tar.gz), points LAMINA_DATASETS_MIRROR at a local server and sets the
modules' known hashes to those of these files. Where Keras 3 can read the same file (its get_file
patched to return it), lamina's output is compared with Keras's.
"""

import gzip
import hashlib
import io
import json
import os
import pickle
import tarfile

import numpy as np
import pytest
from local_http import FileServer, unreachable_base

from lamina import config
from lamina.datasets import (
    boston_housing,
    california_housing,
    cifar10,
    cifar100,
    fashion_mnist,
    imdb,
    mnist,
    reuters,
)
from lamina.errors import LaminaDeprecationWarning
from lamina.utils.file_utils import DownloadError
from tests.keras3 import keras3

RNG = np.random.RandomState(7)


def _sha(data):
    return hashlib.sha256(data).hexdigest()


def _npz(**arrays):
    buf = io.BytesIO()
    np.savez(buf, **arrays)  # object arrays are pickled inside, as in Keras's imdb.npz / reuters.npz
    return buf.getvalue()


def _ragged(lists):
    out = np.empty(len(lists), dtype=object)
    out[:] = lists
    return out


def _idx(array, magic):
    header = np.array([magic, *array.shape], dtype=">i4").tobytes()
    return gzip.compress(header + array.astype(np.uint8).tobytes())


class _Evil:
    def __reduce__(self):
        return (os.system, ("touch lamina_pwned",))


def _cifar_tar(inner, batches):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for name, content in batches.items():
            data = pickle.dumps(content, protocol=3)  # the real files are Python 2 pickles: no globals for bytes either
            info = tarfile.TarInfo(f"{inner}/{name}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def _cifar_batch(n, **labels):
    return {b"batch_label": b"x", b"data": RNG.randint(0, 256, (n, 3072)).astype(np.uint8),
            b"filenames": [b"f%d.png" % i for i in range(n)], **{k.encode(): v for k, v in labels.items()}}


@pytest.fixture(scope="module")
def files():
    """URL file name -> bytes of every served file, plus the arrays they hold."""
    imdb_train = [[1, 2, 3], [4, 5], [6], [7, 8, 9, 10], [2]]
    imdb_test = [[3, 3], [11, 1, 2, 4], [5]]
    reuters_x = [[1, 2], [3], [4, 5, 6], [7, 8, 9, 10, 11], [2, 2], [12], [1, 5, 9], [3, 4]]
    arrays = {
        "mnist": dict(x_train=RNG.randint(0, 256, (6, 28, 28)).astype(np.uint8), y_train=np.arange(6, dtype=np.uint8),
                      x_test=RNG.randint(0, 256, (3, 28, 28)).astype(np.uint8), y_test=np.arange(3, dtype=np.uint8)),
        "fashion": dict(x_train=RNG.randint(0, 256, (5, 28, 28)), y_train=np.arange(5) % 10,
                        x_test=RNG.randint(0, 256, (2, 28, 28)), y_test=np.array([9, 3])),
        "imdb": dict(x_train=_ragged(imdb_train), y_train=np.arange(5), x_test=_ragged(imdb_test), y_test=np.arange(3)),
        "reuters": dict(x=_ragged(reuters_x), y=np.arange(8)),
        "boston": dict(x=RNG.rand(20, 13), y=RNG.rand(20) * 50),
        "california": dict(x=RNG.rand(700, 8), y=RNG.rand(700) * 5e5),
        "cifar10": {f"data_batch_{i}": _cifar_batch(2, labels=[i, 9 - i]) for i in range(1, 6)}
        | {"test_batch": _cifar_batch(3, labels=[0, 1, 2])},
        "cifar100": {"train": _cifar_batch(4, fine_labels=[0, 50, 99, 7], coarse_labels=[0, 10, 19, 1]),
                     "test": _cifar_batch(2, fine_labels=[98, 1], coarse_labels=[18, 0])},
    }
    a = arrays
    served = {
        "mnist.npz": _npz(**a["mnist"]),
        "train-labels-idx1-ubyte.gz": _idx(a["fashion"]["y_train"], 2049),
        "train-images-idx3-ubyte.gz": _idx(a["fashion"]["x_train"], 2051),
        "t10k-labels-idx1-ubyte.gz": _idx(a["fashion"]["y_test"], 2049),
        "t10k-images-idx3-ubyte.gz": _idx(a["fashion"]["x_test"], 2051),
        "imdb.npz": _npz(**a["imdb"]),
        "reuters.npz": _npz(**a["reuters"]),
        "boston_housing.npz": _npz(**a["boston"]),
        "california_housing.npz": _npz(**a["california"]),
        "imdb_word_index.json": json.dumps({"the": 1, "and": 2}).encode(),
        "reuters_word_index.json": json.dumps({"said": 1}).encode(),
        "cifar-10-python.tar.gz": _cifar_tar("cifar-10-batches-py", a["cifar10"]),
        "cifar-100-python.tar.gz": _cifar_tar("cifar-100-python", a["cifar100"]),
    }
    return served, arrays


@pytest.fixture
def server(files, tmp_path, monkeypatch):
    served, _ = files
    s = FileServer()
    for name, data in served.items():
        s.files["/" + name] = data
    monkeypatch.setenv("LAMINA_DATASETS_MIRROR", s.base)
    monkeypatch.setenv("LAMINA_HOME", str(tmp_path / "home"))
    for module, name in [(mnist, "mnist.npz"), (imdb, "imdb.npz"), (reuters, "reuters.npz"),
                         (boston_housing, "boston_housing.npz"), (california_housing, "california_housing.npz"),
                         (cifar10, "cifar-10-python.tar.gz"), (cifar100, "cifar-100-python.tar.gz")]:
        monkeypatch.setattr(module, "FILE_HASH", _sha(served[name]))
    monkeypatch.setattr(imdb, "WORD_INDEX_HASH", hashlib.md5(served["imdb_word_index.json"]).hexdigest())
    monkeypatch.setattr(reuters, "WORD_INDEX_HASH", _sha(served["reuters_word_index.json"]))
    monkeypatch.setattr(fashion_mnist, "FILES", {k: hashlib.md5(served[k]).hexdigest() for k in fashion_mnist.FILES})
    yield s
    s.close()


def _keras(monkeypatch, module_name, path):
    """Keras 3's dataset module with its get_file patched to return ``path`` (a file lamina downloaded)."""
    keras3()
    import importlib

    module = importlib.import_module(f"keras.src.datasets.{module_name}")
    monkeypatch.setattr(module, "get_file", lambda *args, **kwargs: path)
    return module


# ----------------------------------------------------------------- images
def test_mnist_and_fashion_mnist(server, files, tmp_path):
    _, a = files
    (x, y), (xt, yt) = mnist.load_data()
    for got, want in zip((x, y, xt, yt), (a["mnist"][k] for k in ("x_train", "y_train", "x_test", "y_test"))):
        assert got.dtype == np.uint8 and got.shape == want.shape
        np.testing.assert_array_equal(got, want)
    assert os.path.isfile(tmp_path / "home" / "datasets" / "mnist.npz")
    (x, y), (xt, yt) = fashion_mnist.load_data()
    assert x.shape == (5, 28, 28) and xt.shape == (2, 28, 28) and y.shape == (5,) and x.dtype == y.dtype == np.uint8
    np.testing.assert_array_equal(x, a["fashion"]["x_train"])
    np.testing.assert_array_equal(yt, [9, 3])
    assert sorted(os.listdir(tmp_path / "home" / "datasets" / "fashion-mnist")) == sorted(fashion_mnist.FILES)


def test_cifar10_layout_and_channels(server, files, monkeypatch):
    _, a = files
    (x, y), (xt, yt) = cifar10.load_data()
    assert x.shape == (10, 32, 32, 3) and y.shape == (10, 1) and xt.shape == (3, 32, 32, 3) and yt.shape == (3, 1)
    assert x.dtype == y.dtype == xt.dtype == yt.dtype == np.uint8
    first = a["cifar10"]["data_batch_1"][b"data"][1].reshape(3, 32, 32)  # planes R, G, B of 32x32
    np.testing.assert_array_equal(x[1], first.transpose(1, 2, 0))
    np.testing.assert_array_equal(y[:, 0], [1, 8, 2, 7, 3, 6, 4, 5, 5, 4])
    monkeypatch.setattr(config, "image_data_format", lambda: "channels_first")
    (x, _), _ = cifar10.load_data()
    assert x.shape == (10, 3, 32, 32)
    np.testing.assert_array_equal(x[1], first)


def test_cifar_batches_read_as_keras_reads_them(server):
    from lamina.datasets._cifar import load_batch

    cifar10.load_data()  # Keras's cifar10.load_data assumes 10,000 images a batch: compare the batches
    cifar100.load_data()
    keras3()
    from keras.src.datasets.cifar import load_batch as keras_load_batch

    root = os.path.join(os.environ["LAMINA_HOME"], "datasets")
    for path, key in [("cifar-10-batches-py-target/cifar-10-batches-py/data_batch_3", "labels"),
                      ("cifar-100-python-target/cifar-100-python/train", "coarse_labels")]:
        (x, y), (kx, ky) = load_batch(os.path.join(root, path), key), keras_load_batch(os.path.join(root, path), key)
        assert x.shape == kx.shape and x.dtype == kx.dtype
        np.testing.assert_array_equal(x, kx)
        np.testing.assert_array_equal(y, ky)


def test_cifar100_label_modes(server):
    (_, fine), (_, fine_t) = cifar100.load_data()
    (x, coarse), _ = cifar100.load_data(label_mode="coarse")
    assert x.shape == (4, 32, 32, 3) and fine.shape == (4, 1) and fine.dtype == np.uint8
    np.testing.assert_array_equal(fine[:, 0], [0, 50, 99, 7])
    np.testing.assert_array_equal(fine_t[:, 0], [98, 1])
    np.testing.assert_array_equal(coarse[:, 0], [0, 10, 19, 1])
    with pytest.raises(ValueError, match="label_mode must be 'fine' or 'coarse'; received 'coarses'.*Did you mean 'coarse'"):
        cifar100.load_data(label_mode="coarses")


# ----------------------------------------------------------------- sequences
def _by_label(x, y):
    """{label: sequence}: the fixtures' labels identify the samples, whatever the shuffle."""
    return {int(label): list(seq) for seq, label in zip(x, y)}


def test_imdb_filtering_by_hand(server):
    (x, y), (xt, yt) = imdb.load_data()
    assert x.dtype == object and x.shape == (5,) and yt.shape == (3,)
    # start_char=1, every index + 3; num_words defaults to the largest index of both splits (14, in
    # the test set), which itself becomes OOV (Keras's rule: words >= num_words).
    assert _by_label(x, y) == {0: [1, 4, 5, 6], 1: [1, 7, 8], 2: [1, 9], 3: [1, 10, 11, 12, 13], 4: [1, 5]}
    assert _by_label(xt, yt) == {0: [1, 6, 6], 1: [1, 2, 4, 5, 7], 2: [1, 8]}
    (x, y), (xt, yt) = imdb.load_data(num_words=8, skip_top=5, maxlen=4)
    # maxlen keeps sequences strictly shorter than 4 (start included); 1 < skip_top and 8+ become OOV (2).
    assert _by_label(x, y) == {1: [2, 7, 2], 2: [2, 2], 4: [2, 5]}
    assert _by_label(xt, yt) == {0: [2, 6, 6], 2: [2, 2]}
    with pytest.warns(LaminaDeprecationWarning, match=r"imdb.load_data\(num_words=...\)"):
        (x2, y2), _ = imdb.load_data(nb_words=8, skip_top=5, maxlen=4)  # Keras 1's spelling
    assert _by_label(x2, y2) == _by_label(x, y)
    (x, y), _ = imdb.load_data(start_char=None, oov_char=None, index_from=0, num_words=5)
    assert _by_label(x, y) == {0: [1, 2, 3], 1: [4], 2: [], 3: [], 4: [2]}
    with pytest.raises(ValueError, match="no review is shorter than maxlen=1 in the training set"):
        imdb.load_data(maxlen=1)
    assert imdb.get_word_index() == {"the": 1, "and": 2}


def test_reuters_filtering_by_hand(server):
    (x, y), (xt, yt) = reuters.load_data(num_words=10, skip_top=2, oov_char=0, test_split=0.25)
    assert len(x) == 6 and len(xt) == 2 and x.dtype == object
    got = _by_label(x, y) | _by_label(xt, yt)
    assert got == {0: [0, 4, 5], 1: [0, 6], 2: [0, 7, 8, 9], 3: [0, 0, 0, 0, 0, 0], 4: [0, 5, 5],
                   5: [0, 0], 6: [0, 4, 8, 0], 7: [0, 6, 7]}
    assert reuters.get_label_names()[3] == "earn" and len(reuters.get_label_names()) == 46
    assert reuters.get_word_index() == {"said": 1}


@pytest.mark.parametrize("kwargs", [{}, dict(num_words=9, skip_top=3), dict(maxlen=4, seed=1),
                                    dict(start_char=None, oov_char=None, index_from=2, num_words=7),
                                    dict(index_from=0, oov_char=5)])
def test_imdb_and_reuters_match_keras(server, monkeypatch, kwargs):
    home = os.path.join(os.environ["LAMINA_HOME"], "datasets")
    for ours, name, extra in [(imdb, "imdb", {}), (reuters, "reuters", {"test_split": 0.4})]:
        got = ours.load_data(**kwargs, **extra)
        want = _keras(monkeypatch, name, os.path.join(home, f"{name}.npz")).load_data(**kwargs, **extra)
        for g, w in zip(got[0] + got[1], want[0] + want[1]):
            assert [list(s) for s in g] == [list(s) for s in w] if g.dtype == object else np.array_equal(g, w)


# ----------------------------------------------------------------- tables
@pytest.mark.parametrize("module, name, kwargs, n", [
    (boston_housing, "boston_housing", {}, 20), (boston_housing, "boston_housing", dict(test_split=0.3, seed=5), 20),
    (california_housing, "california_housing", {}, 700),
    (california_housing, "california_housing", dict(version="small", test_split=0.1), 600),
])
def test_housing_matches_keras(server, monkeypatch, module, name, kwargs, n):
    (x, y), (xt, yt) = module.load_data(**kwargs)
    split = kwargs.get("test_split", 0.2)
    assert len(x) == int(n * (1 - split)) and len(x) + len(xt) == n and x.dtype == np.float64
    want = _keras(monkeypatch, name, os.path.join(os.environ["LAMINA_HOME"], "datasets", f"{name}.npz")).load_data(**kwargs)
    for g, w in zip((x, y, xt, yt), want[0] + want[1]):
        np.testing.assert_array_equal(g, w)


def test_bad_arguments():
    with pytest.raises(ValueError, match="version must be 'small' or 'large'; received 'tiny'"):
        california_housing.load_data(version="tiny")
    with pytest.raises(ValueError, match=r"boston_housing.load_data: test_split must be a fraction in \[0, 1\); received 1"):
        boston_housing.load_data(test_split=1)
    with pytest.raises(TypeError, match=r"unexpected keyword arguments: \['nb_word'\]"):
        imdb.load_data(nb_word=10)


# ----------------------------------------------------------------- cache, hashes, offline, safety
def test_cache_hit_needs_no_network(server, monkeypatch):
    first = mnist.load_data()
    cifar10.load_data()
    count = len(server.requests)
    monkeypatch.setenv("LAMINA_DATASETS_MIRROR", unreachable_base())
    again = mnist.load_data()
    cifar10.load_data()
    assert len(server.requests) == count
    np.testing.assert_array_equal(first[0][0], again[0][0])


def test_hash_mismatch_is_refused(server, files, tmp_path):
    served, _ = files
    data = bytearray(served["imdb.npz"])
    data[100] ^= 0xFF  # one byte changed in transit
    server.files["/imdb.npz"] = bytes(data)
    with pytest.raises(ValueError, match="imdb.npz' is corrupted or not the expected one.*It was not kept"):
        imdb.load_data()
    assert not os.path.exists(tmp_path / "home" / "datasets" / "imdb.npz")


def test_offline_error_names_url_and_path(monkeypatch, tmp_path):
    base = unreachable_base()
    monkeypatch.setenv("LAMINA_DATASETS_MIRROR", base)
    monkeypatch.setenv("LAMINA_HOME", str(tmp_path))
    with pytest.raises(DownloadError) as info:
        mnist.load_data()
    message = str(info.value)
    assert f"Could not download '{base}/mnist.npz'" in message
    assert f"copy it to '{os.path.join(str(tmp_path), 'datasets', 'mnist.npz')}'" in message


def test_without_the_mirror_the_public_origin_is_used(monkeypatch, tmp_path):
    monkeypatch.delenv("LAMINA_DATASETS_MIRROR", raising=False)
    monkeypatch.setenv("LAMINA_HOME", str(tmp_path))
    monkeypatch.setattr("urllib.request.urlopen", lambda url, timeout: (_ for _ in ()).throw(OSError("offline")))
    with pytest.raises(DownloadError, match="'https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz'"):
        cifar10.load_data()
    with pytest.raises(DownloadError, match="'https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
                                            "train-labels-idx1-ubyte.gz'.*fashion-mnist"):
        fashion_mnist.load_data()


def test_a_pickle_that_would_run_code_is_refused(server, files, monkeypatch, tmp_path):
    served, arrays = files
    batches = dict(arrays["cifar10"]) | {"test_batch": {b"data": _Evil(), b"labels": [0]}}
    evil_tar = _cifar_tar("cifar-10-batches-py", batches)
    server.files["/cifar-10-python.tar.gz"] = evil_tar
    monkeypatch.setattr(cifar10, "FILE_HASH", _sha(evil_tar))  # a file with a matching hash still cannot run code
    monkeypatch.chdir(tmp_path)
    with pytest.raises(pickle.UnpicklingError, match="Refusing to load 'posix.system'|Refusing to load 'os.system'"):
        cifar10.load_data()
    evil_npz = _npz(x=_ragged([[1], _Evil()]), y=np.arange(2))
    server.files["/reuters.npz"] = evil_npz
    monkeypatch.setattr(reuters, "FILE_HASH", _sha(evil_npz))
    with pytest.raises(pickle.UnpicklingError, match="only NumPy arrays, numbers, strings"):
        reuters.load_data()
    assert not os.path.exists(tmp_path / "lamina_pwned")
