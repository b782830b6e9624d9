"""Conv1D: 1D convolution (temporal)."""

from __future__ import annotations

from lamina.layers.convolutional.base_conv import BaseConv


class Conv1D(BaseConv):
    """1D convolution layer: ``activation(conv1d(inputs, kernel) + bias)``.

    The kernel has Keras's shape ``kernel_size + (input_channels // groups, filters)``.
    ``padding='causal'`` pads on the left only, so ``output[t]`` never sees ``input[t + 1:]``.

    Args:
        filters: number of output channels (Keras 1: ``nb_filter``).
        kernel_size: int or a tuple of one int (Keras 1: ``filter_length``).
        strides: int or a tuple of one int (Keras 1: ``subsample_length``).
        padding: 'valid', 'same' or 'causal' (Keras 1: ``border_mode``).
        data_format: 'channels_last' (default, from ``lamina.config.image_data_format()``) or
            'channels_first' (Keras 1: ``dim_ordering='tf'/'th'``).
        dilation_rate: int or a tuple of one int.
        groups: split the channels into this many independent groups.
        activation: name or callable; None means linear.
        use_bias: whether to add a bias (Keras 1: ``bias``).
        kernel_initializer, bias_initializer: 'glorot_uniform' and 'zeros' by default.
        kernel_regularizer, bias_regularizer, activity_regularizer, kernel_constraint,
        bias_constraint: as in Keras (Keras 1: ``W_regularizer`` ...).

    Input shape: ``(batch, steps, channels)`` (channels_first: ``(batch, channels, steps)``).
    Output shape: ``(batch, new_steps, filters)``.

    Example:
        >>> import lamina
        >>> layer = lamina.layers.Conv1D(16, 3)
        >>> layer(lamina.ops.ones((4, 10, 8))).shape
        torch.Size([4, 8, 16])
    """

    _keras1_kernel_kwargs = ("filter_length",)

    def __init__(self, filters, kernel_size=None, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, groups=1, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros", kernel_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 bias_constraint=None, **kwargs):
        super().__init__(1, filters, kernel_size, strides, padding, data_format, dilation_rate, groups,
                         activation, use_bias, kernel_initializer, bias_initializer, kernel_regularizer,
                         bias_regularizer, activity_regularizer, kernel_constraint, bias_constraint,
                         **kwargs)


Convolution1D = Conv1D
