"""TextVectorization: turn raw strings into token ids or bag-of-words vectors."""

from __future__ import annotations

import re

import numpy as np

from lamina import ops
from lamina.layers.layer import Layer
from lamina.layers.preprocessing._utils import HostCallMixin, as_str_array, check_choice, iter_batches
from lamina.layers.preprocessing.string_lookup import StringLookup

_PUNCTUATION = re.compile(r'[!"#$%&()\*\+,-\./:;<=>?@\[\\\]^_`{|}~\']')
_WHITESPACE = re.compile(r"[ \t\n\v\f\r]+")
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
STANDARDIZE = (None, "lower_and_strip_punctuation", "lower", "strip_punctuation")
SPLIT = (None, "whitespace", "character")


class TextVectorization(HostCallMixin, Layer):
    """Standardizes, splits, n-grams and looks up text, as Keras's TextVectorization does.

    Standardization lowercases ASCII letters and removes Keras's punctuation set (TensorFlow's
    ``strings.lower`` and ``regex_replace``); 'whitespace' splitting drops empty tokens;
    ``ngrams=n`` makes all 1..n-grams, joined by a space. The vocabulary ('' is the padding
    index 0 and '[UNK]' the OOV index 1 in 'int' mode) is given or learnt with ``adapt``.
    The string work runs on the host in Python (inputs: NumPy string/object arrays or lists of
    str/bytes, shape (batch,) or (batch, 1)) and returns a tensor: use the layer in the data
    pipeline (``dataset.map``) or on NumPy inputs before the model. Callables for
    ``standardize``/``split`` receive and return NumPy object arrays of str (one per sample).

    Args:
        max_tokens: the largest vocabulary size, padding and OOV included.
        standardize: None, 'lower_and_strip_punctuation' (default), 'lower', 'strip_punctuation'
            or a callable.
        split: None, 'whitespace' (default), 'character' or a callable.
        ngrams: None, an int n (1..n-grams) or a tuple of widths.
        output_mode: 'int' (default), 'multi_hot', 'count' or 'tf_idf'.
        output_sequence_length: in 'int' mode, pad or truncate to this length.
        pad_to_max_tokens: pad the encodings to ``max_tokens``.
        vocabulary: a list of tokens or a file path (read now).
        idf_weights: with 'tf_idf' and a vocabulary.
        sparse, ragged: only False.
        encoding: the text encoding of bytes inputs.

    Example:
        >>> layer = TextVectorization(vocabulary=["the", "cat"])
        >>> np.asarray(layer(["The cat!", "a cat"])).tolist()
        [[2, 3], [1, 3]]
    """

    def __init__(self, max_tokens=None, standardize="lower_and_strip_punctuation", split="whitespace",
                 ngrams=None, output_mode="int", output_sequence_length=None, pad_to_max_tokens=False,
                 vocabulary=None, idf_weights=None, sparse=False, ragged=False, encoding="utf-8",
                 name=None, **kwargs):
        vocabulary_size = kwargs.pop("vocabulary_size", None)
        super().__init__(name=name, **kwargs)
        if not callable(standardize):
            check_choice("TextVectorization", "standardize", standardize, STANDARDIZE)
        if not callable(split):
            check_choice("TextVectorization", "split", split, SPLIT)
        check_choice("TextVectorization", "output_mode", output_mode, ("int", "multi_hot", "count", "tf_idf"))
        if not (ngrams is None or isinstance(ngrams, int) and ngrams > 0
                or isinstance(ngrams, (tuple, list)) and all(isinstance(n, int) and n > 0 for n in ngrams)):
            raise ValueError(f"TextVectorization: ngrams must be None, a positive int or a tuple of "
                             f"positive ints; received ngrams={ngrams!r}.")
        if output_sequence_length is not None and output_mode != "int":
            raise ValueError("TextVectorization: output_sequence_length is only used with "
                             f"output_mode='int'; received output_mode={output_mode!r}.")
        if sparse or ragged:
            raise ValueError("TextVectorization: sparse=True and ragged=True are not supported by "
                             "lamina; outputs are dense (padded with 0).")
        self._standardize, self._split, self._ngrams_arg = standardize, split, ngrams
        self._ngrams = tuple(range(1, ngrams + 1)) if isinstance(ngrams, int) else (
            tuple(ngrams) if ngrams is not None else None)
        self._output_mode, self._output_sequence_length = output_mode, output_sequence_length
        self._encoding, self._ragged = encoding, False
        self._lookup_layer = StringLookup(
            max_tokens=max_tokens, vocabulary=vocabulary, idf_weights=idf_weights,
            pad_to_max_tokens=pad_to_max_tokens, mask_token="", output_mode=output_mode,
            encoding=encoding, vocabulary_size=vocabulary_size)

    # ---------------------------------------------------------------- text -> tokens
    def _tokens(self, inputs):
        arr = as_str_array(inputs, self._encoding)
        if arr.ndim == 2 and self._split is not None:
            if arr.shape[-1] != 1:
                raise ValueError("TextVectorization: to split strings the inputs must be (batch,) or "
                                 f"(batch, 1); received shape {arr.shape}.")
            arr = arr[:, 0]
        arr = arr.reshape(-1) if arr.ndim == 0 else arr
        std = self._standardize
        if callable(std):
            arr = np.asarray(std(arr), dtype=object)
        else:
            if std in ("lower", "lower_and_strip_punctuation"):
                arr = np.array([s.translate(_ASCII_LOWER) for s in arr.reshape(-1)], dtype=object).reshape(arr.shape)
            if std in ("strip_punctuation", "lower_and_strip_punctuation"):
                arr = np.array([_PUNCTUATION.sub("", s) for s in arr.reshape(-1)], dtype=object).reshape(arr.shape)
        if self._split is None:
            rows = [list(r) if isinstance(r, (list, np.ndarray)) else [r] for r in arr]
        elif callable(self._split):
            rows = [list(r) for r in self._split(arr)]
        elif self._split == "whitespace":
            rows = [[t for t in _WHITESPACE.split(s) if t] for s in arr]
        else:
            rows = [list(s) for s in arr]
        if self._ngrams is not None:
            rows = [[" ".join(r[i:i + n]) for n in self._ngrams for i in range(len(r) - n + 1)] for r in rows]
        return rows

    def _padded(self, rows, length=None):
        width = length if length is not None else max([len(r) for r in rows] + [0])
        out = np.full((len(rows), width), "", dtype=object)
        for i, r in enumerate(rows):
            r = r[:width]
            out[i, :len(r)] = r
        return out

    def adapt(self, data, batch_size=None, steps=None):
        """Learn the vocabulary (and idf weights for 'tf_idf') from text."""
        rows = []
        for i, batch in enumerate(iter_batches(data)):
            if steps is not None and i >= steps:
                break
            rows.extend(self._tokens(batch))
        self._lookup_layer._vocab = []
        self._lookup_layer.adapt(_RowsWithPadding(self._padded(rows)))

    def compute_output_shape(self, input_shape):
        batch = tuple(input_shape)[:1] if len(input_shape) else ()
        if self._output_mode == "int":
            return batch + (self._output_sequence_length,)
        return batch + (self._lookup_layer._depth(),)

    def _output_dtype(self):
        return "int64" if self._output_mode == "int" else self.compute_dtype

    def call(self, inputs):
        rows = self._tokens(inputs)
        length = self._output_sequence_length if self._output_mode == "int" else None
        return self._lookup_layer.call(self._padded(rows, length))

    # ---------------------------------------------------------------- vocabulary
    def get_vocabulary(self, include_special_tokens=True):
        return self._lookup_layer.get_vocabulary(include_special_tokens)

    def set_vocabulary(self, vocabulary, idf_weights=None):
        self._lookup_layer.set_vocabulary(vocabulary, idf_weights)

    def vocabulary_size(self):
        return self._lookup_layer.vocabulary_size()

    def save_assets(self, dir_path):
        self._lookup_layer.save_assets(dir_path)

    def load_assets(self, dir_path):
        self._lookup_layer.load_assets(dir_path)

    def get_config(self):
        lookup = self._lookup_layer.get_config()
        config = super().get_config()
        config.update({
            "max_tokens": lookup["max_tokens"], "standardize": self._standardize, "split": self._split,
            "ngrams": self._ngrams_arg, "output_mode": self._output_mode,
            "output_sequence_length": self._output_sequence_length,
            "pad_to_max_tokens": lookup["pad_to_max_tokens"], "sparse": False, "ragged": False,
            "vocabulary": lookup["vocabulary"], "idf_weights": lookup["idf_weights"],
            "encoding": self._encoding, "vocabulary_size": self.vocabulary_size()})
        return config


class _RowsWithPadding:
    """One batch of padded token rows for StringLookup.adapt; '' (padding) is dropped there as
    the mask token, so it never enters the vocabulary or the document counts."""

    def __init__(self, rows):
        self.rows = rows

    def __iter__(self):
        yield self.rows
