"""IntegerLookup: map integer values to contiguous indices (or back) through a vocabulary."""

from __future__ import annotations

from lamina.layers.preprocessing.index_lookup import IndexLookup


class IntegerLookup(IndexLookup):
    """Maps integer values to indices in a vocabulary (given or adapted), or back with ``invert``.

    Same layout and output modes as StringLookup; OOV values with several OOV indices go to
    ``value % num_oov_indices`` ('floormod', default) or a FarmHash bucket ('farmhash'). Runs on
    the host (NumPy) and returns int64 tensors.

    Args:
        max_tokens, num_oov_indices, vocabulary, idf_weights, invert, output_mode,
        pad_to_max_tokens, sparse: as in StringLookup.
        mask_token: an int mapped to 0 (default None).
        oov_token: the value returned for OOV indices when inverting (default -1).
        vocabulary_dtype: only 'int64'.
        oov_method: 'floormod' (default) or 'farmhash'.

    Example:
        >>> np.asarray(IntegerLookup(vocabulary=[12, 36])([[12, 1138, 36]])).tolist()
        [[1, 0, 2]]
    """

    def __init__(self, max_tokens=None, num_oov_indices=1, mask_token=None, oov_token=-1,
                 vocabulary=None, vocabulary_dtype="int64", idf_weights=None, invert=False,
                 output_mode="int", sparse=False, pad_to_max_tokens=False, oov_method="floormod",
                 salt=None, name=None, **kwargs):
        if vocabulary_dtype != "int64":
            raise ValueError(f"IntegerLookup: only vocabulary_dtype='int64' is supported; received "
                             f"{vocabulary_dtype!r}.")
        super().__init__(max_tokens=max_tokens, num_oov_indices=num_oov_indices, mask_token=mask_token,
                         oov_token=oov_token, vocabulary=vocabulary, idf_weights=idf_weights,
                         invert=invert, output_mode=output_mode, pad_to_max_tokens=pad_to_max_tokens,
                         sparse=sparse, name=name, salt=salt, vocabulary_dtype="int64",
                         oov_method=oov_method, **kwargs)

    def _convert(self, tokens):
        return [int(t) for t in tokens]

    def _invert_output(self, out):
        import numpy as np

        from lamina import ops
        return ops.convert_to_tensor(out.astype("int64"))

    def get_config(self):
        config = super().get_config()
        for key in ("oov_token", "mask_token"):
            if config[key] is not None:
                config[key] = int(config[key])
        if config["vocabulary"] is not None:
            config["vocabulary"] = [int(v) for v in config["vocabulary"]]
        return config
