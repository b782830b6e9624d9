"""``keras.preprocessing.text`` (Keras 1/2): ``Tokenizer``, ``text_to_word_sequence``, ``one_hot``,
``hashing_trick``, ``tokenizer_from_json``.

Keras 3 removed these (its replacement is the ``TextVectorization`` layer); lamina keeps them
working, with the Keras 2 results, and a deprecation warning when they are used.
"""

from __future__ import annotations

import collections
import hashlib
import json

import numpy as np

from lamina.errors import suggest
from lamina.preprocessing._legacy import removed_in_keras3

__all__ = ["Tokenizer", "hashing_trick", "one_hot", "text_to_word_sequence", "tokenizer_from_json"]

FILTERS = '!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n'
_MODES = ("binary", "count", "tfidf", "freq")
_VECTORIZE = "keras.layers.TextVectorization"


def _words(text, filters=FILTERS, lower=True, split=" "):
    if lower:
        text = text.lower()
    text = text.translate(str.maketrans({c: split for c in filters}))
    return [w for w in text.split(split) if w]


def text_to_word_sequence(input_text, filters=FILTERS, lower=True, split=" "):
    """Splits a text into words: lowercase, each character of ``filters`` becomes ``split``.

    Args:
        input_text: the text.
        filters: characters removed (replaced by ``split``); punctuation, tabs and newlines by default.
        lower: lowercase the text first.
        split: the word separator.

    Returns:
        The list of non-empty words.

    Example:
        >>> text_to_word_sequence("The cat, the HAT.")
        ['the', 'cat', 'the', 'hat']
    """
    removed_in_keras3("text_to_word_sequence", "keras.layers.TextVectorization(standardize=..., split=...)")
    return _words(input_text, filters, lower, split)


def _hash_ids(text, n, hash_function, filters, lower, split, analyzer):
    if hash_function is None:
        hash_function = hash
    elif hash_function == "md5":
        def hash_function(word):
            return int(hashlib.md5(word.encode()).hexdigest(), 16)
    if not callable(hash_function):
        raise ValueError(
            f"hashing_trick: hash_function must be None, 'md5' or a callable; received {hash_function!r}."
        )
    if n < 2:
        raise ValueError(f"hashing_trick: n (the size of the id space) must be at least 2; received {n}.")
    words = analyzer(text) if analyzer is not None else _words(text, filters, lower, split)
    return [hash_function(w) % (n - 1) + 1 for w in words]  # 0 stays free for padding


def hashing_trick(text, n, hash_function=None, filters=FILTERS, lower=True, split=" ", analyzer=None):
    """Maps each word of a text to an id in ``1 .. n-1`` by hashing (0 is left for padding).

    Args:
        text: the text.
        n: the size of the id space.
        hash_function: None (Python's ``hash``: not stable across runs unless PYTHONHASHSEED
            is set), ``'md5'`` (stable), or any function of a string returning an int.
        filters, lower, split: as for ``text_to_word_sequence``.
        analyzer: a function of the text returning its words, instead of the splitting above.

    Returns:
        The list of ids, one per word.

    Example:
        >>> hashing_trick("a b a", 10, hash_function="md5")
        [2, 5, 2]
    """
    removed_in_keras3("hashing_trick", "keras.layers.Hashing")
    return _hash_ids(text, n, hash_function, filters, lower, split, analyzer)


def one_hot(input_text, n, filters=FILTERS, lower=True, split=" ", analyzer=None):
    """``hashing_trick`` with Python's ``hash`` (Keras's ``one_hot``: ids, not one-hot vectors).

    Args:
        input_text: the text. n: the size of the id space. filters, lower, split, analyzer: as
            for ``hashing_trick``.

    Returns:
        The list of ids in ``1 .. n-1``, one per word.
    """
    removed_in_keras3("one_hot", "keras.layers.Hashing")
    return _hash_ids(input_text, n, hash, filters, lower, split, analyzer)


