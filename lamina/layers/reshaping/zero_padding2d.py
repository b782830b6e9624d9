"""ZeroPadding2D: rows and columns of zeros around images."""

from __future__ import annotations

from lamina.layers.reshaping.zero_padding import BaseZeroPadding


class ZeroPadding2D(BaseZeroPadding):
    """Adds rows of zeros at the top and bottom and columns at the left and right.

    Args:
        padding: int (all sides), (rows, cols) (symmetric), or ((top, bottom), (left, right)).
        data_format: 'channels_last' (default) or 'channels_first' (Keras 1: ``dim_ordering``).

    Example:
        >>> import lamina
        >>> lamina.layers.ZeroPadding2D(((1, 0), (2, 3)))(lamina.ops.ones((1, 4, 4, 2))).shape
        torch.Size([1, 5, 9, 2])
    """

    def __init__(self, padding=(1, 1), data_format=None, **kwargs):
        super().__init__(2, padding, data_format, **kwargs)
