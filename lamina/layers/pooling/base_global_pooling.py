"""BaseGlobalPooling: max or mean over all spatial axes."""

from __future__ import annotations

from lamina.ops import _internal as ops
from lamina.layers.convolutional import conv_utils as cu
from lamina.layers.input_spec import InputSpec
from lamina.layers.layer import Layer


class BaseGlobalPooling(Layer):
    """Reduces every spatial axis with max or mean, leaving (batch, channels).

    Args:
        pool_dimensions: number of spatial axes (1, 2 or 3).
        pool_mode: 'max' or 'average'.
        data_format: 'channels_last' (default) or 'channels_first'.
        keepdims: keep the reduced axes with size 1 (Keras's default: False).
    """

    _legacy_kwargs = dict(cu.LEGACY_DIM_ORDERING)

    def __init__(self, pool_dimensions, pool_mode="max", data_format=None, keepdims=False, **kwargs):
        super().__init__(**kwargs)
        self.pool_dimensions = pool_dimensions
        self.pool_mode = pool_mode
        self.data_format = cu.standardize_data_format(data_format)
        self.keepdims = keepdims
        self.input_spec = InputSpec(ndim=pool_dimensions + 2)
        self._axes = cu.spatial_axes(pool_dimensions, self.data_format)
        self._reduce = ops.max if pool_mode == "max" else ops.mean

    def call(self, inputs):
        return self._reduce(inputs, axis=self._axes, keepdims=self.keepdims)

    def compute_output_shape(self, input_shape):
        if self.keepdims:
            return tuple(1 if i in self._axes else d for i, d in enumerate(input_shape))
        return tuple(d for i, d in enumerate(input_shape) if i not in self._axes)

    def get_config(self):
        config = super().get_config()
        config.update({"data_format": self.data_format, "keepdims": self.keepdims})
        return config
