"""MaxPooling1D: 1D max pooling."""

from __future__ import annotations

from lamina.layers.pooling.base_pooling import BasePooling


class MaxPooling1D(BasePooling):
    """Downsamples 1D inputs by taking the maximum over windows of ``pool_size``.

    Args:
        pool_size: int or tuple of 1 int (Keras 1: ``pool_length``).
        strides: int, tuple or None (None: ``pool_size``) (Keras 1: ``stride``).
        padding: 'valid' or 'same' (Keras 1: ``border_mode``).
        data_format: 'channels_last' (default) or 'channels_first' (Keras 1: ``dim_ordering``).

    Input shape: ``(batch, steps, features)`` for channels_last. Output shape: the same with each spatial
    axis reduced to ``(size - pool) // stride + 1`` ('valid') or ``ceil(size / stride)`` ('same').

    Example:
        >>> import lamina
        >>> lamina.layers.MaxPooling1D(2)(lamina.ops.ones((2, 10, 3))).shape
        torch.Size([2, 5, 3])
    """

    _legacy_kwargs = {"stride": ("strides", None)}  # Keras 1: MaxPooling1D(pool_length, stride)

    def __init__(self, pool_size=2, strides=None, padding="valid", data_format=None, name=None, **kwargs):
        super().__init__(pool_size, strides, 1, pool_mode="max", padding=padding,
                         data_format=data_format, name=name, **kwargs)


MaxPool1D = MaxPooling1D
