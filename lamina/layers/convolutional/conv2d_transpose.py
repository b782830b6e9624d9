"""Conv2DTranspose: 2D transposed convolution."""

from __future__ import annotations

from lamina.layers.convolutional.base_conv_transpose import BaseConvTranspose


class Conv2DTranspose(BaseConvTranspose):
    """2D transposed convolution ("deconvolution"), e.g. to upsample feature maps.

    The kernel has Keras's shape ``kernel_size + (filters, input_channels)``; with 'same' padding
    the output is ``input * strides`` on every spatial axis.

    Args:
        filters: number of output channels.
        kernel_size: int or tuple of 2 ints.
        strides: int or tuple of 2 ints.
        padding: 'valid' or 'same'.
        output_padding: int or tuple; the amount added at the end of each spatial axis (each
            smaller than the stride). None uses Keras's default.
        data_format: 'channels_last' (default) or 'channels_first'.
        dilation_rate: int or tuple.
        activation, use_bias, kernel_initializer, bias_initializer, kernel_regularizer,
        bias_regularizer, activity_regularizer, kernel_constraint, bias_constraint: as Conv2D.

    Input shape: ``(batch, rows, cols, channels)``. Output shape: ``(batch, new_rows, new_cols, filters)`` (channels_last).

    Example:
        >>> import lamina
        >>> layer = lamina.layers.Conv2DTranspose(16, 3, strides=2, padding="same")
        >>> layer(lamina.ops.ones((4, 7, 7, 8))).shape
        torch.Size([4, 14, 14, 16])
    """

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid", output_padding=None, data_format=None,
                 dilation_rate=(1, 1), activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(2, filters, kernel_size, strides, padding, output_padding, data_format,
                         dilation_rate, activation, use_bias, kernel_initializer, bias_initializer,
                         kernel_regularizer, bias_regularizer, activity_regularizer, kernel_constraint,
                         bias_constraint, **kwargs)


Convolution2DTranspose = Conv2DTranspose
