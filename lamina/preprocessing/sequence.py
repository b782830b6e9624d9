"""``keras.preprocessing.sequence``: ``pad_sequences`` (also ``lamina.utils.pad_sequences``), and the
Keras 1/2 ``TimeseriesGenerator``, ``skipgrams`` and ``make_sampling_table`` that Keras 3 removed
(they work here, with a deprecation warning)."""

from __future__ import annotations

import random

import numpy as np

from lamina.preprocessing._legacy import removed_in_keras3
from lamina.preprocessing.timeseries_generator import TimeseriesGenerator
from lamina.utils.sequence_utils import pad_sequences

__all__ = ["TimeseriesGenerator", "make_sampling_table", "pad_sequences", "skipgrams"]


def make_sampling_table(size, sampling_factor=1e-5):
    """word2vec's probability of keeping the word of each frequency rank (for ``skipgrams``).

    ``p(rank) = min(1, sqrt(f / sampling_factor) / (f / sampling_factor))`` where the word frequency
    ``f`` of a rank follows Zipf's law, ``1 / f ~ rank * (log(rank) + gamma) + 1/2 - 1/(12 rank)``
    (gamma = 0.577, Euler-Mascheroni). Index 0 is treated as rank 1.

    Args:
        size: the number of ranks (the vocabulary size).
        sampling_factor: word2vec's ``t``; smaller keeps fewer frequent words.

    Returns:
        A float array of ``size`` probabilities.

    Example:
        >>> table = make_sampling_table(5)
        >>> table.shape, bool(table[0] == table[1]), bool((np.diff(table[1:]) > 0).all())
        ((5,), True, True)
    """
    removed_in_keras3("make_sampling_table", "no replacement: compute it with NumPy")
    rank = np.arange(size, dtype="float64")
    rank[0] = 1
    inverse_frequency = rank * (np.log(rank) + 0.577) + 0.5 - 1.0 / (12.0 * rank)
    f = sampling_factor * inverse_frequency
    return np.minimum(1.0, f / np.sqrt(f))


def skipgrams(sequence, vocabulary_size, window_size=4, negative_samples=1.0, shuffle=True,
              categorical=False, sampling_table=None, seed=None):
    """word2vec skip-gram pairs from a sequence of word ids.

    Positive pairs are ``(word, neighbour)`` for every neighbour at most ``window_size`` positions
    away (id 0 is padding and skipped), labelled 1. Then ``int(len(positives) * negative_samples)``
    negative pairs ``(a positive pair's word, a random id in 1 .. vocabulary_size-1)``, labelled 0,
    the words taken from the shuffled positive pairs in turn.

    Args:
        sequence: a list of word ids.
        vocabulary_size: ids are below it.
        window_size: how far a neighbour may be.
        negative_samples: negatives per positive (0 for none).
        shuffle: shuffle the pairs (with ``seed``).
        categorical: labels as ``[1, 0]`` (negative) / ``[0, 1]`` (positive) instead of 0 / 1.
        sampling_table: ``sampling_table[id]`` is the probability of keeping ``id`` as a target
            word (see ``make_sampling_table``).
        seed: the seed of the shuffle (Python's ``random``).

    Returns:
        ``(couples, labels)``: a list of ``[word, context]`` pairs and their labels.

    Example:
        >>> couples, labels = skipgrams([1, 2, 3], 4, window_size=1, negative_samples=0, shuffle=False)
        >>> couples, labels
        ([[1, 2], [2, 1], [2, 3], [3, 2]], [1, 1, 1, 1])
    """
    removed_in_keras3("skipgrams", "no replacement: build the pairs in Python or NumPy")
    couples, labels = [], []
    positive, negative = ([0, 1], [1, 0]) if categorical else (1, 0)
    for i, wi in enumerate(sequence):
        if not wi:
            continue
        if sampling_table is not None and sampling_table[wi] < random.random():
            continue
        for j in range(max(0, i - window_size), min(len(sequence), i + window_size + 1)):
            if j != i and sequence[j]:
                couples.append([wi, sequence[j]])
                labels.append(positive)
    if negative_samples > 0:
        n_negative = int(len(labels) * negative_samples)
        words = [c[0] for c in couples]
        random.shuffle(words)
        couples += [[words[i % len(words)], random.randint(1, vocabulary_size - 1)]
                    for i in range(n_negative)]
        labels += [negative] * n_negative
    if shuffle:
        if seed is None:
            seed = random.randint(0, 10**7)
        random.Random(seed).shuffle(couples)
        random.Random(seed).shuffle(labels)
    return couples, labels
