"""UpSampling2D: enlarge images by integer factors."""

from __future__ import annotations

from lamina.layers.reshaping.up_sampling import BaseUpSampling


class UpSampling2D(BaseUpSampling):
    """Upsamples rows and columns by ``size``.

    'nearest' repeats each pixel; 'bilinear' interpolates with half-pixel centers
    (``align_corners=False`` in torch terms), exactly as Keras's resize; 'bicubic' follows Keras's
    torch backend.

    Args:
        size: int or tuple of 2 ints (row and column factors).
        data_format: 'channels_last' (default) or 'channels_first' (Keras 1: ``dim_ordering``).
        interpolation: 'nearest' (default), 'bilinear' or 'bicubic'.

    Example:
        >>> import lamina
        >>> lamina.layers.UpSampling2D((2, 3))(lamina.ops.ones((1, 4, 4, 2))).shape
        torch.Size([1, 8, 12, 2])
    """

    def __init__(self, size=(2, 2), data_format=None, interpolation="nearest", **kwargs):
        super().__init__(2, size, data_format, interpolation, **kwargs)

    def get_config(self):
        config = super().get_config()
        config.update({"size": self.size, "data_format": self.data_format,
                       "interpolation": self.interpolation})
        return config
