"""The UCI handwritten digits: 1,797 8x8 grey images in 10 classes, shipped with lamina.

The data needs no download, which makes it the data set of the quickstart and of tests. See
``lamina/datasets/data/DIGITS_LICENSE.txt`` for its origin, licence (CC BY 4.0) and citation.
"""

from __future__ import annotations

import gzip
import os

import numpy as np

DATA_PATH = os.path.join(os.path.dirname(__file__), "data", "digits.csv.gz")
NUM_SAMPLES = 1797


def load_data(test_split=0.2, seed=113):
    """Loads the digits, shuffled with ``seed`` and split into train and test sets.

    Each image is 8x8 with integer pixels 0..16 (scale them with ``x / 16.0``); labels are the
    digits 0-9. The shuffle is the same for the same ``seed`` on every machine; the last
    ``test_split`` fraction of the shuffled samples forms the test set.

    Args:
        test_split: fraction of the 1,797 samples kept for testing, in [0, 1). Default 0.2.
        seed: seed of the shuffle. Default 113.

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: ``x`` uint8 arrays of shape ``(N, 8, 8)``
        and ``y`` uint8 arrays of shape ``(N,)``. With the default split, N is 1437 and 360.

    Example:

    >>> (x_train, y_train), (x_test, y_test) = load_data()
    >>> x_train.shape, x_test.shape, int(x_train.max()), y_train.dtype
    ((1437, 8, 8), (360, 8, 8), 16, dtype('uint8'))
    """
    if isinstance(test_split, bool) or not 0 <= test_split < 1:
        raise ValueError(
            f"digits.load_data: test_split must be a fraction in [0, 1); received {test_split!r}."
        )
    with gzip.open(DATA_PATH, "rt", encoding="ascii") as f:
        table = np.loadtxt(f, delimiter=",", dtype=np.uint8)
    x = table[:, :64].reshape(-1, 8, 8)
    y = table[:, 64]
    order = np.random.default_rng(seed).permutation(len(y))
    x, y = x[order], y[order]
    n_train = int(len(y) * (1 - test_split))
    return (x[:n_train].copy(), y[:n_train].copy()), (x[n_train:].copy(), y[n_train:].copy())
