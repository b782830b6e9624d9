"""StackedRNNCells: several cells run as one, each feeding the next within a time step."""

from __future__ import annotations

from lamina import ops
from lamina.layers.layer import Layer
from lamina.layers.rnn.serialization import deserialize_layer, serialize_layer


class StackedRNNCells(Layer):
    """Wraps a list of cells so ``RNN`` runs them as one stacked cell.

    ``RNN([cell1, cell2])`` makes one. The states are a list with one entry per cell (a
    list [h, c] for an LSTMCell, a tensor for single-state cells).

    Args:
        cells: a list of recurrent cells.

    Example:
        >>> import lamina
        >>> layer = lamina.layers.RNN([lamina.layers.LSTMCell(4), lamina.layers.GRUCell(3)])
        >>> tuple(layer(lamina.ops.ones((2, 5, 6))).shape)
        (2, 3)
    """

    def __init__(self, cells, **kwargs):
        super().__init__(**kwargs)
        cells = list(cells)
        for c in cells:
            if not callable(getattr(c, "call", None)) or getattr(c, "state_size", None) is None:
                raise ValueError(
                    f"StackedRNNCells: every cell needs a call(inputs, states) method and a "
                    f"state_size, received {c!r}."
                )
        self.cells = cells

    @property
    def state_size(self):
        return [c.state_size for c in self.cells]

    @property
    def output_size(self):
        last = self.cells[-1]
        size = getattr(last, "output_size", None)
        if size is not None:
            return size
        s = last.state_size
        return s[0] if isinstance(s, (list, tuple)) else s

    def build(self, input_shape):
        shape = tuple(input_shape)
        for cell in self.cells:
            if isinstance(cell, Layer) and not cell.built:
                cell._build_with((shape,))
            size = getattr(cell, "output_size", None)
            if size is None:
                s = cell.state_size
                size = s[0] if isinstance(s, (list, tuple)) else s
            shape = (shape[0], size)

    def get_initial_state(self, batch_size=None):
        out = []
        for cell in self.cells:
            fn = getattr(cell, "get_initial_state", None)
            if fn is not None:
                s = fn(batch_size=batch_size)
            else:
                sizes = cell.state_size if isinstance(cell.state_size, (list, tuple)) else [cell.state_size]
                s = [ops.zeros((batch_size, d), self.compute_dtype) for d in sizes]
            s = list(s) if isinstance(s, (list, tuple)) else [s]
            out.append(s if isinstance(cell.state_size, (list, tuple)) else s[0])
        return out

    def call(self, inputs, states, training=False):
        new_states = []
        x = inputs
        for cell, s in zip(self.cells, states):
            was_list = isinstance(s, (list, tuple))
            kw = {"training": training} if getattr(cell, "_call_has_training", False) else {}
            x, s = cell.call(x, list(s) if was_list else [s], **kw)
            s = list(s) if isinstance(s, (list, tuple)) else [s]
            new_states.append(s if was_list else s[0])
        return x, new_states

    def get_config(self):
        config = super().get_config()
        config["cells"] = [serialize_layer(c) for c in self.cells]
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config["cells"] = [deserialize_layer(c) for c in config["cells"]]
        return cls(**config)
