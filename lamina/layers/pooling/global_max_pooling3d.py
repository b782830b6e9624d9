"""GlobalMaxPooling3D: global max pooling over 3 spatial axes."""

from __future__ import annotations

from lamina.layers.pooling.base_global_pooling import BaseGlobalPooling


class GlobalMaxPooling3D(BaseGlobalPooling):
    """Takes the maximum over every spatial position: ``(batch, d1, d2, d3, channels)`` -> ``(batch, channels)``.

    Args:
        data_format: 'channels_last' (default) or 'channels_first' (Keras 1: ``dim_ordering``).
        keepdims: keep the spatial axes with size 1.

    Example:
        >>> import lamina
        >>> lamina.layers.GlobalMaxPooling3D()(lamina.ops.ones((2, 4, 4, 4, 3))).shape
        torch.Size([2, 3])
    """

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(3, pool_mode="max", data_format=data_format, keepdims=keepdims, **kwargs)


GlobalMaxPool3D = GlobalMaxPooling3D
