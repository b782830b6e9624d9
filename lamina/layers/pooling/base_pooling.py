"""BasePooling: what the max and average pooling layers share."""

from __future__ import annotations

from lamina.ops import _internal as ops
from lamina.layers.convolutional import conv_utils as cu
from lamina.layers.input_spec import InputSpec
from lamina.layers.layer import Layer


class BasePooling(Layer):
    """Max or average pooling over ``pool_dimensions`` spatial axes.

    With ``padding='same'`` the windows are padded TF-style (an odd total puts the extra one at
    the end). Max pooling never picks the padding; average pooling divides each window by the
    number of real (unpadded) inputs it covers, as Keras does.

    Args:
        pool_size: int or tuple, the window.
        strides: int or tuple; None means ``pool_size``.
        pool_dimensions: 1, 2 or 3.
        pool_mode: 'max' or 'average'.
        padding: 'valid' or 'same'.
        data_format: 'channels_last' (default) or 'channels_first'.
    """

    _legacy_kwargs = dict(cu.LEGACY_DIM_ORDERING)

    def __init__(self, pool_size, strides, pool_dimensions, pool_mode="max", padding="valid",
                 data_format=None, name=None, **kwargs):
        super().__init__(name=name, **kwargs)
        owner = type(self).__name__
        self.pool_dimensions = pool_dimensions
        self.pool_mode = pool_mode
        self.pool_size = cu.standardize_tuple(pool_size, pool_dimensions, "pool_size", owner)
        self.strides = (self.pool_size if strides is None
                        else cu.standardize_tuple(strides, pool_dimensions, "strides", owner))
        self.padding = cu.standardize_padding(padding, owner)
        self.data_format = cu.standardize_data_format(data_format)
        self.input_spec = InputSpec(ndim=pool_dimensions + 2)
        self._op = ops.max_pool if pool_mode == "max" else ops.average_pool

    def build(self, input_shape):
        self.compute_output_shape(input_shape)

    def call(self, inputs):
        return self._op(inputs, self.pool_size, self.strides, self.padding, self.data_format)

    def compute_output_shape(self, input_shape):
        shape = list(input_shape)
        for a, k, s in zip(cu.spatial_axes(self.pool_dimensions, self.data_format), self.pool_size,
                           self.strides):
            shape[a] = cu.conv_output_length(shape[a], k, self.padding, s)
        cu.check_output_positive(self, input_shape,
                                 [shape[a] for a in cu.spatial_axes(self.pool_dimensions, self.data_format)])
        return tuple(shape)

    def get_config(self):
        config = super().get_config()
        config.update({
            "pool_size": self.pool_size,
            "padding": self.padding,
            "strides": self.strides,
            "data_format": self.data_format,
        })
        return config