class Tokenizer:
    """Builds a word index from texts and turns texts into id sequences or matrices (Keras 1/2).

    ``fit_on_texts`` counts the words; ids are given by decreasing count (ties: first seen first),
    starting at 1 (0 is padding), after the ``oov_token`` if there is one. Conversions keep only
    the ``num_words - 1`` most frequent words (ids ``< num_words``); the others are dropped, or
    become the ``oov_token``'s id.

    Args:
        num_words: how many ids conversions use (the ``num_words - 1`` most frequent words), or
            None for all. Keras 1: ``nb_words``.
        filters: characters removed from the texts (punctuation, tabs, newlines by default).
        lower: lowercase the texts.
        split: the word separator.
        char_level: every character is a token.
        oov_token: a token standing for out-of-vocabulary words (given id 1), or None to drop them.
        analyzer: a function of a text returning its tokens, instead of the splitting above.
        document_count: the number of texts already seen (for ``tokenizer_from_json``).

    Example:
        >>> tok = Tokenizer(num_words=3)
        >>> tok.fit_on_texts(["the cat sat", "the cat"])
        >>> tok.word_index, tok.texts_to_sequences(["the sat cat"])
        ({'the': 1, 'cat': 2, 'sat': 3}, [[1, 2]])
    """

    def __init__(self, num_words=None, filters=FILTERS, lower=True, split=" ", char_level=False,
                 oov_token=None, analyzer=None, **kwargs):
        removed_in_keras3("lamina.preprocessing.text.Tokenizer", _VECTORIZE)
        if "nb_words" in kwargs:
            from lamina.errors import deprecated

            deprecated("Tokenizer(nb_words=...)", "Tokenizer(num_words=...)")
            num_words = kwargs.pop("nb_words")
        document_count = kwargs.pop("document_count", 0)
        if kwargs:
            known = ["num_words", "filters", "lower", "split", "char_level", "oov_token", "analyzer",
                     "document_count"]
            name = next(iter(kwargs))
            raise TypeError(
                f"Tokenizer() got unexpected keyword arguments {sorted(kwargs)}.{suggest(name, known)} "
                f"It takes {', '.join(known)}."
            )
        if num_words is not None and (not isinstance(num_words, (int, np.integer)) or num_words < 1):
            raise ValueError(f"Tokenizer: num_words must be a positive integer or None; received {num_words!r}.")
        self.num_words = num_words
        self.filters = filters
        self.lower = lower
        self.split = split
        self.char_level = char_level
        self.oov_token = oov_token
        self.analyzer = analyzer
        self.document_count = document_count
        self.word_counts = collections.OrderedDict()
        self.word_docs = collections.defaultdict(int)
        self.index_docs = collections.defaultdict(int)
        self.word_index = {}
        self.index_word = {}

    def _tokens(self, text):
        if self.char_level or isinstance(text, list):
            if self.lower:
                text = [t.lower() for t in text] if isinstance(text, list) else text.lower()
            return list(text)
        if self.analyzer is not None:
            return self.analyzer(text)
        return _words(text, self.filters, self.lower, self.split)

    def fit_on_texts(self, texts):
        """Counts the words of ``texts`` (strings, or lists of tokens) and rebuilds ``word_index``.

        Args:
            texts: an iterable of strings (or of lists of tokens). Calling it again adds counts.
        """
        if isinstance(texts, str):
            raise TypeError(
                "Tokenizer.fit_on_texts expects a list of texts; received one string. "
                "Wrap it in a list: fit_on_texts([text])."
            )
        for text in texts:
            self.document_count += 1
            tokens = self._tokens(text)
            for w in tokens:
                self.word_counts[w] = self.word_counts.get(w, 0) + 1
            for w in set(tokens):
                self.word_docs[w] += 1
        by_count = sorted(self.word_counts.items(), key=lambda kv: kv[1], reverse=True)  # stable
        vocabulary = ([self.oov_token] if self.oov_token is not None else []) + [w for w, _ in by_count]
        self.word_index = {w: i for i, w in enumerate(vocabulary, start=1)}
        self.index_word = {i: w for w, i in self.word_index.items()}
        self.index_docs = collections.defaultdict(int)
        for w, c in self.word_docs.items():
            self.index_docs[self.word_index[w]] = c

    def fit_on_sequences(self, sequences):
        """Counts document frequencies from id sequences (what ``tfidf`` needs without texts).

        Args:
            sequences: an iterable of lists of ids.
        """
        sequences = list(sequences)
        self.document_count += len(sequences)
        for seq in sequences:
            for i in set(seq):
                self.index_docs[i] += 1

    def texts_to_sequences_generator(self, texts):
        """Yields the id list of each text (see ``texts_to_sequences``)."""
        oov = self.word_index.get(self.oov_token) if self.oov_token is not None else None
        for text in texts:
            ids = []
            for w in self._tokens(text):
                i = self.word_index.get(w)
                if i is None or (self.num_words and i >= self.num_words):
                    i = oov
                if i is not None:
                    ids.append(i)
            yield ids

    def texts_to_sequences(self, texts):
        """Each text as a list of word ids (ids ``< num_words``; others dropped or ``oov_token``).

        Args:
            texts: a list of strings (or of lists of tokens).

        Returns:
            A list of lists of ints.
        """
        return list(self.texts_to_sequences_generator(texts))

    def sequences_to_texts_generator(self, sequences):
        """Yields each id sequence as a text (see ``sequences_to_texts``)."""
        oov = self.word_index.get(self.oov_token) if self.oov_token is not None else None
        for seq in sequences:
            words = []
            for i in seq:
                word = self.index_word.get(i)
                if word is None or (self.num_words and i >= self.num_words):
                    word = self.index_word[oov] if oov is not None else None
                if word is not None:
                    words.append(word)
            yield " ".join(words)

    def sequences_to_texts(self, sequences):
        """Each id sequence back as a text of space-separated words (unknown ids dropped)."""
        return list(self.sequences_to_texts_generator(sequences))

    def texts_to_matrix(self, texts, mode="binary"):
        """``sequences_to_matrix(texts_to_sequences(texts), mode)``."""
        return self.sequences_to_matrix(self.texts_to_sequences(texts), mode=mode)

    def sequences_to_matrix(self, sequences, mode="binary"):
        """A (texts, num_words) matrix: one row per sequence, one column per id.

        Args:
            sequences: a list of id lists.
            mode: ``'binary'`` (1 where the id occurs), ``'count'`` (occurrences), ``'freq'``
                (occurrences / sequence length) or ``'tfidf'``
                (``(1 + log(count)) * log(1 + documents / (1 + documents containing the id))``).

        Returns:
            A float64 array of shape (len(sequences), num_words) (``len(word_index) + 1``
            columns when num_words is None).
        """
        if mode not in _MODES:
            raise ValueError(
                f"Tokenizer.sequences_to_matrix: unknown mode {mode!r}.{suggest(str(mode), _MODES)} "
                f"Expected one of {list(_MODES)}."
            )
        if self.num_words:
            width = self.num_words
        elif self.word_index:
            width = len(self.word_index) + 1
        else:
            raise ValueError(
                "Tokenizer.sequences_to_matrix needs the number of columns: pass "
                "Tokenizer(num_words=...) or call fit_on_texts first."
            )
        if mode == "tfidf" and not self.document_count:
            raise ValueError(
                "Tokenizer.sequences_to_matrix(mode='tfidf') needs document frequencies: call "
                "fit_on_texts or fit_on_sequences first."
            )
        x = np.zeros((len(sequences), width))
        for row, seq in enumerate(sequences):
            if not seq:
                continue
            counts = collections.Counter(j for j in seq if j < width)
            for j, c in counts.items():
                if mode == "count":
                    x[row, j] = c
                elif mode == "freq":
                    x[row, j] = c / len(seq)
                elif mode == "binary":
                    x[row, j] = 1
                else:
                    idf = np.log(1 + self.document_count / (1 + self.index_docs.get(j, 0)))
                    x[row, j] = (1 + np.log(c)) * idf
        return x

    def get_config(self):
        """The tokenizer's settings and state; the vocabularies as JSON strings (Keras's format)."""
        return {
            "num_words": self.num_words, "filters": self.filters, "lower": self.lower,
            "split": self.split, "char_level": self.char_level, "oov_token": self.oov_token,
            "document_count": self.document_count,
            "word_counts": json.dumps(self.word_counts), "word_docs": json.dumps(self.word_docs),
            "index_docs": json.dumps(self.index_docs), "index_word": json.dumps(self.index_word),
            "word_index": json.dumps(self.word_index),
        }

    def to_json(self, **kwargs):
        """The tokenizer as a JSON string (``tokenizer_from_json`` reads it; so does Keras 2's).

        Args:
            **kwargs: passed to ``json.dumps`` (e.g. ``indent=2``).
        """
        if self.analyzer is not None:
            raise ValueError(
                "Tokenizer.to_json cannot save a custom analyzer function; JSON holds no code. "
                "Save the tokenizer without it and pass analyzer= again after loading."
            )
        return json.dumps({"class_name": type(self).__name__, "config": self.get_config()}, **kwargs)


def tokenizer_from_json(json_string):
    """A ``Tokenizer`` rebuilt from ``Tokenizer.to_json()`` (lamina's or Keras 2's).

    Args:
        json_string: the JSON text.

    Returns:
        A ``Tokenizer`` with the saved settings, counts and word index.
    """
    spec = json.loads(json_string)
    config = dict(spec.get("config", spec))
    state = {k: json.loads(config.pop(k)) for k in
             ("word_counts", "word_docs", "index_docs", "index_word", "word_index") if k in config}
    tokenizer = Tokenizer(**config)
    tokenizer.word_counts = collections.OrderedDict(state.get("word_counts", {}))
    tokenizer.word_docs = collections.defaultdict(int, state.get("word_docs", {}))
    tokenizer.index_docs = collections.defaultdict(int, {int(k): v for k, v in state.get("index_docs", {}).items()})
    tokenizer.index_word = {int(k): v for k, v in state.get("index_word", {}).items()}
    tokenizer.word_index = state.get("word_index", {})
    return tokenizer
