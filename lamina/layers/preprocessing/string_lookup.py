"""StringLookup: map strings to integer indices (or back) through a vocabulary."""

from __future__ import annotations

import numpy as np

from lamina.layers.preprocessing.index_lookup import IndexLookup


class StringLookup(IndexLookup):
    """Maps strings to integer indices in a vocabulary (given or adapted), or back with ``invert``.

    Index layout as in Keras: the mask token (if any, 'int' mode), then ``num_oov_indices`` OOV
    indices, then the vocabulary, most frequent first after ``adapt``. Several OOV indices are
    chosen by FarmHash (needs ``pip install pyfarmhash``), as in Keras. Inputs are NumPy
    string/object arrays or (nested) Python lists of str/bytes; the lookup runs on the host and
    returns a tensor (a NumPy object array of str when ``invert=True``), so use the layer in the
    data pipeline (``dataset.map(layer)``) or on NumPy inputs, not inside a compiled graph.
    A vocabulary file path is read when the layer is made and the config stores the tokens; an
    adapted vocabulary is written, as Keras 3 does, to the ``.keras`` archive's
    ``assets/<layer path>/vocabulary.txt`` (and tf_idf weights to the weights file), never read
    from a path named in a config.

    Args:
        max_tokens: the largest vocabulary size, special tokens included (None: no limit).
        num_oov_indices: OOV indices (default 1).
        mask_token: a token mapped to 0 (default None).
        oov_token: the token returned for OOV indices when inverting (default '[UNK]').
        vocabulary: a list of tokens or the path of a text file (one token a line).
        idf_weights: with output_mode='tf_idf' and a vocabulary, the idf of each token.
        invert: map indices back to tokens.
        output_mode: 'int' (default), 'one_hot', 'multi_hot', 'count' or 'tf_idf'.
        pad_to_max_tokens: pad the encodings to ``max_tokens``.
        sparse: only False.
        encoding: the text encoding of bytes inputs (default 'utf-8').

    Example:
        >>> layer = StringLookup(vocabulary=["a", "b", "c"])
        >>> np.asarray(layer([["a", "c", "z"]])).tolist()
        [[1, 3, 0]]
    """

    def __init__(self, max_tokens=None, num_oov_indices=1, mask_token=None, oov_token="[UNK]",
                 vocabulary=None, idf_weights=None, invert=False, output_mode="int",
                 pad_to_max_tokens=False, sparse=False, encoding="utf-8", name=None, salt=None, **kwargs):
        kwargs.pop("vocabulary_dtype", None)
        self.encoding = encoding
        super().__init__(max_tokens=max_tokens, num_oov_indices=num_oov_indices, mask_token=mask_token,
                         oov_token=oov_token, vocabulary=vocabulary, idf_weights=idf_weights,
                         invert=invert, output_mode=output_mode, pad_to_max_tokens=pad_to_max_tokens,
                         sparse=sparse, name=name, salt=salt, vocabulary_dtype="string", **kwargs)

    def _convert(self, tokens):
        if self.invert and tokens and not isinstance(tokens[0], (str, bytes)):
            return [int(t) for t in tokens]
        return [t.decode(self.encoding) if isinstance(t, bytes) else str(t) for t in tokens]

    def get_config(self):
        config = super().get_config()
        del config["vocabulary_dtype"]
        config["encoding"] = self.encoding
        return config
