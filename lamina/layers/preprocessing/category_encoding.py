"""CategoryEncoding: one-hot, multi-hot or count encoding of integer features."""

from __future__ import annotations

from lamina import ops
from lamina.ops import _internal
from lamina.layers.layer import Layer
from lamina.layers.preprocessing._utils import check_choice, encode


class CategoryEncoding(Layer):
    """Encodes integer ids in [0, num_tokens) as dense vectors of size ``num_tokens``.

    'one_hot' encodes each id (a trailing axis of size 1 is replaced by the encoding);
    'multi_hot' and 'count' encode each sample (the last axis holds one sample's ids; a 1-D
    input is one sample). ``count_weights`` (same shape as the inputs) weight the counts.

    Args:
        num_tokens: the number of categories.
        output_mode: 'multi_hot' (default), 'one_hot' or 'count'.
        sparse: only False.

    Example:
        >>> np.asarray(CategoryEncoding(4, "one_hot")(np.array([3, 0]))).tolist()
        [[0.0, 0.0, 0.0, 1.0], [1.0, 0.0, 0.0, 0.0]]
    """

    _casts_integer_inputs = False  # integer inputs (images, ids) keep their dtype

    def __init__(self, num_tokens=None, output_mode="multi_hot", sparse=False, **kwargs):
        super().__init__(**kwargs)
        check_choice("CategoryEncoding", "output_mode", output_mode, ("one_hot", "multi_hot", "count"))
        if num_tokens is None or num_tokens < 1:
            raise ValueError(f"CategoryEncoding: num_tokens must be an int >= 1; received "
                             f"num_tokens={num_tokens!r}. Pass the number of categories.")
        if sparse:
            raise ValueError("CategoryEncoding: sparse=True is not supported by lamina; received "
                             "sparse=True. Use sparse=False.")
        self.num_tokens = int(num_tokens)
        self.output_mode = output_mode
        self.sparse = False

    def call(self, inputs, count_weights=None):
        if count_weights is not None and self.output_mode != "count":
            raise ValueError("CategoryEncoding: count_weights is only used when output_mode='count'; "
                             f"received output_mode={self.output_mode!r}.")
        x = ops.convert_to_tensor(inputs)
        seen = _internal.id_range(x, self.num_tokens)  # None when traced: checked on the host first
        lo, hi = seen if seen is not None else (0, 0)
        if lo < 0 or hi >= self.num_tokens:
            raise ValueError(
                f"CategoryEncoding: inputs must be in [0, {self.num_tokens}) (num_tokens="
                f"{self.num_tokens}); received values in [{lo}, {hi}]. Raise num_tokens.")
        return encode(x, self.num_tokens, self.output_mode, self.compute_dtype, count_weights)

    def compute_output_shape(self, input_shape):
        shape = tuple(input_shape)
        if not shape:
            return (self.num_tokens,)
        if self.output_mode == "one_hot":
            return (shape[:-1] if len(shape) > 1 and shape[-1] == 1 else shape) + (self.num_tokens,)
        return shape[:-1] + (self.num_tokens,)

    def get_config(self):
        config = super().get_config()
        config.update({"num_tokens": self.num_tokens, "output_mode": self.output_mode})
        return config
