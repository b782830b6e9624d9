"""Stand-ins for the datasets of the Keras example programs: random arrays of the real shapes.

Each function returns what the ``keras.datasets`` loader (or the example's own preprocessing)
returns, but small and generated: the labels depend on the inputs, so a model has something to
learn and its loss goes down. Only NumPy is used, so the same programs run under lamina and
under Keras 3 (benchmarks/keras_programs.py).
"""

from __future__ import annotations

import numpy as np


def _rng(seed):
    return np.random.default_rng(seed)


def _images(n, shape, classes, seed, dtype="uint8"):
    """Images made of a per-class prototype plus noise, with integer labels."""
    rng = _rng(seed)
    protos = rng.uniform(0, 255, size=(classes,) + shape)
    y = rng.integers(0, classes, size=n)
    x = 0.6 * protos[y] + 0.4 * rng.uniform(0, 255, size=(n,) + shape)
    return x.astype(dtype), y.astype("uint8")


def mnist(n_train=256, n_test=64, seed=0):
    """``((x_train, y_train), (x_test, y_test))``: uint8 (n, 28, 28), labels 0..9."""
    x, y = _images(n_train + n_test, (28, 28), 10, seed)
    return (x[:n_train], y[:n_train]), (x[n_train:], y[n_train:])


def cifar10(n_train=128, n_test=32, seed=0):
    """``((x_train, y_train), (x_test, y_test))``: uint8 (n, 32, 32, 3), labels (n, 1)."""
    x, y = _images(n_train + n_test, (32, 32, 3), 10, seed)
    y = y[:, None]
    return (x[:n_train], y[:n_train]), (x[n_train:], y[n_train:])


def _sequences(n, num_words, classes, min_len, max_len, seed):
    """Lists of word ids; each class prefers its own band of the vocabulary."""
    rng = _rng(seed)
    y = rng.integers(0, classes, size=n)
    band = max((num_words - 4) // classes, 1)
    seqs = []
    for label in y:
        length = int(rng.integers(min_len, max_len + 1))
        own = 4 + label * band + rng.integers(0, band, size=length)
        noise = rng.integers(4, num_words, size=length)
        words = np.where(rng.random(length) < 0.5, own, noise)
        seqs.append([1] + [int(w) for w in words])  # 1: Keras's start-of-sequence id
    out = np.empty(n, dtype=object)
    out[:] = seqs
    return out, y


def imdb(num_words=1000, n_train=256, n_test=64, min_len=20, max_len=120, seed=0):
    """``((x_train, y_train), (x_test, y_test))`` as ``imdb.load_data``: arrays of lists."""
    x, y = _sequences(n_train + n_test, num_words, 2, min_len, max_len, seed)
    return (x[:n_train], y[:n_train]), (x[n_train:], y[n_train:])


def reuters(num_words=1000, n_train=256, n_test=64, seed=0):
    """``((x_train, y_train), (x_test, y_test))`` as ``reuters.load_data``: 46 topics."""
    x, y = _sequences(n_train + n_test, num_words, 46, 10, 80, seed)
    return (x[:n_train], y[:n_train]), (x[n_train:], y[n_train:])


def text(n_words=2000, seed=0):
    """Lower-case English-like text made of a small vocabulary (for character models)."""
    rng = _rng(seed)
    vocab = ["the", "cat", "sat", "on", "mat", "and", "dog", "ran", "to", "a", "tree", "in",
             "park", "with", "ball", "sun", "was", "warm"]
    # A Markov chain over the words, so that the next character is predictable.
    nxt = {w: rng.choice(vocab, size=3) for w in vocab}
    word, words = "the", []
    for _ in range(n_words):
        words.append(word)
        word = str(rng.choice(nxt[word]))
    return " ".join(words) + "."


def babi(n=200, vocab=30, story_len=40, query_len=5, seed=0):
    """``(stories, queries, answers)`` of word ids as babi_rnn vectorizes them: the answer is
    the word that follows the query's first word in the story."""
    rng = _rng(seed)
    stories = rng.integers(1, vocab, size=(n, story_len))
    queries = rng.integers(1, vocab, size=(n, query_len))
    pos = rng.integers(0, story_len - 1, size=n)
    queries[:, 0] = stories[np.arange(n), pos]
    answers = stories[np.arange(n), pos + 1]
    return stories, queries, answers


def timeseries(n=128, length=100, seed=0):
    """``(x, y)`` like FordA: (n, length, 1) floats, two classes that differ in frequency."""
    rng = _rng(seed)
    y = rng.integers(0, 2, size=n)
    t = np.linspace(0, 1, length)
    freq = np.where(y == 1, 9.0, 3.0)[:, None]
    x = np.sin(2 * np.pi * freq * t + rng.uniform(0, 6.3, (n, 1))) + 0.3 * rng.normal(size=(n, length))
    return x[..., None].astype("float32"), y


def translation_pairs(n=256, seed=0):
    """``(inputs, targets)`` strings for character seq2seq: the target is the reversed input
    between the tab (start) and newline (end) characters lstm_seq2seq uses."""
    rng = _rng(seed)
    letters = list("abcdefgh")
    inputs, targets = [], []
    for _ in range(n):
        word = "".join(rng.choice(letters, size=int(rng.integers(3, 8))))
        inputs.append(word)
        targets.append("\t" + word[::-1] + "\n")
    return inputs, targets


def newswires(n=320, topics=8, seed=0):
    """``(texts, labels)``: short English-like newswire strings; each topic favours its words."""
    rng = _rng(seed)
    common = ["the", "a", "of", "in", "said", "to", "and", "for", "on", "by", "its", "was"]
    topical = [[f"w{t}x{k}" for k in range(12)] for t in range(topics)]
    y = rng.integers(0, topics, size=n)
    texts = []
    for label in y:
        words = [str(rng.choice(topical[label])) if rng.random() < 0.4 else str(rng.choice(common))
                 for _ in range(int(rng.integers(8, 30)))]
        texts.append(" ".join(words).capitalize() + ".")
    return texts, y
