"""plot_model / model_to_dot: the graph drawn, the files written, and which library draws them."""

import re
import struct

import pytest

import lamina
from lamina.layers import Dense, Dropout
from lamina.utils import model_to_dot, plot_model
from lamina.utils import model_visualization as mv

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _png_size(path):
    data = path.read_bytes()
    assert data[:8] == PNG_MAGIC
    return struct.unpack(">II", data[16:24])  # IHDR: width, height


def _edges(dot_text):
    return set(re.findall(r'"([^"]+)" -> "([^"]+)"', dot_text))


def two_in_two_out():
    a = lamina.Input(shape=(4,), name="in_a")
    b = lamina.Input(shape=(3,), name="in_b")
    d1 = Dense(5, activation="relu", name="d1")(a)
    d2 = Dense(5, name="d2")(b)
    s = d1 + d2
    out1 = Dense(1, activation="sigmoid", name="out1")(s)
    out2 = Dense(2, name="out2")(d1)
    return lamina.Model([a, b], [out1, out2], name="two"), s._keras_history[0].name


def sequential():
    return lamina.Sequential([Dense(8, input_dim=4, activation="relu", name="h"), Dropout(0.5, name="drop"),
                              Dense(1, name="o")], name="seq")


@pytest.fixture
def no_graphviz(monkeypatch):
    """Take the matplotlib path, whether or not this machine has Graphviz."""
    pytest.importorskip("matplotlib")
    monkeypatch.setattr(mv, "_graphviz_available", lambda: False)


# ----------------------------------------------------------------- the graph
def test_dot_file_has_every_layer_and_the_functional_edges(tmp_path):
    model, add = two_in_two_out()
    path = tmp_path / "two.dot"
    assert plot_model(model, to_file=str(path)) is None
    text = path.read_text()
    assert text.startswith('digraph "two" {')
    for name, cls in [("in_a", "InputLayer"), ("in_b", "InputLayer"), ("d1", "Dense"), ("d2", "Dense"),
                      ("out1", "Dense"), ("out2", "Dense")]:
        assert f'"{name}" [label="{name} ({cls})"];' in text
    assert _edges(text) == {("in_a", "d1"), ("in_b", "d2"), ("d1", add), ("d2", add), (add, "out1"),
                            ("d1", "out2")}


def test_sequential_edges_run_through_the_stack_from_its_input_layer():
    text = model_to_dot(sequential()).to_string()
    assert _edges(text) == {("h_input", "h"), ("h", "drop"), ("drop", "o")}


def test_labels_show_shapes_dtypes_activations_and_trainable():
    model, _ = two_in_two_out()
    model.get_layer("d2").trainable = False
    text = model_to_dot(model, show_shapes=True, show_dtype=True, show_layer_activations=True,
                        show_trainable=True).to_string()
    assert ('"d1" [label="d1 (Dense)\\nActivation: relu\\nInput shape: (None, 4)\\n'
            'Output shape: (None, 5)\\nOutput dtype: float32\\nTrainable"];') in text
    assert "d2 (Dense)\\nActivation: linear\\nInput shape: (None, 3)\\nOutput shape: (None, 5)" in text
    assert "Non-trainable" in text
    # An input layer has no input shape; layers without weights carry no trainable mark.
    assert '"in_b" [label="in_b (InputLayer)\\nOutput shape: (None, 3)\\nOutput dtype: float32"];' in text
    names_off = model_to_dot(model, show_layer_names=False).to_string()
    assert '"d1" [label="Dense"];' in names_off


def test_a_layer_shared_with_another_model_only_shows_this_models_calls():
    shared = Dense(3, name="shared")
    x1 = lamina.Input(shape=(3,), name="x1")
    m1 = lamina.Model(x1, shared(x1), name="m1")
    x2 = lamina.Input(shape=(2,), name="x2")
    m2 = lamina.Model(x2, shared(Dense(3, name="pre")(x2)), name="m2")
    assert _edges(model_to_dot(m1).to_string()) == {("x1", "shared")}
    assert _edges(model_to_dot(m2).to_string()) == {("x2", "pre"), ("pre", "shared")}


def test_nested_model_is_one_box_or_expanded_into_a_frame():
    x = lamina.Input(shape=(4,), name="x")
    inner = lamina.Sequential([lamina.Input(shape=(4,), name="inner_in"), Dense(3, name="inner_d"),
                               Dense(3, name="inner_e")], name="inner")
    outer = lamina.Model(x, Dense(2, name="top")(inner(x)), name="outer")
    assert _edges(model_to_dot(outer).to_string()) == {("x", "inner"), ("inner", "top")}
    text = model_to_dot(outer, expand_nested=True).to_string()
    # as Keras 3, a nested Sequential's input layer is not drawn: the arrow enters its first layer
    assert _edges(text) == {("x", "inner/inner_d"), ("inner/inner_d", "inner/inner_e"),
                            ("inner/inner_e", "top")}
    assert re.search(r"subgraph cluster_\w+ \{\s*label=\"?inner\"?;", text)


def test_subclassed_model_is_a_single_box():
    class Net(lamina.Model):
        def __init__(self):
            super().__init__(name="net")
            self.d = Dense(2)

        def call(self, x):
            return self.d(x)

    text = model_to_dot(Net()).to_string()
    assert '"net" [label="net (Net)"];' in text and not _edges(text)


def test_model_to_dot_without_pydot_returns_the_dot_text(monkeypatch, tmp_path):
    monkeypatch.setattr(mv, "_import_pydot", lambda: None)
    dot = model_to_dot(sequential(), rankdir="LR", dpi=96)
    assert isinstance(dot, mv.DotSource)
    assert "graph [rankdir=LR, dpi=96];" in dot.to_string()
    dot.write(tmp_path / "m.dot")
    assert _edges((tmp_path / "m.dot").read_text()) == {("h_input", "h"), ("h", "drop"), ("drop", "o")}
    with pytest.raises(ImportError, match="pip install pydot"):
        dot.write(tmp_path / "m.png", format="png")


