"""Reuters newswires: 11,228 newswires as word-index sequences, labelled with 46 topics."""

from __future__ import annotations

import numpy as np

from lamina.datasets import _sequences as seq
from lamina.datasets._download import KERAS_BUCKET, check_test_split, fetch
from lamina.datasets._safe_pickle import load_npz

ORIGIN = KERAS_BUCKET + "reuters.npz"
FILE_HASH = "d6586e694ee56d7a4e65172e12b3e987c03096cb01eab99753921ef915959916"
WORD_INDEX_ORIGIN = KERAS_BUCKET + "reuters_word_index.json"
WORD_INDEX_HASH = "4d44cc38712099c9e383dc6e5f11a921"
LABEL_NAMES = (
    "cocoa", "grain", "veg-oil", "earn", "acq", "wheat", "copper", "housing", "money-supply", "coffee",
    "sugar", "trade", "reserves", "ship", "cotton", "carcass", "crude", "nat-gas", "cpi", "money-fx",
    "interest", "gnp", "meal-feed", "alum", "oilseed", "gold", "tin", "strategic-metal", "livestock",
    "retail", "ipi", "iron-steel", "rubber", "heat", "jobs", "lei", "bop", "zinc", "orange", "pet-chem",
    "dlr", "gas", "silver", "wpi", "hog", "lead",
)


def load_data(path="reuters.npz", num_words=None, skip_top=0, maxlen=None, test_split=0.2, seed=113,
              start_char=1, oov_char=2, index_from=3, **kwargs):
    """Loads the Reuters newswires, shuffled and split into training and test sets.

    Same sequence conventions as ``imdb.load_data`` (``num_words``, ``skip_top``, ``maxlen``,
    ``start_char``, ``oov_char``, ``index_from``); the labels are the 46 topics of
    ``get_label_names()``.

    Args:
        path: the file name in the cache folder. Default ``'reuters.npz'``.
        num_words, skip_top, maxlen, start_char, oov_char, index_from: as in ``imdb.load_data``.
        test_split: the last fraction of the shuffled newswires kept for testing. Default 0.2.
        seed: seed of the shuffle.

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: ``x`` object arrays of lists of ints, ``y`` int arrays.

    Example:
        >>> (x_train, y_train), _ = load_data(num_words=10000)  # doctest: +SKIP
        >>> len(x_train), int(y_train.max())  # doctest: +SKIP
        (8982, 45)
    """
    legacy = seq.check_legacy_kwargs("reuters", kwargs)
    num_words = legacy if legacy is not None else num_words
    check_test_split("reuters", test_split)
    f = load_npz(fetch(ORIGIN, FILE_HASH, fname=path))
    xs, labels = seq.shuffled(np.random.RandomState(seed), f["x"], f["y"])
    xs = seq.shift(xs, start_char, index_from)
    if maxlen:
        xs, labels = seq.drop_long(maxlen, xs, labels)
        if not xs:
            raise ValueError(f"reuters.load_data: no newswire is shorter than maxlen={maxlen}. Pass a larger maxlen.")
    xs = seq.limit_vocabulary(xs, num_words, skip_top, oov_char)
    n = int(len(xs) * (1 - test_split))
    labels = np.asarray(labels)
    return (seq.as_object_array(xs[:n]), labels[:n]), (seq.as_object_array(xs[n:]), labels[n:])


def get_word_index(path="reuters_word_index.json"):
    """The dict word -> index (1 = most frequent) of the Reuters data; add ``index_from`` to look up ``x``."""
    return seq.load_word_index(WORD_INDEX_ORIGIN, WORD_INDEX_HASH, path)


def get_label_names():
    """The 46 topic names, indexed by label."""
    return LABEL_NAMES
