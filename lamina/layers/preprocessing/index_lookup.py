"""The shared body of StringLookup and IntegerLookup: a vocabulary (given, read from a file when
the layer is made, or adapted), OOV buckets, mask token, inversion and Keras's output modes. The
lookups run on the host in NumPy/Python and return tensors."""

from __future__ import annotations

import os

import numpy as np

from lamina import ops
from lamina.layers.layer import Layer
from lamina.layers.preprocessing import _hash
from lamina.layers.preprocessing._utils import (HostCallMixin, check_choice, encode, encoded_shape,
                                                iter_batches, to_numpy)

MODES = ("int", "one_hot", "multi_hot", "count", "tf_idf")


class IndexLookup(HostCallMixin, Layer):
    """Base of the lookup layers; see StringLookup and IntegerLookup for the arguments."""

    _casts_integer_inputs = False  # integer inputs (images, ids) keep their dtype

    def __init__(self, max_tokens, num_oov_indices, mask_token, oov_token, vocabulary_dtype,
                 vocabulary=None, idf_weights=None, invert=False, output_mode="int", sparse=False,
                 pad_to_max_tokens=False, oov_method="farmhash", salt=None, vocabulary_size=None,
                 **kwargs):
        super().__init__(**kwargs)
        owner = type(self).__name__
        check_choice(owner, "output_mode", output_mode, MODES)
        if max_tokens is not None and max_tokens <= 1:
            raise ValueError(f"{owner}: max_tokens must be > 1 or None; received max_tokens={max_tokens}.")
        if num_oov_indices < 0:
            raise ValueError(f"{owner}: num_oov_indices must be >= 0; received {num_oov_indices}.")
        if invert and output_mode != "int":
            raise ValueError(f"{owner}: invert=True needs output_mode='int'; received "
                             f"output_mode={output_mode!r}.")
        if output_mode == "tf_idf" and vocabulary is not None and idf_weights is None:
            raise ValueError(f"{owner}: output_mode='tf_idf' with a given vocabulary needs "
                             "idf_weights=... as well.")
        if sparse:
            raise ValueError(f"{owner}: sparse=True is not supported by lamina; use sparse=False.")
        self.max_tokens, self.num_oov_indices = max_tokens, int(num_oov_indices)
        self.mask_token, self.oov_token = mask_token, oov_token
        self.vocabulary_dtype, self.invert = vocabulary_dtype, bool(invert)
        self.output_mode, self.sparse = output_mode, False
        self.pad_to_max_tokens, self.oov_method, self.salt = bool(pad_to_max_tokens), oov_method, salt
        self._frozen_vocab_size = vocabulary_size
        self.input_vocabulary, self.input_idf_weights = vocabulary, idf_weights
        self._vocab, self._idf = [], None
        if vocabulary is not None:
            self.set_vocabulary(vocabulary, idf_weights)

    # ------------------------------------------------------------------ vocabulary
    def _token_start_index(self):
        return (1 if self.mask_token is not None and self.output_mode == "int" else 0) + self.num_oov_indices

    def _specials(self):
        out = [self.mask_token] if self.mask_token is not None and self.output_mode == "int" else []
        return out + [self.oov_token] * self.num_oov_indices

    def _convert(self, tokens):
        raise NotImplementedError

    def set_vocabulary(self, vocabulary, idf_weights=None):
        """Set the vocabulary (a list, an array, or a text file path read now, one token a line)."""
        if isinstance(vocabulary, (str, os.PathLike)) and not isinstance(vocabulary, bytes):
            path = os.fspath(vocabulary)
            if not os.path.isfile(path):
                raise ValueError(f"{type(self).__name__}: vocabulary file {path!r} does not exist. Pass "
                                 "a list of tokens or the path of a text file with one token a line.")
            with open(path, encoding="utf-8") as f:
                vocabulary = [line.rstrip("\n") for line in f]
            self.input_vocabulary = vocabulary  # a saved config holds the tokens, never the path
        tokens = self._convert(list(to_numpy(vocabulary).reshape(-1)))
        specials = self._specials()
        if tokens[:len(specials)] == specials and specials:
            tokens = tokens[len(specials):]
        if len(set(tokens)) != len(tokens):
            dup = sorted({t for t in tokens if tokens.count(t) > 1}, key=str)
            raise ValueError(f"{type(self).__name__}: the vocabulary has repeated tokens {dup[:5]}; "
                             "each token must appear once.")
        bad = [t for t in (self.mask_token, self.oov_token) if t is not None and t in tokens]
        if bad and not (self.invert and self.oov_token in bad and self.mask_token not in bad):
            raise ValueError(f"{type(self).__name__}: the special token(s) {bad} appear inside the "
                             "vocabulary; they may only come first, in the order mask, OOV.")
        if self.max_tokens is not None and len(tokens) + self._token_start_index() > self.max_tokens:
            raise ValueError(f"{type(self).__name__}: the vocabulary has {len(tokens) + self._token_start_index()} "
                             f"entries with the special tokens, more than max_tokens={self.max_tokens}.")
        self._set_tokens(tokens)
        if self.output_mode == "tf_idf":
            if idf_weights is None:
                raise ValueError(f"{type(self).__name__}: output_mode='tf_idf' needs idf_weights.")
            idf = np.asarray(idf_weights, "float32").reshape(-1)
            start = self._token_start_index()
            if idf.size == len(tokens):
                idf = np.concatenate([np.full(start, idf.mean() if idf.size else 0.0, "float32"), idf])
            self._idf = idf

    def _set_tokens(self, tokens):
        self._vocab = list(tokens)
        self._index = {t: i + self._token_start_index() for i, t in enumerate(self._vocab)}

    def get_vocabulary(self, include_special_tokens=True):
        """The vocabulary, in index order (with the mask and OOV tokens first by default)."""
        return (self._specials() if include_special_tokens else []) + list(self._vocab)

    def vocabulary_size(self):
        """The number of indices, special tokens included."""
        return self._token_start_index() + len(self._vocab)

    def _depth(self):
        if self.pad_to_max_tokens and self.max_tokens:
            return self.max_tokens
        if not self._vocab and self._frozen_vocab_size:  # loaded from a config; assets come next
            return int(self._frozen_vocab_size)
        return self.vocabulary_size()

    # ------------------------------------------------------------------ adapt
    def adapt(self, data, steps=None):
        """Learn the vocabulary (most frequent first) and, for tf_idf, the idf weights."""
        if self.input_vocabulary is not None:
            raise ValueError(f"{type(self).__name__}: cannot adapt a layer created with a vocabulary.")
        counts, doc_counts, n_docs = {}, {}, 0
        for i, batch in enumerate(iter_batches(data)):
            if steps is not None and i >= steps:
                break
            batch = np.asarray(batch)
            batch = batch.reshape(1, -1) if batch.ndim <= 1 else batch.reshape(batch.shape[0], -1)
            for row in batch:
                row = self._convert(list(row))
                for t in row:
                    counts[t] = counts.get(t, 0) + 1
                if self.output_mode == "tf_idf":
                    for t in set(row):
                        doc_counts[t] = doc_counts.get(t, 0) + 1
            n_docs += batch.shape[0]
        for special in (self.mask_token, self.oov_token):
            counts.pop(special, None)
        # most frequent first; ties by token, larger first (Keras: reversed lexsort)
        order = sorted(counts, key=lambda t: (counts[t], self._sort_key(t)), reverse=True)
        if self.max_tokens:
            order = order[: self.max_tokens - self._token_start_index()]
        self._set_tokens(order)
        if self.output_mode == "tf_idf":
            idf = np.log(1 + n_docs / (1 + np.asarray([doc_counts[t] for t in order], "float64")))
            idf = idf.astype("float32")
            idf = np.concatenate([np.full(self._token_start_index(), idf.mean() if idf.size else 0.0,
                                          "float32"), idf])
            if self.pad_to_max_tokens and self.max_tokens:
                idf = np.pad(idf, (0, self.max_tokens - idf.size))
            self._idf = idf

    def _sort_key(self, token):
        return token

    # ------------------------------------------------------------------ call
    def _oov_index(self, token):
        if self.num_oov_indices <= 1:
            return (1 if self.mask_token is not None and self.output_mode == "int" else 0) if self.num_oov_indices else -1
        offset = 1 if self.mask_token is not None and self.output_mode == "int" else 0
        if self.oov_method == "floormod" and not isinstance(token, str):
            return offset + int(token) % self.num_oov_indices
        data = token.encode("utf-8") if isinstance(token, str) else str(int(token)).encode("ascii")
        return offset + _hash.fingerprint64(data) % self.num_oov_indices

    def compute_output_shape(self, input_shape):
        return encoded_shape(input_shape, self.output_mode, self._depth())

    def _output_dtype(self):
        if self.invert:
            return "string" if self.vocabulary_dtype == "string" else "int64"
        return super()._output_dtype()

    def call(self, inputs):
        arr = to_numpy(inputs)
        flat = self._convert(list(arr.reshape(-1)))
        if self.invert:
            vocab = self.get_vocabulary()
            out = np.array([vocab[int(i)] if 0 <= int(i) < len(vocab) else self.oov_token for i in flat],
                           dtype=object).reshape(arr.shape)
            return self._invert_output(out)
        ids, keep = [], []
        for t in flat:
            if self.mask_token is not None and t == self.mask_token:
                ids.append(0)
                keep.append(self.output_mode == "int")
                continue
            i = self._index.get(t)
            if i is None:
                i = self._oov_index(t)
                if i < 0:
                    raise ValueError(f"{type(self).__name__}: the value {t!r} is not in the vocabulary "
                                     "and num_oov_indices=0. Add it, or set num_oov_indices >= 1.")
            ids.append(i)
            keep.append(True)
        ids = np.asarray(ids, "int64").reshape(arr.shape)
        if self.output_mode == "int":
            return ops.convert_to_tensor(ids)
        weights = np.asarray(keep, "float32").reshape(arr.shape)
        depth = self._depth()
        if self.output_mode == "one_hot":
            return encode(ids, depth, "one_hot", self.compute_dtype)
        mode = "count" if self.output_mode in ("count", "tf_idf") else "count"
        out = encode(ids, depth, mode, self.compute_dtype, count_weights=weights)
        if self.output_mode == "multi_hot":
            out = ops.minimum(out, 1.0)
        elif self.output_mode == "tf_idf":
            idf = self._idf if self._idf.size == depth else np.pad(self._idf, (0, depth - self._idf.size))
            out = out * ops.convert_to_tensor(idf.astype("float32"))
        return out

    def _invert_output(self, out):
        return out

    # ------------------------------------------------------------------ state in files
    def save_assets(self, dir_path):
        """Write an adapted vocabulary to ``vocabulary.txt`` (one token a line, special tokens
        first), Keras 3's asset; a vocabulary given at construction travels in the config."""
        if self.input_vocabulary is not None:
            return
        with open(os.path.join(dir_path, "vocabulary.txt"), "w", encoding="utf-8") as f:
            f.write("\n".join(str(t) for t in self.get_vocabulary(include_special_tokens=True)))

    def load_assets(self, dir_path):
        """Read the vocabulary that :meth:`save_assets` (or Keras 3) wrote."""
        path = os.path.join(dir_path, "vocabulary.txt")
        if self.input_vocabulary is not None or not os.path.isfile(path):
            return
        with open(path, encoding="utf-8") as f:
            lines = f.read().splitlines()
        while lines and lines[-1] == "":
            lines.pop()
        values = [str(t) for t in lines] if self.vocabulary_dtype == "string" else [int(t) for t in lines]
        self.set_vocabulary(values, idf_weights=self._idf if self.output_mode == "tf_idf" else None)
        self.input_vocabulary = None  # still adapted state: saved again as an asset

    def save_own_variables(self, store):
        if self.output_mode == "tf_idf" and self._idf is not None:
            store["idf_weights"] = np.asarray(self._idf, "float32")

    def load_own_variables(self, store):
        if self.output_mode == "tf_idf" and len(store):
            self._idf = np.asarray(store["idf_weights"] if "idf_weights" in store else store["0"], "float32")

    # ------------------------------------------------------------------ config
    def get_config(self):
        # As Keras 3: the config holds the vocabulary given at construction; an adapted one is
        # written to the archive's assets (save_assets), its idf weights to the weights file.
        config = super().get_config()
        config.update({
            "invert": self.invert, "max_tokens": self.max_tokens,
            "num_oov_indices": self.num_oov_indices, "oov_token": self.oov_token,
            "mask_token": self.mask_token, "output_mode": self.output_mode, "sparse": self.sparse,
            "pad_to_max_tokens": self.pad_to_max_tokens, "vocabulary_dtype": self.vocabulary_dtype,
            "idf_weights": _listify(self.input_idf_weights), "vocabulary": _listify(self.input_vocabulary),
            "vocabulary_size": self.vocabulary_size() if self._vocab else self._frozen_vocab_size,
            "oov_method": self.oov_method, "salt": self.salt})
        return config


def _listify(v):
    if v is None:
        return None
    return np.asarray(v).tolist() if not isinstance(v, list) else v
