"""plot_model without Graphviz: every arrow drawn, skip connections routed around the boxes."""

import pytest

import lamina
from lamina import layers
from lamina.utils import model_visualization as mv
from lamina.utils import plot_layout


def resnet_like():
    x = lamina.Input((8,), name="in")
    h1 = layers.Dense(8, activation="relu", name="d1")(x)
    h2 = layers.Dense(8, activation="relu", name="d2")(h1)
    h3 = layers.Dense(8, name="d3")(h2)
    s = layers.Add(name="skip_add")([h1, h3])
    h4 = layers.Dense(8, name="d4")(s)
    cat = layers.Concatenate(name="cat")([x, h4, h2])
    return lamina.Model(x, layers.Dense(1, name="out")(cat), name="resnetish")


def _sizes(graph):
    # Box sizes as the drawing makes them: wider for longer labels.
    return {n: (0.5 + 0.1 * len(lines), 0.1 * max(len(line) for line in lines) + 0.3)
            for n, lines in graph.labels.items()}


@pytest.mark.parametrize("show_shapes", [False, True])
def test_every_edge_is_routed_and_no_route_crosses_a_box(show_shapes):
    graph = mv._Graph.from_model(resnet_like(), show_shapes, False, True, False, False, False)
    edges = list(graph.edges)
    assert ("in", "cat") in edges and ("d1", "skip_add") in edges and ("d2", "cat") in edges
    size = _sizes(graph)
    centre, routes = plot_layout.layout(list(graph.labels), edges, size, 0.45, 0.3)
    assert set(routes) == set(edges)
    for (a, b), points in routes.items():
        # Starts on the source's far border and ends on the target's near border.
        assert points[0][0] == pytest.approx(centre[a][0] + size[a][0] / 2)
        assert points[-1][0] == pytest.approx(centre[b][0] - size[b][0] / 2)
        assert abs(points[0][1] - centre[a][1]) < size[a][1] / 2
        assert abs(points[-1][1] - centre[b][1]) < size[b][1] / 2
        for p, q in zip(points, points[1:]):
            for n in graph.labels:
                assert not plot_layout.segment_hits_box(p, q, centre[n], size[n]), (a, b, n)
    # No two boxes overlap.
    names = list(graph.labels)
    for i, m in enumerate(names):
        for n in names[i + 1:]:
            assert not plot_layout.segment_hits_box(centre[m], centre[m], centre[n], size[n])
            overlap_along = abs(centre[m][0] - centre[n][0]) < (size[m][0] + size[n][0]) / 2
            overlap_across = abs(centre[m][1] - centre[n][1]) < (size[m][1] + size[n][1]) / 2
            assert not (overlap_along and overlap_across), (m, n)


def test_a_straight_line_for_the_skip_connection_would_cross_a_box():
    # The check used above can fail: the old straight arrow in -> cat passes through d1..d4.
    graph = mv._Graph.from_model(resnet_like(), False, False, True, False, False, False)
    size = _sizes(graph)
    centre, _ = plot_layout.layout(list(graph.labels), list(graph.edges), size, 0.45, 0.3)
    hits = [n for n in graph.labels if n not in ("in", "cat")
            and plot_layout.segment_hits_box(centre["in"], centre["cat"], centre[n], size[n])]
    assert hits


def test_png_with_skip_connections(tmp_path, monkeypatch):
    pytest.importorskip("matplotlib")
    monkeypatch.setattr(mv, "_graphviz_available", lambda: False)
    for rankdir in ("TB", "LR"):
        path = tmp_path / f"m_{rankdir}.png"
        lamina.utils.plot_model(resnet_like(), to_file=str(path), rankdir=rankdir, show_shapes=True)
        assert path.read_bytes()[:4] == b"\x89PNG"


def test_frame_enclosing_an_outside_layer_says_graphviz_is_needed():
    graph = mv._Graph("outer")
    inner = mv._Group("inner", "inner", key="1")
    inner.nodes = ["inner/a", "inner/b"]
    graph.root.groups.append(inner)
    graph.root.nodes = ["x"]
    xy = {"inner/a": (0.0, 0.0), "inner/b": (2.0, 0.0), "x": (1.0, 0.0)}
    size = {n: (0.5, 0.3) for n in xy}
    with pytest.raises(ValueError) as e:
        mv._check_frame(graph, inner, xy, size, (-0.3, -0.2, 2.3, 0.2))
    assert str(e.value) == (
        "plot_model cannot draw model 'outer' truthfully with matplotlib: the frame of the nested "
        "model 'inner' (expand_nested=True) would enclose 'x', which is not part of it. Install "
        "Graphviz (its `dot` program, e.g. `apt install graphviz` or `conda install graphviz`) and "
        "`pip install pydot`, or pass expand_nested=False.")
    mv._check_frame(graph, inner, {**xy, "x": (1.0, 1.0)}, size, (-0.3, -0.2, 2.3, 0.2))
