"""DepthwiseConv2D: 2D depthwise convolution."""

from __future__ import annotations

from lamina.layers.convolutional.base_depthwise_conv import BaseDepthwiseConv


class DepthwiseConv2D(BaseDepthwiseConv):
    """2D depthwise convolution: every input channel gets its own ``depth_multiplier`` filters.

    Output channel ``c * depth_multiplier + m`` is input channel ``c`` convolved with
    ``kernel[..., c, m]``; the kernel has Keras's shape ``kernel_size + (channels, depth_multiplier)``.

    Args:
        kernel_size: int or tuple of 2 ints.
        strides: int or tuple.
        padding: 'valid' or 'same'.
        depth_multiplier: filters per input channel (1 by default).
        data_format: 'channels_last' (default) or 'channels_first'.
        dilation_rate: int or tuple.
        activation, use_bias: as Conv2D.
        depthwise_initializer, depthwise_regularizer, depthwise_constraint: for the kernel.
        bias_initializer, bias_regularizer, activity_regularizer, bias_constraint: as Conv2D.

    Input shape: ``(batch, rows, cols, channels)``. Output shape: ``(batch, new_rows, new_cols, channels * depth_multiplier)`` (channels_last).

    Example:
        >>> import lamina
        >>> layer = lamina.layers.DepthwiseConv2D(3, depth_multiplier=2)
        >>> layer(lamina.ops.ones((4, 8, 8, 3))).shape
        torch.Size([4, 6, 6, 6])
    """

    def __init__(self, kernel_size, strides=(1, 1), padding="valid", depth_multiplier=1, data_format=None,
                 dilation_rate=(1, 1), activation=None, use_bias=True, depthwise_initializer="glorot_uniform",
                 bias_initializer="zeros", depthwise_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, depthwise_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(2, depth_multiplier, kernel_size, strides, padding, data_format, dilation_rate,
                         activation, use_bias, depthwise_initializer, bias_initializer,
                         depthwise_regularizer, bias_regularizer, activity_regularizer,
                         depthwise_constraint, bias_constraint, **kwargs)
