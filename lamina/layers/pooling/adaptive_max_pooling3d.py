"""AdaptiveMaxPooling3D: max pooling to a fixed 3D output size."""

from __future__ import annotations

from lamina.layers.pooling.base_adaptive_pooling import BaseAdaptivePooling


class AdaptiveMaxPooling3D(BaseAdaptivePooling):
    """Max pooling whose windows are chosen so the output has ``output_size`` positions.

    Bins as torch.nn.AdaptiveMaxPool3d and Keras 3.15 (see BaseAdaptivePooling).

    Args:
        output_size: an int or a tuple of 3 ints.
        data_format: 'channels_last' (default) or 'channels_first'.

    Input shape: (batch, dim1, dim2, dim3, channels) (channels_last). Output shape: the spatial axes become output_size.

    Example:
        >>> import lamina
        >>> list(lamina.layers.AdaptiveMaxPooling3D((3, 2, 2))(lamina.ops.ones((1, 6, 5, 4, 2))).shape)
        [1, 3, 2, 2, 2]
    """

    _mode = "max"

    def __init__(self, output_size, data_format=None, **kwargs):
        super().__init__(3, output_size, data_format=data_format, **kwargs)
