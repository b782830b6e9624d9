"""LSTM: the long short-term memory layer (Hochreiter & Schmidhuber, 1997)."""

from __future__ import annotations

from lamina.layers.rnn.cell_layer import _SIGMOID, _TANH, CellRNN
from lamina.layers.rnn.lstm_cell import LSTMCell


class LSTM(CellRNN):
    """Long short-term memory layer over (batch, time, features) inputs.

    The weights are those of its ``cell`` (an LSTMCell named 'lstm_cell'): kernel
    (input_dim, 4*units), recurrent_kernel (units, 4*units), bias (4*units,), gates i, f, c, o,
    exactly as Keras saves them. With the default activations it runs torch's fused LSTM
    kernel (see lamina/layers/rnn/cell_layer.py for when); otherwise a step loop.

    Args:
        units: output size (Keras 1: ``output_dim``).
        activation: 'tanh'. recurrent_activation: 'sigmoid' (Keras 1: ``inner_activation``).
        use_bias, kernel_initializer ('glorot_uniform'; Keras 1: ``init``),
        recurrent_initializer ('orthogonal'; Keras 1: ``inner_init``), bias_initializer,
        unit_forget_bias (True), kernel/recurrent/bias/activity regularizers and constraints
        (Keras 1: ``W_regularizer`` ...), dropout, recurrent_dropout (Keras 1: ``dropout_W``,
        ``dropout_U``), seed: as in LSTMCell / Keras.
        return_sequences, return_state, go_backwards, stateful, unroll: see ``RNN``.
        use_cudnn: 'auto' (fused kernel when possible), False (always the step loop) or True
            (fused kernel or an error). Keras 1 ``consume_less`` maps to ``implementation``.

    Call arguments: sequences, initial_state=[h, c], mask, training (see ``RNN``).

    Input shape: (batch, time, features). Output shape: (batch, units), or
    (batch, time, units) with return_sequences; with return_state the tuple ``(output, h, c)``.

    Example:
        >>> import lamina
        >>> lstm = lamina.layers.LSTM(4, return_sequences=True, return_state=True)
        >>> seq, h, c = lstm(lamina.ops.ones((2, 5, 3)))
        >>> tuple(seq.shape), tuple(h.shape), tuple(c.shape)
        ((2, 5, 4), (2, 4), (2, 4))
    """

    _cell_class = LSTMCell
    _cell_name = "lstm_cell"
    _cell_args = ("units", "activation", "recurrent_activation", "use_bias", "kernel_initializer",
                  "recurrent_initializer", "bias_initializer", "unit_forget_bias",
                  "kernel_regularizer", "recurrent_regularizer", "bias_regularizer",
                  "kernel_constraint", "recurrent_constraint", "bias_constraint", "dropout",
                  "recurrent_dropout", "seed", "implementation")
    _legacy_kwargs = {"forget_bias_init": ("unit_forget_bias", lambda v: v in ("one", "ones"))}

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", unit_forget_bias=True, kernel_regularizer=None,
                 recurrent_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, recurrent_constraint=None, bias_constraint=None,
                 dropout=0.0, recurrent_dropout=0.0, seed=None, return_sequences=False,
                 return_state=False, go_backwards=False, stateful=False, unroll=False,
                 zero_output_for_mask=False, use_cudnn="auto", **kwargs):
        self._setup(
            dict(units=units, activation=activation, recurrent_activation=recurrent_activation,
                 use_bias=use_bias, kernel_initializer=kernel_initializer,
                 recurrent_initializer=recurrent_initializer, bias_initializer=bias_initializer,
                 unit_forget_bias=unit_forget_bias, kernel_regularizer=kernel_regularizer,
                 recurrent_regularizer=recurrent_regularizer, bias_regularizer=bias_regularizer,
                 kernel_constraint=kernel_constraint, recurrent_constraint=recurrent_constraint,
                 bias_constraint=bias_constraint, dropout=dropout,
                 recurrent_dropout=recurrent_dropout, seed=seed),
            dict(return_sequences=return_sequences, return_state=return_state,
                 go_backwards=go_backwards, stateful=stateful, unroll=unroll,
                 zero_output_for_mask=zero_output_for_mask,
                 activity_regularizer=activity_regularizer),
            dict(kwargs, use_cudnn=use_cudnn))

    def _fused_mode(self):
        c = self.cell
        return "lstm" if c.activation in _TANH and c.recurrent_activation in _SIGMOID else None
