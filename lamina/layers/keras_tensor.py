"""Symbolic tensors and graph nodes for the functional API (``Input -> Model``)."""

from __future__ import annotations



class KerasTensor:
    """A symbolic tensor: a shape (with None for unknown sizes), a dtype, and where it came from.

    ``_keras_history`` is ``(layer, node_index, tensor_index)``: the layer call that made it.
    """

    __slots__ = ("shape", "dtype", "name", "_keras_history", "sparse")
    __array_ufunc__ = None  # NumPy defers to our operators: np.float32(2) * x builds an op layer

    def __init__(self, shape, dtype="float32", name=None, sparse=False):
        self.shape = tuple(None if d is None else int(d) for d in shape)
        self.dtype = dtype
        self.name = name
        self.sparse = sparse
        self._keras_history = None

    @property
    def ndim(self) -> int:
        return len(self.shape)

    def __repr__(self) -> str:
        return f"<KerasTensor shape={self.shape}, dtype={self.dtype}, name={self.name}>"

    def __len__(self):
        raise TypeError(
            "A symbolic KerasTensor has no len(): it stands for data that does not exist yet. "
            "Use x.shape instead."
        )

    def __array__(self, *args, **kwargs):
        raise TypeError(
            "A symbolic KerasTensor (from lamina.Input or a layer called on one) cannot be turned "
            "into a NumPy array: it has no values. Build a Model(inputs, outputs) and call "
            "model.predict(data) to get values."
        )

    # Arithmetic on symbolic tensors builds op layers, as Keras 3 does.
    def _op(self, other, name, reverse=False):
        from lamina.layers.core.op_layer import OpLayer

        if reverse:  # the symbolic tensor goes first: layers build from their first argument
            return OpLayer(name, reverse=True)(self, other)
        return OpLayer(name)(self, other)

    def __add__(self, o): return self._op(o, "add")
    def __radd__(self, o): return self._op(o, "add", True)
    def __sub__(self, o): return self._op(o, "subtract")
    def __rsub__(self, o): return self._op(o, "subtract", True)
    def __mul__(self, o): return self._op(o, "multiply")
    def __rmul__(self, o): return self._op(o, "multiply", True)
    def __truediv__(self, o): return self._op(o, "divide")
    def __rtruediv__(self, o): return self._op(o, "divide", True)
    def __matmul__(self, o): return self._op(o, "matmul")
    def __pow__(self, o): return self._op(o, "power")
    def __rpow__(self, o): return self._op(o, "power", True)

    def __neg__(self):
        from lamina.layers.core.op_layer import OpLayer

        return OpLayer("negative")(self)

    def __getitem__(self, key):
        from lamina.layers.core.op_layer import GetItem

        return GetItem(key)(self)


class Node:
    """One call of a layer in a graph: its inputs (args/kwargs holding KerasTensors) and outputs."""

    __slots__ = ("layer", "call_args", "call_kwargs", "outputs", "input_tensors", "index", "structured")

    def __init__(self, layer, call_args, call_kwargs, outputs, structured=False):
        self.layer = layer
        self.structured = structured
        self.call_args = call_args
        self.call_kwargs = call_kwargs
        self.outputs = outputs  # flat list of KerasTensor
        self.input_tensors = [t for t in flatten((call_args, call_kwargs)) if isinstance(t, KerasTensor)]
        self.index = len(layer._inbound_nodes)
        layer._inbound_nodes.append(self)
        for i, t in enumerate(outputs):
            t._keras_history = (layer, self.index, i)

    @property
    def parent_nodes(self):
        out = []
        for t in self.input_tensors:
            layer, node_index, _ = t._keras_history
            out.append(layer._inbound_nodes[node_index])
        return out


def flatten(structure):
    """Flatten nested lists/tuples/dicts into a list of leaves.

    Unlike ``lamina.tree.flatten`` (sorted dict keys, as Keras), dicts keep their insertion
    order here: a functional model's dict inputs and outputs are matched in the order given."""
    out = []
    _flatten_into(structure, out)
    return out


def _flatten_into(s, out):
    if isinstance(s, (list, tuple)):
        for x in s:
            _flatten_into(x, out)
    elif isinstance(s, dict):
        for k in s:
            _flatten_into(s[k], out)
    else:
        out.append(s)


def map_structure(fn, s):
    """Apply ``fn`` to every leaf. Dicts keep their insertion order (``lamina.tree`` sorts their
    keys, as Keras does), so that it pairs with ``flatten`` above."""
    if isinstance(s, list):
        return [map_structure(fn, x) for x in s]
    if isinstance(s, tuple):
        return tuple(map_structure(fn, x) for x in s)
    if isinstance(s, dict):
        return {k: map_structure(fn, v) for k, v in s.items()}
    return fn(s)


def any_symbolic(s) -> bool:
    if isinstance(s, KerasTensor):
        return True
    if isinstance(s, (list, tuple)):
        return any(any_symbolic(x) for x in s)
    if isinstance(s, dict):
        return any(any_symbolic(x) for x in s.values())
    return False
