"""The .keras archive: round trips, the zip layout, the config schema and the weights groups."""

from __future__ import annotations

import io
import json
import zipfile

import h5py
import numpy as np
import pytest
from saving_helpers import mlp, run

import lamina
from lamina import layers as L


def _members(path):
    with zipfile.ZipFile(path) as zf:
        return {i.filename: i for i in zf.infolist()}, json.loads(zf.read("config.json")), \
            h5py.File(io.BytesIO(zf.read("model.weights.h5")), "r")


def _tree(h5):
    out = {}

    def visit(name, obj):
        if isinstance(obj, h5py.Dataset):
            out[name] = obj.shape
        elif name.endswith("vars"):
            out[name] = dict(obj.attrs)

    h5.visititems(visit)
    return out


def test_sequential_round_trip_predictions_identical(tmp_path):
    model = mlp()
    x = np.random.default_rng(0).random((3, 4), dtype="float32")
    path = tmp_path / "m.keras"
    model.save(path)
    loaded = lamina.models.load_model(path)
    assert type(loaded) is lamina.Sequential
    assert [type(l).__name__ for l in loaded.layers] == ["Dense", "Dropout", "Activation", "Dense"]
    assert [l.name for l in loaded.layers] == [l.name for l in model.layers]
    np.testing.assert_array_equal(run(loaded, x), run(model, x))
    assert loaded.layers[1].rate == 0.3 and loaded.layers[2].get_config()["activation"] == "tanh"


def test_archive_members_are_stored_uncompressed_with_keras_metadata(tmp_path):
    path = tmp_path / "m.keras"
    mlp().save(path)
    members, config, h5 = _members(path)
    assert list(members) == ["metadata.json", "config.json", "model.weights.h5"]
    assert all(i.compress_type == zipfile.ZIP_STORED for i in members.values())
    with zipfile.ZipFile(path) as zf:
        meta = json.loads(zf.read("metadata.json"))
    assert meta["keras_version"] == "3.15.1" and "date_saved" in meta
    h5.close()


def test_sequential_config_schema_matches_keras3(tmp_path):
    path = tmp_path / "m.keras"
    mlp("seqA").save(path)
    _, config, h5 = _members(path)
    h5.close()
    assert config["module"] == "keras" and config["class_name"] == "Sequential"
    assert config["registered_name"] is None
    assert config["build_config"] == {"input_shape": [None, 4]}
    inner = config["config"]
    assert inner["name"] == "seqA" and inner["build_input_shape"] == [None, 4]
    first, dense = inner["layers"][0], inner["layers"][1]
    assert first["class_name"] == "InputLayer" and first["config"]["batch_shape"] == [None, 4]
    assert set(dense) == {"module", "class_name", "config", "registered_name", "build_config"}
    assert dense["module"] == "keras.layers" and dense["build_config"] == {"input_shape": [None, 4]}
    assert "batch_input_shape" not in dense["config"]  # Keras 3 layers reject it
    assert dense["config"]["dtype"]["class_name"] == "DTypePolicy"
    assert dense["config"]["kernel_initializer"]["class_name"] == "GlorotUniform"


def _two_input_model():
    a = lamina.Input((4,), name="in_a")
    b = lamina.Input((3,), name="in_b")
    d1 = L.Dense(5, name="d1")(a)
    d2 = L.Dense(5, name="d2")(b)
    out = L.Dense(1, name="out")(L.Activation("relu", name="act")(d1))
    return lamina.Model([a, b], [out, d2], name="funcF")


def test_functional_config_inbound_nodes_and_io_rules(tmp_path):
    path = tmp_path / "f.keras"
    _two_input_model().save(path)
    _, config, h5 = _members(path)
    h5.close()
    assert config["module"] == "keras.src.models.functional"
    assert config["class_name"] == config["registered_name"] == "Functional"
    inner = config["config"]
    # Keras 3.15.1 lists this graph's layers in exactly this order (by depth, then traversal)
    assert [l["name"] for l in inner["layers"]] == ["in_a", "d1", "act", "in_b", "out", "d2"]
    assert inner["layers"][0]["inbound_nodes"] == []
    node = inner["layers"][1]["inbound_nodes"][0]
    assert node["kwargs"] == {}
    tensor = node["args"][0]
    assert tensor["class_name"] == "__keras_tensor__"
    assert tensor["config"] == {"shape": [None, 4], "dtype": "float32", "keras_history": ["in_a", 0, 0]}
    assert inner["input_layers"] == [["in_a", 0, 0], ["in_b", 0, 0]]
    assert inner["output_layers"] == [["out", 0, 0], ["d2", 0, 0]]


