"""ZeroPadding1D: zeros before and after the steps axis."""

from __future__ import annotations

from lamina.layers.convolutional import conv_utils as cu
from lamina.layers.reshaping.zero_padding import BaseZeroPadding


class ZeroPadding1D(BaseZeroPadding):
    """Adds zeros at the start and end of the steps axis of ``(batch, steps, features)``.

    Args:
        padding: int (both ends) or (start, end).
        data_format: 'channels_last' (default) or 'channels_first' ((batch, features, steps)).

    Example:
        >>> import lamina
        >>> lamina.layers.ZeroPadding1D((1, 2))(lamina.ops.ones((2, 3, 4))).shape
        torch.Size([2, 6, 4])
    """

    def __init__(self, padding=1, data_format=None, **kwargs):
        pair = cu.standardize_tuple(padding, 2, "padding", "ZeroPadding1D", allow_zero=True)
        super().__init__(1, (pair,), data_format, **kwargs)
        self.padding = pair
