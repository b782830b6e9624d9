"""The word-index sequence filtering that imdb and reuters share (Keras's conventions)."""

from __future__ import annotations

import json

import numpy as np

from lamina.datasets._download import fetch


def shuffled(rng, *arrays):
    order = np.arange(len(arrays[0]))
    rng.shuffle(order)
    return [a[order] for a in arrays]


def shift(xs, start_char, index_from):
    """Adds ``index_from`` to every word index and puts ``start_char`` (if not None) first."""
    head = [] if start_char is None else [start_char]
    return [head + [int(w) + index_from for w in x] for x in xs]


def drop_long(maxlen, xs, labels):
    """Keeps the sequences strictly shorter than ``maxlen`` (Keras's rule, start character included)."""
    kept = [(x, y) for x, y in zip(xs, labels) if len(x) < maxlen]
    return [x for x, _ in kept], [y for _, y in kept]


def limit_vocabulary(xs, num_words, skip_top, oov_char):
    """Words outside ``[skip_top, num_words)`` become ``oov_char``, or are dropped if it is None."""
    if not num_words:
        num_words = max(max(x) for x in xs if x)
    if oov_char is not None:
        return [[w if skip_top <= w < num_words else oov_char for w in x] for x in xs]
    return [[w for w in x if skip_top <= w < num_words] for x in xs]


def as_object_array(xs):
    out = np.empty(len(xs), dtype=object)  # ragged: one list per sample, as Keras returns
    out[:] = xs
    return out


def check_legacy_kwargs(what, kwargs):
    """Keras 1 spellings: ``nb_words`` for num_words; anything else is refused by name."""
    from lamina.errors import deprecated

    if "nb_words" in kwargs:
        deprecated(f"{what}.load_data(nb_words=...)", f"{what}.load_data(num_words=...)", stacklevel=4)
        return kwargs.pop("nb_words")
    if kwargs:
        raise TypeError(f"{what}.load_data got unexpected keyword arguments: {sorted(kwargs)}.")
    return None


def load_word_index(origin, file_hash, path):
    with open(fetch(origin, file_hash, fname=path), encoding="utf-8") as f:
        return json.load(f)
