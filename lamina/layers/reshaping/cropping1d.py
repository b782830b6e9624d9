"""Cropping1D: cut steps off the start and end of sequences."""

from __future__ import annotations

from lamina.layers.convolutional import conv_utils as cu
from lamina.layers.reshaping.cropping import BaseCropping


class Cropping1D(BaseCropping):
    """Removes ``cropping[0]`` steps at the start and ``cropping[1]`` at the end of
    ``(batch, steps, features)``.

    Args:
        cropping: int (both ends) or (start, end).

    Example:
        >>> import lamina
        >>> lamina.layers.Cropping1D((1, 2))(lamina.ops.ones((2, 6, 4))).shape
        torch.Size([2, 3, 4])
    """

    def __init__(self, cropping=(1, 1), **kwargs):
        pair = cu.standardize_tuple(cropping, 2, "cropping", "Cropping1D", allow_zero=True)
        super().__init__(1, (pair,), "channels_last", **kwargs)
        self.cropping = pair

    def get_config(self):
        config = super().get_config()
        config.pop("data_format")
        return config
