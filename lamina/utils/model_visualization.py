"""``plot_model`` and ``model_to_dot``: draw a model's graph of layers.

The drawing is made with Graphviz (through pydot) when both are installed, as Keras does. Where
they are not (a plain ``pip install`` has no Graphviz ``dot`` program), the same graph is drawn
with matplotlib. A ``.dot`` file needs neither: lamina writes the DOT text itself.
"""

from __future__ import annotations

import os
import shutil
import sys

_RANKDIRS = ("TB", "LR", "BT", "RL")
_DOT_EXTENSIONS = ("dot", "gv")


def plot_model(model, to_file="model.png", show_shapes=False, show_dtype=False, show_layer_names=True,
               rankdir="TB", expand_nested=False, dpi=200, show_layer_activations=False,
               show_trainable=False):
    """Draws a model's layers and their connections into an image file.

    Each layer is a box labelled ``name (ClassName)``; arrows follow the data from the inputs to
    the outputs. The file format is taken from the extension of ``to_file`` (``.png`` when there
    is none): ``.png``, ``.svg``, ``.pdf`` and the others Graphviz or matplotlib know, or ``.dot``
    for the graph's DOT text. Images are made with pydot + Graphviz when both are installed, and
    with matplotlib otherwise, in a layered layout (``lamina/utils/plot_layout.py``) that routes
    skip connections around the boxes; a drawing it cannot make truthfully (a nested model's
    frame that would enclose other layers) raises a ValueError saying Graphviz is needed.

    Args:
        model: a Functional or Sequential model (a subclassed model is drawn as one box).
        to_file: path of the file to write.
        show_shapes: add each layer's input and output shapes.
        show_dtype: add each layer's output dtype.
        show_layer_names: label boxes ``name (ClassName)``; only the class name when False.
        rankdir: ``'TB'`` (top to bottom), ``'LR'`` (left to right), ``'BT'`` or ``'RL'``.
        expand_nested: draw the layers of nested models inside a dashed frame.
        dpi: resolution of raster images, in dots per inch.
        show_layer_activations: add the activation of layers that have one.
        show_trainable: mark layers with weights as trainable or not.

    Returns:
        An ``IPython.display.Image`` of the file when running under IPython/Jupyter (so the plot
        shows in a notebook), otherwise None.

    Example:
        >>> import lamina
        >>> x = lamina.Input(shape=(10,))
        >>> model = lamina.Model(x, lamina.layers.Dense(1, name="out")(x))
        >>> plot_model(model, to_file="model.png")  # doctest: +SKIP
    """
    _check_rankdir(rankdir)
    graph = _Graph.from_model(model, show_shapes, show_dtype, show_layer_names, expand_nested,
                              show_layer_activations, show_trainable)
    to_file = os.fspath(to_file)
    extension = os.path.splitext(to_file)[1][1:].lower() or "png"
    if extension in _DOT_EXTENSIONS:
        with open(to_file, "w", encoding="utf-8") as f:
            f.write(graph.to_dot_text(rankdir, dpi))
        return None
    pydot = _import_pydot()
    if pydot is not None and _graphviz_available():
        graph.to_pydot(pydot, rankdir, dpi).write(to_file, format=extension)
    else:
        matplotlib = _import_matplotlib()
        if matplotlib is None:
            raise ImportError(_install_message(to_file, pydot is not None))
        _draw_with_matplotlib(graph, to_file, extension, rankdir, dpi)
    if "IPython" in sys.modules and extension in ("png", "jpg", "jpeg", "gif"):
        from IPython import display

        return display.Image(filename=to_file)
    return None


