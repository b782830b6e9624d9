"""GRUCell: one step of a gated recurrent unit (Keras gate order z, r, h)."""

from __future__ import annotations

from lamina import activations, ops
from lamina.layers.rnn.cell_base import RNNCellBase


class GRUCell(RNNCellBase):
    """One GRU step, for ``RNN(GRUCell(units))`` or a custom loop.

    Gates z (update), r (reset), h (candidate); ``h' = z * h + (1 - z) * hh``. With
    ``reset_after=True`` (Keras 3 default, torch's and cuDNN's GRU) the reset gate multiplies
    the recurrent projection: ``hh = activation(x_h + r * (h @ R_h + b_rec_h))`` and the bias
    has shape (2, 3*units) (input bias, recurrent bias). With ``reset_after=False``:
    ``hh = activation(x_h + (r * h) @ R_h)`` and the bias is (3*units,).

    Args:
        units, activation ('tanh'), recurrent_activation ('sigmoid'), use_bias,
        kernel_initializer, recurrent_initializer, bias_initializer, regularizers,
        constraints, dropout, recurrent_dropout, seed: as for LSTMCell.
        reset_after: where the reset gate is applied (see above).

    Example:
        >>> import lamina
        >>> cell = lamina.layers.GRUCell(4)
        >>> h, states = cell(lamina.ops.ones((2, 3)), cell.get_initial_state(2))
        >>> tuple(h.shape), len(states)
        ((2, 4), 1)
    """

    _gates = 3

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, kernel_constraint=None, recurrent_constraint=None,
                 bias_constraint=None, dropout=0.0, recurrent_dropout=0.0, reset_after=True,
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
        self.reset_after = reset_after

    def build(self, input_shape):
        self._add_kernels(input_shape[-1])
        self._add_bias((2, 3 * self.units) if self.reset_after else (3 * self.units,))

    def _input_bias(self):
        if self.bias is None:
            return None
        return self.bias[0] if self.reset_after else self.bias

    def step(self, projected, states, training=False):
        h = states[0]
        u = self.units
        ra, act = self.recurrent_activation, self.activation
        xz, xr, xh = ops.split(projected, 3, axis=-1)
        if self.reset_after:
            rec = self._recurrent(h, self.recurrent_kernel, training)
            if self.bias is not None:
                rec = rec + self.bias[1]
            rz, rr, rh = ops.split(rec, 3, axis=-1)
            z = ra(xz + rz)
            r = ra(xr + rr)
            hh = act(xh + r * rh)
        else:
            rec = self._recurrent(h, self.recurrent_kernel[:, :2 * u], training, gates=(0, 1))
            rz, rr = ops.split(rec, 2, axis=-1)
            z = ra(xz + rz)
            r = ra(xr + rr)
            m = self.get_recurrent_dropout_mask(h) if training and 0.0 < self.recurrent_dropout < 1.0 else None
            hr = h if m is None else h * (m[2] if self._per_gate() else m)
            hh = act(xh + ops.matmul(r * hr, self.recurrent_kernel[:, 2 * u:]))
        h = z * h + (1.0 - z) * hh
        return h, [h]

    def get_config(self):
        config = super().get_config()
        config.update({
            "recurrent_activation": activations.serialize(self.recurrent_activation),
            "reset_after": self.reset_after,
        })
        return config
