"""Functional model configs <-> graphs, in Keras 3's exact format.

Layers are listed in Keras's canonical order (by depth from the outputs, ties broken by first
traversal from the outputs), so the same graph gives the same order, and the same weight
paths, in Keras and lamina. Each layer carries ``name`` and ``inbound_nodes``, whose tensors
are ``__keras_tensor__`` dicts with ``keras_history = [layer, node_index, tensor_index]``; node
indices count only the nodes that belong to this model. ``input_layers``/``output_layers`` are
a flat triple for a single tensor, a list of triples, or a dict. Keras 1/2 configs (nested-list
nodes, a nested model's first call numbered 1) are read too.
"""

from __future__ import annotations

from collections import deque

from lamina.layers.core.input_layer import InputLayer
from lamina.layers.keras_tensor import KerasTensor, flatten
from lamina.errors import UnsafeLoadError
from lamina.saving import keras_ops_nodes, legacy_config
from lamina.saving.safe_names import check_plain
from lamina.saving.serialization_lib import deserialize_keras_object, serialize_keras_object


# =============================================================================================
# Keras's canonical layer order of a graph
# =============================================================================================
def _is_input_node(node):
    return isinstance(node.layer, InputLayer) and not node.input_tensors


def keras_graph(flat_inputs, flat_outputs):
    """``(layers, node_ids)``: the graph's layers in Keras's order, and the ids of its nodes."""
    finished, in_progress = set(), set()
    nodes = []
    first_seen = {}
    input_ids = {id(t) for t in flat_inputs}

    def visit(tensor):
        layer, node_index, _ = tensor._keras_history
        node = layer._inbound_nodes[node_index]
        if id(node) in finished:
            return
        if not _is_input_node(node) and id(tensor) in input_ids:
            finished.add(id(node))
            return
        if id(node) in in_progress:
            raise ValueError(f"The graph has a cycle at layer '{layer.name}'.")
        first_seen.setdefault(id(layer), len(first_seen))
        in_progress.add(id(node))
        if not _is_input_node(node):
            for t in node.input_tensors:
                visit(t)
        finished.add(id(node))
        in_progress.discard(id(node))
        nodes.append(node)

    for t in flat_outputs:
        visit(t)
    in_graph = {id(n) for n in nodes}
    node_depth, layer_depth, layers = {}, {}, {}
    for node in reversed(nodes):
        depth = max(node_depth.setdefault(id(node), 0), layer_depth.get(id(node.layer), 0))
        layer_depth[id(node.layer)] = depth
        layers[id(node.layer)] = node.layer
        node_depth[id(node)] = depth
        if _is_input_node(node):
            continue
        for t in node.input_tensors:
            player, pindex, _ = t._keras_history
            parent = player._inbound_nodes[pindex]
            if id(parent) in in_graph:
                node_depth[id(parent)] = max(depth + 1, node_depth.get(id(parent), 0))
    for t in flat_inputs:  # inputs the outputs do not use
        layer, node_index, _ = t._keras_history
        node = layer._inbound_nodes[node_index]
        if id(layer) not in layer_depth and _is_input_node(node):
            layer_depth[id(layer)] = 0
            first_seen[id(layer)] = -1
            layers[id(layer)] = layer
            in_graph.add(id(node))
    order = sorted(layers.values(), key=lambda l: (-layer_depth[id(l)], first_seen[id(l)]))
    return order, in_graph


def ordered_layers(model):
    """A model's layers in the order Keras lists (and saves) them."""
    from lamina.models.functional import Functional

    if isinstance(model, Functional):
        return keras_graph(model._flat_inputs, model._flat_outputs)[0]
    return list(model.layers)


def _node_numbers(layers, in_graph):
    conv = {}
    for layer in layers:
        i = 0
        for node in layer._inbound_nodes:
            if id(node) in in_graph:
                conv[id(node)] = i
                i += 1
    return conv


