"""UpSampling3D: enlarge volumes by integer factors."""

from __future__ import annotations

from lamina.layers.reshaping.up_sampling import BaseUpSampling


class UpSampling3D(BaseUpSampling):
    """Repeats every element ``size[i]`` times along spatial axis i (nearest neighbour).

    Args:
        size: int or tuple of 3 ints.
        data_format: 'channels_last' (default) or 'channels_first' (Keras 1: ``dim_ordering``).

    Example:
        >>> import lamina
        >>> lamina.layers.UpSampling3D(2)(lamina.ops.ones((1, 2, 3, 4, 5))).shape
        torch.Size([1, 4, 6, 8, 5])
    """

    def __init__(self, size=(2, 2, 2), data_format=None, **kwargs):
        super().__init__(3, size, data_format, **kwargs)

    def get_config(self):
        config = super().get_config()
        config.update({"size": self.size, "data_format": self.data_format})
        return config
