"""California housing prices: 20,640 census block groups, 8 features, the median home value in $."""

from __future__ import annotations

import numpy as np

from lamina.datasets._download import KERAS_BUCKET, check_test_split, fetch
from lamina.datasets._housing import split
from lamina.errors import suggest

ORIGIN = KERAS_BUCKET + "california_housing.npz"
FILE_HASH = "1a2e3a52e0398de6463aebe6f4a8da34fb21fbb6b934cf88c3425e766f2a1a6f"


def load_data(version="large", path="california_housing.npz", test_split=0.2, seed=113):
    """Loads the California housing data, shuffled with ``seed`` and split.

    Features: MedInc, HouseAge, AveRooms, AveBedrms, Population, AveOccup, Latitude, Longitude.

    Args:
        version: ``'large'`` (all 20,640 samples) or ``'small'`` (the first 600, a stand-in for
            boston_housing).
        path: the file name in the cache folder.
        test_split: the last fraction of the shuffled samples kept for testing. Default 0.2.
        seed: seed of the shuffle. Default 113.

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: ``x`` of shape ``(N, 8)``, ``y`` of shape ``(N,)``
        (16,512 and 4,128 samples for the large version).

    Example:
        >>> (x_train, y_train), _ = load_data(version="small")  # doctest: +SKIP
        >>> x_train.shape  # doctest: +SKIP
        (480, 8)
    """
    if version not in ("small", "large"):
        raise ValueError(
            f"california_housing.load_data: version must be 'small' or 'large'; received {version!r}."
            f"{suggest(str(version), ('small', 'large'))}"
        )
    check_test_split("california_housing", test_split)
    with np.load(fetch(ORIGIN, FILE_HASH, fname=path), allow_pickle=False) as f:
        x, y = f["x"], f["y"]
    if version == "small":
        x, y = x[:600], y[:600]
    return split(x, y, test_split, seed)