def model_to_dot(model, show_shapes=False, show_dtype=False, show_layer_names=True, rankdir="TB",
                 expand_nested=False, dpi=200, show_layer_activations=False, show_trainable=False):
    """Describes a model's graph of layers in the DOT language of Graphviz.

    Args:
        model, show_shapes, show_dtype, show_layer_names, rankdir, expand_nested, dpi,
        show_layer_activations, show_trainable: as for ``plot_model``.

    Returns:
        A ``pydot.Dot`` graph when pydot is installed (``.to_string()``, ``.write(path, format=...)``,
        ``.create_png()``, ...); otherwise a ``DotSource`` with ``.to_string()`` and ``.write(path)``.

    Example:
        >>> import lamina
        >>> x = lamina.Input(shape=(3,), name="x")
        >>> model = lamina.Model(x, lamina.layers.Dense(2, name="y")(x))
        >>> print(model_to_dot(model).to_string())  # doctest: +ELLIPSIS
        digraph "functional" {
        ...
        "x" [label="x (InputLayer)"];
        "y" [label="y (Dense)"];
        "x" -> "y";
        }
        <BLANKLINE>
    """
    _check_rankdir(rankdir)
    graph = _Graph.from_model(model, show_shapes, show_dtype, show_layer_names, expand_nested,
                              show_layer_activations, show_trainable)
    pydot = _import_pydot()
    if pydot is not None:
        return graph.to_pydot(pydot, rankdir, dpi)
    return DotSource(graph.to_dot_text(rankdir, dpi))


class DotSource:
    """The DOT text of a model graph, returned by ``model_to_dot`` when pydot is not installed."""

    def __init__(self, text: str):
        self.text = text

    def to_string(self) -> str:
        return self.text

    def __str__(self) -> str:
        return self.text

    def write(self, path, format="raw"):
        """Writes the DOT text to ``path``. Rendering images needs pydot and Graphviz."""
        if format not in ("raw", "dot", "gv"):
            raise ImportError(
                f"Writing format '{format}' needs Graphviz: `pip install pydot` and install the "
                "Graphviz system package (https://graphviz.org/download/), or use "
                "lamina.utils.plot_model(model, to_file=...), which can draw with matplotlib."
            )
        with open(path, "w", encoding="utf-8") as f:
            f.write(self.text)


# --------------------------------------------------------------------------- optional libraries
def _import_pydot():
    try:
        import pydot
    except ImportError:
        return None
    return pydot


def _graphviz_available() -> bool:
    return shutil.which("dot") is not None


def _import_matplotlib():
    try:
        import matplotlib
    except ImportError:
        return None
    return matplotlib


def _install_message(to_file, have_pydot):
    found = ("pydot is installed but the Graphviz program `dot` is not on the PATH, and matplotlib "
             "is not installed" if have_pydot else "neither pydot + Graphviz nor matplotlib is installed")
    return (
        f"plot_model cannot draw '{to_file}': {found}. Install either `pip install matplotlib` "
        "(enough on its own), or `pip install pydot` together with the Graphviz system package "
        "(`apt-get install graphviz`, `brew install graphviz`, `conda install graphviz`, or "
        "https://graphviz.org/download/). A '.dot' file needs neither: plot_model(model, to_file='model.dot')."
    )


def _check_rankdir(rankdir):
    if rankdir not in _RANKDIRS:
        raise ValueError(
            f"plot_model/model_to_dot: rankdir={rankdir!r} is not a direction; expected one of "
            f"{list(_RANKDIRS)} ('TB' draws top to bottom, 'LR' left to right)."
        )


# --------------------------------------------------------------------------- the graph
class _Group:
    """The nodes drawn for one model; nested models (with expand_nested) are sub-groups."""

    def __init__(self, name, label, key="0"):
        self.name = name
        self.label = label
        self.key = key  # the DOT cluster is named cluster_<key>
        self.nodes = []
        self.groups = []


