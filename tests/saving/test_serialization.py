"""Configs: get_config/from_config, to_json/model_from_json, custom objects, class lookup."""

from __future__ import annotations

import json

import numpy as np
import pytest
from saving_helpers import mlp, run

import lamina
from lamina import layers as L
from lamina.saving import (
    custom_object_scope,
    deserialize_keras_object,
    get_custom_objects,
    register_keras_serializable,
    serialize_keras_object,
)


def test_sequential_get_config_from_config():
    model = mlp("seqA")
    clone = lamina.Sequential.from_config(model.get_config())
    assert clone.name == "seqA" and clone.input_shape == (None, 4)
    assert clone.get_config() == model.get_config()
    assert [type(l) for l in clone.layers] == [type(l) for l in model.layers]


def test_functional_get_config_from_config():
    x = lamina.Input((3,), name="x")
    y = L.Dense(2, name="y")(L.Dense(4, activation="relu", name="h")(x))
    model = lamina.Model(x, y, name="f")
    clone = lamina.Model.from_config(model.get_config())
    assert type(clone).__name__ == "Functional" and clone.name == "f"
    assert [l.name for l in clone.layers] == ["x", "h", "y"]
    assert clone.output_shape == (None, 2)


def test_to_json_and_model_from_json():
    model = mlp()
    text = model.to_json(indent=2)
    parsed = json.loads(text)
    assert parsed["class_name"] == "Sequential" and parsed["module"] == "keras"
    rebuilt = lamina.models.model_from_json(text)
    assert rebuilt.get_config() == model.get_config()
    x = np.ones((2, 4), "float32")
    assert run(rebuilt, x).shape == (2, 2)
    assert not np.allclose(run(rebuilt, x), run(model, x))  # fresh weights


def test_model_from_json_reads_keras2_json():
    keras2 = {"class_name": "Sequential", "keras_version": "2.21.0", "backend": "tensorflow",
              "config": {"name": "s", "layers": [
                  {"class_name": "InputLayer", "config": {"batch_input_shape": [None, 3], "dtype": "float32",
                                                          "sparse": False, "ragged": False, "name": "in"}},
                  {"class_name": "Dense", "config": {"name": "d", "units": 2, "dtype": "float32",
                                                     "activation": "relu", "trainable": True,
                                                     "kernel_initializer": {"class_name": "GlorotUniform",
                                                                            "config": {"seed": None}}}}]}}
    model = lamina.models.model_from_json(json.dumps(keras2))
    assert model.input_shape == (None, 3) and model.layers[0].units == 2


def test_model_from_json_rejects_non_config():
    with pytest.raises(ValueError, match="not valid JSON"):
        lamina.models.model_from_json("{not json")
    with pytest.raises(ValueError, match="class_name"):
        lamina.models.model_from_json("[1, 2]")


# ---------------------------------------------------------------------------------------------
# custom objects
# ---------------------------------------------------------------------------------------------
class Scale(L.Layer):
    def __init__(self, factor=2.0, **kwargs):
        super().__init__(**kwargs)
        self.factor = factor

    def call(self, x):
        return x * self.factor

    def compute_output_shape(self, s):
        return s

    def get_config(self):
        return {**super().get_config(), "factor": self.factor}


def _model_with(layer):
    x = lamina.Input((2,), name="x")
    return lamina.Model(x, layer(x))


def test_unregistered_custom_layer_needs_custom_objects(tmp_path):
    model = _model_with(Scale(3.0, name="scale"))
    model.save(tmp_path / "c.keras")
    with pytest.raises(lamina.errors.FileFormatError) as info:
        lamina.models.load_model(tmp_path / "c.keras")
    msg = str(info.value)
    assert "c.keras" in msg and "'Scale'" in msg
    assert "custom_objects" in msg and "register_keras_serializable" in msg
    loaded = lamina.models.load_model(tmp_path / "c.keras", custom_objects={"Scale": Scale})
    np.testing.assert_array_equal(run(loaded, np.ones((1, 2), "float32")), [[3.0, 3.0]])
    with custom_object_scope({"Scale": Scale}):
        assert lamina.models.load_model(tmp_path / "c.keras").layers[1].factor == 3.0


