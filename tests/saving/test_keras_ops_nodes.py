"""Keras 3 operation nodes (``x + 1``, ``x[:, 0]``, ``ops.mean``) in functional model files.

Keras 3 (the reference, torch backend) writes the files here; lamina loads them and must
predict the same numbers. Crafted files show that an op entry is resolved only through lamina's
table of functions.
"""

from __future__ import annotations

import json
import zipfile

import numpy as np
import pytest
from saving_helpers import run

import lamina
from lamina.errors import UnsafeLoadError

X = np.random.default_rng(3).standard_normal((5, 4)).astype("float32")


def _outputs(keras, x):
    ops = keras.ops
    r3 = ops.reshape(x, (-1, 3, 1))
    return {
        "add_const": x[:, 0:2] + 1.0,
        "rsub_const": 2.0 - x,
        "rdiv_const": 1.5 / (ops.abs(x) + 1.0),
        "div_const": x / 2.0,
        "pow_const": x ** 2,
        "neg": -x,
        "item_int": x[:, 1],
        "item_none_ellipsis": x[..., None, 1],
        "item_step": x[:, ::2],
        "mean": ops.mean(x, axis=-1),
        "sum_keepdims": ops.sum(x, axis=1, keepdims=True),
        "max": ops.max(x, axis=0),
        "concat": ops.concatenate([x, x * 2.0], axis=-1),
        "stack": ops.stack([x, x], axis=1),
        "expand_dims": ops.expand_dims(x, 1),
        "squeeze": ops.squeeze(ops.expand_dims(x, -1), axis=-1),
        "reshape_transpose": ops.transpose(r3, (0, 2, 1)),
        "softmax": ops.softmax(x, axis=0),
        "log_softmax": ops.log_softmax(x),
        "relu": ops.relu(x),
        "exp_tanh": ops.exp(ops.tanh(x)),
        "cast": ops.cast(x, "float16"),
        "matmul": ops.matmul(x, ops.transpose(x)),
        "compare": ops.cast(ops.greater(x, 0.0), "float32"),
        "maximum": ops.maximum(x, 0.5),
        "image_resize": ops.image.resize(ops.reshape(x, (-1, 3, 1, 1)), (2, 2)),
    }


@pytest.fixture(scope="module")
def keras_ops_file(keras, tmp_path_factory):
    inputs = keras.Input((4,))
    x = keras.layers.Dense(3)(inputs)
    model = keras.Model(inputs, _outputs(keras, x))
    path = tmp_path_factory.mktemp("ops") / "ops.keras"
    model.save(path)
    want = {k: np.asarray(v) for k, v in model.predict(X, verbose=0).items()}
    return path, want


def _config(path):
    with zipfile.ZipFile(path) as z:
        return json.loads(z.read("config.json"))


def test_the_file_holds_keras_op_entries(keras_ops_file):
    path, _ = keras_ops_file
    layers = _config(path)["config"]["layers"]
    modules = {l["module"] for l in layers}
    assert {"keras.src.ops.numpy", "keras.src.ops.nn", "keras.src.ops.core",
            "keras.src.ops.image"} <= modules
    assert {"Mean", "Add", "Concatenate", "GetItem", "Softmax"} <= {l["class_name"] for l in layers}


def test_lamina_loads_keras_ops_and_predicts_the_same(keras_ops_file):
    path, want = keras_ops_file
    model = lamina.models.load_model(path, compile=False)
    got = run(model, X)
    assert set(got) == set(want)
    for key in want:
        assert got[key].shape == want[key].shape, key
        assert str(got[key].dtype) == str(want[key].dtype), key
        tol = 2e-3 if want[key].dtype == np.float16 else 2e-5
        np.testing.assert_allclose(got[key], want[key], rtol=tol, atol=tol, err_msg=key)


# Keras 3 op classes lamina does not run (no lamina function of that name yet).
_NOT_MAPPED = {"SegmentReduction", "ConvertToTensor", "ElasticTransform", "ScaleAndTranslate"}


