"""ZeroPadding3D: zeros around volumes."""

from __future__ import annotations

from lamina.layers.reshaping.zero_padding import BaseZeroPadding


class ZeroPadding3D(BaseZeroPadding):
    """Adds zeros before and after each of the three spatial axes.

    Args:
        padding: int, 3 ints (symmetric per axis) or 3 (before, after) pairs.
        data_format: 'channels_last' (default) or 'channels_first' (Keras 1: ``dim_ordering``).

    Example:
        >>> import lamina
        >>> lamina.layers.ZeroPadding3D(1)(lamina.ops.ones((1, 2, 3, 4, 5))).shape
        torch.Size([1, 4, 5, 6, 5])
    """

    def __init__(self, padding=((1, 1), (1, 1), (1, 1)), data_format=None, **kwargs):
        super().__init__(3, padding, data_format, **kwargs)
