"""BaseConvTranspose: what Conv1DTranspose, Conv2DTranspose and Conv3DTranspose share."""

from __future__ import annotations

from lamina import activations, initializers, ops
from lamina.layers.convolutional import conv_utils as cu
from lamina.layers.input_spec import InputSpec
from lamina.layers.layer import Layer


class BaseConvTranspose(Layer):
    """N-D transposed convolution ("deconvolution"): the gradient of a convolution.

    The kernel is stored in Keras layout ``kernel_size + (filters, input_channels)``. The output
    geometry is Keras's: with 'same' the output is ``input * strides``; with 'valid' it is
    ``(input - 1) * strides + max(kernel_size, strides)`` (dilated kernel); ``output_padding``
    fixes the amount added at the end instead.

    Args:
        rank: number of spatial dimensions.
        filters, kernel_size, strides, padding ('valid' / 'same'), data_format, dilation_rate,
        activation, use_bias, initializers, regularizers, constraints: as BaseConv.
        output_padding: int or tuple, each value smaller than the stride; None lets Keras's rule
            choose.
    """

    _legacy_kwargs = dict(cu.LEGACY_DIM_ORDERING)

    def __init__(self, rank, filters, kernel_size, strides=1, padding="valid", output_padding=None,
                 data_format=None, dilation_rate=1, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros", kernel_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 bias_constraint=None, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        owner = type(self).__name__
        self.rank = rank
        if not isinstance(filters, int) or isinstance(filters, bool) or filters <= 0:
            raise ValueError(
                f"{owner}: filters must be a positive integer, received filters={filters!r}."
            )
        self.filters = filters
        self.kernel_size = cu.standardize_tuple(kernel_size, rank, "kernel_size", owner)
        self.strides = cu.standardize_tuple(strides, rank, "strides", owner)
        self.padding = cu.standardize_padding(padding, owner)
        self.data_format = cu.standardize_data_format(data_format)
        self.dilation_rate = cu.standardize_tuple(dilation_rate, rank, "dilation_rate", owner)
        if output_padding is None:
            self.output_padding = None
        else:
            self.output_padding = cu.standardize_tuple(output_padding, rank, "output_padding", owner,
                                                       allow_zero=True)
            for i, (op, s) in enumerate(zip(self.output_padding, self.strides)):
                if op >= s:
                    raise ValueError(
                        f"{owner}: output_padding must be smaller than strides on every axis; at "
                        f"axis {i} output_padding={op} but strides={s}. Received "
                        f"output_padding={output_padding!r}, strides={strides!r}."
                    )
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = cu.regularizers.get(kernel_regularizer)
        self.bias_regularizer = cu.regularizers.get(bias_regularizer)
        self.kernel_constraint = cu.constraints.get(kernel_constraint)
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
        self.kernel = self.add_weight(shape=self.kernel_size + (self.filters, in_ch),
                                      initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint, name="kernel")
        if self.use_bias:
            self.bias = self.add_weight(shape=(self.filters,), initializer=self.bias_initializer,
                                        regularizer=self.bias_regularizer,
                                        constraint=self.bias_constraint, name="bias")
        else:
            self.bias = None
        self.input_spec = InputSpec(ndim=self.rank + 2, axes={cu.channel_axis(self.data_format): in_ch})

    def call(self, inputs):
        x = ops.conv_transpose(inputs, self.kernel, self.strides, self.padding, self.output_padding,
                               self.data_format, self.dilation_rate, self.bias)
        return x if self._linear else self.activation(x)

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        axes = cu.spatial_axes(self.rank, self.data_format)
        ops_ = self.output_padding or (None,) * self.rank
        spatial = [cu.conv_transpose_output_length(input_shape[a], k, self.padding, s, op, d)
                   for a, k, s, op, d in zip(axes, self.kernel_size, self.strides, ops_, self.dilation_rate)]
        if self.data_format == "channels_last":
            return (input_shape[0], *spatial, self.filters)
        return (input_shape[0], self.filters, *spatial)

    def get_config(self):
        config = super().get_config()
        config.update({
            "filters": self.filters,
            "kernel_size": self.kernel_size,
            "strides": self.strides,
            "padding": self.padding,
            "output_padding": self.output_padding,
            "data_format": self.data_format,
            "dilation_rate": self.dilation_rate,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "kernel_regularizer": cu.serialize_regularizer(self.kernel_regularizer),
            "bias_regularizer": cu.serialize_regularizer(self.bias_regularizer),
            "activity_regularizer": cu.serialize_regularizer(self.activity_regularizer),
            "kernel_constraint": cu.serialize_constraint(self.kernel_constraint),
            "bias_constraint": cu.serialize_constraint(self.bias_constraint),
        })
        return config
