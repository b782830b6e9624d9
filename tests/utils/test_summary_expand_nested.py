"""summary(expand_nested=True) lists a nested model's layers under it, as Keras 3 does."""

import re

import pytest

import lamina
from tests.keras3 import keras3

keras = keras3()

pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation doesn.t accept a copy keyword")


def _build(lib):
    L = lib.layers
    deepest = lib.Sequential([L.Dense(2, name="deep_d")], name="deep")
    inner = lib.Sequential([L.Dense(3, name="inner_d"), deepest, L.Dense(4, name="inner_e")], name="inner")
    x = lib.Input((4,), name="x")
    out = L.Dense(2, name="top")(inner(L.Dense(5, name="pre")(x)))
    return lib.Model(x, out, name="outer")


def _rows(model, **kw):
    """(indent prefix, 'name (Type)', output shape) of each layer row of the printed table."""
    chunks = []
    model.summary(print_fn=lambda s, **_: chunks.append(s), line_length=120, **kw)
    rows = []
    for line in "\n".join(chunks).splitlines():
        m = re.match(r"^(?:│ )?((?:   )*(?:└ )?)(\w+ \(\w+\))\s*│?\s*(\([\w, ]*\))", line)
        if m:
            rows.append((m.group(1), m.group(2), m.group(3)))
    return rows


def _counts(model, expand):
    """Param counts in row order, read off lamina's table."""
    lines = []
    model.summary(print_fn=lines.append, expand_nested=expand)
    return [int(m.group(1).replace(",", "")) for line in lines
            if (m := re.match(r"^(?:   )*(?:└ )?\w+ \(\w+\)\s+\([\w, ]*\)\s+([\d,]+)", line))]


def _walk(model, expand):
    out = []
    for layer in model.layers:
        out.append(layer.count_params())
        if expand and getattr(layer, "layers", None):
            out += _walk(layer, expand)
    return out


@pytest.mark.parametrize("expand", [False, True])
def test_rows_match_keras(expand):
    mine, theirs = _rows(_build(lamina), expand_nested=expand), _rows(_build(keras), expand_nested=expand)
    assert mine == theirs
    assert len(mine) == (8 if expand else 4)
    assert _counts(_build(lamina), expand) == _walk(_build(keras), expand)


def test_nested_rows_are_indented_under_their_model():
    rows = _rows(_build(lamina), expand_nested=True)
    assert [r[0] + r[1] for r in rows] == [
        "x (InputLayer)", "pre (Dense)", "inner (Sequential)", "   └ inner_d (Dense)",
        "   └ deep (Sequential)", "      └ deep_d (Dense)", "   └ inner_e (Dense)", "top (Dense)"]


def _keras_edges(dot_text):
    """Keras's model_to_dot edges as (label, label): its node ids are object ids."""
    names = dict(re.findall(r"^(\d+) \[label=<.*?<b>(\w+)</b>", dot_text, re.M))
    return {(names[a], names[b]) for a, b in re.findall(r"^(\d+) -> (\d+)", dot_text, re.M)}


def _lamina_edges(dot_text):
    return {(a.split("/")[-1], b.split("/")[-1]) for a, b in re.findall(r'"([\w/]+)" -> "([\w/]+)"', dot_text)}


@pytest.mark.parametrize("expand", [False, True])
def test_plot_model_edges_and_frames_match_keras(expand):
    pytest.importorskip("pydot")
    theirs = keras.utils.model_to_dot(_build(keras), expand_nested=expand).to_string()
    mine = lamina.utils.model_to_dot(_build(lamina), expand_nested=expand).to_string()
    assert _lamina_edges(mine) == _keras_edges(theirs)
    assert len(_keras_edges(theirs)) == (5 if expand else 3)
    frames = re.findall(r"label=\"?(\w+)\"?;\s*labeljust=l", mine)
    assert frames == (["inner", "deep"] if expand else [])
