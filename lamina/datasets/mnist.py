"""MNIST: 70,000 28x28 grey images of handwritten digits (downloaded once, then cached)."""

from __future__ import annotations

import numpy as np

from lamina.datasets._download import KERAS_BUCKET, fetch

ORIGIN = KERAS_BUCKET + "mnist.npz"
FILE_HASH = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"


def load_data(path="mnist.npz"):
    """Loads MNIST: 60,000 training and 10,000 test images of the digits 0-9.

    The file (11 MB, Keras's ``mnist.npz``) is downloaded from Keras's bucket into
    ``~/.lamina/datasets/`` the first time and verified against its sha256 before use. Offline,
    the error names the URL and the path where you can put the file by hand. For a data set that
    needs no download, see ``lamina.datasets.digits``.

    Args:
        path: the file name in the cache folder. Default ``'mnist.npz'``.

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: ``x`` uint8 arrays of shape ``(60000, 28, 28)``
        and ``(10000, 28, 28)`` with pixels 0..255; ``y`` uint8 arrays of shape ``(60000,)`` and
        ``(10000,)`` with the digits.

    Example:
        >>> (x_train, y_train), (x_test, y_test) = load_data()  # doctest: +SKIP
        >>> x_train.shape, y_train.dtype  # doctest: +SKIP
        ((60000, 28, 28), dtype('uint8'))
    """
    with np.load(fetch(ORIGIN, FILE_HASH, fname=path), allow_pickle=False) as f:
        return (f["x_train"], f["y_train"]), (f["x_test"], f["y_test"])
