"""AveragePooling2D: 2D average pooling."""

from __future__ import annotations

from lamina.layers.pooling.base_pooling import BasePooling


class AveragePooling2D(BasePooling):
    """Downsamples 2D inputs by taking the average over windows of ``pool_size``.

    With ``padding='same'``, padded positions are not counted: a border window averages
    only the real inputs it covers (Keras/TF semantics).

    Args:
        pool_size: int or tuple of 2 ints.
        strides: int, tuple or None (None: ``pool_size``).
        padding: 'valid' or 'same' (Keras 1: ``border_mode``).
        data_format: 'channels_last' (default) or 'channels_first' (Keras 1: ``dim_ordering``).

    Input shape: ``(batch, rows, cols, channels)`` for channels_last. Output shape: the same with each spatial
    axis reduced to ``(size - pool) // stride + 1`` ('valid') or ``ceil(size / stride)`` ('same').

    Example:
        >>> import lamina
        >>> lamina.layers.AveragePooling2D(2, padding="same")(lamina.ops.ones((2, 9, 9, 3))).shape
        torch.Size([2, 5, 5, 3])
    """

    def __init__(self, pool_size, strides=None, padding="valid", data_format=None, name=None, **kwargs):
        super().__init__(pool_size, strides, 2, pool_mode="average", padding=padding,
                         data_format=data_format, name=name, **kwargs)


AvgPool2D = AveragePooling2D
