"""Masking: mark time steps whose features all equal ``mask_value`` as padding."""

from __future__ import annotations

from lamina import ops
from lamina.layers.layer import Layer


class Masking(Layer):
    """Masks time steps where every feature equals ``mask_value``.

    The output is the input with those steps zeroed, carrying a (batch, time) mask that
    downstream layers that support masking (LSTM, GRU, SimpleRNN, ...) use to skip them.

    Args:
        mask_value: the padding value (0.0 by default).

    Input shape: (batch, time, features). Output shape: the same.

    Example:
        >>> import lamina, numpy as np
        >>> x = np.array([[[1.0, 2.0], [0.0, 0.0]]], dtype="float32")
        >>> lamina.layers.Masking()(x)._keras_mask.tolist()
        [[True, False]]
    """

    def __init__(self, mask_value=0.0, **kwargs):
        super().__init__(**kwargs)
        self.mask_value = mask_value
        self.supports_masking = True

    def compute_mask(self, inputs, mask=None):
        if not ops.is_tensor(inputs):
            inputs = ops.convert_to_tensor(inputs)
        return ops.any(ops.not_equal(inputs, self.mask_value), axis=-1)

    def call(self, inputs):
        keep = ops.any(ops.not_equal(inputs, self.mask_value), axis=-1, keepdims=True)
        return inputs * ops.cast(keep, ops.dtype(inputs))

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        config["mask_value"] = self.mask_value
        return config
