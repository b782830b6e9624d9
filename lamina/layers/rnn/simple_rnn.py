"""SimpleRNN: a fully connected recurrent layer."""

from __future__ import annotations

from lamina.layers.rnn.cell_layer import _RELU, _TANH, CellRNN
from lamina.layers.rnn.simple_rnn_cell import SimpleRNNCell


class SimpleRNN(CellRNN):
    """Fully connected recurrent layer: ``h_t = activation(x_t @ kernel + bias + h_{t-1} @ recurrent_kernel)``.

    The weights are those of its ``cell`` (a SimpleRNNCell named 'simple_rnn_cell'). With
    activation 'tanh' (default) or 'relu' it runs torch's fused RNN kernel.

    Args:
        units, activation ('tanh'), use_bias, initializers, regularizers, constraints,
        dropout, recurrent_dropout, seed, return_sequences, return_state, go_backwards,
        stateful, unroll, use_cudnn: as for LSTM.

    Example:
        >>> import lamina
        >>> rnn = lamina.layers.SimpleRNN(4, return_sequences=True)
        >>> tuple(rnn(lamina.ops.ones((2, 5, 3))).shape)
        (2, 5, 4)
    """

    _cell_class = SimpleRNNCell
    _cell_name = "simple_rnn_cell"
    _cell_args = ("units", "activation", "use_bias", "kernel_initializer", "recurrent_initializer",
                  "bias_initializer", "kernel_regularizer", "recurrent_regularizer",
                  "bias_regularizer", "kernel_constraint", "recurrent_constraint", "bias_constraint",
                  "dropout", "recurrent_dropout", "seed", "implementation")

    def __init__(self, units, activation="tanh", use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros",
                 kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, recurrent_constraint=None,
                 bias_constraint=None, dropout=0.0, recurrent_dropout=0.0, return_sequences=False,
                 return_state=False, go_backwards=False, stateful=False, unroll=False, seed=None,
                 zero_output_for_mask=False, **kwargs):
        self._setup(
            dict(units=units, activation=activation, use_bias=use_bias,
                 kernel_initializer=kernel_initializer, recurrent_initializer=recurrent_initializer,
                 bias_initializer=bias_initializer, kernel_regularizer=kernel_regularizer,
                 recurrent_regularizer=recurrent_regularizer, bias_regularizer=bias_regularizer,
                 kernel_constraint=kernel_constraint, recurrent_constraint=recurrent_constraint,
                 bias_constraint=bias_constraint, dropout=dropout,
                 recurrent_dropout=recurrent_dropout, seed=seed),
            dict(return_sequences=return_sequences, return_state=return_state,
                 go_backwards=go_backwards, stateful=stateful, unroll=unroll,
                 zero_output_for_mask=zero_output_for_mask,
                 activity_regularizer=activity_regularizer),
            kwargs)

    def _fused_mode(self):
        act = self.cell.activation
        if act in _TANH:
            return "rnn_tanh"
        if act in _RELU:
            return "rnn_relu"
        return None