def test_every_keras_op_class_maps_to_a_lamina_function_with_its_constructor_arguments(keras):
    import importlib
    import inspect

    from keras.src.ops.operation import Operation

    from lamina.ops.symbolic_dispatch import FUNCTIONS
    from lamina.saving.keras_ops_nodes import function_name

    unmapped, checked = set(), 0
    for family in ("numpy", "nn", "math", "core", "image", "linalg"):
        module = importlib.import_module(f"keras.src.ops.{family}")
        for name, cls in vars(module).items():
            if not (isinstance(cls, type) and issubclass(cls, Operation) and cls.__module__ == module.__name__):
                continue
            try:
                fn = FUNCTIONS[function_name(module.__name__, name)]
            except ValueError:
                unmapped.add(name)
                continue
            checked += 1
            init = [p for p in inspect.signature(cls.__init__).parameters
                    if p not in ("self", "name", "args", "kwargs")]
            params = inspect.signature(fn).parameters
            if any(p.kind is p.VAR_KEYWORD for p in params.values()):
                continue  # takes any keyword: the function itself checks them when it runs
            assert all(p in params for p in init), (name, init, list(params))
    assert unmapped <= _NOT_MAPPED, unmapped - _NOT_MAPPED
    assert checked > 300


def test_op_nodes_become_backend_functions_not_merge_layers_or_metrics(keras_ops_file):
    from lamina.layers.core.backend_function import BackendFunction
    from lamina.layers.core.op_layer import GetItem

    path = keras_ops_file[0]
    model = lamina.models.load_model(path, compile=False)
    by_name = {op.name: op for op in model.operations}
    # Keras numbers its op names per process ("mean_2"): find them by class in the file.
    saved = {}
    for entry in _config(path)["config"]["layers"]:
        saved.setdefault(entry["class_name"], entry["name"])
    expected = {"Mean": "ops.mean", "Concatenate": "ops.concatenate", "Add": "ops.add",
                "Softmax": "ops.softmax", "Resize": "ops.image.resize", "TrueDivide": "ops.true_divide"}
    for class_name, function in expected.items():
        op = by_name[saved[class_name]]
        assert isinstance(op, BackendFunction) and op.function == function, class_name
    assert isinstance(by_name[saved["GetItem"]], GetItem)


def test_lamina_reloads_its_own_save_of_a_keras_ops_model(keras_ops_file, tmp_path):
    path, want = keras_ops_file
    model = lamina.models.load_model(path, compile=False)
    model.save(tmp_path / "again.keras")
    again = lamina.models.load_model(tmp_path / "again.keras", compile=False)
    got = run(again, X)
    for key in want:
        tol = 2e-3 if want[key].dtype == np.float16 else 2e-5
        np.testing.assert_allclose(got[key], want[key], rtol=tol, atol=tol, err_msg=key)


def test_keras3_reloads_lamina_resave_of_a_keras_ops_file(keras, keras_ops_file, tmp_path):
    """Every op read from a Keras file (even those outside lamina's own writing table, such as
    image.resize) is written back in Keras's form."""
    path, want = keras_ops_file
    lamina.models.load_model(path, compile=False).save(tmp_path / "again.keras")
    modules = {l["module"] for l in _config(tmp_path / "again.keras")["config"]["layers"]}
    assert "keras.layers" in modules and not {m for m in modules if m.startswith("lamina")}
    back = keras.saving.load_model(str(tmp_path / "again.keras"), compile=False)
    got = {k: np.asarray(v) for k, v in back.predict(X, verbose=0).items()}
    for key in want:
        tol = 2e-3 if want[key].dtype == np.float16 else 2e-5
        np.testing.assert_allclose(got[key], want[key], rtol=tol, atol=tol, err_msg=key)