# =============================================================================================
# Functional
# =============================================================================================
def functional_get_config(model) -> dict:
    layers, in_graph = keras_graph(model._flat_inputs, model._flat_outputs)
    conv = _node_numbers(layers, in_graph)

    def history(t):
        layer, node_index, tensor_index = t._keras_history
        return [layer.name, conv[id(layer._inbound_nodes[node_index])], tensor_index]

    def ser(x):
        if isinstance(x, KerasTensor):
            return {"class_name": "__keras_tensor__",
                    "config": {"shape": list(x.shape), "dtype": x.dtype, "keras_history": history(x)}}
        if isinstance(x, (list, tuple)):
            return [ser(v) for v in x]
        if isinstance(x, dict):
            return {k: ser(v) for k, v in x.items()}
        return serialize_keras_object(x)

    def refs(struct):
        if isinstance(struct, KerasTensor):
            return history(struct)
        if isinstance(struct, dict):
            return {k: history(v) for k, v in struct.items()}
        return [history(t) for t in struct]

    out = []
    for layer in layers:
        own = [n for n in layer._inbound_nodes if id(n) in in_graph]
        keras_op = keras_ops_nodes.to_keras_config(layer, own[0]) if len(own) == 1 \
            and getattr(layer, "_is_operation", False) else None
        if keras_op is not None:  # an op node Keras 3 reads (x + 1, ops.mean(x))
            cfg, op_args, op_kwargs = keras_op
            cfg["name"] = layer.name
            cfg["inbound_nodes"] = [{"args": ser(op_args), "kwargs": ser(op_kwargs)}]
            out.append(cfg)
            continue
        cfg = _without_input_shape(serialize_keras_object(layer))
        cfg["name"] = layer.name
        nodes = []
        if not isinstance(layer, InputLayer):
            for node in layer._inbound_nodes:
                if id(node) in in_graph:
                    nodes.append({"args": ser(list(node.call_args)), "kwargs": ser(dict(node.call_kwargs))})
        cfg["inbound_nodes"] = nodes
        out.append(cfg)
    return {"name": model.name, "trainable": model.trainable, "layers": out,
            "input_layers": refs(model._input_struct), "output_layers": refs(model._output_struct)}


def functional_from_config(cls, config, custom_objects=None, make_layer=None, input_tensors=None):
    """Rebuild a functional model: create the layers, then replay their calls in order.

    Args:
        make_layer: optional ``f(layer_config) -> layer`` used instead of deserializing (clone).
        input_tensors: optional symbolic tensors used instead of the saved inputs (clone).
    """
    layer_configs = config.get("layers") or []
    keras2 = legacy_config.uses_nested_list_nodes(layer_configs)
    created, names, outputs, pending = {}, [], {}, {}
    replaced = _input_replacements(config, input_tensors)
    for lc in layer_configs:
        name = lc.get("name") or (lc.get("config") or {}).get("name")
        lc = legacy_config.normalize_model_config(lc)
        if name in replaced:
            outputs[(name, 0)] = [replaced[name]]
            names.append(name)
            continue
        if keras_ops_nodes.is_op_config(lc):  # a Keras 3 operation (x + 1, ops.mean(x))
            layer = keras_ops_nodes.op_from_config(lc)
        else:
            layer = make_layer(lc) if make_layer is not None else deserialize_keras_object(
                lc, custom_objects, kind="layer")
        created[name] = layer
        names.append(name)
        if isinstance(layer, InputLayer):
            outputs[(name, 0)] = [layer.output_tensor]
            continue
        offset = 1 if keras2 and legacy_config.owns_first_node(lc) else 0
        pending[name] = deque((i + offset, nd) for i, nd in enumerate(lc.get("inbound_nodes") or []))
    progress = True
    while progress and any(pending.values()):
        progress = False
        for name in names:
            queue = pending.get(name)
            while queue:
                index, node_data = queue[0]
                if not all(r in outputs for r in _node_refs(node_data, keras2)):
                    break
                result = _call_node(created[name], node_data, keras2, outputs, custom_objects)
                outputs[(name, index)] = flatten(result)
                queue.popleft()
                progress = True
    stuck = [(n, q[0]) for n, q in pending.items() if q]
    if stuck:
        problems = []
        for n, (index, node_data) in stuck:
            missing = [list(r) for r in _node_refs(node_data, keras2) if r not in outputs]
            problems.append(f"layer '{n}' call #{index} needs {missing}")
        raise ValueError(
            "The functional model config is inconsistent: some layer calls need tensors that no "
            "layer produces (" + "; ".join(problems) + "). The file may be damaged, or it was "
            "written by a Keras version whose graph format lamina does not know."
        )
    inputs = _resolve_refs(config.get("input_layers"), outputs)
    outs = _resolve_refs(config.get("output_layers"), outputs)
    model = cls(inputs=inputs, outputs=outs, name=config.get("name"))
    if config.get("trainable") is False:
        model.trainable = False
    return model


