"""SeparableConv2D: 2D depthwise-separable convolution."""

from __future__ import annotations

from lamina.layers.convolutional.base_separable_conv import BaseSeparableConv
from lamina.layers.convolutional.keras1_alias import keras1_alias


class SeparableConv2D(BaseSeparableConv):
    """2D separable convolution: a depthwise convolution, then a 1x1 convolution to ``filters``.

    Weights (Keras order and layout): ``depthwise_kernel`` ``kernel_size + (channels,
    depth_multiplier)``, ``pointwise_kernel`` ``(1, 1) + (channels * depth_multiplier, filters)``,
    ``bias`` ``(filters,)``.

    Args:
        filters: number of output channels (Keras 1: ``nb_filter``).
        kernel_size: int or tuple of 2 ints for the depthwise step.
        strides, padding ('valid' or 'same'), data_format, dilation_rate: of the depthwise step.
        depth_multiplier: depthwise filters per input channel.
        activation, use_bias: as Conv2D.
        depthwise_initializer, pointwise_initializer, bias_initializer; the matching
        regularizers and constraints; activity_regularizer.

    Input shape: ``(batch, rows, cols, channels)``. Output shape: ``(batch, new_rows, new_cols, filters)`` (channels_last).

    Example:
        >>> import lamina
        >>> layer = lamina.layers.SeparableConv2D(16, 3)
        >>> layer(lamina.ops.ones((4, 8, 8, 3))).shape
        torch.Size([4, 6, 6, 16])
    """

    _keras1_kernel_kwargs = ("nb_row", "nb_col")

    def __init__(self, filters, kernel_size=None, strides=(1, 1), padding="valid", data_format=None,
                 dilation_rate=(1, 1), depth_multiplier=1, activation=None, use_bias=True,
                 depthwise_initializer="glorot_uniform", pointwise_initializer="glorot_uniform",
                 bias_initializer="zeros", depthwise_regularizer=None, pointwise_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, depthwise_constraint=None,
                 pointwise_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(2, depth_multiplier, filters, kernel_size, strides, padding, data_format,
                         dilation_rate, activation, use_bias, depthwise_initializer, pointwise_initializer,
                         bias_initializer, depthwise_regularizer, pointwise_regularizer, bias_regularizer,
                         activity_regularizer, depthwise_constraint, pointwise_constraint, bias_constraint,
                         **kwargs)


# Keras 1: SeparableConvolution2D(nb_filter, nb_row, nb_col, init, activation, weights, border_mode,
# subsample, depth_multiplier, dim_ordering, ...)
SeparableConvolution2D = keras1_alias(
    SeparableConv2D, "SeparableConvolution2D", 2,
    ("init", "activation", "weights", "border_mode", "subsample", "depth_multiplier", "dim_ordering",
     "depthwise_regularizer", "pointwise_regularizer", "b_regularizer", "activity_regularizer",
     "depthwise_constraint", "pointwise_constraint", "b_constraint", "bias"))