def test_registered_custom_layer_loads_by_registered_name(tmp_path):
    @register_keras_serializable(package="mypkg", name="Shift")
    class Shift(L.Layer):
        def __init__(self, by=1.0, **kwargs):
            super().__init__(**kwargs)
            self.by = by

        def call(self, x):
            return x + self.by

        def get_config(self):
            return {**super().get_config(), "by": self.by}

    cfg = serialize_keras_object(Shift(2.0))
    assert cfg["registered_name"] == "mypkg>Shift" and cfg["class_name"] == "Shift"
    assert get_custom_objects()["mypkg>Shift"] is Shift
    model = _model_with(Shift(2.0, name="shift"))
    model.save(tmp_path / "r.keras")
    loaded = lamina.models.load_model(tmp_path / "r.keras")
    np.testing.assert_array_equal(run(loaded, np.zeros((1, 2), "float32")), [[2.0, 2.0]])
    assert lamina.saving.register_serializable is register_keras_serializable


def test_keras2_style_get_custom_objects_entry(tmp_path):
    model = _model_with(Scale(5.0, name="scale"))
    model.save(tmp_path / "k.keras")
    get_custom_objects()["Scale"] = Scale
    try:
        assert lamina.models.load_model(tmp_path / "k.keras").layers[1].factor == 5.0
    finally:
        del get_custom_objects()["Scale"]


def test_register_requires_get_config():
    with pytest.raises(ValueError, match="get_config"):
        register_keras_serializable()(type("NoConfig", (), {}))


def test_custom_function_as_activation_round_trip(tmp_path):
    @register_keras_serializable(package="fns")
    def cube(x):
        return x * x * x

    model = _model_with(L.Dense(2, activation=cube, name="d"))
    cfg = model.get_config()["layers"][1]["config"]["activation"]
    assert cfg == "cube" or cfg["config"] == "cube"
    model.save(tmp_path / "f.keras")
    loaded = lamina.models.load_model(tmp_path / "f.keras")
    x = np.full((1, 2), 0.5, "float32")
    np.testing.assert_allclose(run(loaded, x), run(model, x))


# ---------------------------------------------------------------------------------------------
# class lookup and config dialects
# ---------------------------------------------------------------------------------------------
def test_unknown_class_suggests_nearest_lamina_class():
    with pytest.raises(ValueError) as info:
        deserialize_keras_object({"module": "keras.layers", "class_name": "Dens", "config": {"units": 2}})
    msg = str(info.value)
    assert "Did you mean 'Dense'?" in msg and "custom_objects" in msg and "register_keras_serializable" in msg


def test_backend_specific_module_paths_are_ignored():
    cfg = {"module": "keras.src.layers.core.dense", "class_name": "Dense", "config": {"units": 3},
           "registered_name": None}
    assert type(deserialize_keras_object(cfg)) is L.Dense
    assert type(deserialize_keras_object({"class_name": "Dense", "config": {"units": 3}})) is L.Dense


def test_layers_are_looked_up_dynamically_in_lamina_layers(monkeypatch):
    class Newcomer(L.Layer):
        pass

    monkeypatch.setattr(lamina.layers, "Newcomer", Newcomer, raising=False)
    obj = deserialize_keras_object({"module": "keras.layers", "class_name": "Newcomer", "config": {"name": "n"}})
    assert type(obj) is Newcomer and obj.name == "n"


def test_keras1_class_name_aliases(monkeypatch):
    class Conv2D(L.Layer):
        pass

    monkeypatch.setattr(lamina.layers, "Conv2D", Conv2D, raising=False)
    monkeypatch.delattr(lamina.layers, "Convolution2D", raising=False)
    obj = deserialize_keras_object({"class_name": "Convolution2D", "config": {"name": "c"}}, kind="layer")
    assert type(obj) is Conv2D


