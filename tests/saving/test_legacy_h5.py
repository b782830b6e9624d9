"""Legacy HDF5: lamina's own whole-model .h5, and files written by Keras 1, 2.2 and tf.keras 2.x
(hand-built to the reference's description by tests/fixtures/make_keras_files.py)."""

from __future__ import annotations

import json
import shutil

import h5py
import numpy as np
import pytest
from saving_helpers import fixture_path, mlp, require_layers, require_training, run

import lamina
from lamina import layers as L
from lamina.saving import legacy_config


def test_whole_model_h5_round_trip_and_attrs(tmp_path):
    model = mlp("seqA")
    path = tmp_path / "m.h5"
    model.save(path)
    with h5py.File(path) as f:
        assert f.attrs["keras_version"] == "3.15.1" and f.attrs["backend"] == lamina.config.backend()
        config = json.loads(f.attrs["model_config"])
        assert config["class_name"] == "Sequential" and set(config) == {"class_name", "config"}
        assert "training_config" not in f.attrs  # not compiled
        assert "model_weights" in f and "optimizer_weights" not in f
    loaded = lamina.models.load_model(path)
    x = np.random.default_rng(0).random((3, 4), dtype="float32")
    np.testing.assert_array_equal(run(loaded, x), run(model, x))


def test_functional_h5_round_trip(tmp_path):
    a, b = lamina.Input((4,), name="a"), lamina.Input((2,), name="b")
    y = L.Dense(3, name="y")(L.Dense(4, activation="relu", name="h")(a))
    model = lamina.Model([a, b], [y, L.Dense(1, name="z")(b)])
    model.save(tmp_path / "f.h5")
    loaded = lamina.models.load_model(tmp_path / "f.h5")
    data = [np.ones((2, 4), "float32"), np.ones((2, 2), "float32")]
    for got, want in zip(run(loaded, data), run(model, data)):
        np.testing.assert_array_equal(got, want)


# ---------------------------------------------------------------------------------------------
# files written by Keras 1 / 2
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name,key", [
    ("k2_mlp.h5", "k2_mlp"),  # tf.keras Sequential, Custom>Adam, MeanMetricWrapper, optimizer weights
    ("k2_shared.h5", "k2_shared"),  # nested-list inbound nodes, a shared layer (nodes 0 and 1)
    ("k2_nested.h5", "k2_nested"),  # the node-index trap: inner model called as node 1
    ("k22_list_config.h5", "k22"),  # Keras <= 2.2.2: Sequential config is a bare list
    ("k1_sequential.h5", "k1"),  # Keras 1: output_dim/init/W_regularizer..., no keras_version
])
def test_keras2_and_keras1_whole_models_load(name, key, reference):
    model = lamina.models.load_model(fixture_path(name), compile=False)
    np.testing.assert_allclose(run(model, reference[f"{key}_x"]), reference[f"{key}_y"], rtol=1e-5, atol=1e-6)


def test_keras2_details(reference):
    nested = lamina.models.load_model(fixture_path("k2_nested.h5"), compile=False)
    assert type(nested.get_layer("inner")).__name__ == "Sequential"
    assert [l.name for l in nested.layers] == ["input_2", "inner", "top"]
    seq = lamina.models.load_model(fixture_path("k2_mlp.h5"), compile=False)
    assert seq.name == "mlp" and seq.input_shape == (None, 6)
    assert seq.layers[1].rate == 0.2
    old = lamina.models.load_model(fixture_path("k1_sequential.h5"), compile=False)
    assert old.layers[0].units == 4 and old.layers[0].use_bias is True


def test_keras2_weights_only_file_loads_into_a_rebuilt_model(reference):
    model = lamina.Sequential([L.Dense(8, input_shape=(6,), activation="relu"), L.Dropout(0.2),
                               L.Dense(3, activation="softmax")])
    model.load_weights(fixture_path("k2_mlp_weights.h5"))
    np.testing.assert_allclose(run(model, reference["k2_mlp_x"]), reference["k2_mlp_y"], rtol=1e-5, atol=1e-6)
    other = lamina.Sequential([L.Dense(8, input_shape=(6,), activation="relu"), L.Dense(3, activation="softmax")])
    other.load_weights(fixture_path("k2_mlp.h5"))  # a whole-model file works too
    np.testing.assert_allclose(run(other, reference["k2_mlp_x"]), reference["k2_mlp_y"], rtol=1e-5, atol=1e-6)


