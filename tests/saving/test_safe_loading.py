"""Safe loading: what a file may name, nested loads, plain values, size limits, checksums.

(The hostile-file corpus in test_hostile_corpus.py runs the attacks end to end; these tests pin
the rules one by one.)
"""

from __future__ import annotations

import json
import os
import zipfile

import h5py
import numpy as np
import pytest
from saving_helpers import mlp, run

import lamina
from lamina.errors import FileFormatError, UnsafeLoadError
from lamina.saving import deserialize_keras_object
from lamina.saving.h5_reader import DIGEST_ATTR, digest


def _ref(module, name):
    return {"module": module, "class_name": "function", "config": name, "registered_name": None}


@pytest.mark.parametrize("module,name", [
    ("keras.saving", "load_model"), ("keras.models", "save_model"), ("keras.activations", "get"),
    ("keras.losses", "deserialize"), ("os", "system"), ("keras.utils", "get_file"),
])
def test_function_references_outside_the_allowlist_are_refused(module, name):
    with pytest.raises(UnsafeLoadError, match=rf"function '{name}' of module '{module}'.*activation, "
                       "loss and metric functions"):
        deserialize_keras_object(_ref(module, name))


@pytest.mark.parametrize("module,name,expected", [
    ("keras.activations", "relu", lamina.activations.relu),
    ("keras.losses", "mean_squared_error", lamina.losses.mean_squared_error),
    ("keras.metrics", "binary_accuracy", lamina.metrics.binary_accuracy),
    (None, "softmax", lamina.activations.softmax),
])
def test_activation_loss_and_metric_functions_still_resolve(module, name, expected):
    assert deserialize_keras_object(_ref(module, name)) is expected


@pytest.mark.parametrize("name", ["__class__", "_private", "__import__", "a b", "x;y"])
def test_private_and_odd_names_are_never_looked_up(name):
    with pytest.raises(UnsafeLoadError, match="never looked up"):
        deserialize_keras_object({"module": "keras.layers", "class_name": name, "config": {}})
    with pytest.raises(UnsafeLoadError, match="never looked up"):
        deserialize_keras_object(_ref("keras.activations", name))


def test_only_layer_like_classes_are_instantiated(monkeypatch):
    class NotALayer:
        def __init__(self, **kwargs):
            raise AssertionError("instantiated a class a file may not name")

    monkeypatch.setattr(lamina.layers, "NotALayer", NotALayer, raising=False)
    with pytest.raises(ValueError, match="Unknown layer class 'NotALayer'"):
        deserialize_keras_object({"module": "keras.layers", "class_name": "NotALayer", "config": {}})


def test_registered_custom_functions_still_load(tmp_path):
    @lamina.saving.register_keras_serializable(package="safe_test")
    def double(x):
        return x * 2

    inputs = lamina.Input((3,))
    model = lamina.Model(inputs, lamina.layers.Lambda(double)(inputs))
    model.save(tmp_path / "m.keras")
    loaded = lamina.models.load_model(tmp_path / "m.keras")
    x = np.arange(6, dtype="float32").reshape(2, 3)
    np.testing.assert_array_equal(run(loaded, x), 2 * x)


def test_a_nested_load_cannot_lower_the_safe_mode(tmp_path):
    """Even through a function the user registered, a file cannot make the load in progress
    run bytecode: a nested load_model(..., safe_mode=False) stays safe."""
    inner_in = lamina.Input((3,))
    inner = lamina.Model(inner_in, lamina.layers.Lambda(lambda x: x + 1)(inner_in))
    inner.save(tmp_path / "inner.keras")
    inner_path = str(tmp_path / "inner.keras")

    @lamina.saving.register_keras_serializable(package="safe_test")
    def loads_another_file(x):
        lamina.models.load_model(inner_path, safe_mode=False)
        return x

    with pytest.raises(UnsafeLoadError):  # the inner file alone is refused in safe mode
        lamina.models.load_model(inner_path)
    inputs = lamina.Input((3,))
    outer = lamina.Model(inputs, lamina.layers.Lambda(loads_another_file)(inputs))
    outer.save(tmp_path / "outer.keras")
    with pytest.raises(UnsafeLoadError, match="bytecode.*safe_mode=False") as info:
        lamina.models.load_model(tmp_path / "outer.keras")
    assert "inner.keras" in str(info.value)
    assert lamina.models.load_model(tmp_path / "outer.keras", safe_mode=False) is not None


def test_deserialize_with_safe_mode_false_inside_a_safe_load_stays_safe():
    from lamina.saving.lambda_serialization import safe_mode_scope, serialize_function

    config = serialize_function(lambda x: x)
    with safe_mode_scope(True):
        with pytest.raises(UnsafeLoadError):
            lamina.saving.deserialize_keras_object(config, safe_mode=False)
    assert callable(lamina.saving.deserialize_keras_object(config, safe_mode=False))


