"""GRU: the gated recurrent unit layer (Cho et al., 2014)."""

from __future__ import annotations

from lamina.layers.rnn.cell_layer import _SIGMOID, _TANH, CellRNN
from lamina.layers.rnn.gru_cell import GRUCell


class GRU(CellRNN):
    """Gated recurrent unit layer over (batch, time, features) inputs.

    The weights are those of its ``cell`` (a GRUCell named 'gru_cell'): kernel
    (input_dim, 3*units), recurrent_kernel (units, 3*units), gates z, r, h, and a bias of shape
    (2, 3*units) with ``reset_after=True`` (the Keras 3 default, the same GRU as torch's and
    cuDNN's) or (3*units,) with ``reset_after=False`` (Keras 2.2 and older). The default
    configuration runs torch's fused GRU kernel; ``reset_after=False`` runs a step loop.

    Args:
        units, activation ('tanh'), recurrent_activation ('sigmoid'), use_bias, initializers,
        regularizers, constraints, dropout, recurrent_dropout, seed: as for LSTM.
        reset_after: see GRUCell.
        return_sequences, return_state, go_backwards, stateful, unroll, use_cudnn: as for LSTM.

    Input shape: (batch, time, features). Output shape: (batch, units), or
    (batch, time, units) with return_sequences; with return_state the tuple ``(output, h)``.

    Example:
        >>> import lamina
        >>> gru = lamina.layers.GRU(4)
        >>> tuple(gru(lamina.ops.ones((2, 5, 3))).shape)
        (2, 4)
    """

    _cell_class = GRUCell
    _cell_name = "gru_cell"
    _cell_args = ("units", "activation", "recurrent_activation", "use_bias", "kernel_initializer",
                  "recurrent_initializer", "bias_initializer", "kernel_regularizer",
                  "recurrent_regularizer", "bias_regularizer", "kernel_constraint",
                  "recurrent_constraint", "bias_constraint", "dropout", "recurrent_dropout",
                  "reset_after", "seed", "implementation")

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                 recurrent_dropout=0.0, seed=None, return_sequences=False, return_state=False,
                 go_backwards=False, stateful=False, unroll=False, reset_after=True,
                 zero_output_for_mask=False, use_cudnn="auto", **kwargs):
        self._setup(
            dict(units=units, activation=activation, recurrent_activation=recurrent_activation,
                 use_bias=use_bias, kernel_initializer=kernel_initializer,
                 recurrent_initializer=recurrent_initializer, bias_initializer=bias_initializer,
                 kernel_regularizer=kernel_regularizer, recurrent_regularizer=recurrent_regularizer,
                 bias_regularizer=bias_regularizer, kernel_constraint=kernel_constraint,
                 recurrent_constraint=recurrent_constraint, bias_constraint=bias_constraint,
                 dropout=dropout, recurrent_dropout=recurrent_dropout, reset_after=reset_after,
                 seed=seed),
            dict(return_sequences=return_sequences, return_state=return_state,
                 go_backwards=go_backwards, stateful=stateful, unroll=unroll,
                 zero_output_for_mask=zero_output_for_mask,
                 activity_regularizer=activity_regularizer),
            dict(kwargs, use_cudnn=use_cudnn))

    def _fused_mode(self):
        c = self.cell
        ok = c.reset_after and c.activation in _TANH and c.recurrent_activation in _SIGMOID
        return "gru" if ok else None
