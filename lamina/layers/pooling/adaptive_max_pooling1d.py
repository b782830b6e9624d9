"""AdaptiveMaxPooling1D: max pooling to a fixed 1D output size."""

from __future__ import annotations

from lamina.layers.pooling.base_adaptive_pooling import BaseAdaptivePooling


class AdaptiveMaxPooling1D(BaseAdaptivePooling):
    """Max pooling whose windows are chosen so the output has ``output_size`` positions.

    Bins as torch.nn.AdaptiveMaxPool1d and Keras 3.15 (see BaseAdaptivePooling).

    Args:
        output_size: an int or a tuple of 1 ints.
        data_format: 'channels_last' (default) or 'channels_first'.

    Input shape: (batch, steps, channels) (channels_last). Output shape: the spatial axes become output_size.

    Example:
        >>> import lamina
        >>> list(lamina.layers.AdaptiveMaxPooling1D(4)(lamina.ops.ones((1, 10, 3))).shape)
        [1, 4, 3]
    """

    _mode = "max"

    def __init__(self, output_size, data_format=None, **kwargs):
        super().__init__(1, output_size, data_format=data_format, **kwargs)
