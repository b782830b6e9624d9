"""How Keras 2 backend functions become graph nodes when called on symbolic tensors.

``K.mean(x)`` on an eager tensor or a NumPy array computes at once. On a KerasTensor of the
functional API it records a :class:`BackendFunction` layer in the graph, the way ``x + y``
records an op layer: the layer stores the function's name and its non-tensor arguments and
calls the same function again on real tensors when the model runs.

This module also holds the small graph evaluator that ``K.function`` and shape inference share.
"""

from __future__ import annotations

from lamina import ops
from lamina.ops import symbolic_dispatch
from lamina.layers.core.backend_function import (  # noqa: F401  (shared with ops on symbolic tensors)
    BackendFunction,
    _Ref,
    deserialize,
    fill,
    record,
    serialize_leaf,
)
from lamina.layers.keras_tensor import KerasTensor, flatten, map_structure

REGISTRY: dict = {}


def symbolic(fn):
    """Decorator: ``fn`` computes on tensors and records a graph node on KerasTensors."""
    REGISTRY[fn.__name__] = fn
    return symbolic_dispatch.recording(fn.__name__, fn)


# ------------------------------------------------------------------ graph evaluation
def is_input(t):
    from lamina.layers.core.input_layer import InputLayer

    return isinstance(t._keras_history[0], InputLayer)


def plan(outputs, fed, leaves=None):
    """The nodes to run, in order, to compute ``outputs`` from the tensors whose ids are ``fed``.

    Graph inputs met on the way are added to the dict ``leaves`` (id -> tensor) when it is given;
    otherwise the first one not fed raises a ValueError that names it.
    """
    order, seen = [], set()

    def visit(t):
        if id(t) in fed:
            return
        layer, node_index, _ = t._keras_history
        node = layer._inbound_nodes[node_index]
        if id(node) in seen:
            return
        if is_input(t):
            if leaves is not None:
                leaves[id(t)] = t
                return
            raise ValueError(
                f"K.function: the outputs depend on the input '{t.name}' (shape {t.shape}), which "
                "is not among the inputs given. Add it to K.function([inputs...], [outputs...])."
            )
        seen.add(id(node))
        for x in node.input_tensors:
            visit(x)
        order.append(node)

    for t in outputs:
        visit(t)
    return order


def evaluate(nodes, values, training=None, watch=None):
    """Run ``nodes`` (from :func:`plan`) with ``values`` (id -> tensor), filling in their outputs.

    ``watch``: ids of tensors that gradients are taken with respect to (see K.gradients).
    """
    from lamina import backend

    def get(x):
        return values[id(x)] if isinstance(x, KerasTensor) else x

    for node in nodes:
        own = getattr(node.layer, "evaluate_node", None)  # K.gradients without a tape (JAX)
        if own is not None and own(node, values, training):
            continue
        args = map_structure(get, node.call_args)
        kwargs = map_structure(get, node.call_kwargs)
        if training is not None and "training" not in kwargs:
            kwargs["training"] = training
        out = node.layer(*args, **kwargs)
        outs = flatten(out) if node.structured else [out]
        for t, o in zip(node.outputs, outs):
            values[id(t)] = backend._core.watch(o) if watch and id(t) in watch else o
    return values


def spec_by_evaluation(layer, tensors):
    """Output specs from running the upstream graph on stand-in inputs (None dims: 2, then 3)."""
    from lamina import backend

    runs = []
    for size in (2, 3):
        inputs = {}
        nodes = plan(tensors, fed=set(), leaves=inputs)
        values = {i: backend.zeros_spec(tuple(size if d is None else d for d in t.shape), t.dtype)
                  for i, t in inputs.items()}
        with backend.no_grad():
            evaluate(nodes, values, training=False)
            runs.append(layer.call([values[id(t)] for t in tensors]))

    def spec(a, b):
        shape = tuple(d if d == e else None for d, e in zip(a.shape, b.shape))
        return KerasTensor(shape, ops.standardize_dtype(a.dtype))

    if isinstance(runs[0], (list, tuple)):
        return type(runs[0])(spec(a, b) for a, b in zip(*runs))
    return spec(*runs)
