"""``model.summary()``: a Keras-style table of layers, output shapes and parameter counts."""

from __future__ import annotations

import math


def _fmt_shape(shape):
    if isinstance(shape, list):
        return ", ".join(_fmt_shape(s) for s in shape)
    if isinstance(shape, dict):
        return ", ".join(f"{k}: {_fmt_shape(v)}" for k, v in shape.items())
    if shape is None:
        return "?"
    from lamina.layers.input_spec import format_shape

    return format_shape(shape)


def _output_shape(layer):
    nodes = layer._inbound_nodes
    if not nodes:
        return "?"
    shapes = {_fmt_shape([t.shape for t in n.outputs] if len(n.outputs) > 1 else n.outputs[0].shape)
              for n in nodes}
    return shapes.pop() if len(shapes) == 1 else "multiple"


def _count(weights):
    return sum(math.prod(v.shape) for v in weights)


def _bytes(n_params, weights):
    size = sum(math.prod(v.shape) * _itemsize(v.dtype) for v in weights)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.2f} {unit}"
        size /= 1024.0


def _itemsize(dtype):
    return {"float64": 8, "int64": 8, "float16": 2, "bfloat16": 2, "int8": 1, "uint8": 1, "bool": 1}.get(dtype, 4)


def _connections(layer, model):
    out = []
    for node in layer._inbound_nodes:
        for t in node.input_tensors:
            src, ni, ti = t._keras_history
            out.append(f"{src.name}[{ni}][{ti}]")
    return ", ".join(out) if out else "-"


def print_summary(model, line_length=None, print_fn=None, expand_nested=False, show_trainable=False):
    from lamina.models.functional import Functional
    from lamina.models.sequential import Sequential

    print_fn = print_fn or print
    is_graph = isinstance(model, Functional)
    built = model.built or isinstance(model, Sequential) and model.__dict__.get("_sym_output") is not None
    cols = ["Layer (type)", "Output Shape", "Param #"] + (["Connected to"] if is_graph else [])
    widths = [33, 26, 12] + ([30] if is_graph else [])
    if show_trainable:
        cols.append("Trainable")
        widths.append(10)
    line_length = line_length or sum(widths)
    rows = []

    def add(layer, level):
        # nested models' layers follow their model's row, indented as Keras 3 does ("   └ ")
        prefix = "   " * level + "└ " if level else ""
        n = _count(layer.weights) if layer.built else 0
        row = [f"{prefix}{layer.name} ({type(layer).__name__})", _output_shape(layer),
               f"{n:,}" if layer.built else "0 (unbuilt)"]
        if is_graph:  # a nested model's layers connect inside it, not in this graph (as Keras)
            row.append(_connections(layer, model) if not level else "-")
        if show_trainable:
            row.append("Y" if layer.trainable else "N")
        rows.append(row)
        if expand_nested and getattr(layer, "layers", None):
            for sub in getattr(layer, "operations", layer.layers):
                add(sub, level + 1)

    for layer in getattr(model, "operations", model.layers):  # a graph's operations show too (Keras 3)
        add(layer, 0)

    def fmt(row):
        parts = []
        for text, w in zip(row, widths):
            text = str(text)
            parts.append(text[: w - 1].ljust(w) if len(text) >= w else text.ljust(w))
        return "".join(parts).rstrip()

    print_fn(f'Model: "{model.name}"')
    print_fn("_" * line_length)
    print_fn(fmt(cols))
    print_fn("=" * line_length)
    for i, row in enumerate(rows):
        print_fn(fmt(row))
        print_fn(("_" if i < len(rows) - 1 else "=") * line_length)
    if not rows:
        print_fn("=" * line_length)
    weights = model.weights if built or model.built else []
    tw = model.trainable_weights if weights else []
    ntw = model.non_trainable_weights if weights else []
    total = _count(weights)
    print_fn(f"Total params: {total:,} ({_bytes(total, weights)})")
    print_fn(f"Trainable params: {_count(tw):,} ({_bytes(0, tw)})")
    print_fn(f"Non-trainable params: {_count(ntw):,} ({_bytes(0, ntw)})")
    if not built:
        print_fn("(The model is not built yet: shapes and counts appear after it sees data or an input_shape.)")
    print_fn("_" * line_length)
