"""BaseDepthwiseConv: what DepthwiseConv1D and DepthwiseConv2D share."""

from __future__ import annotations

from lamina import initializers
from lamina.ops import _internal as ops
from lamina.layers.convolutional import conv_utils as cu
from lamina.layers.convolutional.base_window import BaseWindowConv


class BaseDepthwiseConv(BaseWindowConv):
    """Depthwise convolution: each input channel is convolved with its own
    ``depth_multiplier`` filters; output channel ``c * depth_multiplier + m``.

    The kernel (weight name 'kernel', as Keras 3) has shape
    ``kernel_size + (input_channels, depth_multiplier)``; the bias has
    ``input_channels * depth_multiplier`` entries.

    Args:
        rank: number of spatial dimensions.
        depth_multiplier: output channels per input channel.
        kernel_size, strides, padding, data_format, dilation_rate, activation, use_bias: as BaseConv.
        depthwise_initializer, depthwise_regularizer, depthwise_constraint: for the kernel.
        bias_initializer, bias_regularizer, activity_regularizer, bias_constraint: as BaseConv.
    """

    def __init__(self, rank, depth_multiplier, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, activation=None, use_bias=True, depthwise_initializer="glorot_uniform",
                 bias_initializer="zeros", depthwise_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, depthwise_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self.depth_multiplier = self._positive_int(depth_multiplier, "depth_multiplier")
        self._set_window(rank, kernel_size, strides, padding, data_format, dilation_rate, activation,
                         use_bias, bias_initializer, bias_regularizer, bias_constraint, allow_causal=rank == 1)
        self.depthwise_initializer = initializers.get(depthwise_initializer)
        self.depthwise_regularizer = cu.regularizers.get(depthwise_regularizer)
        self.depthwise_constraint = cu.constraints.get(depthwise_constraint)

    def build(self, input_shape):
        in_ch = self._input_channels(input_shape)
        self.compute_output_shape(input_shape)
        self.kernel = self.add_weight(shape=self.kernel_size + (in_ch, self.depth_multiplier),
                                      initializer=self.depthwise_initializer,
                                      regularizer=self.depthwise_regularizer,
                                      constraint=self.depthwise_constraint, name="kernel")
        self._add_bias(in_ch * self.depth_multiplier)
        self._lock_channels(in_ch)

    def call(self, inputs):
        x = ops.depthwise_conv(inputs, self.kernel, self.strides, self.padding, self.data_format,
                               self.dilation_rate, self.bias)
        return x if self._linear else self.activation(x)

    def compute_output_shape(self, input_shape):
        in_ch = input_shape[cu.channel_axis(self.data_format)]
        return self._output_shape(input_shape, None if in_ch is None else in_ch * self.depth_multiplier)

    def get_config(self):
        config = super().get_config()
        config.update(self._window_config())
        config.update({
            "depth_multiplier": self.depth_multiplier,
            "depthwise_initializer": initializers.serialize(self.depthwise_initializer),
            "depthwise_regularizer": cu.serialize_regularizer(self.depthwise_regularizer),
            "depthwise_constraint": cu.serialize_constraint(self.depthwise_constraint),
        })
        return config
