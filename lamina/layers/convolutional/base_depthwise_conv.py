"""BaseDepthwiseConv: what DepthwiseConv1D and DepthwiseConv2D share."""

from __future__ import annotations

from lamina import activations, initializers, ops
from lamina.layers.convolutional import conv_utils as cu
from lamina.layers.input_spec import InputSpec
from lamina.layers.layer import Layer


class BaseDepthwiseConv(Layer):
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

    _legacy_kwargs = dict(cu.LEGACY_DIM_ORDERING)

    def __init__(self, rank, depth_multiplier, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, activation=None, use_bias=True, depthwise_initializer="glorot_uniform",
                 bias_initializer="zeros", depthwise_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, depthwise_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        owner = type(self).__name__
        self.rank = rank
        if not isinstance(depth_multiplier, int) or isinstance(depth_multiplier, bool) or depth_multiplier <= 0:
            raise ValueError(
                f"{owner}: depth_multiplier must be a positive integer, received "
                f"depth_multiplier={depth_multiplier!r}."
            )
        self.depth_multiplier = depth_multiplier
        self.kernel_size = cu.standardize_tuple(kernel_size, rank, "kernel_size", owner)
        self.strides = cu.standardize_tuple(strides, rank, "strides", owner)
        self.padding = cu.standardize_padding(padding, owner, allow_causal=rank == 1)
        self.data_format = cu.standardize_data_format(data_format)
        self.dilation_rate = cu.standardize_tuple(dilation_rate, rank, "dilation_rate", owner)
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.depthwise_initializer = initializers.get(depthwise_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.depthwise_regularizer = cu.regularizers.get(depthwise_regularizer)
        self.bias_regularizer = cu.regularizers.get(bias_regularizer)
        self.depthwise_constraint = cu.constraints.get(depthwise_constraint)
        self.bias_constraint = cu.constraints.get(bias_constraint)
        self.input_spec = InputSpec(ndim=rank + 2)
        self._linear = self.activation is activations.linear

    def build(self, input_shape):
        in_ch = input_shape[cu.channel_axis(self.data_format)]
        if in_ch is None:
            raise ValueError(
                f"Layer '{self.name}' ({type(self).__name__}) needs a known channel dimension, "
                f"received input shape {tuple(input_shape)} with data_format='{self.data_format}'."
            )
        self.compute_output_shape(input_shape)
        self.kernel = self.add_weight(shape=self.kernel_size + (in_ch, self.depth_multiplier),
                                      initializer=self.depthwise_initializer,
                                      regularizer=self.depthwise_regularizer,
                                      constraint=self.depthwise_constraint, name="kernel")
        if self.use_bias:
            self.bias = self.add_weight(shape=(in_ch * self.depth_multiplier,),
                                        initializer=self.bias_initializer,
                                        regularizer=self.bias_regularizer,
                                        constraint=self.bias_constraint, name="bias")
        else:
            self.bias = None
        self.input_spec = InputSpec(ndim=self.rank + 2, axes={cu.channel_axis(self.data_format): in_ch})

    def call(self, inputs):
        x = ops.depthwise_conv(inputs, self.kernel, self.strides, self.padding, self.data_format,
                               self.dilation_rate, self.bias)
        return x if self._linear else self.activation(x)

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        axes = cu.spatial_axes(self.rank, self.data_format)
        spatial = [cu.conv_output_length(input_shape[a], k, self.padding, s, d)
                   for a, k, s, d in zip(axes, self.kernel_size, self.strides, self.dilation_rate)]
        cu.check_output_positive(self, input_shape, spatial)
        in_ch = input_shape[cu.channel_axis(self.data_format)]
        out_ch = None if in_ch is None else in_ch * self.depth_multiplier
        if self.data_format == "channels_last":
            return (input_shape[0], *spatial, out_ch)
        return (input_shape[0], out_ch, *spatial)

    def get_config(self):
        config = super().get_config()
        config.update({
            "depth_multiplier": self.depth_multiplier,
            "kernel_size": self.kernel_size,
            "strides": self.strides,
            "padding": self.padding,
            "data_format": self.data_format,
            "dilation_rate": self.dilation_rate,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "depthwise_initializer": initializers.serialize(self.depthwise_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "depthwise_regularizer": cu.serialize_regularizer(self.depthwise_regularizer),
            "bias_regularizer": cu.serialize_regularizer(self.bias_regularizer),
            "activity_regularizer": cu.serialize_regularizer(self.activity_regularizer),
            "depthwise_constraint": cu.serialize_constraint(self.depthwise_constraint),
            "bias_constraint": cu.serialize_constraint(self.bias_constraint),
        })
        return config
