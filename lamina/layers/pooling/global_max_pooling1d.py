"""GlobalMaxPooling1D: global max pooling over the steps axis."""

from __future__ import annotations

from lamina.layers.pooling.base_global_pooling import BaseGlobalPooling


class GlobalMaxPooling1D(BaseGlobalPooling):
    """Takes the maximum over every spatial position: ``(batch, steps, features)`` -> ``(batch, channels)``.

    Args:
        data_format: 'channels_last' (default) or 'channels_first' (Keras 1: ``dim_ordering``).
        keepdims: keep the spatial axes with size 1.

    Example:
        >>> import lamina
        >>> lamina.layers.GlobalMaxPooling1D()(lamina.ops.ones((2, 10, 3))).shape
        torch.Size([2, 3])
    """

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(1, pool_mode="max", data_format=data_format, keepdims=keepdims, **kwargs)


GlobalMaxPool1D = GlobalMaxPooling1D
