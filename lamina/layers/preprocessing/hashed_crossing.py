"""HashedCrossing: cross categorical features with the hashing trick, bin for bin as Keras."""

from __future__ import annotations

import numpy as np

from lamina import ops
from lamina.layers.layer import Layer
from lamina.layers.preprocessing import _hash
from lamina.layers.preprocessing._utils import HostCallMixin, check_choice, encode, to_numpy

_KMUL = 0xC6A4A7935BD1E995
_HASH_KEY = 0xDECAFCAFFE  # TensorFlow's default key of tf.sparse.cross_hashed


def _shift_mix(v):
    return v ^ (v >> 47)


def fingerprint_cat64(fp1: int, fp2: int) -> int:
    """TensorFlow's ``FingerprintCat64``: combine two 64-bit fingerprints (unsigned arithmetic)."""
    m = _hash._MASK
    r = fp1 ^ _KMUL
    r ^= (_shift_mix((fp2 * _KMUL) & m) * _KMUL) & m
    r = (r * _KMUL) & m
    r = (_shift_mix(r) * _KMUL) & m
    return _shift_mix(r)


class HashedCrossing(HostCallMixin, Layer):
    """Crosses scalar categorical features: ``hash(feature_1, ..., feature_n) % num_bins``.

    The hash is TensorFlow's ``tf.sparse.cross_hashed`` (what Keras uses): strings are
    fingerprinted with FarmHash Fingerprint64 (needs ``pip install pyfarmhash``), integers enter
    as their 64-bit value, and the per-feature hashes are chained with ``FingerprintCat64`` from
    the key 0xDECAFCAFFE, so bins agree with Keras. Keras 3 needs TensorFlow for this layer;
    lamina computes it on the host in Python and returns a tensor: use it in the data pipeline or
    on NumPy inputs.

    Args:
        num_bins: the number of hash bins.
        output_mode: 'int' (default) or 'one_hot'.
        sparse: only False.

    Call arguments:
        inputs: a tuple or list of at least two arrays of the same shape, ``()``, ``(batch,)``
            or ``(batch, 1)``, of integers or strings.

    Example:
        >>> layer = HashedCrossing(num_bins=5)
        >>> np.asarray(layer((np.array(["A", "B", "A", "B", "A"]), np.array([101, 101, 101, 102, 102])))).tolist()
        [1, 4, 1, 1, 3]
    """

    _casts_integer_inputs = False

    def __init__(self, num_bins, output_mode="int", sparse=False, name=None, dtype=None, **kwargs):
        if output_mode == "int" and dtype is None:
            dtype = "int64"
        super().__init__(name=name, dtype=dtype, **kwargs)
        check_choice("HashedCrossing", "output_mode", output_mode, ("int", "one_hot"))
        if sparse:
            raise ValueError("HashedCrossing: sparse=True is not supported by lamina (Keras allows it "
                             "only on TensorFlow); use sparse=False.")
        if isinstance(num_bins, bool) or not isinstance(num_bins, (int, np.integer)) or num_bins <= 0:
            raise ValueError(f"HashedCrossing: num_bins must be a positive int; received num_bins={num_bins!r}.")
        self.num_bins = int(num_bins)
        self.output_mode = output_mode
        self.sparse = False

    def __call__(self, inputs, *args, **kwargs):
        from lamina.layers.keras_tensor import any_symbolic

        if any_symbolic(inputs):  # the tuple of inputs is one argument
            return self._symbolic_call((list(inputs),), {})
        return self.call(inputs)

    def _output_dtype(self):
        return self.dtype if self.output_mode == "int" else self.compute_dtype

    def _arrays(self, inputs):
        if not isinstance(inputs, (list, tuple)):
            raise ValueError(f"HashedCrossing should be called on a list or tuple of inputs; received "
                             f"a {type(inputs).__name__}. Pass layer((feature_1, feature_2)).")
        if len(inputs) < 2:
            raise ValueError(f"HashedCrossing should be called on at least two inputs; received "
                             f"{len(inputs)}. Pass layer((feature_1, feature_2)).")
        arrays = [to_numpy(x) for x in inputs]
        shape = arrays[0].shape
        if len(shape) > 2 or (len(shape) == 2 and shape[-1] != 1):
            raise ValueError(f"All HashedCrossing inputs should have shape (), (batch_size,) or "
                             f"(batch_size, 1); received shape {shape}.")
        if any(a.shape != shape for a in arrays[1:]):
            raise ValueError(f"All HashedCrossing inputs should have equal shape; received shapes "
                             f"{[a.shape for a in arrays]}.")
        for a in arrays:
            if a.dtype.kind not in "iuUSO":
                raise ValueError(f"All HashedCrossing inputs should have an integer or string dtype; "
                                 f"received {a.dtype}. Cast floats to int first, e.g. x.astype('int64').")
        return arrays, shape

    def call(self, inputs):
        arrays, shape = self._arrays(inputs)
        columns = [a.reshape(-1) for a in arrays]
        out = np.empty(columns[0].shape, dtype="int64")
        for i in range(out.size):
            h = _HASH_KEY
            for col in columns:
                v = col[i]
                if isinstance(v, str):
                    v = _hash.fingerprint64(v.encode("utf-8"))
                elif isinstance(v, bytes):
                    v = _hash.fingerprint64(v)
                else:
                    v = int(v) & _hash._MASK
                h = fingerprint_cat64(h, v)
            out[i] = h % self.num_bins
        out = out.reshape(shape)
        if self.output_mode == "int":
            return ops.cast(ops.convert_to_tensor(out), self.dtype)
        return encode(out, self.num_bins, "one_hot", self.compute_dtype)

    def compute_output_shape(self, input_shape):
        first = tuple(input_shape[0])
        if self.output_mode == "int":
            return first
        if first and first[-1] == 1:
            first = first[:-1]
        return first + (self.num_bins,)

    def get_config(self):
        # Keras's HashedCrossing config holds exactly these keys.
        return {"num_bins": self.num_bins, "output_mode": self.output_mode, "sparse": self.sparse,
                "name": self.name, "dtype": self.dtype}
