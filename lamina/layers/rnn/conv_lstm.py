"""ConvLSTM: the base of ConvLSTM1D/2D/3D, an RNN of one ConvLSTMCell."""

from __future__ import annotations

from lamina import activations, constraints, initializers, regularizers
from lamina.layers.input_spec import InputSpec
from lamina.layers.keras_tensor import KerasTensor
from lamina.layers.rnn.cell_base import _ser
from lamina.layers.rnn.conv_lstm_cell import ConvLSTMCell
from lamina.layers.rnn.rnn import RNN

_CELL_ARGS = ("filters", "kernel_size", "strides", "padding", "data_format", "dilation_rate",
              "activation", "recurrent_activation", "use_bias", "kernel_initializer",
              "recurrent_initializer", "bias_initializer", "unit_forget_bias", "kernel_regularizer",
              "recurrent_regularizer", "bias_regularizer", "kernel_constraint",
              "recurrent_constraint", "bias_constraint", "dropout", "recurrent_dropout")


class ConvLSTM(RNN):
    """N-D convolutional LSTM over (batch, time, *spatial, channels) inputs (not used directly).

    The weights are those of its cell (a :class:`ConvLSTMCell` named 'conv_lstm_cell'), in
    Keras's layout. The input convolutions of all time steps run as one batched convolution;
    the recurrent convolution runs once per step.

    Args:
        rank: number of spatial axes. The other arguments are those of ConvLSTMCell and RNN
        (return_sequences, return_state, go_backwards, stateful, unroll).
    """

    def __init__(self, rank, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", unit_forget_bias=True, kernel_regularizer=None,
                 recurrent_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, recurrent_constraint=None, bias_constraint=None,
                 dropout=0.0, recurrent_dropout=0.0, seed=None, return_sequences=False,
                 return_state=False, go_backwards=False, stateful=False, **kwargs):
        cell = ConvLSTMCell(
            rank=rank, filters=filters, kernel_size=kernel_size, strides=strides, padding=padding,
            data_format=data_format, dilation_rate=dilation_rate, activation=activation,
            recurrent_activation=recurrent_activation, use_bias=use_bias,
            kernel_initializer=kernel_initializer, recurrent_initializer=recurrent_initializer,
            bias_initializer=bias_initializer, unit_forget_bias=unit_forget_bias,
            kernel_regularizer=kernel_regularizer, recurrent_regularizer=recurrent_regularizer,
            bias_regularizer=bias_regularizer, kernel_constraint=kernel_constraint,
            recurrent_constraint=recurrent_constraint, bias_constraint=bias_constraint,
            dropout=dropout, recurrent_dropout=recurrent_dropout, seed=seed,
            name="conv_lstm_cell", dtype=kwargs.get("dtype"), trainable=kwargs.get("trainable", True))
        super().__init__(cell, return_sequences=return_sequences, return_state=return_state,
                         go_backwards=go_backwards, stateful=stateful,
                         activity_regularizer=activity_regularizer, **kwargs)
        self.rank = rank
        self.input_spec = InputSpec(ndim=rank + 3)

    @property
    def state_size(self):
        return [-1, -1]

    def compute_output_shape(self, sequences_shape, initial_state_shape=None):
        sequences_shape = tuple(sequences_shape)
        batch, steps = sequences_shape[0], sequences_shape[1]
        state = self.cell.compute_output_shape((batch,) + sequences_shape[2:])[0][1:]
        out = (batch, steps) + state if self.return_sequences else (batch,) + state
        if self.return_state:
            return [out, (batch,) + state, (batch,) + state]
        return out

    def compute_output_spec(self, *args, **kwargs):
        shape = self.compute_output_shape(tuple(args[0].shape))
        if self.return_state:
            return [KerasTensor(s, self.compute_dtype) for s in shape]
        return KerasTensor(shape, self.compute_dtype)

    def get_config(self):
        config = super().get_config()
        del config["cell"]
        c = self.cell
        config.update({
            "filters": c.filters, "kernel_size": c.kernel_size, "strides": c.strides,
            "padding": c.padding, "data_format": c.data_format, "dilation_rate": c.dilation_rate,
            "activation": activations.serialize(c.activation),
            "recurrent_activation": activations.serialize(c.recurrent_activation),
            "use_bias": c.use_bias,
            "kernel_initializer": initializers.serialize(c.kernel_initializer),
            "recurrent_initializer": initializers.serialize(c.recurrent_initializer),
            "bias_initializer": initializers.serialize(c.bias_initializer),
            "unit_forget_bias": c.unit_forget_bias,
            "kernel_regularizer": _ser(regularizers, c.kernel_regularizer),
            "recurrent_regularizer": _ser(regularizers, c.recurrent_regularizer),
            "bias_regularizer": _ser(regularizers, c.bias_regularizer),
            "activity_regularizer": _ser(regularizers, self.activity_regularizer),
            "kernel_constraint": _ser(constraints, c.kernel_constraint),
            "recurrent_constraint": _ser(constraints, c.recurrent_constraint),
            "bias_constraint": _ser(constraints, c.bias_constraint),
            "dropout": c.dropout, "recurrent_dropout": c.recurrent_dropout, "seed": c.seed,
        })
        return config

    @classmethod
    def from_config(cls, config):
        return cls(**config)


for _n in _CELL_ARGS:
    setattr(ConvLSTM, _n, property(lambda self, n=_n: getattr(self.cell, n), doc=f"The cell's ``{_n}``."))
del _n
