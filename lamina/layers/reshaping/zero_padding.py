"""BaseZeroPadding: add rows/columns of zeros around the spatial axes."""

from __future__ import annotations

from lamina import ops
from lamina.layers.convolutional import conv_utils as cu
from lamina.layers.input_spec import InputSpec
from lamina.layers.layer import Layer


class BaseZeroPadding(Layer):
    """Pads ``rank`` spatial axes with zeros; ``padding`` holds one (before, after) pair per axis.

    Args:
        rank: number of spatial axes.
        padding: int, ``rank`` ints or ``rank`` (before, after) pairs.
        data_format: 'channels_last' (default) or 'channels_first'.
    """

    _legacy_kwargs = dict(cu.LEGACY_DIM_ORDERING)

    def __init__(self, rank, padding, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.rank = rank
        self.data_format = cu.standardize_data_format(data_format)
        self.padding = cu.standardize_pairs(padding, rank, "padding", type(self).__name__)
        self.input_spec = InputSpec(ndim=rank + 2)
        width = [(0, 0)] * (rank + 2)
        for a, pair in zip(cu.spatial_axes(rank, self.data_format), self.padding):
            width[a] = pair
        self._pad_width = tuple(width)

    def call(self, inputs):
        return ops.pad(inputs, self._pad_width)

    def compute_output_shape(self, input_shape):
        return tuple(None if d is None else d + b + a for d, (b, a) in zip(input_shape, self._pad_width))

    def get_config(self):
        config = super().get_config()
        config.update({"padding": self.padding, "data_format": self.data_format})
        return config
