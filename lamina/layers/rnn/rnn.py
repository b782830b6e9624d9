"""RNN: run a recurrent cell over the time axis (the base of SimpleRNN, LSTM and GRU)."""

from __future__ import annotations

from lamina import backend, ops
from lamina.ops import _internal
from lamina.layers.input_spec import InputSpec, check_input
from lamina.layers.keras_tensor import KerasTensor
from lamina.layers.layer import Layer
from lamina.layers.rnn.cell_base import RNNCellBase
from lamina.layers.rnn.nest import as_list, fit, flatten, group, map1, map2, unflatten
from lamina.layers.rnn.serialization import deserialize_layer, serialize_layer
from lamina.layers.rnn.stacked_rnn_cells import StackedRNNCells


class RNN(Layer):
    """Runs ``cell`` over the time steps of (batch, time, features) inputs.

    ``cell`` is a layer with ``call(inputs, states, training=None) -> (output, new_states)`` and
    a ``state_size`` (an int, or a list of ints for several states), or a list of cells
    (stacked, see StackedRNNCells). LSTM, GRU and SimpleRNN are RNNs of their cell that also
    use torch's fused kernels when their configuration allows.

    Args:
        cell: the cell, or a list of cells.
        return_sequences: return the output of every step (batch, time, units) instead of the
            last one (batch, units).
        return_state: also return the final states: the tuple ``(output, *states)`` (Keras 3).
        go_backwards: process the sequence in reverse (the returned sequence is reversed too).
        stateful: keep the final states of each call as the initial states of the next one
            (sample i of a batch continues sample i of the previous batch); clear them with
            ``reset_states()``. The batch size is taken from the first input.
        unroll: run the time loop as a Python loop. By default the JAX backend compiles it
            into one ``lax.scan`` (compile time independent of the sequence length); torch
            always loops in Python (or runs its fused kernel). Same numbers either way.
        zero_output_for_mask: with a mask and ``return_sequences``, output zeros at masked
            steps instead of repeating the previous output.

    Call arguments:
        sequences: (batch, time, features).
        initial_state: a list of initial state tensors (one per state).
        mask: (batch, time) booleans, False for padding steps (given automatically after
            ``Embedding(mask_zero=True)`` or ``Masking``). A masked step keeps the previous
            states and repeats the previous output (zeros before the first valid step).
        training: whether dropout is active.

    Example:
        >>> import lamina
        >>> layer = lamina.layers.RNN(lamina.layers.LSTMCell(4), return_sequences=True)
        >>> tuple(layer(lamina.ops.ones((2, 5, 3))).shape)
        (2, 5, 4)
    """

    def __init__(self, cell, return_sequences=False, return_state=False, go_backwards=False,
                 stateful=False, unroll=False, zero_output_for_mask=False, **kwargs):
        if isinstance(cell, (list, tuple)):
            cell = StackedRNNCells(cell)
        if not callable(getattr(cell, "call", None)) or getattr(cell, "state_size", None) is None:
            raise ValueError(
                f"{type(self).__name__}: cell must be a layer with a call(inputs, states) method and "
                f"a state_size attribute (an int or a list of ints), received {cell!r}. "
                "Use a built-in cell such as lamina.layers.LSTMCell(32)."
            )
        super().__init__(**kwargs)
        self.cell = cell
        self.return_sequences = bool(return_sequences)
        self.return_state = bool(return_state)
        self.go_backwards = bool(go_backwards)
        self.stateful = bool(stateful)
        self.unroll = bool(unroll)
        self.zero_output_for_mask = bool(zero_output_for_mask)
        self.supports_masking = True
        self.input_spec = InputSpec(min_ndim=3)
        self.states = None

    # ------------------------------------------------------------------ shapes
    @property
    def state_size(self):
        s = self.cell.state_size
        return list(s) if isinstance(s, (list, tuple)) else [s]

    def _output_size(self):
        size = getattr(self.cell, "output_size", None)
        if size is None:
            size = self.state_size[0]
        return size

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        batch = input_shape[0]
        units = self._output_size()
        out = (batch, input_shape[1], units) if self.return_sequences else (batch, units)
        if not self.return_state:
            return out
        states = [[(batch, d) for d in s] if isinstance(s, (list, tuple)) else (batch, s)
                  for s in self.state_size]
        return [out] + states

    def compute_output_spec(self, *args, **kwargs):
        shape = self.compute_output_shape(tuple(args[0].shape))
        if not self.return_state:
            return KerasTensor(shape, self.compute_dtype)
        return tuple(_spec_tree(s, self.compute_dtype) for s in shape)  # a tuple, as Keras 3

    def compute_mask(self, inputs, mask=None):
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        out = mask if self.return_sequences else None
        if self.return_state:
            return [out] + [None] * len(self.state_size)
        return out

    # ------------------------------------------------------------------ build
    def build(self, input_shape):
        step_shape = (input_shape[0],) + tuple(input_shape[2:])
        if isinstance(self.cell, Layer) and not self.cell.built:
            self.cell._build_with((step_shape,))
        if self.stateful and input_shape[0] is not None and self.states is None:
            self.states = self._state_variables(self.get_initial_state(input_shape[0]))

    def _state_variables(self, values):
        """A stateful layer's states: non-trainable Variables (nested like the cell's states),
        updated with ``assign`` after each call."""
        return map1(lambda t: backend.Variable(ops.stop_gradient(t), trainable=False, name="state"), values)

    def _own_state_variables(self) -> list:
        return flatten(self.states) if self.stateful and self.states is not None else []

    def get_initial_state(self, batch_size):
        """Zero states for ``batch_size`` sequences (one tensor per state, nested for stacks)."""
        fn = getattr(self.cell, "get_initial_state", None)
        if fn is not None:
            states = fn(batch_size=batch_size)
            return list(states) if isinstance(states, (list, tuple)) else [states]
        return [ops.zeros((batch_size, d), self.compute_dtype) for d in self.state_size]

    def reset_states(self, states=None):
        """Clear the states of a stateful layer (to zeros, or to the given arrays).

        Does nothing on a layer that is not stateful (as in Keras), so a model can reset all
        its layers.
        """
        if not self.stateful:
            return
        if states is None:
            for v in flatten(self.states) if self.states is not None else ():
                v.assign(ops.zeros_like(v.value))
            return
        states = as_list(states)
        flat = flatten(self.states) if self.states is not None else None
        values = flatten(states)
        if flat is not None and len(values) != len(flat):
            raise ValueError(
                f"Layer '{self.name}' has {len(flat)} states; reset_states() received {len(values)} "
                "values. Pass one array per state, e.g. [h, c] for an LSTM."
            )
        tensors = [ops.convert_to_tensor(v, self.compute_dtype) for v in values]
        if flat is not None and all(tuple(v.shape) == tuple(t.shape) for v, t in zip(flat, tensors)):
            for v, t in zip(flat, tensors):
                v.assign(t)
            return
        self.states = self._state_variables(unflatten(self.states if self.states is not None else states, tensors))

    def reset_state(self, states=None):
        """Keras 3 spelling of ``reset_states``."""
        self.reset_states(states)

    # ------------------------------------------------------------------ call
    def call(self, sequences, initial_state=None, mask=None, training=False):
        x = sequences
        if x.ndim < 3:
            check_input(self, InputSpec(ndim=3), tuple(x.shape))
        if x.shape[1] == 0:
            raise ValueError(
                f"Layer '{self.name}' ({type(self).__name__}) received a sequence with 0 time steps "
                f"(input shape {tuple(x.shape)}); recurrent layers need at least one step."
            )
        if ops.dtype(x) != self.compute_dtype:
            x = ops.cast(x, self.compute_dtype)
        states = self._initial_states(initial_state, x.shape[0])
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        if mask is not None:
            mask = ops.cast(mask, "bool")
        if self.go_backwards:
            x = ops.flip(x, 1)
            mask = None if mask is None else ops.flip(mask, 1)
        result = self._fused(x, states, mask, training)
        if result is not None:
            seq, states = result
            out = seq if self.return_sequences else seq[:, -1]
        else:
            out, states = self._loop(x, states, mask, training)
        if self.stateful:
            if self.states is None:
                self.states = self._state_variables(states)
            else:
                for v, s in zip(flatten(self.states), flatten(states)):
                    v.assign(ops.stop_gradient(s))
        if self.return_state:
            return (out, *states)  # Keras 3 returns a tuple (Keras 2 returned a list)
        return out

    def _fused(self, x, states, mask, training):
        """A fused whole-sequence kernel's (sequence outputs, states), or None (use the loop)."""
        return None

    def _initial_states(self, initial_state, batch):
        if initial_state is not None:
            given = as_list(initial_state)
            expected = self.state_size
            if len(given) != len(expected) and len(flatten(given)) == len(flatten(expected)):
                given = group(flatten(given), expected)
            if len(given) != len(expected):
                raise ValueError(
                    f"Layer '{self.name}' ({type(self).__name__}) has {len(expected)} state(s) of sizes "
                    f"{expected}, but initial_state has {len(given)} tensor(s). Pass one tensor per "
                    "state, e.g. initial_state=[h, c] for an LSTM."
                )
            return map1(lambda s: ops.cast(ops.convert_to_tensor(s), self.compute_dtype), given)
        if self.stateful:
            if self.states is None:
                self.states = self._state_variables(self.get_initial_state(batch))
            have = flatten(self.states)[0].shape[0]
            if have != batch:
                raise ValueError(
                    f"Stateful layer '{self.name}' keeps states for batches of {have} samples, but "
                    f"received a batch of {batch}. A stateful RNN needs the same batch size in every "
                    f"call: use batch_size={have} (and shuffle=False) in fit/predict, or drop "
                    "incomplete batches."
                )
            # A copy: the call's graph must not see the in-place update of the state afterwards.
            return map1(lambda v: ops.copy(v.value), list(self.states))
        return self.get_initial_state(batch)

    def _loop(self, x, states, mask, training):
        """Step through time with the cell: (output(s), final states).

        Unless ``unroll=True``, the backend may run the loop as one compiled scan
        (``scan_rnn``: JAX under a trace); otherwise it is a Python loop over the steps.
        """
        cell = self.cell
        fast_cell = isinstance(cell, RNNCellBase) and type(cell).call is RNNCellBase.call
        if fast_cell:
            seq = cell.sequence_inputs(x, training)

            def step(xt, s):
                return cell.step(xt, s, training)
        else:
            seq = x
            kw = {"training": training} if getattr(cell, "_call_has_training", False) else {}
            call = cell.call

            def step(xt, s):
                out, new = call(xt, s, **kw)
                return out, (list(new) if isinstance(new, (list, tuple)) else [new])

        try:
            if not self.unroll:
                result = _internal.scan_rnn(step, seq, states, mask, self.zero_output_for_mask,
                                            self.return_sequences, self.name)
                if result is not None:
                    return result
            return self._python_loop(step, ops.unstack(seq, axis=1), states, mask)
        finally:
            _reset_dropout(cell)

    def _python_loop(self, step, inputs, states, mask):
        masks = ops.unstack(ops.expand_dims(mask, -1), axis=1) if mask is not None else None
        outputs = []
        prev = None
        for t in range(len(inputs)):
            out, new = step(inputs[t], states)
            if masks is not None:
                m = masks[t]
                if prev is None:
                    prev = ops.zeros_like(out)
                out = ops.where(fit(m, out), out, ops.zeros_like(out) if self.zero_output_for_mask else prev)
                new = map2(lambda a, b, m=m: ops.where(fit(m, a), a, b), new, states)
                prev = out
            states = new
            if self.return_sequences:
                outputs.append(out)
        if self.return_sequences:
            return ops.stack(outputs, axis=1), states
        return out, states

    # ------------------------------------------------------------------ config
    def get_config(self):
        config = super().get_config()
        config.update({
            "return_sequences": self.return_sequences,
            "return_state": self.return_state,
            "go_backwards": self.go_backwards,
            "stateful": self.stateful,
            "unroll": self.unroll,
            "zero_output_for_mask": self.zero_output_for_mask,
            "cell": serialize_layer(self.cell),
        })
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config["cell"] = deserialize_layer(config["cell"])
        return cls(**config)


# ---------------------------------------------------------------------- helpers
def _spec_tree(shape, dtype):
    if isinstance(shape, list):
        return [_spec_tree(s, dtype) for s in shape]
    return KerasTensor(shape, dtype)


def _reset_dropout(cell):
    for c in getattr(cell, "cells", None) or [cell]:
        for name in ("reset_dropout_mask", "reset_recurrent_dropout_mask"):
            fn = getattr(c, name, None)
            if callable(fn):
                fn()
