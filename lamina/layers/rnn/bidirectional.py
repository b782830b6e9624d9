"""Bidirectional: run a recurrent layer forwards and backwards and merge the two outputs."""

from __future__ import annotations

from copy import deepcopy

from lamina import ops
from lamina.layers.layer import Layer
from lamina.layers.rnn.serialization import deserialize_layer, serialize_layer

_MODES = ("sum", "mul", "ave", "concat", None)


def _renamed(layer, prefix, go_backwards=None):
    """A fresh copy of ``layer`` from its config, named prefix + name (a deep copy when the
    config cannot be rebuilt, e.g. an RNN of a user-written cell)."""
    name = prefix + (layer.name[len(prefix):] if layer.name.startswith(prefix) else layer.name)
    config = layer.get_config()
    config["name"] = name
    if go_backwards is not None:
        config["go_backwards"] = go_backwards
    try:
        return type(layer).from_config(config)
    except (ValueError, TypeError, KeyError):
        copy = deepcopy(layer)
        copy.name = name
        if go_backwards is not None:
            copy.go_backwards = go_backwards
        return copy


class Bidirectional(Layer):
    """Wraps a recurrent layer: one copy reads the sequence forwards, one backwards.

    The weights are the forward layer's then the backward layer's (Keras order). Masks,
    initial states (forward states first, then backward) and ``training`` are passed to both.
    With ``return_sequences`` the backward outputs are re-reversed so step t of both lines up,
    and masked steps output zeros (as Keras does).

    Args:
        layer: an RNN layer (LSTM, GRU, SimpleRNN, RNN). Two fresh copies are made from its
            config: 'forward_<name>' and 'backward_<name>' (go_backwards flipped).
        merge_mode: 'concat' (default), 'sum', 'mul', 'ave', or None (return both outputs as
            a list).
        weights: initial weights (forward layer's, then backward layer's), set when built.
        backward_layer: optional layer to use for the backward direction (it must have
            ``go_backwards`` opposite to ``layer``'s).

    Example:
        >>> import lamina
        >>> bi = lamina.layers.Bidirectional(lamina.layers.LSTM(4, return_sequences=True))
        >>> tuple(bi(lamina.ops.ones((2, 5, 3))).shape)
        (2, 5, 8)
    """

    def __init__(self, layer, merge_mode="concat", weights=None, backward_layer=None, **kwargs):
        if not isinstance(layer, Layer):
            raise ValueError(
                f"Bidirectional needs a lamina layer instance (e.g. Bidirectional(LSTM(32))), "
                f"received {layer!r}."
            )
        if backward_layer is not None and not isinstance(backward_layer, Layer):
            raise ValueError(f"Bidirectional: backward_layer must be a layer instance, received {backward_layer!r}.")
        if merge_mode not in _MODES:
            raise ValueError(
                f"Bidirectional: merge_mode must be one of 'concat', 'sum', 'mul', 'ave' or None, "
                f"received {merge_mode!r}."
            )
        if weights is not None:
            kwargs["weights"] = weights  # Keras 2: initial weights, forward then backward
        super().__init__(**kwargs)
        self.forward_layer = _renamed(layer, "forward_")
        if backward_layer is None:
            backward_layer = _renamed(layer, "backward_", go_backwards=not layer.go_backwards)
        self.backward_layer = backward_layer
        fwd, bwd = self.forward_layer, self.backward_layer
        if fwd.go_backwards == bwd.go_backwards:
            raise ValueError(
                "Bidirectional: the forward and backward layers must have different go_backwards, "
                f"received go_backwards={fwd.go_backwards} for both."
            )
        for attr in ("stateful", "return_sequences", "return_state"):
            if getattr(fwd, attr) != getattr(bwd, attr):
                raise ValueError(
                    f"Bidirectional: the forward and backward layers must have the same {attr}, "
                    f"received {getattr(fwd, attr)} and {getattr(bwd, attr)}."
                )
        for sub in (fwd, bwd):
            if hasattr(sub, "zero_output_for_mask"):
                sub.zero_output_for_mask = sub.return_sequences
        self.merge_mode = merge_mode
        self.stateful = fwd.stateful
        self.return_sequences = fwd.return_sequences
        self.return_state = fwd.return_state
        self.supports_masking = True
        self.input_spec = fwd.input_spec

    @property
    def layer(self):
        return self.forward_layer

    def build(self, input_shape):
        for sub in (self.forward_layer, self.backward_layer):
            if not sub.built:
                sub._build_with((tuple(input_shape),))

    def _merge(self, y, y_rev):
        mode = self.merge_mode
        if mode == "concat":
            return ops.concatenate([y, y_rev], axis=-1)
        if mode == "sum":
            return y + y_rev
        if mode == "ave":
            return (y + y_rev) / 2
        if mode == "mul":
            return y * y_rev
        return [y, y_rev]

    def call(self, sequences, initial_state=None, mask=None, training=False):
        fwd_state = bwd_state = None
        if initial_state is not None:
            initial_state = list(initial_state)
            half = len(initial_state) // 2
            fwd_state, bwd_state = initial_state[:half], initial_state[half:]
        y = self.forward_layer(sequences, initial_state=fwd_state, mask=mask, training=training)
        y_rev = self.backward_layer(sequences, initial_state=bwd_state, mask=mask, training=training)
        states = []
        if self.return_state:
            states = list(y[1:]) + list(y_rev[1:])
            y, y_rev = y[0], y_rev[0]
        if self.return_sequences:
            y_rev = ops.flip(y_rev, 1)
        out = self._merge(y, y_rev)
        if self.return_state:  # a tuple, as Keras 3
            return (*out, *states) if isinstance(out, list) else (out, *states)
        return out

    def compute_output_shape(self, input_shape):
        shape = self.forward_layer.compute_output_shape(input_shape)
        states = []
        if self.return_state:
            shape, states = shape[0], list(shape[1:])
        shape = tuple(shape)
        if self.merge_mode == "concat":
            out = [shape[:-1] + (shape[-1] * 2,)]
        elif self.merge_mode is None:
            out = [shape, shape]
        else:
            out = [shape]
        if self.return_state:
            return out + states + states
        return out if self.merge_mode is None else out[0]

    def compute_output_spec(self, *args, **kwargs):
        spec = super().compute_output_spec(*args, **kwargs)
        return tuple(spec) if self.return_state else spec  # a tuple, as the eager call

    def compute_mask(self, inputs, mask=None):
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        out = mask if self.return_sequences else None
        outs = [out, out] if self.merge_mode is None else [out]
        if self.return_state:
            n = len(self.forward_layer.state_size) * 2
            return outs + [None] * n
        return outs if self.merge_mode is None else outs[0]

    @property
    def states(self):
        f, b = self.forward_layer.states, self.backward_layer.states
        return None if f is None or b is None else list(f) + list(b)

    def reset_states(self, states=None):
        """Clear the states of both directions (does nothing unless stateful)."""
        if not self.stateful:
            return
        if states is None:
            self.forward_layer.reset_states()
            self.backward_layer.reset_states()
            return
        states = list(states)
        half = len(states) // 2
        self.forward_layer.reset_states(states[:half])
        self.backward_layer.reset_states(states[half:])

    def reset_state(self, states=None):
        self.reset_states(states)

    def get_config(self):
        config = super().get_config()
        config.update({
            "merge_mode": self.merge_mode,
            "layer": serialize_layer(self.forward_layer),
            "backward_layer": serialize_layer(self.backward_layer),
        })
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config["layer"] = deserialize_layer(config["layer"])
        if config.get("backward_layer") is not None:
            config["backward_layer"] = deserialize_layer(config["backward_layer"])
        return cls(**config)
