"""Conv2D: 2D convolution (spatial)."""

from __future__ import annotations

from lamina.layers.convolutional.base_conv import BaseConv
from lamina.layers.convolutional.keras1_alias import keras1_alias


class Conv2D(BaseConv):
    """2D convolution layer: ``activation(conv2d(inputs, kernel) + bias)``.

    The kernel has Keras's shape ``kernel_size + (input_channels // groups, filters)``.

    Args:
        filters: number of output channels (Keras 1: ``nb_filter``).
        kernel_size: int or tuple of 2 ints (Keras 1: ``nb_row, nb_col``).
        strides: int or tuple of 2 ints (Keras 1: ``subsample``).
        padding: 'valid' or 'same' (Keras 1: ``border_mode``).
        data_format: 'channels_last' (default, from ``lamina.config.image_data_format()``) or
            'channels_first' (Keras 1: ``dim_ordering='tf'/'th'``).
        dilation_rate: int or tuple of 2 ints.
        groups: split the channels into this many independent groups.
        activation: name or callable; None means linear.
        use_bias: whether to add a bias (Keras 1: ``bias``).
        kernel_initializer, bias_initializer: 'glorot_uniform' and 'zeros' by default.
        kernel_regularizer, bias_regularizer, activity_regularizer, kernel_constraint,
        bias_constraint: as in Keras (Keras 1: ``W_regularizer`` ...).

    Input shape: ``(batch, rows, cols, channels)`` (channels_first: ``(batch, channels, rows, cols)``).
    Output shape: ``(batch, new_rows, new_cols, filters)``.

    Example:
        >>> import lamina
        >>> layer = lamina.layers.Conv2D(32, (3, 3))
        >>> layer(lamina.ops.ones((4, 28, 28, 1))).shape
        torch.Size([4, 26, 26, 32])
    """

    _keras1_kernel_kwargs = ("nb_row", "nb_col")

    def __init__(self, filters, kernel_size=None, strides=(1, 1), padding="valid", data_format=None,
                 dilation_rate=(1, 1), groups=1, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros", kernel_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 bias_constraint=None, **kwargs):
        super().__init__(2, filters, kernel_size, strides, padding, data_format, dilation_rate, groups,
                         activation, use_bias, kernel_initializer, bias_initializer, kernel_regularizer,
                         bias_regularizer, activity_regularizer, kernel_constraint, bias_constraint,
                         **kwargs)


# Keras 1: Convolution2D(nb_filter, nb_row, nb_col, init, activation, weights, border_mode, subsample, ...)
Convolution2D = keras1_alias(
    Conv2D, "Convolution2D", 2,
    ("init", "activation", "weights", "border_mode", "subsample", "dim_ordering", "W_regularizer",
     "b_regularizer", "activity_regularizer", "W_constraint", "b_constraint", "bias"))