class _Graph:
    """Boxes (id -> label lines), arrows (id pairs) and groups, independent of any drawing library."""

    def __init__(self, name):
        self.labels = {}
        self.edges = {}  # (source id, destination id) -> None: an ordered set
        self.root = _Group(name, name)
        self.n_groups = 0

    @classmethod
    def from_model(cls, model, show_shapes, show_dtype, show_layer_names, expand_nested,
                   show_layer_activations, show_trainable):
        if not _is_model(model):
            raise TypeError(
                f"plot_model/model_to_dot expects a lamina model, received {model!r} of type "
                f"{type(model).__name__}."
            )
        if _is_graph_model(model) is None:
            raise ValueError(
                f"Model '{model.name}' has not been built yet, so its layers have no connections to "
                "draw. Give the first layer an input shape (or start with lamina.Input(shape)), or "
                "call the model on a batch of data, then plot it."
            )
        graph = cls(model.name)
        options = dict(show_shapes=show_shapes, show_dtype=show_dtype, show_layer_names=show_layer_names,
                       show_layer_activations=show_layer_activations, show_trainable=show_trainable)
        graph._add_model(model, graph.root, "", options, expand_nested)
        return graph

    def _add_model(self, model, group, prefix, options, expand):
        if not _is_graph_model(model):  # a subclassed model: one box
            self.labels[prefix + model.name] = _label(model, [], **options)
            group.nodes.append(prefix + model.name)
            return
        member = _model_nodes(model)
        layers = getattr(model, "operations", model.layers)  # a graph's operations are drawn too
        hidden = None  # a nested Sequential's input layer is not drawn (Keras 3): arrows enter its first layer
        if getattr(model, "_input_layer", None) is not None and model._input_layer not in layers:
            if prefix:
                hidden = model._input_layer
            else:
                layers = [model._input_layer] + layers
        for layer in layers:
            nodes = [n for n in layer._inbound_nodes if id(n) in member]
            node_id = prefix + layer.name
            if expand and _is_graph_model(layer):
                self.n_groups += 1
                sub = _Group(node_id, layer.name, key=str(self.n_groups))
                group.groups.append(sub)
                self._add_model(layer, sub, node_id + "/", options, expand)
            else:
                self.labels[node_id] = _label(layer, nodes, **options)
                group.nodes.append(node_id)
            for node in nodes:
                for j, tensor in enumerate(node.input_tensors):
                    source, _, k = tensor._keras_history
                    if source is hidden:
                        continue
                    self.edges[(_exit_id(source, prefix, k, expand), _entry_id(layer, prefix, j, expand))] = None

    # ---------------------------------------------------------------- DOT
    def to_dot_text(self, rankdir, dpi):
        lines = [f"digraph {_quote(self.root.name)} {{",
                 f"  graph [rankdir={rankdir}, dpi={dpi}];",
                 '  node [shape=box, style=rounded, fontname="Helvetica"];']

        def emit(group, indent):
            for node_id in group.nodes:
                lines.append(f"{indent}{_quote(node_id)} [label={_quote_label(self.labels[node_id])}];")
            for sub in group.groups:
                lines.append(f"{indent}subgraph cluster_{sub.key} {{")
                lines.append(f"{indent}  label={_quote(sub.label)}; labeljust=l; style=dashed;")
                emit(sub, indent + "  ")
                lines.append(f"{indent}}}")

        emit(self.root, "  ")
        lines += [f"  {_quote(a)} -> {_quote(b)};" for a, b in self.edges]
        lines.append("}")
        return "\n".join(lines) + "\n"

    def to_pydot(self, pydot, rankdir, dpi):
        dot = pydot.Dot(graph_name=_quote(self.root.name), graph_type="digraph", rankdir=rankdir, dpi=dpi)
        dot.set_node_defaults(shape="box", style="rounded", fontname="Helvetica")

        def fill(container, group):
            for node_id in group.nodes:
                container.add_node(pydot.Node(_quote(node_id), label=_quote_label(self.labels[node_id])))
            for sub in group.groups:
                cluster = pydot.Cluster(sub.key, label=_quote(sub.label), labeljust="l", style="dashed")
                fill(cluster, sub)
                container.add_subgraph(cluster)

        fill(dot, self.root)
        for a, b in self.edges:
            dot.add_edge(pydot.Edge(_quote(a), _quote(b)))
        return dot


def _escape(text):
    return str(text).replace("\\", "\\\\").replace('"', '\\"')


def _quote(text):
    """A DOT identifier in double quotes (safe for any layer name, keywords and ':' included)."""
    return f'"{_escape(text)}"'


def _quote_label(lines):
    return '"' + "\\n".join(_escape(line) for line in lines) + '"'


def _is_model(obj):
    from lamina.models.model import Model

    return isinstance(obj, Model)


def _is_graph_model(layer):
    """True for a Functional or built Sequential, False for other models/layers, None for an unbuilt Sequential."""
    from lamina.models.functional import Functional
    from lamina.models.sequential import Sequential

    if isinstance(layer, Sequential):
        return True if layer.__dict__.get("_sym_output") is not None else None
    if isinstance(layer, Functional):
        return True
    return False


