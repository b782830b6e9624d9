"""Conv1DTranspose: 1D transposed convolution."""

from __future__ import annotations

from lamina.layers.convolutional.base_conv_transpose import BaseConvTranspose


class Conv1DTranspose(BaseConvTranspose):
    """1D transposed convolution ("deconvolution"), e.g. to upsample feature maps.

    The kernel has Keras's shape ``kernel_size + (filters, input_channels)``; with 'same' padding
    the output is ``input * strides`` on every spatial axis.

    Args:
        filters: number of output channels.
        kernel_size: int or tuple of 1 int.
        strides: int or tuple of 1 int.
        padding: 'valid' or 'same'.
        output_padding: int or tuple; the amount added at the end of each spatial axis (each
            smaller than the stride). None uses Keras's default.
        data_format: 'channels_last' (default) or 'channels_first'.
        dilation_rate: int or tuple.
        activation, use_bias, kernel_initializer, bias_initializer, kernel_regularizer,
        bias_regularizer, activity_regularizer, kernel_constraint, bias_constraint: as Conv1D.

    Input shape: ``(batch, steps, channels)``. Output shape: ``(batch, new_steps, filters)`` (channels_last).

    Example:
        >>> import lamina
        >>> layer = lamina.layers.Conv1DTranspose(16, 3, strides=2, padding="same")
        >>> layer(lamina.ops.ones((4, 10, 8))).shape
        torch.Size([4, 20, 16])
    """

    def __init__(self, filters, kernel_size, strides=1, padding="valid", output_padding=None, data_format=None,
                 dilation_rate=1, activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(1, filters, kernel_size, strides, padding, output_padding, data_format,
                         dilation_rate, activation, use_bias, kernel_initializer, bias_initializer,
                         kernel_regularizer, bias_regularizer, activity_regularizer, kernel_constraint,
                         bias_constraint, **kwargs)


Convolution1DTranspose = Conv1DTranspose