def test_single_output_is_a_flat_triple_and_dicts_stay_dicts():
    x = lamina.Input((2,), name="x")
    single = lamina.Model(x, L.Dense(1, name="y")(x)).get_config()
    assert single["input_layers"] == ["x", 0, 0] and single["output_layers"] == ["y", 0, 0]
    a, b = lamina.Input((2,), name="a"), lamina.Input((2,), name="b")
    multi = lamina.Model({"a": a, "b": b}, {"y1": L.Dense(1, name="y1")(a), "y2": L.Dense(1, name="y2")(b)})
    cfg = multi.get_config()
    assert cfg["input_layers"] == {"a": ["a", 0, 0], "b": ["b", 0, 0]}
    assert cfg["output_layers"] == {"y1": ["y1", 0, 0], "y2": ["y2", 0, 0]}


def test_dict_io_round_trip(tmp_path):
    a, b = lamina.Input((2,), name="a"), lamina.Input((3,), name="b")
    model = lamina.Model({"a": a, "b": b}, {"y1": L.Dense(1, name="y1")(a), "y2": L.Dense(2, name="y2")(b)})
    model.save(tmp_path / "d.keras")
    loaded = lamina.models.load_model(tmp_path / "d.keras")
    x = {"a": np.ones((2, 2), "float32"), "b": np.ones((2, 3), "float32")}
    got, want = run(loaded, x), run(model, x)
    assert set(got) == {"y1", "y2"}
    for k in want:
        np.testing.assert_array_equal(got[k], want[k])


def test_shared_layer_has_two_nodes_and_second_call_is_node_1(tmp_path):
    x = lamina.Input((3,), name="x")
    shared = L.Dense(3, activation="tanh", name="shared")
    y = L.Dense(2, name="out")(shared(shared(x)))
    model = lamina.Model(x, y)
    cfg = model.get_config()
    by_name = {l["name"]: l for l in cfg["layers"]}
    assert len(by_name["shared"]["inbound_nodes"]) == 2
    second = by_name["shared"]["inbound_nodes"][1]["args"][0]["config"]["keras_history"]
    assert second == ["shared", 0, 0]
    assert by_name["out"]["inbound_nodes"][0]["args"][0]["config"]["keras_history"] == ["shared", 1, 0]
    model.save(tmp_path / "s.keras")
    loaded = lamina.models.load_model(tmp_path / "s.keras")
    data = np.random.default_rng(1).random((4, 3), dtype="float32")
    np.testing.assert_array_equal(run(loaded, data), run(model, data))
    assert len(loaded.get_layer("shared")._inbound_nodes) == 2


def test_nested_model_round_trip_and_weight_paths(tmp_path):
    inner = lamina.Sequential([lamina.Input((4,)), L.Dense(3, name="inner_d")], name="inner")
    x = lamina.Input((4,), name="x")
    model = lamina.Model(x, L.Dense(2, name="top")(inner(x)), name="outer")
    path = tmp_path / "n.keras"
    model.save(path)
    _, config, h5 = _members(path)
    tree = _tree(h5)
    h5.close()
    inner_cfg = config["config"]["layers"][1]
    assert inner_cfg["class_name"] == "Sequential" and inner_cfg["inbound_nodes"][0]["args"][0][
        "config"]["keras_history"] == ["x", 0, 0]
    assert config["config"]["layers"][2]["inbound_nodes"][0]["args"][0]["config"]["keras_history"] == ["inner", 0, 0]
    assert tree["layers/sequential/layers/dense/vars/0"] == (4, 3)
    assert tree["layers/sequential/vars"] == {"name": "inner"}
    assert tree["layers/dense/vars"] == {"name": "top"}
    assert tree["vars"] == {"name": "outer"}
    assert tree["layers/input_layer/vars"] == {"name": "x"}
    loaded = lamina.models.load_model(path)
    data = np.ones((2, 4), "float32")
    np.testing.assert_array_equal(run(loaded, data), run(model, data))


def test_weight_groups_are_named_by_class_with_counters(tmp_path):
    path = tmp_path / "m.keras"
    mlp("seqA").save(path)
    _, _, h5 = _members(path)
    tree = _tree(h5)
    h5.close()
    assert tree["layers/dense/vars"] == {"name": "dense"} or tree["layers/dense/vars"]["name"].startswith("dense")
    assert tree["layers/dense/vars/0"] == (4, 5) and tree["layers/dense/vars/1"] == (5,)
    assert tree["layers/dense_1/vars/0"] == (5, 2)
    assert "layers/dropout/vars" in tree and "layers/activation/vars" in tree
    assert tree["vars"] == {"name": "seqA"}
    assert not any(k.startswith("layers/input_layer") for k in tree)  # Sequential: no InputLayer group


class ManyWeights(L.Layer):
    """A layer with 12 weights of distinct shapes: datasets '10' and '11' sort after '9'."""

    def build(self, input_shape):
        self.ws = [self.add_weight(shape=(i + 1,), initializer="random_normal", name=f"w{i}") for i in range(12)]

    def call(self, x):
        return x

    def compute_output_shape(self, input_shape):
        return input_shape


