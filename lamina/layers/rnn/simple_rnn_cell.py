"""SimpleRNNCell: one step of a fully connected recurrent network."""

from __future__ import annotations

from lamina.layers.rnn.cell_base import RNNCellBase


class SimpleRNNCell(RNNCellBase):
    """One step ``h' = activation(x @ kernel + bias + h @ recurrent_kernel)``.

    Args:
        units, activation ('tanh'), use_bias, kernel_initializer ('glorot_uniform'),
        recurrent_initializer ('orthogonal'), bias_initializer ('zeros'), regularizers,
        constraints, dropout, recurrent_dropout, seed: as in Keras.

    Example:
        >>> import lamina
        >>> cell = lamina.layers.SimpleRNNCell(4)
        >>> h, states = cell(lamina.ops.ones((2, 3)), cell.get_initial_state(2))
        >>> tuple(h.shape)
        (2, 4)
    """

    def build(self, input_shape):
        self._add_kernels(input_shape[-1])
        self._add_bias((self.units,))

    def step(self, projected, states, training=False):
        h = self.activation(projected + self._recurrent(states[0], self.recurrent_kernel, training))
        return h, [h]