def _model_nodes(model):
    """ids of the layer calls (Nodes) that make up this model's graph, walking back from its outputs.

    A layer shared with other models has nodes in those too; only this model's ones are kept.
    """
    seen = {}
    stack = list(model.outputs)
    while stack:
        layer, node_index, _ = stack.pop()._keras_history
        node = layer._inbound_nodes[node_index]
        if id(node) not in seen:
            seen[id(node)] = node
            stack.extend(node.input_tensors)
    return seen


def _exit_id(layer, prefix, tensor_index, expand):
    """The box an arrow leaves from: inside an expanded nested model, the layer making that output."""
    while expand and _is_graph_model(layer):
        prefix += layer.name + "/"
        layer, _, tensor_index = layer.outputs[tensor_index]._keras_history
    return prefix + layer.name


def _entry_id(layer, prefix, input_index, expand):
    """The box an arrow goes to: inside an expanded nested model, the input it feeds."""
    while expand and _is_graph_model(layer):
        prefix += layer.name + "/"
        if getattr(layer, "_input_layer", None) is not None and layer._input_layer not in layer.layers:
            layer = layer.layers[0]  # a Sequential: its (undrawn) input layer feeds the first layer
        else:
            inputs = layer.inputs
            layer = inputs[min(input_index, len(inputs) - 1)]._keras_history[0]
        input_index = 0
    return prefix + layer.name


def _label(layer, nodes, show_shapes, show_dtype, show_layer_names, show_layer_activations, show_trainable):
    from lamina.utils.summary_utils import _fmt_shape

    class_name = type(layer).__name__
    lines = [f"{layer.name} ({class_name})" if show_layer_names else class_name]
    activation = getattr(layer, "activation", None)
    if show_layer_activations and activation is not None:
        from lamina import activations

        name = activations.serialize(activation)
        lines.append(f"Activation: {name if isinstance(name, str) else name.get('class_name')}")

    def describe(tensors_of):
        shapes = {_fmt_shape([t.shape for t in ts] if len(ts) > 1 else ts[0].shape)
                  for ts in map(tensors_of, nodes) if ts}
        return shapes.pop() if len(shapes) == 1 else ("multiple" if shapes else "?")

    if show_shapes:
        if class_name != "InputLayer":
            lines.append(f"Input shape: {describe(lambda n: n.input_tensors)}")
        lines.append(f"Output shape: {describe(lambda n: n.outputs)}")
    if show_dtype:
        dtypes = {", ".join(str(t.dtype) for t in n.outputs) for n in nodes}
        lines.append(f"Output dtype: {dtypes.pop() if len(dtypes) == 1 else ('multiple' if dtypes else '?')}")
    if show_trainable and layer.weights:
        lines.append("Trainable" if layer.trainable else "Non-trainable")
    return lines


# --------------------------------------------------------------------------- matplotlib drawing
_GAP_RANK = 0.45   # inches between rows (TB) or columns (LR) of boxes
_GAP_CROSS = 0.3   # inches between boxes in one row
_PAD = 0.12        # inches of padding inside a box, and around a nested-model frame
_MAX_PIXELS = 30000


