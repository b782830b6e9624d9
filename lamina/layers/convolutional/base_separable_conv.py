"""BaseSeparableConv: what SeparableConv1D and SeparableConv2D share."""

from __future__ import annotations

from lamina import activations, initializers, ops
from lamina.layers.convolutional import conv_utils as cu
from lamina.layers.input_spec import InputSpec
from lamina.layers.layer import Layer


class BaseSeparableConv(Layer):
    """Depthwise-separable convolution: a depthwise convolution (each input channel with its own
    ``depth_multiplier`` filters) followed by a 1x1 pointwise convolution to ``filters`` channels.

    Weights, in Keras's order and layout: ``depthwise_kernel`` ``kernel_size + (in, depth_multiplier)``,
    ``pointwise_kernel`` ``(1,) * rank + (in * depth_multiplier, filters)``, ``bias`` ``(filters,)``.

    Args:
        rank: number of spatial dimensions.
        depth_multiplier: depthwise output channels per input channel.
        filters, kernel_size, strides, padding, data_format, dilation_rate, activation, use_bias:
            as BaseConv (strides, padding and dilation apply to the depthwise step).
        depthwise_/pointwise_/bias_ initializer, regularizer, constraint; activity_regularizer.
    """

    # Keras 1's single `init` set both kernels' initializers.
    _legacy_kwargs = dict(cu.LEGACY_DIM_ORDERING, init=("depthwise_initializer", lambda v: _BothKernels(v)))
    _keras1_kernel_kwargs: tuple = ()

    def __init__(self, rank, depth_multiplier, filters, kernel_size=None, strides=1, padding="valid",
                 data_format=None, dilation_rate=1, activation=None, use_bias=True,
                 depthwise_initializer="glorot_uniform", pointwise_initializer="glorot_uniform",
                 bias_initializer="zeros", depthwise_regularizer=None, pointwise_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, depthwise_constraint=None,
                 pointwise_constraint=None, bias_constraint=None, **kwargs):
        kernel_size = cu.legacy_kernel_size(self, kernel_size, kwargs)
        if isinstance(depthwise_initializer, _BothKernels):
            depthwise_initializer = pointwise_initializer = depthwise_initializer.value
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        owner = type(self).__name__
        self.rank = rank
        if not isinstance(filters, int) or isinstance(filters, bool) or filters <= 0:
            raise ValueError(f"{owner}: filters must be a positive integer, received filters={filters!r}.")
        if not isinstance(depth_multiplier, int) or isinstance(depth_multiplier, bool) or depth_multiplier <= 0:
            raise ValueError(
                f"{owner}: depth_multiplier must be a positive integer, received "
                f"depth_multiplier={depth_multiplier!r}."
            )
        if kernel_size is None:
            raise TypeError(f"{owner} is missing its kernel_size. Example: {owner}({filters}, 3).")
        self.depth_multiplier = depth_multiplier
        self.filters = filters
        self.kernel_size = cu.standardize_tuple(kernel_size, rank, "kernel_size", owner)
        self.strides = cu.standardize_tuple(strides, rank, "strides", owner)
        self.padding = cu.standardize_padding(padding, owner, allow_causal=rank == 1)
        self.data_format = cu.standardize_data_format(data_format)
        self.dilation_rate = cu.standardize_tuple(dilation_rate, rank, "dilation_rate", owner)
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.depthwise_initializer = initializers.get(depthwise_initializer)
        self.pointwise_initializer = initializers.get(pointwise_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.depthwise_regularizer = cu.regularizers.get(depthwise_regularizer)
        self.pointwise_regularizer = cu.regularizers.get(pointwise_regularizer)
        self.bias_regularizer = cu.regularizers.get(bias_regularizer)
        self.depthwise_constraint = cu.constraints.get(depthwise_constraint)
        self.pointwise_constraint = cu.constraints.get(pointwise_constraint)
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
        self.depthwise_kernel = self.add_weight(
            shape=self.kernel_size + (in_ch, self.depth_multiplier), initializer=self.depthwise_initializer,
            regularizer=self.depthwise_regularizer, constraint=self.depthwise_constraint,
            name="depthwise_kernel")
        self.pointwise_kernel = self.add_weight(
            shape=(1,) * self.rank + (in_ch * self.depth_multiplier, self.filters),
            initializer=self.pointwise_initializer, regularizer=self.pointwise_regularizer,
            constraint=self.pointwise_constraint, name="pointwise_kernel")
        if self.use_bias:
            self.bias = self.add_weight(shape=(self.filters,), initializer=self.bias_initializer,
                                        regularizer=self.bias_regularizer,
                                        constraint=self.bias_constraint, name="bias")
        else:
            self.bias = None
        self.input_spec = InputSpec(ndim=self.rank + 2, axes={cu.channel_axis(self.data_format): in_ch})

    def call(self, inputs):
        x = ops.separable_conv(inputs, self.depthwise_kernel, self.pointwise_kernel, self.strides,
                               self.padding, self.data_format, self.dilation_rate, self.bias)
        return x if self._linear else self.activation(x)

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        axes = cu.spatial_axes(self.rank, self.data_format)
        spatial = [cu.conv_output_length(input_shape[a], k, self.padding, s, d)
                   for a, k, s, d in zip(axes, self.kernel_size, self.strides, self.dilation_rate)]
        cu.check_output_positive(self, input_shape, spatial)
        if self.data_format == "channels_last":
            return (input_shape[0], *spatial, self.filters)
        return (input_shape[0], self.filters, *spatial)

    def get_config(self):
        config = super().get_config()
        config.update({
            "depth_multiplier": self.depth_multiplier,
            "filters": self.filters,
            "kernel_size": self.kernel_size,
            "strides": self.strides,
            "padding": self.padding,
            "data_format": self.data_format,
            "dilation_rate": self.dilation_rate,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "depthwise_initializer": initializers.serialize(self.depthwise_initializer),
            "pointwise_initializer": initializers.serialize(self.pointwise_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "depthwise_regularizer": cu.serialize_regularizer(self.depthwise_regularizer),
            "pointwise_regularizer": cu.serialize_regularizer(self.pointwise_regularizer),
            "bias_regularizer": cu.serialize_regularizer(self.bias_regularizer),
            "activity_regularizer": cu.serialize_regularizer(self.activity_regularizer),
            "depthwise_constraint": cu.serialize_constraint(self.depthwise_constraint),
            "pointwise_constraint": cu.serialize_constraint(self.pointwise_constraint),
            "bias_constraint": cu.serialize_constraint(self.bias_constraint),
        })
        return config


class _BothKernels:
    """Keras 1 ``init=``: one initializer for the depthwise and the pointwise kernel."""

    def __init__(self, value):
        self.value = value
