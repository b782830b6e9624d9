"""Lambda layers: Keras's '__lambda__' bytecode form, refused unless safe_mode=False."""

from __future__ import annotations

import base64
import json
import marshal
import zipfile

import numpy as np
import pytest
from saving_helpers import run

import lamina
from lamina import layers as L
from lamina.errors import UnsafeLoadError
from lamina.saving.lambda_serialization import deserialize_function, serialize_function


def test_lambda_is_stored_as_base64_marshal_bytecode():
    offset = 3.0
    cfg = serialize_function(lambda x, k=2: x * k + offset)
    assert cfg["class_name"] == "__lambda__"
    code = marshal.loads(base64.b64decode(cfg["config"]["code"]))
    assert code.co_name == "<lambda>"
    assert cfg["config"]["defaults"] == [2] and cfg["config"]["closure"] == [3.0]


def test_deserialize_refuses_bytecode_by_default_and_names_the_fix():
    cfg = serialize_function(lambda x: x + 1)
    with pytest.raises(UnsafeLoadError, match="safe_mode=False"):
        deserialize_function(cfg)
    with pytest.raises(UnsafeLoadError):
        deserialize_function(cfg, safe_mode=True)
    fn = deserialize_function(cfg, safe_mode=False)
    assert fn(41) == 42


def test_closures_and_defaults_survive():
    offset = 10

    def make():
        return lambda x, k=2: x * k + offset

    fn = deserialize_function(json.loads(json.dumps(serialize_function(make()))), safe_mode=False)
    assert fn(1) == 12 and fn(1, 3) == 13


def test_keras2_lambda_config_list_form():
    f = lambda x: x - 1  # noqa: E731
    code = base64.b64encode(marshal.dumps(f.__code__)).decode("ascii")
    assert deserialize_function([code, None, None], safe_mode=False)(5) == 4
    with pytest.raises(UnsafeLoadError):
        deserialize_function([code, None, None])


def test_named_functions_are_stored_by_name():
    cfg = serialize_function(lamina.activations.relu)
    assert cfg["class_name"] == "function" and cfg["config"] == "relu"
    assert cfg["module"] == "keras.activations"
    assert deserialize_function(cfg) is lamina.activations.relu  # no code runs: no safe-mode issue


def _lambda_model():
    x = lamina.Input((3,), name="x")
    y = L.Lambda(lambda t: t * 2.0 + 1.0, name="lam")(x)
    return lamina.Model(x, L.Dense(2, name="d")(y))


@pytest.mark.parametrize("name", ["lam.keras", "lam.h5"])
def test_lambda_model_load_is_refused_then_allowed(tmp_path, name):
    model = _lambda_model()
    path = tmp_path / name
    model.save(path)
    with pytest.raises(UnsafeLoadError, match="safe_mode=False"):
        lamina.models.load_model(path)
    loaded = lamina.models.load_model(path, safe_mode=False)
    x = np.ones((2, 3), "float32")
    np.testing.assert_array_equal(run(loaded, x), run(model, x))


def test_lambda_config_in_archive_has_keras_form(tmp_path):
    _lambda_model().save(tmp_path / "lam.keras")
    with zipfile.ZipFile(tmp_path / "lam.keras") as zf:
        cfg = json.loads(zf.read("config.json"))
    lam = [l for l in cfg["config"]["layers"] if l["class_name"] == "Lambda"][0]
    assert lam["config"]["function"]["class_name"] == "__lambda__"
    assert set(lam["config"]["function"]["config"]) == {"code", "defaults", "closure"}


def test_model_from_json_with_lambda_is_refused():
    with pytest.raises(UnsafeLoadError):
        lamina.models.model_from_json(_lambda_model().to_json())