def _input_replacements(config, input_tensors):
    if input_tensors is None:
        return {}
    refs = config.get("input_layers")
    if _is_ref(refs):
        refs = [refs]
    names = [r[0] for r in (refs.values() if isinstance(refs, dict) else refs)]
    tensors = flatten(input_tensors)
    if len(tensors) != len(names):
        raise ValueError(
            f"input_tensors has {len(tensors)} tensor(s) but the model has {len(names)} input(s) "
            f"{names}. Pass one symbolic tensor (lamina.Input) per model input."
        )
    return dict(zip(names, tensors))


def _is_ref(r):
    return isinstance(r, (list, tuple)) and len(r) >= 3 and isinstance(r[0], str) and isinstance(r[1], int)


def _node_refs(node_data, keras2):
    if keras2:
        return [(e[0], e[1]) for e in node_data]
    refs = []

    def walk(x):
        if isinstance(x, dict):
            if x.get("class_name") == "__keras_tensor__":
                h = x["config"]["keras_history"]
                refs.append((h[0], h[1]))
            else:
                for v in x.values():
                    walk(v)
        elif isinstance(x, list):
            for v in x:
                walk(v)

    walk(node_data.get("args", []))
    walk(node_data.get("kwargs", {}))
    return refs


def _call_node(layer, node_data, keras2, outputs, custom_objects):
    if keras2:
        tensors = [outputs[(e[0], e[1])][e[2]] for e in node_data]
        kwargs = {}
        if node_data and len(node_data[0]) > 3 and isinstance(node_data[0][3], dict):
            kwargs = dict(node_data[0][3])
        kwargs = {k: v for k, v in kwargs.items() if v is not None}
        check_plain(kwargs, f"the call arguments of layer '{layer.name}' (inbound_nodes)")
        return layer(tensors[0] if len(tensors) == 1 else tensors, **kwargs)

    def resolve(x):
        if isinstance(x, dict):
            cls = x.get("class_name")
            if cls == "__keras_tensor__":
                h = x["config"]["keras_history"]
                return outputs[(h[0], h[1])][h[2]]
            if cls in _CALL_VALUES:
                return deserialize_keras_object(x, custom_objects)
            if "class_name" in x:
                raise UnsafeLoadError(
                    f"the inbound_nodes of layer '{layer.name}' pass a {str(cls)[:60]!r} object to "
                    "its call; a file may only pass tensors and plain values (numbers, strings, "
                    "lists) to layer calls.")
            check_plain(dict.fromkeys(x), f"the call arguments of layer '{layer.name}' (inbound_nodes)")
            return {k: resolve(v) for k, v in x.items()}
        if isinstance(x, list):
            return [resolve(v) for v in x]
        return x

    if not isinstance(node_data, dict) or not isinstance(node_data.get("args", []), list) \
            or not isinstance(node_data.get("kwargs", {}), dict):
        raise ValueError(f"an inbound node of layer '{layer.name}' is {str(node_data)[:80]!r}; "
                         "expected {'args': [...], 'kwargs': {...}}.")
    args = resolve(node_data.get("args", []))
    kwargs = resolve(node_data.get("kwargs", {}))
    check_plain(dict.fromkeys(kwargs), f"the call arguments of layer '{layer.name}' (inbound_nodes)")
    kwargs = {k: v for k, v in kwargs.items() if not (k in ("mask", "training") and v is None)}
    return layer(*args, **kwargs)


# Special values a call in ``inbound_nodes`` may receive besides tensors and plain values.
_CALL_VALUES = ("__numpy__", "__slice__", "__ellipsis__")


def _resolve_refs(refs, outputs):
    if refs is None:
        raise ValueError("The functional model config has no input_layers/output_layers.")
    if isinstance(refs, dict):
        return {k: outputs[(r[0], r[1])][r[2]] for k, r in refs.items()}
    if _is_ref(refs):
        return outputs[(refs[0], refs[1])][refs[2]]
    tensors = [outputs[(r[0], r[1])][r[2]] for r in refs]
    return tensors[0] if len(tensors) == 1 else tensors


def _without_input_shape(cfg):
    """Keras 3 gives shapes only through InputLayer; its layers reject ``batch_input_shape``."""
    inner = cfg.get("config")
    if isinstance(inner, dict) and "batch_input_shape" in inner and cfg.get("class_name") != "InputLayer":
        cfg = dict(cfg)
        cfg["config"] = {k: v for k, v in inner.items() if k != "batch_input_shape"}
    return cfg