def _draw_with_matplotlib(graph, to_file, extension, rankdir, dpi):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch, Rectangle
    from matplotlib.path import Path

    from lamina.utils import plot_layout

    fig = Figure(dpi=dpi)
    canvas = FigureCanvasAgg(fig)
    supported = canvas.get_supported_filetypes()
    if extension not in supported:
        raise ValueError(
            f"plot_model cannot write '{to_file}': matplotlib does not know the format "
            f"'.{extension}'. Use one of {sorted(supported)} or '.dot'."
        )
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_axis_off()
    renderer = canvas.get_renderer()
    texts, size = {}, {}
    for node_id, lines in graph.labels.items():
        text = ax.text(0, 0, "\n".join(lines), ha="center", va="center", fontsize=10,
                       family="sans-serif", linespacing=1.4, zorder=3)
        extent = text.get_window_extent(renderer)
        texts[node_id] = text
        size[node_id] = (extent.width / dpi + 2 * _PAD, extent.height / dpi + 2 * _PAD)

    horizontal = rankdir in ("LR", "RL")
    # Layout in (along the arrows, across) inches; skip connections are routed around boxes.
    along_across = {n: ((w, h) if horizontal else (h, w)) for n, (w, h) in size.items()}
    edges = [e for e in graph.edges if e[0] != e[1]]
    try:
        centre, routes = plot_layout.layout(list(graph.labels), edges, along_across, _GAP_RANK, _GAP_CROSS)
    except plot_layout.LayoutError as e:
        raise ValueError(_needs_graphviz(graph, str(e))) from None
    sign = 1 if rankdir in ("LR", "BT") else -1

    def to_xy(point):
        p, c = point
        return (sign * p, -c) if horizontal else (c, sign * p)

    xy = {n: to_xy(centre[n]) for n in graph.labels}

    # Artists are added with add_artist: the axes limits are set below, so matplotlib need not
    # recompute them for every patch.
    for n, (x, y) in xy.items():
        w, h = size[n]
        ax.add_artist(FancyBboxPatch((x - w / 2, y - h / 2), w, h, boxstyle="round,pad=0,rounding_size=0.06",
                                     facecolor="#f4f4f4", edgecolor="#333333", linewidth=1.0, zorder=2))
        texts[n].set_position((x, y))
    for edge in edges:
        points = [to_xy(p) for p in routes[edge]]
        path = Path(points, [Path.MOVETO] + [Path.LINETO] * (len(points) - 1))
        ax.add_artist(FancyArrowPatch(path=path, arrowstyle="-|>", mutation_scale=12, linewidth=1.0,
                                      color="#333333", zorder=1))

    def frame(group):  # dashed frame around a nested model (expand_nested)
        x0 = y0 = float("inf")
        x1 = y1 = float("-inf")
        for n in group.nodes:
            (x, y), (w, h) = xy[n], size[n]
            x0, y0, x1, y1 = min(x0, x - w / 2), min(y0, y - h / 2), max(x1, x + w / 2), max(y1, y + h / 2)
        for sub in group.groups:
            bx0, by0, bx1, by1 = frame(sub)
            x0, y0, x1, y1 = min(x0, bx0), min(y0, by0), max(x1, bx1), max(y1, by1)
        if group is not graph.root and x0 < x1:
            x0, y0, x1, y1 = x0 - _PAD, y0 - _PAD, x1 + _PAD, y1 + _PAD + 0.2
            _check_frame(graph, group, xy, size, (x0, y0, x1, y1))
            ax.add_patch(Rectangle((x0, y0), x1 - x0, y1 - y0, fill=False, linestyle="--",
                                   edgecolor="#777777", linewidth=1.0, zorder=0))
            ax.text(x0 + 0.05, y1 - 0.05, group.label, ha="left", va="top", fontsize=9,
                    color="#555555", zorder=3)
        return x0, y0, x1, y1

    x0, y0, x1, y1 = frame(graph.root)
    for edge in edges:  # arrows routed beside the boxes stay in the picture
        for x, y in (to_xy(p) for p in routes[edge]):
            x0, y0, x1, y1 = min(x0, x), min(y0, y), max(x1, x), max(y1, y)
    margin = 0.2
    width, height = x1 - x0 + 2 * margin, y1 - y0 + 2 * margin
    fig.set_size_inches(width, height)
    ax.set_xlim(x0 - margin, x1 + margin)
    ax.set_ylim(y0 - margin, y1 + margin)
    dpi = min(dpi, _MAX_PIXELS / max(width, height))  # very deep models: stay within image limits
    fig.savefig(to_file, format=extension, dpi=dpi)


def _members(group):
    out = set(group.nodes)
    for sub in group.groups:
        out |= _members(sub)
    return out


def _check_frame(graph, group, xy, size, rect):
    """A nested model's frame must not enclose layers outside it; else say Graphviz is needed."""
    x0, y0, x1, y1 = rect
    inside = _members(group)
    for n, (x, y) in xy.items():
        w, h = size[n]
        if n not in inside and x + w / 2 > x0 and x - w / 2 < x1 and y + h / 2 > y0 and y - h / 2 < y1:
            raise ValueError(_needs_graphviz(
                graph, f"the frame of the nested model '{group.label}' (expand_nested=True) would "
                f"enclose '{n}', which is not part of it"))


def _needs_graphviz(graph, why):
    return (f"plot_model cannot draw model '{graph.root.name}' truthfully with matplotlib: {why}. "
            "Install Graphviz (its `dot` program, e.g. `apt install graphviz` or `conda install "
            "graphviz`) and `pip install pydot`, or pass expand_nested=False.")
