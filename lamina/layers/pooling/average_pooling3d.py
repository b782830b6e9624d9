"""AveragePooling3D: 3D average pooling."""

from __future__ import annotations

from lamina.layers.pooling.base_pooling import BasePooling


class AveragePooling3D(BasePooling):
    """Downsamples 3D inputs by taking the average over windows of ``pool_size``.

    With ``padding='same'``, padded positions are not counted: a border window averages
    only the real inputs it covers (Keras/TF semantics).

    Args:
        pool_size: int or tuple of 3 ints.
        strides: int, tuple or None (None: ``pool_size``).
        padding: 'valid' or 'same' (Keras 1: ``border_mode``).
        data_format: 'channels_last' (default) or 'channels_first' (Keras 1: ``dim_ordering``).

    Input shape: ``(batch, d1, d2, d3, channels)`` for channels_last. Output shape: the same with each spatial
    axis reduced to ``(size - pool) // stride + 1`` ('valid') or ``ceil(size / stride)`` ('same').

    Example:
        >>> import lamina
        >>> lamina.layers.AveragePooling3D(2)(lamina.ops.ones((2, 4, 4, 4, 3))).shape
        torch.Size([2, 2, 2, 2, 3])
    """

    def __init__(self, pool_size, strides=None, padding="valid", data_format=None, name=None, **kwargs):
        super().__init__(pool_size, strides, 3, pool_mode="average", padding=padding,
                         data_format=data_format, name=name, **kwargs)


AvgPool3D = AveragePooling3D
