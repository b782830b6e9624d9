"""model.layers lists layers only; model.operations also lists the operations recorded by
arithmetic, indexing and ops.* calls on symbolic tensors, as in Keras 3."""

import numpy as np

import lamina
from lamina import layers, ops
from tests.keras3 import keras3


def _graph(lib):
    inputs = lib.Input((4,), name="pixels")
    x = inputs / 255.0
    x = lib.layers.Dense(3, name="hidden")(x)
    x = x[:, 0:2] + 1.0
    y = lib.ops.mean(x, axis=-1)
    return lib.Model(inputs, y, name="net")


def test_layers_exclude_operations_and_operations_list_every_node():
    model = _graph(lamina)
    assert [l.name for l in model.layers] == ["pixels", "hidden"]
    assert len(model.operations) == 6
    assert model.layers[1] is model.get_layer("hidden")
    assert model.get_layer(index=1).name == "hidden"  # index into model.layers, as Keras 3


def test_the_same_graph_lists_the_same_layer_names_as_keras3():
    keras = keras3()
    ours, theirs = _graph(lamina), _graph(keras)
    assert [l.name for l in ours.layers] == [l.name for l in theirs.layers]
    assert len(ours.operations) == len(theirs.operations)


def test_operations_still_run_save_and_show_in_the_summary(tmp_path):
    model = _graph(lamina)
    x = np.random.default_rng(0).random((2, 4), dtype=np.float32) * 255
    expected = model.predict(x, verbose=0)
    lines = []
    model.summary(print_fn=lines.append)
    text = "\n".join(lines)
    assert "get_item" in text and "mean" in text  # operations are rows of the table, as Keras 3
    path = tmp_path / "m.keras"
    model.save(path)
    loaded = lamina.models.load_model(path)
    assert [l.name for l in loaded.layers] == ["pixels", "hidden"]
    np.testing.assert_allclose(loaded.predict(x, verbose=0), expected, rtol=1e-6)
