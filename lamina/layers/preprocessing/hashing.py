"""Hashing: map strings or integers to a fixed number of bins with a stable hash."""

from __future__ import annotations

import numpy as np

from lamina import ops
from lamina.layers.layer import Layer
from lamina.layers.preprocessing import _hash
from lamina.layers.preprocessing._utils import HostCallMixin, check_choice, encode, to_numpy


class Hashing(HostCallMixin, Layer):
    """Hashes each value into one of ``num_bins`` bins, the way Keras (TensorFlow) does.

    Values are hashed as strings (integers as their decimal text, floats truncated to integers
    first): without ``salt`` with FarmHash Fingerprint64 (TensorFlow's ``to_hash_bucket_fast``,
    needs ``pip install pyfarmhash``), with ``salt`` with SipHash-2-4 keyed by the salt
    (``to_hash_bucket_strong``), so bins agree with Keras on TensorFlow. Keras 3 itself refuses
    to build this layer without TensorFlow; lamina runs it on the host in NumPy/Python and returns
    a tensor, so use it in the data pipeline (``dataset.map(layer)``) or on NumPy inputs.
    With ``mask_value``, that value maps to 0 and the others to [1, num_bins).

    Args:
        num_bins: the number of bins (including the mask bin).
        mask_value: a value that maps to bin 0 (default None).
        salt: an int or a pair of ints: use the keyed hash (default None).
        output_mode: 'int' (default), 'one_hot', 'multi_hot' or 'count'.
        sparse: only False.

    Example:
        >>> np.asarray(Hashing(3, salt=133)([["A"], ["B"], ["C"], ["D"], ["E"]])).ravel().tolist()
        [0, 0, 2, 1, 0]
    """

    _casts_integer_inputs = False  # integer inputs (images, ids) keep their dtype

    def __init__(self, num_bins, mask_value=None, salt=None, output_mode="int", sparse=False, **kwargs):
        if kwargs.get("dtype") is None:
            kwargs["dtype"] = "int64" if output_mode == "int" else "float32"
        super().__init__(**kwargs)
        if num_bins is None or num_bins <= 0:
            raise ValueError(f"Hashing: num_bins must be a positive int; received num_bins={num_bins!r}.")
        check_choice("Hashing", "output_mode", output_mode, ("int", "one_hot", "multi_hot", "count"))
        if sparse:
            raise ValueError("Hashing: sparse=True is not supported by lamina; use sparse=False.")
        self.num_bins = int(num_bins)
        self.mask_value = mask_value
        self.output_mode = output_mode
        self.sparse = False
        self.salt = None
        if salt is not None:
            if isinstance(salt, (tuple, list)) and len(salt) == 2:
                self.salt = [int(s) for s in salt]
            elif isinstance(salt, int):
                self.salt = [salt, salt]
            else:
                raise ValueError(f"Hashing: salt must be an int or a pair of ints; received salt={salt!r}.")

    def _hash_one(self, value: bytes, bins: int) -> int:
        if self.salt is not None:
            h = _hash.siphash24(self.salt[0] & _hash._MASK, self.salt[1] & _hash._MASK, value)
        else:
            h = _hash.fingerprint64(value)
        return h % bins

    def call(self, inputs):
        arr = to_numpy(inputs)
        if self.output_mode == "one_hot" and arr.ndim and arr.shape[-1] == 1:
            arr = arr[..., 0]
        bins = self.num_bins
        mask = None
        if self.mask_value is not None and bins > 1:
            bins -= 1
            mask = arr == self.mask_value
        if arr.dtype.kind == "f":
            arr = arr.astype("int64")
        flat = arr.reshape(-1)
        out = np.empty(flat.shape, dtype="int64")
        for i, v in enumerate(flat):
            if isinstance(v, str):
                v = v.encode("utf-8")
            elif not isinstance(v, bytes):
                v = str(int(v)).encode("ascii")
            out[i] = self._hash_one(v, bins)
        out = out.reshape(arr.shape)
        if mask is not None:
            out = np.where(mask, 0, out + 1)
        if self.output_mode == "int":
            return ops.cast(ops.convert_to_tensor(out), self.dtype)
        return encode(out, self.num_bins, self.output_mode, self.compute_dtype)

    def _output_dtype(self):
        return self.dtype if self.output_mode == "int" else self.compute_dtype

    def compute_output_shape(self, input_shape):
        if self.output_mode == "int":
            return tuple(input_shape)
        return tuple(input_shape[:-1]) + (self.num_bins,) if input_shape else (self.num_bins,)

    def get_config(self):
        config = super().get_config()
        config.update({"num_bins": self.num_bins, "salt": self.salt, "mask_value": self.mask_value,
                       "output_mode": self.output_mode, "sparse": self.sparse})
        return config
