"""Boston housing prices: 506 districts, 13 features, the median home value in k$."""

from __future__ import annotations

import numpy as np

from lamina.datasets._download import KERAS_BUCKET, check_test_split, fetch
from lamina.datasets._housing import split

ORIGIN = KERAS_BUCKET + "boston_housing.npz"
FILE_HASH = "f553886a1f8d56431e820c5b82552d9d95cfcb96d1e678153f8839538947dff5"


def load_data(path="boston_housing.npz", test_split=0.2, seed=113):
    """Loads the Boston housing data, shuffled with ``seed`` and split.

    Keras's warning applies: one feature ("B") encodes a racial assumption; prefer
    ``california_housing`` except to discuss that problem.

    Args:
        path: the file name in the cache folder.
        test_split: the last fraction of the shuffled samples kept for testing. Default 0.2.
        seed: seed of the shuffle. Default 113.

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: float64 ``x`` of shape ``(N, 13)`` and ``y`` of
        shape ``(N,)`` (404 and 102 samples with the default split).

    Example:
        >>> (x_train, y_train), _ = load_data()  # doctest: +SKIP
        >>> x_train.shape  # doctest: +SKIP
        (404, 13)
    """
    check_test_split("boston_housing", test_split)
    with np.load(fetch(ORIGIN, FILE_HASH, fname=path), allow_pickle=False) as f:
        x, y = f["x"], f["y"]
    return split(x, y, test_split, seed)
