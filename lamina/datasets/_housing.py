"""The split shared by boston_housing and california_housing (Keras's shuffle-then-cut rule)."""

from __future__ import annotations

import numpy as np


def split(x, y, test_split, seed):
    order = np.arange(len(x))
    np.random.RandomState(seed).shuffle(order)
    x, y = x[order], y[order]
    n = int(len(x) * (1 - test_split))
    return (x[:n].copy(), y[:n].copy()), (x[n:].copy(), y[n:].copy())