def test_model_to_dot_with_pydot_is_a_pydot_graph_with_the_same_edges():
    pydot = pytest.importorskip("pydot")
    model, add = two_in_two_out()
    dot = model_to_dot(model, show_shapes=True)
    assert isinstance(dot, pydot.Dot)
    edges = {(e.get_source().strip('"'), e.get_destination().strip('"')) for e in dot.get_edges()}
    assert edges == _edges(model_to_dot(model).to_string()) and ("d1", add) in edges
    assert dot.get_node('"out1"')[0].get("label") == '"out1 (Dense)\\nInput shape: (None, 5)\\nOutput shape: (None, 1)"'


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="rankdir='XY'.*'TB'.*'LR'"):
        model_to_dot(sequential(), rankdir="XY")
    with pytest.raises(TypeError, match="expects a lamina model.*Dense"):
        plot_model(Dense(2))
    unbuilt = lamina.Sequential([Dense(2)], name="unbuilt")
    with pytest.raises(ValueError, match="'unbuilt' has not been built.*input shape"):
        plot_model(unbuilt)


# ----------------------------------------------------------------- who draws the image
def test_png_of_a_functional_model_drawn_with_matplotlib(no_graphviz, tmp_path):
    model, _ = two_in_two_out()
    path = tmp_path / "two.png"
    plot_model(model, to_file=str(path), show_shapes=True, dpi=100)
    width, height = _png_size(path)
    assert 300 < width < 2000 and 300 < height < 2000
    plot_model(model, to_file=tmp_path / "two_lr.png", show_shapes=True, rankdir="LR", dpi=100)
    lr_width, lr_height = _png_size(tmp_path / "two_lr.png")
    assert lr_width > width and lr_height < height  # 4 ranks drawn across instead of down


def test_png_of_a_sequential_drawn_with_matplotlib(no_graphviz, tmp_path):
    path = tmp_path / "seq.png"
    plot_model(sequential(), to_file=str(path), dpi=72)
    width, height = _png_size(path)
    assert height > 1.5 * width  # four boxes in a column


def test_tutorial_call_writes_a_png(no_graphviz, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    visible = lamina.Input(shape=(10,))
    hidden1 = Dense(10, activation="relu")(visible)
    hidden2 = Dense(20, activation="relu")(hidden1)
    output = Dense(1, activation="sigmoid")(hidden2)
    model = lamina.Model(inputs=visible, outputs=output)
    plot_model(model, to_file="multilayer_perceptron_graph.png")
    _png_size(tmp_path / "multilayer_perceptron_graph.png")


def test_matplotlib_writes_svg_pdf_and_nested_frames(no_graphviz, tmp_path):
    x = lamina.Input(shape=(4,), name="x")
    inner = lamina.Sequential([Dense(3, input_dim=4, name="inner_d")], name="inner")
    outer = lamina.Model(x, Dense(2, name="top")(inner(x)), name="outer")
    plot_model(outer, to_file=tmp_path / "m.svg", expand_nested=True)
    svg = (tmp_path / "m.svg").read_text()
    assert "<svg" in svg
    plot_model(outer, to_file=tmp_path / "m.pdf")
    assert (tmp_path / "m.pdf").read_bytes()[:5] == b"%PDF-"
    with pytest.raises(ValueError, match="'.xyz'.*'png'"):
        plot_model(outer, to_file=tmp_path / "m.xyz")


def test_graphviz_path_writes_through_pydot_in_the_extensions_format(monkeypatch, tmp_path):
    pydot = pytest.importorskip("pydot")
    written = []
    monkeypatch.setattr(mv, "_graphviz_available", lambda: True)
    monkeypatch.setattr(pydot.Dot, "write", lambda self, path, format="raw", **kw: written.append(
        (str(path), format, self.to_string())))
    monkeypatch.setattr(mv, "_draw_with_matplotlib", lambda *a: pytest.fail("matplotlib was used"))
    plot_model(sequential(), to_file=tmp_path / "seq.svg", rankdir="LR")
    (path, fmt, text), = written
    assert path.endswith("seq.svg") and fmt == "svg"
    assert "rankdir=LR" in text and '"h" -> "drop"' in text


def test_without_pydot_graphviz_or_matplotlib_the_error_says_what_to_install(monkeypatch, tmp_path):
    monkeypatch.setattr(mv, "_import_pydot", lambda: None)
    monkeypatch.setattr(mv, "_import_matplotlib", lambda: None)
    with pytest.raises(ImportError) as info:
        plot_model(sequential(), to_file=tmp_path / "m.png")
    message = str(info.value)
    assert "pip install matplotlib" in message and "pip install pydot" in message
    assert "Graphviz" in message and "to_file='model.dot'" in message
    plot_model(sequential(), to_file=tmp_path / "m.dot")  # DOT text needs neither
    assert '"h" -> "drop"' in (tmp_path / "m.dot").read_text()


def test_pydot_without_the_dot_program_is_explained(monkeypatch, tmp_path):
    pytest.importorskip("pydot")
    monkeypatch.setattr(mv, "_graphviz_available", lambda: False)
    monkeypatch.setattr(mv, "_import_matplotlib", lambda: None)
    with pytest.raises(ImportError, match="pydot is installed but the Graphviz program `dot` is not on the PATH"):
        plot_model(sequential(), to_file=tmp_path / "m.png")


def test_docstring_examples():
    import doctest

    result = doctest.testmod(mv, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0
