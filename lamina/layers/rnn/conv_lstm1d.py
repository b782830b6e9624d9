"""ConvLSTM1D: a 1D convolutional LSTM."""

from __future__ import annotations

from lamina.layers.rnn.conv_lstm import ConvLSTM


class ConvLSTM1D(ConvLSTM):
    """1D convolutional LSTM: an LSTM whose input and recurrent transforms are 1D convolutions.

    Weights (those of its cell 'conv_lstm_cell', Keras layout): kernel
    ``kernel_size + (channels, 4*filters)``, recurrent_kernel ``kernel_size + (filters, 4*filters)``,
    bias ``(4*filters,)``, gates i, f, c, o.

    Args:
        filters: number of output channels.
        kernel_size: int or tuple of 1 ints.
        strides: int or tuple of 1 ints (not combined with dilation_rate > 1).
        padding: 'valid' or 'same'. data_format: 'channels_last' (default) or 'channels_first'.
        dilation_rate: int or tuple of 1 ints.
        activation ('tanh'), recurrent_activation ('sigmoid'), use_bias, kernel_initializer
        ('glorot_uniform'), recurrent_initializer ('orthogonal'), bias_initializer ('zeros'),
        unit_forget_bias (True), kernel/recurrent/bias/activity regularizers, kernel/recurrent/bias
        constraints, dropout, recurrent_dropout, seed: as LSTM.
        return_sequences, return_state, go_backwards, stateful: see RNN.

    Call arguments: sequences, initial_state=[h, c], mask, training (see RNN).

    Input shape: (batch, time, steps, channels) (channels_last).
    Output shape: (batch, *out_spatial, filters), with return_sequences
    (batch, time, *out_spatial, filters); with return_state ``[output, h, c]``.

    Example:
        >>> import lamina
        >>> layer = lamina.layers.ConvLSTM1D(3, 3, padding="same")
        >>> tuple(layer(lamina.ops.ones((2, 4, 6, 1))).shape)
        (2, 6, 3)
    """

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", unit_forget_bias=True, kernel_regularizer=None,
                 recurrent_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, recurrent_constraint=None, bias_constraint=None,
                 dropout=0.0, recurrent_dropout=0.0, seed=None, return_sequences=False,
                 return_state=False, go_backwards=False, stateful=False, **kwargs):
        super().__init__(
            rank=1, filters=filters, kernel_size=kernel_size, strides=strides, padding=padding,
            data_format=data_format, dilation_rate=dilation_rate, activation=activation,
            recurrent_activation=recurrent_activation, use_bias=use_bias,
            kernel_initializer=kernel_initializer, recurrent_initializer=recurrent_initializer,
            bias_initializer=bias_initializer, unit_forget_bias=unit_forget_bias,
            kernel_regularizer=kernel_regularizer, recurrent_regularizer=recurrent_regularizer,
            bias_regularizer=bias_regularizer, activity_regularizer=activity_regularizer,
            kernel_constraint=kernel_constraint, recurrent_constraint=recurrent_constraint,
            bias_constraint=bias_constraint, dropout=dropout, recurrent_dropout=recurrent_dropout,
            seed=seed, return_sequences=return_sequences, return_state=return_state,
            go_backwards=go_backwards, stateful=stateful, **kwargs)
