"""GlobalAveragePooling2D: global average pooling over 2 spatial axes."""

from __future__ import annotations

from lamina.layers.pooling.base_global_pooling import BaseGlobalPooling


class GlobalAveragePooling2D(BaseGlobalPooling):
    """Takes the mean over every spatial position: ``(batch, rows, cols, channels)`` -> ``(batch, channels)``.

    Args:
        data_format: 'channels_last' (default) or 'channels_first' (Keras 1: ``dim_ordering``).
        keepdims: keep the spatial axes with size 1.

    Example:
        >>> import lamina
        >>> lamina.layers.GlobalAveragePooling2D()(lamina.ops.ones((2, 9, 9, 3))).shape
        torch.Size([2, 3])
    """

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(2, pool_mode="average", data_format=data_format, keepdims=keepdims, **kwargs)


GlobalAvgPool2D = GlobalAveragePooling2D
