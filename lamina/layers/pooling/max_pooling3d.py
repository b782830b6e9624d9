"""MaxPooling3D: 3D max pooling."""

from __future__ import annotations

from lamina.layers.pooling.base_pooling import BasePooling


class MaxPooling3D(BasePooling):
    """Downsamples 3D inputs by taking the maximum over windows of ``pool_size``.

    Args:
        pool_size: int or tuple of 3 ints.
        strides: int, tuple or None (None: ``pool_size``).
        padding: 'valid' or 'same' (Keras 1: ``border_mode``).
        data_format: 'channels_last' (default) or 'channels_first' (Keras 1: ``dim_ordering``).

    Input shape: ``(batch, d1, d2, d3, channels)`` for channels_last. Output shape: the same with each spatial
    axis reduced to ``(size - pool) // stride + 1`` ('valid') or ``ceil(size / stride)`` ('same').

    Example:
        >>> import lamina
        >>> lamina.layers.MaxPooling3D(2)(lamina.ops.ones((2, 4, 4, 4, 3))).shape
        torch.Size([2, 2, 2, 2, 3])
    """

    def __init__(self, pool_size=(2, 2, 2), strides=None, padding="valid", data_format=None, name=None, **kwargs):
        super().__init__(pool_size, strides, 3, pool_mode="max", padding=padding,
                         data_format=data_format, name=name, **kwargs)


MaxPool3D = MaxPooling3D
