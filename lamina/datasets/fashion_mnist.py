"""Fashion-MNIST: 70,000 28x28 grey images of clothes in 10 classes (downloaded once, then cached)."""

from __future__ import annotations

import gzip
import os

import numpy as np

from lamina.datasets._download import KERAS_BUCKET, fetch

# The four files of Zalando's release with their published md5 digests (Keras checks none).
FILES = {
    "train-labels-idx1-ubyte.gz": "25c81989df183df01b3e8a0aad5dffbe",
    "train-images-idx3-ubyte.gz": "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
    "t10k-labels-idx1-ubyte.gz": "bb300cfdad3c16e7a12a480ee83cd310",
    "t10k-images-idx3-ubyte.gz": "bef4ecab320f06d8554ea6380940ec79",
}
CLASS_NAMES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker",
               "Bag", "Ankle boot")


def _read_idx(path, header):
    with gzip.open(path, "rb") as f:
        return np.frombuffer(f.read(), np.uint8, offset=header)


def load_data():
    """Loads Fashion-MNIST: 60,000 training and 10,000 test images in 10 classes.

    The four gzip files of the release are downloaded from Keras's bucket into
    ``~/.lamina/datasets/fashion-mnist/`` the first time and verified (md5) before use. Labels:
    0 T-shirt/top, 1 Trouser, 2 Pullover, 3 Dress, 4 Coat, 5 Sandal, 6 Shirt, 7 Sneaker, 8 Bag,
    9 Ankle boot (``CLASS_NAMES``).

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: uint8 images of shape ``(60000, 28, 28)`` and
        ``(10000, 28, 28)``, uint8 labels of shape ``(60000,)`` and ``(10000,)``.

    Example:
        >>> (x_train, y_train), _ = load_data()  # doctest: +SKIP
        >>> x_train.shape  # doctest: +SKIP
        (60000, 28, 28)
    """
    paths = [fetch(KERAS_BUCKET + name, digest, fname=name, cache_subdir=os.path.join("datasets", "fashion-mnist"))
             for name, digest in FILES.items()]
    y_train, y_test = _read_idx(paths[0], 8), _read_idx(paths[2], 8)
    x_train = _read_idx(paths[1], 16).reshape(len(y_train), 28, 28)
    x_test = _read_idx(paths[3], 16).reshape(len(y_test), 28, 28)
    return (x_train, y_train), (x_test, y_test)