# ----------------------------------------------------------------------------- crafted files
def _crafted(module, class_name, config=None, args_extra=()):
    tensor = {"class_name": "__keras_tensor__",
              "config": {"shape": [None, 3], "dtype": "float32", "keras_history": ["x", 0, 0]}}
    return {"module": "keras", "class_name": "Functional", "registered_name": None, "config": {
        "name": "m", "trainable": True,
        "layers": [
            {"module": "keras.layers", "class_name": "InputLayer", "name": "x",
             "config": {"batch_shape": [None, 3], "dtype": "float32", "name": "x"}, "inbound_nodes": []},
            {"module": module, "class_name": class_name, "name": "op", "registered_name": class_name,
             "config": dict({"name": "op"}, **(config or {})),
             "inbound_nodes": [{"args": [tensor, *args_extra], "kwargs": {}}]},
        ],
        "input_layers": [["x", 0, 0]], "output_layers": [["op", 0, 0]]}}


def _load(cfg):
    return lamina.models.model_from_json(json.dumps(cfg))


@pytest.mark.parametrize("class_name", ["__Loader__", "_Private", "os.system", "Mean;rm", "a b"])
def test_malformed_op_class_names_are_refused(class_name):
    with pytest.raises(UnsafeLoadError, match="operation class"):
        _load(_crafted("keras.src.ops.numpy", class_name))


@pytest.mark.parametrize("module,class_name", [
    ("keras.src.ops.numpy", "System"), ("keras.src.ops.core", "LoadModel"),
    ("keras.src.ops.os", "Popen"), ("keras.src.ops.numpy", "Eval"),
])
def test_ops_outside_the_table_are_refused_by_name(module, class_name):
    with pytest.raises(ValueError, match=rf"Unknown Keras operation '{class_name}' \(module '{module}'\)"):
        _load(_crafted(module, class_name))


def test_an_op_config_may_not_smuggle_objects():
    evil = {"module": "keras.layers", "class_name": "Dense", "config": {"units": 1}}
    with pytest.raises(UnsafeLoadError, match="config of Keras operation 'Mean'"):
        _load(_crafted("keras.src.ops.numpy", "Mean", {"axis": evil}))


def test_an_op_config_key_lamina_does_not_take_is_named():
    with pytest.raises(ValueError, match=r"'Mean'.*saved with weird=1"):
        _load(_crafted("keras.src.ops.numpy", "Mean", {"weird": 1}))


def test_an_op_entry_outside_a_functional_graph_is_not_a_layer():
    from lamina.saving import deserialize_keras_object

    with pytest.raises(ValueError, match="'Mean' of module 'keras.src.ops.numpy' is a Keras 3 operation"):
        deserialize_keras_object({"module": "keras.src.ops.numpy", "class_name": "Mean",
                                  "config": {"axis": -1}})


def test_crafted_mean_entry_computes_the_mean():
    model = _load(_crafted("keras.src.ops.numpy", "Mean", {"axis": -1, "keepdims": True}))
    x = np.arange(6, dtype="float32").reshape(2, 3)
    np.testing.assert_allclose(run(model, x), x.mean(-1, keepdims=True))


# ----------------------------------------------------------------------------- lamina writes
def _lamina_ops_model():
    ops = lamina.ops
    inputs = lamina.Input((4,))
    x = lamina.layers.Dense(3)(inputs)
    outputs = {
        "add_const": x[:, 0:2] + 1.0,
        "rsub_const": 2.0 - x,
        "rdiv_const": 1.5 / (ops.abs(x) + 1.0),
        "pow_const": x ** 2,
        "neg": -x,
        "item_int": x[:, 1],
        "item_none_ellipsis": x[..., None, 1],
        "mean": ops.mean(x, axis=-1),
        "sum_keepdims": ops.sum(x, axis=1, keepdims=True),
        "concat": ops.concatenate([x, x * 2.0], axis=-1),
        "stack": ops.stack([x, x], axis=1),
        "expand_squeeze": ops.squeeze(ops.expand_dims(x, -1), axis=-1),
        "reshape_transpose": ops.transpose(ops.reshape(x, (-1, 3, 1)), (0, 2, 1)),
        "softmax": ops.softmax(x, axis=0),
        "log_softmax": ops.log_softmax(x),
        "relu": ops.relu(x),
        "cast": ops.cast(x, "float16"),
        "matmul": x @ ops.transpose(x),
        "compare": ops.cast(ops.greater(x, 0.0), "float32"),
    }
    return lamina.Model(inputs, outputs)


