"""LSTMCell: one step of a long short-term memory network (Keras gate order i, f, c, o)."""

from __future__ import annotations

from lamina import activations, ops
from lamina.layers.rnn.cell_base import RNNCellBase


class LSTMCell(RNNCellBase):
    """One LSTM step, for ``RNN(LSTMCell(units))`` or a custom loop.

    ``z = x @ kernel + h @ recurrent_kernel + bias`` split into gates i, f, c, o;
    ``c' = f * c + i * activation(z_c)`` and ``h' = o * activation(c')`` with
    i, f, o = recurrent_activation(z_i, z_f, z_o). Weights: kernel (input_dim, 4*units),
    recurrent_kernel (units, 4*units), bias (4*units,), as in Keras.

    Args:
        units: size of the output and of both states.
        activation: 'tanh' by default. recurrent_activation: 'sigmoid' by default.
        use_bias: whether to use a bias.
        kernel_initializer ('glorot_uniform'), recurrent_initializer ('orthogonal'),
        bias_initializer ('zeros'): initializers.
        unit_forget_bias: add 1 to the forget-gate bias at initialization (Keras default True).
        kernel_regularizer, recurrent_regularizer, bias_regularizer, kernel_constraint,
        recurrent_constraint, bias_constraint: as in Keras.
        dropout, recurrent_dropout: fraction of the inputs / of the recurrent state dropped
            in training, with masks fixed over the time steps of a sequence.
        seed: an int makes the random draws reproducible (a SeedGenerator per layer); None uses the
            global generator (seeded by ``lamina.utils.set_random_seed``).

    Call arguments:
        inputs: (batch, features). states: [h, c], each (batch, units). training: bool.

    Returns: ``(h, [h, c])``.

    Example:
        >>> import lamina
        >>> cell = lamina.layers.LSTMCell(4)
        >>> x = lamina.ops.ones((2, 3))
        >>> h, (h2, c) = cell(x, cell.get_initial_state(2))
        >>> tuple(h.shape), tuple(c.shape)
        ((2, 4), (2, 4))
    """

    _gates = 4

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", unit_forget_bias=True, kernel_regularizer=None,
                 recurrent_regularizer=None, bias_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.0, recurrent_dropout=0.0,
                 seed=None, **kwargs):
        super().__init__(units, activation=activation, use_bias=use_bias,
                         kernel_initializer=kernel_initializer,
                         recurrent_initializer=recurrent_initializer,
                         bias_initializer=bias_initializer, kernel_regularizer=kernel_regularizer,
                         recurrent_regularizer=recurrent_regularizer,
                         bias_regularizer=bias_regularizer, kernel_constraint=kernel_constraint,
                         recurrent_constraint=recurrent_constraint, bias_constraint=bias_constraint,
                         dropout=dropout, recurrent_dropout=recurrent_dropout, seed=seed, **kwargs)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.unit_forget_bias = unit_forget_bias
        self.state_size = [units, units]

    def build(self, input_shape):
        self._add_kernels(input_shape[-1])
        init = None  # the bias initializer itself
        if self.unit_forget_bias:
            base, u = self.bias_initializer, self.units

            def init(shape, dtype=None):
                return ops.concatenate([ops.convert_to_tensor(base((u,), dtype=dtype), dtype),
                                        ops.ones((u,), dtype),
                                        ops.convert_to_tensor(base((2 * u,), dtype=dtype), dtype)])
        self._add_bias((4 * self.units,), init)

    def get_initial_state(self, batch_size=None):
        return [ops.zeros((batch_size, self.units), self.compute_dtype) for _ in range(2)]

    def step(self, projected, states, training=False):
        h, c = states[0], states[1]
        z = projected + self._recurrent(h, self.recurrent_kernel, training)
        zi, zf, zc, zo = ops.split(z, 4, axis=-1)
        ra, act = self.recurrent_activation, self.activation
        c = ra(zf) * c + ra(zi) * act(zc)
        h = ra(zo) * act(c)
        return h, [h, c]

    def get_config(self):
        config = super().get_config()
        config.update({
            "recurrent_activation": activations.serialize(self.recurrent_activation),
            "unit_forget_bias": self.unit_forget_bias,
        })
        return config


