"""GlobalAveragePooling1D: global average pooling over the steps axis."""

from __future__ import annotations

from lamina.ops import _internal as ops
from lamina.layers.pooling.base_global_pooling import BaseGlobalPooling


class GlobalAveragePooling1D(BaseGlobalPooling):
    """Takes the mean over every spatial position: ``(batch, steps, features)`` -> ``(batch, channels)``.

    Supports masking: with a mask of shape (batch, steps), the mean is taken over the
    unmasked steps only; the output carries no mask.

    Args:
        data_format: 'channels_last' (default) or 'channels_first' (Keras 1: ``dim_ordering``).
        keepdims: keep the spatial axes with size 1.

    Example:
        >>> import lamina
        >>> lamina.layers.GlobalAveragePooling1D()(lamina.ops.ones((2, 10, 3))).shape
        torch.Size([2, 3])
    """

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(1, pool_mode="average", data_format=data_format, keepdims=keepdims, **kwargs)
        self.supports_masking = True

    def call(self, inputs, mask=None):
        if mask is None:
            return ops.mean(inputs, axis=self._axes, keepdims=self.keepdims)
        keep = ops.expand_dims(ops.cast(mask, "bool"), 2 if self.data_format == "channels_last" else 1)
        total = ops.sum(ops.where(keep, inputs, 0.0), axis=self._axes, keepdims=self.keepdims)
        return total / ops.sum(ops.cast(keep, inputs.dtype), axis=self._axes, keepdims=self.keepdims)

    def compute_mask(self, inputs, mask=None):
        return None


GlobalAvgPool1D = GlobalAveragePooling1D
