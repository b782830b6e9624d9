"""Cropping2D: cut rows and columns off the borders of images."""

from __future__ import annotations

from lamina.layers.reshaping.cropping import BaseCropping


class Cropping2D(BaseCropping):
    """Removes rows at the top/bottom and columns at the left/right (a view: no copy).

    Args:
        cropping: int (all sides), (rows, cols) (symmetric), or ((top, bottom), (left, right)).
        data_format: 'channels_last' (default) or 'channels_first' (Keras 1: ``dim_ordering``).

    Example:
        >>> import lamina
        >>> lamina.layers.Cropping2D(((1, 0), (2, 1)))(lamina.ops.ones((1, 6, 6, 2))).shape
        torch.Size([1, 5, 3, 2])
    """

    def __init__(self, cropping=((0, 0), (0, 0)), data_format=None, **kwargs):
        super().__init__(2, cropping, data_format, **kwargs)