def test_keras2_lstm_with_time_major_and_masking(reference):
    require_layers("Embedding", "LSTM")
    model = lamina.models.load_model(fixture_path("k2_lstm.h5"), compile=False)
    np.testing.assert_allclose(run(model, reference["k2_lstm_x"]), reference["k2_lstm_y"], rtol=1e-4, atol=1e-5)


def test_keras2_conv_bn_with_axis_list(reference):
    require_layers("Conv2D", "BatchNormalization", "Flatten")
    model = lamina.models.load_model(fixture_path("k2_conv.h5"), compile=False)
    np.testing.assert_allclose(run(model, reference["k2_conv_x"]), reference["k2_conv_y"], rtol=1e-4, atol=1e-5)


def test_chunked_layer_names_and_bytes_attributes(tmp_path, reference):
    path = tmp_path / "chunked.h5"
    shutil.copy(fixture_path("k2_mlp_weights.h5"), path)
    with h5py.File(path, "a") as f:
        names = list(f.attrs["layer_names"])
        del f.attrs["layer_names"]
        f.attrs["layer_names0"] = np.asarray(names[:2])
        f.attrs["layer_names1"] = np.asarray(names[2:])
        assert isinstance(f.attrs["layer_names0"][0], bytes)
    model = lamina.Sequential([L.Dense(8, input_shape=(6,), activation="relu"), L.Dense(3, activation="softmax")])
    model.load_weights(path)
    np.testing.assert_allclose(run(model, reference["k2_mlp_x"]), reference["k2_mlp_y"], rtol=1e-5, atol=1e-6)


def test_save_attributes_chunks_large_lists(tmp_path):
    from lamina.saving.file_io import HDF5_OBJECT_HEADER_LIMIT, load_attributes, save_attributes

    names = [f"layer_with_a_long_name_{i:05d}" for i in range(4000)]
    with h5py.File(tmp_path / "a.h5", "w") as f:
        save_attributes(f, "layer_names", names)
        assert "layer_names" not in f.attrs and "layer_names1" in f.attrs
        assert all(f.attrs[k].nbytes <= HDF5_OBJECT_HEADER_LIMIT for k in f.attrs)
        assert load_attributes(f, "layer_names") == names


def test_keras1_conversions_for_recurrent_weights():
    require_layers("LSTM")
    from lamina.saving.legacy_h5 import _convert_old

    lstm = L.LSTM(2)
    lstm.build((None, 5, 3))
    per_gate = []
    for gate in range(4):  # Keras 1 order: i, c, f, o
        per_gate += [np.full((3, 2), gate, "float32"), np.full((2, 2), gate, "float32"),
                     np.full((2,), gate, "float32")]
    kernel, recurrent, bias = _convert_old(lstm, per_gate, "1", "tensorflow")
    assert kernel.shape == (3, 8)
    np.testing.assert_array_equal(kernel[0], [0, 0, 2, 2, 1, 1, 3, 3])  # i, f, c, o


def test_training_config_dialect_helpers():
    wrapped = [[{"class_name": "MeanMetricWrapper",
                 "config": {"name": "accuracy", "dtype": "float32", "fn": "categorical_accuracy"}}]]
    assert legacy_config.keras2_metrics(wrapped) == ["accuracy"]
    assert legacy_config.keras2_metrics({"out": ["acc"]}) == {"out": ["acc"]}
    loss = legacy_config.keras2_loss({"class_name": "CategoricalCrossentropy",
                                      "config": {"reduction": "auto", "from_logits": False}})
    assert loss["config"]["reduction"] == "sum_over_batch_size"


def test_keras2_training_config_and_optimizer_weights_restored(reference):
    require_training()
    model = lamina.models.load_model(fixture_path("k2_mlp.h5"))
    assert type(model.optimizer).__name__ == "Adam"
    assert model.optimizer.iterations == 7
    np.testing.assert_allclose(model.optimizer.get_weights()[2], reference["k2_mlp_m0"])