@pytest.mark.parametrize("dtype", ["(20000,20000)f4", "object", "U10", "V8", "O", "datetime64"])
def test_numpy_values_are_plain_numbers_only(dtype):
    with pytest.raises(UnsafeLoadError, match=r"only plain numeric dtypes"):
        deserialize_keras_object({"class_name": "__numpy__", "config": {"value": [0], "dtype": dtype}})


def test_numpy_values_are_capped():
    from lamina.saving.serialization_lib import MAX_CONFIG_ARRAY

    big = {"class_name": "__numpy__", "config": {"value": [0] * (MAX_CONFIG_ARRAY + 1), "dtype": "int8"}}
    with pytest.raises(UnsafeLoadError, match=f"more than {MAX_CONFIG_ARRAY} elements"):
        deserialize_keras_object(big)
    ok = deserialize_keras_object({"class_name": "__numpy__", "config": {"value": [[1, 2]], "dtype": "float32"}})
    np.testing.assert_array_equal(ok, np.array([[1, 2]], "float32"))


def test_unsafe_load_error_names_the_file(tmp_path):
    model = mlp()
    model.save(tmp_path / "m.keras")
    with zipfile.ZipFile(tmp_path / "m.keras") as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    config = json.loads(members["config.json"])
    config["config"]["layers"][1]["config"]["activation"] = _ref("keras.saving", "load_model")
    members["config.json"] = json.dumps(config).encode()
    with zipfile.ZipFile(tmp_path / "evil.keras", "w") as zf:
        for n, data in members.items():
            zf.writestr(n, data)
    with pytest.raises(UnsafeLoadError) as info:
        lamina.models.load_model(tmp_path / "evil.keras")
    assert info.value.path == str(tmp_path / "evil.keras")
    assert str(info.value).startswith(f"Cannot load '{tmp_path / 'evil.keras'}': ")


def test_compressed_archives_from_other_tools_still_load(tmp_path):
    model = mlp()
    model.save(tmp_path / "m.keras")
    with zipfile.ZipFile(tmp_path / "m.keras") as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    with zipfile.ZipFile(tmp_path / "deflated.keras", "w", zipfile.ZIP_DEFLATED) as zf:
        for n, data in members.items():
            zf.writestr(n, data)
    x = np.random.default_rng(0).normal(size=(3, 4)).astype("float32")
    np.testing.assert_array_equal(run(lamina.models.load_model(tmp_path / "deflated.keras"), x), run(model, x))


def test_written_datasets_carry_their_sha256(tmp_path):
    model = mlp()
    model.save_weights(tmp_path / "w.weights.h5")
    model.save(tmp_path / "m.h5")
    with h5py.File(tmp_path / "w.weights.h5", "r") as f:
        ds = f["layers/dense/vars/0"]
        assert ds.attrs[DIGEST_ATTR] == digest(ds[()])
    with h5py.File(tmp_path / "m.h5", "r") as f:
        names = []
        f.visititems(lambda n, o: names.append(n) if isinstance(o, h5py.Dataset) else None)
        assert names and all(DIGEST_ATTR in f[n].attrs for n in names)


def test_a_flipped_bit_is_an_error_and_nothing_is_loaded(tmp_path):
    model = mlp()
    model.save_weights(tmp_path / "w.weights.h5")
    with h5py.File(tmp_path / "w.weights.h5", "r") as f:
        offset = f["layers/dense_1/vars/0"].id.get_offset()
    data = bytearray((tmp_path / "w.weights.h5").read_bytes())
    data[offset] ^= 0x04
    (tmp_path / "bad.weights.h5").write_bytes(bytes(data))
    other = mlp()
    before = [w.copy() for w in other.get_weights()]
    with pytest.raises(FileFormatError, match=r"bad\.weights\.h5.*'/layers/dense_1/vars/0' does not "
                       r"match its SHA-256 checksum"):
        other.load_weights(tmp_path / "bad.weights.h5")
    for a, b in zip(before, other.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_files_without_checksums_still_load(tmp_path):
    model = mlp()
    model.save_weights(tmp_path / "w.weights.h5")
    with h5py.File(tmp_path / "w.weights.h5", "r+") as f:
        f.visititems(lambda n, o: o.attrs.__delitem__(DIGEST_ATTR) if DIGEST_ATTR in o.attrs else None)
    other = mlp()
    other.load_weights(tmp_path / "w.weights.h5")
    for a, b in zip(model.get_weights(), other.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_huge_declared_dataset_is_not_allocated(tmp_path):
    """A 14 KB file declaring a (24000, 24000) kernel is reported as a mismatch without
    reading it (reading would allocate 2.3 GB)."""
    model = mlp()
    model.save_weights(tmp_path / "w.weights.h5")
    with h5py.File(tmp_path / "w.weights.h5", "r+") as f:
        del f["layers/dense/vars/0"]
        f.create_dataset("layers/dense/vars/0", shape=(24000, 24000), dtype="float32", chunks=(100, 100))
    assert os.path.getsize(tmp_path / "w.weights.h5") < 100_000
    with pytest.raises(lamina.errors.WeightsMismatchError, match=r"\(24000, 24000\)"):
        mlp().load_weights(tmp_path / "w.weights.h5")