def test_more_than_ten_datasets_are_sorted_numerically(tmp_path):
    layer = ManyWeights(name="many")
    model = lamina.Sequential([lamina.Input((2,)), layer])
    path = tmp_path / "w.weights.h5"
    model.save_weights(path)
    with h5py.File(path) as f:
        assert sorted(f["layers/many_weights/vars"].keys())[:3] == ["0", "1", "10"]  # h5py order
    before = [w.copy() for w in layer.get_weights()]
    for v in layer.weights:
        v.assign(np.zeros(v.shape, "float32"))
    model.load_weights(path)
    for got, want in zip(layer.get_weights(), before):
        np.testing.assert_array_equal(got, want)


def test_keras_snake_case_matches_keras():
    from lamina.saving.weights_store import keras_snake_case

    assert keras_snake_case("Conv2D") == "conv2d"
    assert keras_snake_case("Conv2DTranspose") == "conv2d_transpose"
    assert keras_snake_case("LSTMCell") == "lstm_cell"
    assert keras_snake_case("MultiHeadAttention") == "multi_head_attention"
    assert keras_snake_case("BatchNormalization") == "batch_normalization"


def test_keras_layer_order_sorts_by_depth_then_first_traversal():
    # out = Concatenate-like op on (branch of depth 3, branch of depth 1): Keras lists layers
    # by depth, so the long branch's first layer comes before the short branch.
    x = lamina.Input((3,), name="x")
    short = L.Dense(3, name="short")(x)
    long_ = L.Dense(3, name="c")(L.Dense(3, name="b")(L.Dense(3, name="a")(x)))
    out = L.Activation("linear", name="sum")(short + long_)
    model = lamina.Model(x, out)
    from lamina.saving.functional_config import ordered_layers

    names = [l.name for l in ordered_layers(model)]
    assert names.index("x") == 0
    assert names.index("a") < names.index("b") < names.index("c")
    assert names.index("a") < names.index("short")  # a is deeper than short
    assert names[-1] == "sum"


def test_subclassed_model_with_get_config_round_trip(tmp_path):
    @lamina.saving.register_keras_serializable(package="tests")
    class TwoDense(lamina.Model):
        def __init__(self, units=3, **kwargs):
            super().__init__(**kwargs)
            self.units = units
            self.d1 = L.Dense(units, activation="relu")
            self.d2 = L.Dense(1)

        def call(self, x):
            return self.d2(self.d1(x))

        def get_config(self):
            return {**super().get_config(), "units": self.units}

    model = TwoDense(units=4, name="two")
    x = np.random.default_rng(2).random((2, 5), dtype="float32")
    want = run(model, x)
    model.save(tmp_path / "sub.keras")
    with zipfile.ZipFile(tmp_path / "sub.keras") as zf:
        cfg = json.loads(zf.read("config.json"))
        h5 = h5py.File(io.BytesIO(zf.read("model.weights.h5")), "r")
        assert sorted(k for k in h5.keys()) == ["d1", "d2", "vars"]
        h5.close()
    assert cfg["registered_name"] == "tests>TwoDense" and cfg["build_config"] == {"input_shape": [2, 5]}
    loaded = lamina.models.load_model(tmp_path / "sub.keras")
    assert isinstance(loaded, TwoDense) and loaded.units == 4 and loaded.name == "two"
    np.testing.assert_array_equal(run(loaded, x), want)


def test_subclassed_model_without_get_config_cannot_be_saved_whole(tmp_path):
    class NoConfig(lamina.Model):
        def __init__(self, units):
            super().__init__()
            self.d = L.Dense(units)

        def call(self, x):
            return self.d(x)

    model = NoConfig(2)
    run(model, np.ones((1, 3), "float32"))
    with pytest.raises(NotImplementedError, match="get_config.*save_weights"):
        model.save(tmp_path / "x.keras")
    model.save_weights(tmp_path / "x.weights.h5")  # weights alone are fine


def test_overwrite_false_refuses_existing_file(tmp_path):
    path = tmp_path / "m.keras"
    mlp().save(path)
    with pytest.raises(FileExistsError, match="overwrite=True"):
        mlp().save(path, overwrite=False)


def test_bad_extension_names_the_choices(tmp_path):
    with pytest.raises(ValueError, match=r"\.keras.*\.h5"):
        mlp().save(tmp_path / "model.pt")
    with pytest.raises(ValueError, match="SavedModel"):
        mlp().save(tmp_path / "m", save_format="tf")


def test_include_optimizer_false_drops_compile_config(tmp_path):
    model = mlp()
    model.__dict__.update(compiled=True, _compile_config={"loss": "mse"})
    path = tmp_path / "m.keras"
    model.save(path, include_optimizer=False)
    with zipfile.ZipFile(path) as zf:
        assert "compile_config" not in json.loads(zf.read("config.json"))