def test_unset_keys_from_newer_keras_are_dropped_but_meaningful_ones_kept():
    dense = {"module": "keras.layers", "class_name": "Dense", "registered_name": None,
             "config": {"name": "d", "units": 2, "quantization_config": None, "lora_rank": None,
                        "kernel_initializer": {"module": "keras.initializers", "class_name": "GlorotUniform",
                                               "config": {"seed": 3, "input_axes": None, "output_axes": None},
                                               "registered_name": None}}}
    layer = deserialize_keras_object(dense)
    assert layer.units == 2 and layer.kernel_initializer.seed == 3
    dense["config"]["future_option"] = "on"
    with pytest.raises(ValueError, match="future_option"):
        deserialize_keras_object(dense)


def test_dtype_strings_and_policies():
    a = deserialize_keras_object({"class_name": "Dense", "config": {"units": 1, "dtype": "float64"}})
    b = deserialize_keras_object({"class_name": "Dense", "config": {"units": 1, "dtype": {
        "module": "keras", "class_name": "DTypePolicy", "config": {"name": "float64"}, "registered_name": None,
        "shared_object_id": 12345}}})
    assert a.dtype == b.dtype == "float64"


def test_special_values_round_trip():
    values = [np.arange(3, dtype="int32"), b"bytes", slice(1, None, 2), Ellipsis, (1, 2)]
    back = deserialize_keras_object(serialize_keras_object(values))
    np.testing.assert_array_equal(back[0], [0, 1, 2])
    assert back[0].dtype == np.int32
    assert back[1:4] == [b"bytes", slice(1, None, 2), Ellipsis] and back[4] == [1, 2]


def test_build_config_builds_layers_of_an_unbuilt_sequential():
    cfg = {"module": "keras", "class_name": "Sequential", "config": {"name": "s", "layers": [
        {"module": "keras.layers", "class_name": "Dense", "config": {"name": "d", "units": 3},
         "build_config": {"input_shape": [None, 7]}}]}}
    model = deserialize_keras_object(cfg)
    assert model.layers[0].built and model.layers[0].kernel.shape == (7, 3)


# ---------------------------------------------------------------------------------------------
# clone_model
# ---------------------------------------------------------------------------------------------
def test_clone_model_sequential_and_functional():
    model = mlp()
    clone = lamina.models.clone_model(model)
    assert clone is not model and clone.get_config() == model.get_config()
    assert all(a is not b for a, b in zip(clone.layers, model.layers))
    x = lamina.Input((3,), name="x")
    shared = L.Dense(3, name="s")
    f = lamina.Model(x, L.Dense(1, name="o")(shared(shared(x))))
    fc = lamina.models.clone_model(f)
    assert [l.name for l in fc.layers] == [l.name for l in f.layers]
    assert len(fc.get_layer("s")._inbound_nodes) == 2


def test_clone_model_with_clone_function_and_input_tensors():
    from lamina.saving.api import clone_model

    x = lamina.Input((3,), name="x")
    f = lamina.Model(x, L.Dense(2, name="o")(L.Dense(4, name="h")(x)))
    seen = []

    def fn(layer):
        seen.append(layer.name)
        return type(layer).from_config(layer.get_config())

    new_input = lamina.Input((3,), name="new_in")
    clone = clone_model(f, input_tensors=new_input, clone_function=fn)
    assert seen == ["h", "o"] and clone.inputs[0] is new_input


def test_function_dicts_in_layer_configs_are_resolved():
    @register_keras_serializable(package="fns2")
    def halve(x):
        return x * 0.5

    cfg = {"module": "keras.layers", "class_name": "Dense", "config": {
        "units": 1, "activation": {"module": "builtins", "class_name": "function", "config": "halve",
                                   "registered_name": "fns2>halve"}}}
    assert deserialize_keras_object(cfg).activation is halve


def test_deserialize_layer_for_wrappers_and_cells():
    from lamina.saving import deserialize_layer, serialize_layer

    dense = L.Dense(2, name="inner")
    cfg = serialize_layer(dense)
    cfg["config"]["kernel_initializer"]["config"]["input_axes"] = None  # Keras 3.15 adds these
    back = deserialize_layer(cfg)
    assert type(back) is L.Dense and back.name == "inner"
    assert deserialize_layer(dense) is dense
    with pytest.raises(ValueError, match="does not describe a layer"):
        deserialize_layer({"class_name": "GlorotUniform", "config": {}})
