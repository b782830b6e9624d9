"""ConvLSTMCell: one step of a convolutional LSTM (the cell of ConvLSTM1D/2D/3D)."""

from __future__ import annotations

from lamina import activations, initializers
from lamina.layers.convolutional import conv_utils as cu
from lamina.layers.input_spec import InputSpec
from lamina.layers.rnn.cell_base import RNNCellBase, _ser
from lamina import constraints, regularizers
from lamina.ops import _internal as ops


class ConvLSTMCell(RNNCellBase):
    """One ConvLSTM step: an LSTM whose matrix products are convolutions (Shi et al., 2015).

    ``z = conv(x, kernel) + bias + conv_same(h, recurrent_kernel)`` split on the channel axis
    into gates i, f, c, o; ``c' = f * c + i * activation(z_c)``, ``h' = o * activation(c')``
    with i, f, o passed through ``recurrent_activation``. The input convolution uses the
    layer's strides, padding and dilation; the recurrent one stride 1 and 'same' padding.

    Weights (Keras layout, so Keras files load): kernel ``kernel_size + (channels, 4*filters)``,
    recurrent_kernel ``kernel_size + (filters, 4*filters)``, bias ``(4*filters,)``.

    Args:
        rank: number of spatial axes (1, 2 or 3).
        filters: number of output channels (and of both states).
        kernel_size, strides, padding ('valid' or 'same'), data_format, dilation_rate: as Conv.
        activation ('tanh'), recurrent_activation ('sigmoid'), use_bias, kernel_initializer,
        recurrent_initializer, bias_initializer, unit_forget_bias, kernel/recurrent/bias
        regularizers and constraints, dropout, recurrent_dropout, seed: as LSTMCell. Dropout
        draws one mask per gate, fixed over the time steps of a sequence (as Keras).

    Call arguments:
        inputs: (batch, *spatial, channels) (channels_last). states: [h, c]. training: bool.

    Returns: ``(h, [h, c])``.

    Example:
        >>> import lamina
        >>> cell = lamina.layers.ConvLSTMCell(2, filters=3, kernel_size=3, padding="same")
        >>> layer = lamina.layers.RNN(cell)
        >>> tuple(layer(lamina.ops.ones((2, 4, 5, 5, 1))).shape)
        (2, 5, 5, 3)
    """

    _gates = 4

    def __init__(self, rank, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", unit_forget_bias=True, kernel_regularizer=None,
                 recurrent_regularizer=None, bias_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.0, recurrent_dropout=0.0,
                 seed=None, **kwargs):
        owner = type(self).__name__
        if rank not in (1, 2, 3):
            raise ValueError(f"{owner}: rank must be 1, 2 or 3, received rank={rank!r}.")
        if not cu.is_int(filters) or filters <= 0:
            raise ValueError(f"{owner}: filters must be a positive integer, received "
                             f"filters={filters!r}. Example: {owner}(filters=16, kernel_size=3).")
        super().__init__(int(filters), activation=activation, use_bias=use_bias,
                         kernel_initializer=kernel_initializer,
                         recurrent_initializer=recurrent_initializer,
                         bias_initializer=bias_initializer, kernel_regularizer=kernel_regularizer,
                         recurrent_regularizer=recurrent_regularizer,
                         bias_regularizer=bias_regularizer, kernel_constraint=kernel_constraint,
                         recurrent_constraint=recurrent_constraint, bias_constraint=bias_constraint,
                         dropout=dropout, recurrent_dropout=recurrent_dropout, seed=seed, **kwargs)
        self.rank = rank
        self.filters = int(filters)
        self.kernel_size = cu.standardize_tuple(kernel_size, rank, "kernel_size", owner)
        self.strides = cu.standardize_tuple(strides, rank, "strides", owner)
        self.padding = cu.standardize_padding(padding, owner)
        self.data_format = cu.standardize_data_format(data_format)
        self.dilation_rate = cu.standardize_tuple(dilation_rate, rank, "dilation_rate", owner)
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise ValueError(
                f"{owner}: strides > 1 cannot be combined with dilation_rate > 1, received "
                f"strides={self.strides} and dilation_rate={self.dilation_rate}. Set one of them to 1."
            )
        self.recurrent_activation = activations.get(recurrent_activation)
        self.unit_forget_bias = unit_forget_bias
        self.implementation = 1  # one dropout mask per gate, as Keras
        self.state_size = -1  # the states' shape depends on the input's; see get_initial_state
        self.input_spec = InputSpec(ndim=rank + 2)
        self._channel = 1 if self.data_format == "channels_first" else rank + 1
        self.spatial_dims = None
        self.input_dim = None

    # ------------------------------------------------------------------ weights
    def build(self, input_shape):
        input_shape = tuple(input_shape)
        if self.data_format == "channels_first":
            self.spatial_dims, channels = tuple(input_shape[2:]), input_shape[1]
        else:
            self.spatial_dims, channels = tuple(input_shape[1:-1]), input_shape[-1]
        if channels is None or None in self.spatial_dims:
            raise ValueError(
                f"{type(self).__name__} '{self.name}' needs known spatial and channel sizes, "
                f"received input shape {input_shape}. Give the model a full input_shape."
            )
        self.input_dim = channels
        g = 4 * self.filters
        self.kernel = self.add_weight(shape=self.kernel_size + (channels, g),
                                      initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint, name="kernel")
        self.recurrent_kernel = self.add_weight(shape=self.kernel_size + (self.filters, g),
                                                initializer=self.recurrent_initializer,
                                                regularizer=self.recurrent_regularizer,
                                                constraint=self.recurrent_constraint,
                                                name="recurrent_kernel")
        init = None
        if self.unit_forget_bias:
            base, f = self.bias_initializer, self.filters

            def init(shape, dtype=None):
                return ops.concatenate([ops.convert_to_tensor(base((f,), dtype=dtype), dtype),
                                        ops.ones((f,), dtype),
                                        ops.convert_to_tensor(base((2 * f,), dtype=dtype), dtype)])
        self._add_bias((g,), init)

    def compute_output_shape(self, input_shape, states_shape=None):
        input_shape = tuple(input_shape)
        axes = cu.spatial_axes(self.rank, self.data_format)
        spatial = [cu.conv_output_length(input_shape[a], k, self.padding, s, d)
                   for a, k, s, d in zip(axes, self.kernel_size, self.strides, self.dilation_rate)]
        if self.data_format == "channels_first":
            out = (input_shape[0], self.filters, *spatial)
        else:
            out = (input_shape[0], *spatial, self.filters)
        return out, [out, out]

    def get_initial_state(self, batch_size=None):
        if self.data_format == "channels_first":
            shape = (batch_size, self.input_dim) + self.spatial_dims
        else:
            shape = (batch_size,) + self.spatial_dims + (self.input_dim,)
        state = self.compute_output_shape(shape)[0]
        return [ops.zeros(state, self.compute_dtype) for _ in range(2)]

    # ------------------------------------------------------------------ computation
    def _conv(self, x, kernel):
        return ops.conv(x, kernel, self.strides, self.padding, self.data_format, self.dilation_rate)

    def _bias_shaped(self, b):
        if self.data_format == "channels_first":
            return ops.reshape(b, (-1,) + (1,) * self.rank)
        return b

    def sequence_inputs(self, inputs, training=False):
        """Input convolutions of every step at once: (batch, time, *out_spatial, 4*filters)."""
        b, t = inputs.shape[0], inputs.shape[1]
        x = ops.reshape(inputs, (b * t,) + tuple(inputs.shape[2:]))
        m = self.get_dropout_mask(inputs[:, 0]) if training and 0.0 < self.dropout < 1.0 else None
        if m is None:
            out = self._conv(x, self.kernel)
        else:  # gate g sees the inputs through its own mask (the same mask at every step)
            kernels = ops.split(self.kernel, 4, axis=-1)
            out = ops.concatenate(
                [self._conv(ops.reshape(inputs * ops.expand_dims(m[g], 1), tuple(x.shape)), k)
                 for g, k in enumerate(kernels)], axis=self._channel)
        if self.bias is not None:
            out = out + self._bias_shaped(self.bias)
        return ops.reshape(out, (b, t) + tuple(out.shape[1:]))

    def _recurrent_conv(self, h, training):
        one = (1,) * self.rank
        m = self.get_recurrent_dropout_mask(h) if training and 0.0 < self.recurrent_dropout < 1.0 else None
        if m is None:
            return ops.conv(h, self.recurrent_kernel, one, "same", self.data_format, one)
        kernels = ops.split(self.recurrent_kernel, 4, axis=-1)
        return ops.concatenate([ops.conv(h * m[g], k, one, "same", self.data_format, one)
                                for g, k in enumerate(kernels)], axis=self._channel)

    def step(self, projected, states, training=False):
        h, c = states[0], states[1]
        z = projected + self._recurrent_conv(h, training)
        zi, zf, zc, zo = ops.split(z, 4, axis=self._channel)
        ra, act = self.recurrent_activation, self.activation
        c = ra(zf) * c + ra(zi) * act(zc)
        h = ra(zo) * act(c)
        return h, [h, c]

    # ------------------------------------------------------------------ config
    def get_config(self):
        config = super().get_config()
        config.pop("units", None)
        config.update({
            "filters": self.filters,
            "kernel_size": self.kernel_size,
            "strides": self.strides,
            "padding": self.padding,
            "data_format": self.data_format,
            "dilation_rate": self.dilation_rate,
            "activation": activations.serialize(self.activation),
            "recurrent_activation": activations.serialize(self.recurrent_activation),
            "use_bias": self.use_bias,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "recurrent_initializer": initializers.serialize(self.recurrent_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "unit_forget_bias": self.unit_forget_bias,
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
        if type(self) is ConvLSTMCell:
            config["rank"] = self.rank
        return config


def _fixed_rank(rank):
    class _Cell(ConvLSTMCell):
        def __init__(self, filters, kernel_size, **kwargs):
            kwargs.pop("rank", None)
            super().__init__(rank, filters, kernel_size, **kwargs)
    return _Cell


class ConvLSTM1DCell(_fixed_rank(1)):
    """The cell of ConvLSTM1D: a :class:`ConvLSTMCell` with ``rank=1`` (inputs (batch, steps, channels))."""


class ConvLSTM2DCell(_fixed_rank(2)):
    """The cell of ConvLSTM2D (Keras 2's ``ConvLSTM2DCell``): a :class:`ConvLSTMCell` with ``rank=2``."""


class ConvLSTM3DCell(_fixed_rank(3)):
    """The cell of ConvLSTM3D: a :class:`ConvLSTMCell` with ``rank=3``."""
