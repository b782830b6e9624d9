"""IMDB movie reviews: 50,000 reviews as word-index sequences, labelled positive or negative."""

from __future__ import annotations

import numpy as np

from lamina.datasets import _sequences as seq
from lamina.datasets._download import KERAS_BUCKET, fetch
from lamina.datasets._safe_pickle import load_npz

ORIGIN = KERAS_BUCKET + "imdb.npz"
FILE_HASH = "69664113be75683a8fe16e3ed0ab59fda8886cb3cd7ada244f7d9544e4676b9f"
WORD_INDEX_ORIGIN = KERAS_BUCKET + "imdb_word_index.json"
WORD_INDEX_HASH = "bfafd718b763782e994055a2d397834f"


def load_data(path="imdb.npz", num_words=None, skip_top=0, maxlen=None, seed=113, start_char=1, oov_char=2,
              index_from=3, **kwargs):
    """Loads the IMDB reviews: 25,000 for training, 25,000 for testing, labels 0 (negative) / 1 (positive).

    Each review is a list of word indices; index ``i`` is the ``i - index_from``-th most frequent
    word of the corpus (see ``get_word_index``). The file is downloaded into ``~/.lamina/datasets/``
    once, verified (sha256), and its ragged arrays read without executing any pickle code.

    Args:
        path: the file name in the cache folder. Default ``'imdb.npz'``.
        num_words: words with index ``>= num_words`` (after the shift) become ``oov_char``, which
            keeps the most frequent words. None: the largest index found (as Keras does).
        skip_top: words with index ``< skip_top`` (after the shift, so the most frequent ones and the
            start character) become ``oov_char``.
        maxlen: drop the reviews whose length (start character included) is ``>= maxlen``.
        seed: seed of the shuffle of each split.
        start_char: index put at the start of every review (1); None for none.
        oov_char: index that replaces the words cut by ``num_words``/``skip_top`` (2); None drops them.
        index_from: added to every word index (3), leaving 0 for padding, 1 for start, 2 for OOV.

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: ``x`` object arrays of shape ``(N,)`` whose items
        are lists of ints, ``y`` int arrays of shape ``(N,)``.

    Example:
        >>> (x_train, y_train), _ = load_data(num_words=10000)  # doctest: +SKIP
        >>> x_train.shape, x_train[0][:3]  # doctest: +SKIP
        ((25000,), [1, 14, 22])
    """
    legacy = seq.check_legacy_kwargs("imdb", kwargs)
    num_words = legacy if legacy is not None else num_words
    f = load_npz(fetch(ORIGIN, FILE_HASH, fname=path))
    rng = np.random.RandomState(seed)
    x_train, y_train = seq.shuffled(rng, f["x_train"], f["y_train"])
    x_test, y_test = seq.shuffled(rng, f["x_test"], f["y_test"])
    x_train, x_test = seq.shift(x_train, start_char, index_from), seq.shift(x_test, start_char, index_from)
    if maxlen:
        x_train, y_train = seq.drop_long(maxlen, x_train, y_train)
        x_test, y_test = seq.drop_long(maxlen, x_test, y_test)
        if not x_train or not x_test:
            raise ValueError(
                f"imdb.load_data: no review is shorter than maxlen={maxlen} in the "
                f"{'training' if not x_train else 'test'} set. Pass a larger maxlen."
            )
    n = len(x_train)
    xs = seq.limit_vocabulary(x_train + x_test, num_words, skip_top, oov_char)
    labels = np.concatenate([y_train, y_test])
    return (seq.as_object_array(xs[:n]), labels[:n]), (seq.as_object_array(xs[n:]), labels[n:])


def get_word_index(path="imdb_word_index.json"):
    """The dict word -> index (1 = most frequent) of the IMDB data; add ``index_from`` to look up ``x``."""
    return seq.load_word_index(WORD_INDEX_ORIGIN, WORD_INDEX_HASH, path)