def test_lamina_writes_op_nodes_in_keras_form(tmp_path):
    _lamina_ops_model().save(tmp_path / "l.keras")
    layers = {l["name"]: l for l in _config(tmp_path / "l.keras")["config"]["layers"]}
    mean = layers["mean"]
    assert (mean["module"], mean["class_name"]) == ("keras.src.ops.numpy", "Mean")
    assert mean["config"] == {"name": "mean", "axis": -1, "keepdims": False}
    assert layers["concatenate"]["config"]["axis"] == -1
    assert layers["cast"]["module"] == "keras.src.ops.core"
    assert layers["softmax"]["module"] == "keras.src.ops.nn"
    sub = layers["subtract"]
    assert sub["class_name"] == "Subtract" and sub["inbound_nodes"][0]["args"][0] == 2.0


def test_keras3_loads_lamina_op_nodes_and_predicts_the_same(keras, tmp_path):
    model = _lamina_ops_model()
    want = run(model, X)
    model.save(tmp_path / "l.keras")
    back = keras.saving.load_model(str(tmp_path / "l.keras"), compile=False)
    got = {k: np.asarray(v) for k, v in back.predict(X, verbose=0).items()}
    assert set(got) == set(want)
    for key in want:
        assert got[key].shape == want[key].shape, key
        tol = 2e-3 if want[key].dtype == np.float16 else 2e-5
        np.testing.assert_allclose(got[key], want[key], rtol=tol, atol=tol, err_msg=key)
    again = lamina.models.load_model(tmp_path / "l.keras", compile=False)
    for key, value in run(again, X).items():
        np.testing.assert_allclose(value, want[key], rtol=1e-6, atol=1e-6, err_msg=key)


def test_ops_outside_the_table_keep_lamina_form_and_reload(tmp_path):
    inputs = lamina.Input((4,))
    out = lamina.ops.cumsum(inputs, axis=1) + inputs[[0, 1]].shape[0]
    fancy = inputs[[0, 1]]
    model = lamina.Model(inputs, [out, fancy])
    model.save(tmp_path / "m.keras")
    layers = {l["name"]: l for l in _config(tmp_path / "m.keras")["config"]["layers"]}
    assert layers["cumsum"]["class_name"] == "BackendFunction"
    assert [l["class_name"] for l in layers.values() if "get_item" in l["name"]] == ["GetItem"]
    assert [l["module"] for l in layers.values() if "get_item" in l["name"]] == ["keras.layers"]
    again = lamina.models.load_model(tmp_path / "m.keras", compile=False)
    x = np.arange(8, dtype="float32").reshape(2, 4)
    got = run(again, x)
    np.testing.assert_allclose(got[0], np.cumsum(x, 1) + 2)
    np.testing.assert_allclose(got[1], x[[0, 1]])


def test_lamina_files_written_before_keras_form_still_load():
    x = np.arange(6, dtype="float32").reshape(2, 3)
    sub = _crafted("keras.layers", "OpLayer", {"op_name": "subtract", "reverse": True}, [2.0])
    np.testing.assert_allclose(run(_load(sub), x), 2.0 - x)
    item = _crafted("keras.layers", "GetItem",
                    {"key": {"class_name": "__tuple__", "items": [
                        {"class_name": "__slice__", "config": {"start": None, "stop": None, "step": None}}, 1]}})
    np.testing.assert_allclose(run(_load(item), x), x[:, 1])
    mean = _crafted("keras.layers", "BackendFunction",
                    {"function": "ops.mean", "arguments": {"args": [{"__tensor__": 0}], "kwargs": {"axis": -1}}})
    mean["config"]["layers"][1]["inbound_nodes"][0]["args"] = [mean["config"]["layers"][1]["inbound_nodes"][0]["args"]]
    np.testing.assert_allclose(run(_load(mean), x), x.mean(-1), rtol=1e-6)
