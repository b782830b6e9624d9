"""BaseConvTranspose: what Conv1DTranspose, Conv2DTranspose and Conv3DTranspose share."""

from __future__ import annotations

from lamina import initializers
from lamina.ops import _internal as ops
from lamina.layers.convolutional import conv_utils as cu
from lamina.layers.convolutional.base_window import BaseWindowConv


class BaseConvTranspose(BaseWindowConv):
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

    def __init__(self, rank, filters, kernel_size, strides=1, padding="valid", output_padding=None,
                 data_format=None, dilation_rate=1, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros", kernel_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 bias_constraint=None, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        owner = type(self).__name__
        self.filters = self._positive_int(filters, "filters")
        self._set_window(rank, kernel_size, strides, padding, data_format, dilation_rate, activation,
                         use_bias, bias_initializer, bias_regularizer, bias_constraint, allow_causal=False)
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
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.kernel_regularizer = cu.regularizers.get(kernel_regularizer)
        self.kernel_constraint = cu.constraints.get(kernel_constraint)

    def build(self, input_shape):
        in_ch = self._input_channels(input_shape)
        self.kernel = self.add_weight(shape=self.kernel_size + (self.filters, in_ch),
                                      initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint, name="kernel")
        self._add_bias(self.filters)
        self._lock_channels(in_ch)

    def call(self, inputs):
        x = ops.conv_transpose(inputs, self.kernel, self.strides, self.padding, self.output_padding,
                               self.data_format, self.dilation_rate, self.bias)
        return x if self._linear else self.activation(x)

    def compute_output_shape(self, input_shape):
        axes = cu.spatial_axes(self.rank, self.data_format)
        extra = self.output_padding or (None,) * self.rank
        spatial = [cu.conv_transpose_output_length(input_shape[a], k, self.padding, s, op, d)
                   for a, k, s, op, d in zip(axes, self.kernel_size, self.strides, extra, self.dilation_rate)]
        return self._output_shape(input_shape, self.filters, spatial)

    def get_config(self):
        config = super().get_config()
        config.update(self._window_config())
        config.update({
            "filters": self.filters,
            "output_padding": self.output_padding,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "kernel_regularizer": cu.serialize_regularizer(self.kernel_regularizer),
            "kernel_constraint": cu.serialize_constraint(self.kernel_constraint),
        })
        return config
