"""Cropping3D: cut slices off the borders of volumes."""

from __future__ import annotations

from lamina.layers.reshaping.cropping import BaseCropping


class Cropping3D(BaseCropping):
    """Removes ``cropping[i]`` = (before, after) elements along each of the three spatial axes.

    Args:
        cropping: int, 3 ints (symmetric per axis) or 3 (before, after) pairs.
        data_format: 'channels_last' (default) or 'channels_first' (Keras 1: ``dim_ordering``).

    Example:
        >>> import lamina
        >>> lamina.layers.Cropping3D(1)(lamina.ops.ones((1, 4, 5, 6, 2))).shape
        torch.Size([1, 2, 3, 4, 2])
    """

    def __init__(self, cropping=((1, 1), (1, 1), (1, 1)), data_format=None, **kwargs):
        super().__init__(3, cropping, data_format, **kwargs)
