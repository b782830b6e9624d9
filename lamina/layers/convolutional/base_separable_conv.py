"""BaseSeparableConv: what SeparableConv1D and SeparableConv2D share."""

from __future__ import annotations

from lamina import initializers
from lamina.ops import _internal as ops
from lamina.layers.convolutional import conv_utils as cu
from lamina.layers.convolutional.base_window import BaseWindowConv


class BaseSeparableConv(BaseWindowConv):
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
        filters = self._positive_int(filters, "filters")
        depth_multiplier = self._positive_int(depth_multiplier, "depth_multiplier")
        if kernel_size is None:
            raise TypeError(f"{owner} is missing its kernel_size. Example: {owner}({filters}, 3).")
        self.depth_multiplier = depth_multiplier
        self.filters = filters
        self._set_window(rank, kernel_size, strides, padding, data_format, dilation_rate, activation,
                         use_bias, bias_initializer, bias_regularizer, bias_constraint, allow_causal=rank == 1)
        self.depthwise_initializer = initializers.get(depthwise_initializer)
        self.pointwise_initializer = initializers.get(pointwise_initializer)
        self.depthwise_regularizer = cu.regularizers.get(depthwise_regularizer)
        self.pointwise_regularizer = cu.regularizers.get(pointwise_regularizer)
        self.depthwise_constraint = cu.constraints.get(depthwise_constraint)
        self.pointwise_constraint = cu.constraints.get(pointwise_constraint)

    def build(self, input_shape):
        in_ch = self._input_channels(input_shape)
        self.compute_output_shape(input_shape)
        self.depthwise_kernel = self.add_weight(
            shape=self.kernel_size + (in_ch, self.depth_multiplier), initializer=self.depthwise_initializer,
            regularizer=self.depthwise_regularizer, constraint=self.depthwise_constraint,
            name="depthwise_kernel")
        self.pointwise_kernel = self.add_weight(
            shape=(1,) * self.rank + (in_ch * self.depth_multiplier, self.filters),
            initializer=self.pointwise_initializer, regularizer=self.pointwise_regularizer,
            constraint=self.pointwise_constraint, name="pointwise_kernel")
        self._add_bias(self.filters)
        self._lock_channels(in_ch)

    def call(self, inputs):
        x = ops.separable_conv(inputs, self.depthwise_kernel, self.pointwise_kernel, self.strides,
                               self.padding, self.data_format, self.dilation_rate, self.bias)
        return x if self._linear else self.activation(x)

    def compute_output_shape(self, input_shape):
        return self._output_shape(input_shape, self.filters)

    def get_config(self):
        config = super().get_config()
        config.update(self._window_config())
        config.update({
            "depth_multiplier": self.depth_multiplier,
            "filters": self.filters,
            "depthwise_initializer": initializers.serialize(self.depthwise_initializer),
            "pointwise_initializer": initializers.serialize(self.pointwise_initializer),
            "depthwise_regularizer": cu.serialize_regularizer(self.depthwise_regularizer),
            "pointwise_regularizer": cu.serialize_regularizer(self.pointwise_regularizer),
            "depthwise_constraint": cu.serialize_constraint(self.depthwise_constraint),
            "pointwise_constraint": cu.serialize_constraint(self.pointwise_constraint),
        })
        return config


class _BothKernels:
    """Keras 1 ``init=``: one initializer for the depthwise and the pointwise kernel."""

    def __init__(self, value):
        self.value = value
