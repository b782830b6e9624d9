"""AdaptiveAveragePooling2D: average pooling to a fixed 2D output size."""

from __future__ import annotations

from lamina.layers.pooling.base_adaptive_pooling import BaseAdaptivePooling


class AdaptiveAveragePooling2D(BaseAdaptivePooling):
    """Average pooling whose windows are chosen so the output has ``output_size`` positions.

    Bins as torch.nn.AdaptiveAveragePool2d and Keras 3.15 (see BaseAdaptivePooling).

    Args:
        output_size: an int or a tuple of 2 ints.
        data_format: 'channels_last' (default) or 'channels_first'.

    Input shape: (batch, rows, cols, channels) (channels_last). Output shape: the spatial axes become output_size.

    Example:
        >>> import lamina
        >>> list(lamina.layers.AdaptiveAveragePooling2D((4, 3))(lamina.ops.ones((1, 10, 9, 3))).shape)
        [1, 4, 3, 3]
    """

    _mode = "average"

    def __init__(self, output_size, data_format=None, **kwargs):
        super().__init__(2, output_size, data_format=data_format, **kwargs)
