"""What SimpleRNNCell, LSTMCell and GRUCell share: weight settings, dropout masks, config.

A built-in cell computes one step in ``call(inputs, states, training)`` (the Keras cell API,
usable in any custom loop). For whole sequences the RNN layer uses two faster pieces:
``sequence_inputs`` projects every time step's input at once (one matmul for the sequence)
and ``step`` adds the recurrent part for one step.

Dropout follows Keras: one mask per sequence, the same at every time step (Gal & Ghahramani).
With ``recurrent_dropout`` (or ``implementation=1``) each gate gets its own masks.
"""

from __future__ import annotations

from lamina import random as _random
from lamina import activations, constraints, initializers, ops, regularizers
from lamina.layers.layer import Layer


def _ser(module, obj):
    return None if obj is None else module.serialize(obj)


class RNNCellBase(Layer):
    """Base class of the built-in recurrent cells (not used directly)."""

    _gates = 1

    def __init__(self, units, activation="tanh", use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros", kernel_regularizer=None,
                 recurrent_regularizer=None, bias_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.0, recurrent_dropout=0.0,
                 seed=None, **kwargs):
        implementation = kwargs.pop("implementation", 2)
        super().__init__(**kwargs)
        if not isinstance(units, int) or isinstance(units, bool) or units <= 0:
            raise ValueError(
                f"{type(self).__name__}: units must be a positive integer, received units={units!r}. "
                f"Example: {type(self).__name__}(32)."
            )
        self.units = units
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.recurrent_initializer = initializers.get(recurrent_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.recurrent_regularizer = regularizers.get(recurrent_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.recurrent_constraint = constraints.get(recurrent_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.dropout = min(1.0, max(0.0, float(dropout)))
        self.recurrent_dropout = min(1.0, max(0.0, float(recurrent_dropout)))
        self.seed = seed
        self.seed_generator = _random.seed_generator_for(seed)
        self.implementation = 1 if self.recurrent_dropout else implementation
        self.state_size = units
        self.output_size = units
        # The masks of the sequence being processed, made on first use and dropped when it ends
        # (call-local state: the dict is emptied, never rebound, so a call sets no attribute).
        self._masks = {}

    # ------------------------------------------------------------------ weights
    def _add_kernels(self, input_dim):
        g = self._gates * self.units
        self.kernel = self.add_weight(shape=(input_dim, g), initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint, name="kernel")
        self.recurrent_kernel = self.add_weight(shape=(self.units, g),
                                                initializer=self.recurrent_initializer,
                                                regularizer=self.recurrent_regularizer,
                                                constraint=self.recurrent_constraint,
                                                name="recurrent_kernel")

    def _add_bias(self, shape, initializer=None):
        if not self.use_bias:
            self.bias = None
            return
        self.bias = self.add_weight(shape=shape, initializer=initializer or self.bias_initializer,
                                    regularizer=self.bias_regularizer, constraint=self.bias_constraint,
                                    name="bias")

    def get_initial_state(self, batch_size=None):
        return [ops.zeros((batch_size, self.units), self.compute_dtype)]

    # ------------------------------------------------------------------ dropout
    def _per_gate(self):
        return self.implementation == 1 and self._gates > 1

    def _make_mask(self, like, rate):
        keep = 1.0 - rate
        shape = ((self._gates,) if self._per_gate() else ()) + tuple(like.shape)
        return _random.bernoulli_like(like, keep, shape, seed=self.seed_generator) / keep

    def get_dropout_mask(self, step_input):
        """The input dropout mask of the current sequence (made on first use)."""
        m = self._masks.get("dropout")
        if m is None and 0.0 < self.dropout < 1.0:
            m = self._masks["dropout"] = self._make_mask(step_input, self.dropout)
        return m

    def get_recurrent_dropout_mask(self, step_state):
        """The recurrent dropout mask of the current sequence (made on first use)."""
        m = self._masks.get("recurrent")
        if m is None and 0.0 < self.recurrent_dropout < 1.0:
            m = self._masks["recurrent"] = self._make_mask(step_state, self.recurrent_dropout)
        return m

    def reset_dropout_mask(self):
        self._masks.pop("dropout", None)

    def reset_recurrent_dropout_mask(self):
        self._masks.pop("recurrent", None)

    # ------------------------------------------------------------------ computation
    def sequence_inputs(self, inputs, training=False):
        """Input projections of every step, (batch, time, gates*units), input bias included."""
        k = self.kernel
        m = self.get_dropout_mask(inputs[:, 0]) if training and 0.0 < self.dropout < 1.0 else None
        if m is None:
            out = ops.matmul(inputs, k)
        elif self._per_gate():
            # Gate g sees the inputs through its own mask: sum_f x[b,t,f] m[g,b,f] K[f,g,u].
            xm = ops.expand_dims(inputs, 0) * ops.expand_dims(m, 2)
            kg = ops.reshape(k, (k.shape[0], self._gates, self.units))
            out = ops.reshape(ops.einsum("gbtf,fgu->btgu", xm, kg),
                              (inputs.shape[0], inputs.shape[1], self._gates * self.units))
        else:
            out = ops.matmul(inputs * ops.expand_dims(m, 1), k)
        bias = self._input_bias()
        return out if bias is None else out + bias

    def _input_bias(self):
        return self.bias

    def _recurrent(self, h, kernel, training, gates=None):
        """h @ kernel, with this sequence's recurrent dropout (per gate if configured)."""
        m = self.get_recurrent_dropout_mask(h) if training and 0.0 < self.recurrent_dropout < 1.0 else None
        if m is None:
            return ops.matmul(h, kernel)
        if not self._per_gate():
            return ops.matmul(h * m, kernel)
        gates = gates or range(self._gates)
        cols = [ops.matmul(h * m[g], kernel[:, i * self.units:(i + 1) * self.units])
                for i, g in enumerate(gates)]
        return ops.concatenate(cols, axis=-1)

    def step(self, projected, states, training=False):
        """One time step from the precomputed input projection: (output, new_states)."""
        raise NotImplementedError

    def call(self, inputs, states, training=False):
        """One step of the Keras cell API: ``(output, new_states)`` for inputs (batch, features)."""
        if not isinstance(states, (list, tuple)):
            states = [states]
        states = [s if ops.is_tensor(s) else ops.convert_to_tensor(s, self.compute_dtype) for s in states]
        projected = self.sequence_inputs(ops.expand_dims(inputs, 1), training)[:, 0]
        return self.step(projected, states, training)

    # ------------------------------------------------------------------ config
    def get_config(self):
        config = super().get_config()
        config.update({
            "units": self.units,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "recurrent_initializer": initializers.serialize(self.recurrent_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "kernel_regularizer": _ser(regularizers, self.kernel_regularizer),
            "recurrent_regularizer": _ser(regularizers, self.recurrent_regularizer),
            "bias_regularizer": _ser(regularizers, self.bias_regularizer),
            "kernel_constraint": _ser(constraints, self.kernel_constraint),
            "recurrent_constraint": _ser(constraints, self.recurrent_constraint),
            "bias_constraint": _ser(constraints, self.bias_constraint),
            "dropout": self.dropout,
            "recurrent_dropout": self.recurrent_dropout,
            "seed": self.seed,
        })
        return config
