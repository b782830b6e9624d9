"""model.export('m.onnx'): checked with onnxruntime against the model's own outputs."""

from __future__ import annotations

import numpy as np
import pytest
from saving_helpers import mlp, run

import lamina
from lamina import layers as L

ort = pytest.importorskip("onnxruntime")
pytest.importorskip("onnx")


def test_sequential_export_matches_and_batch_is_dynamic(tmp_path):
    model = mlp()
    path = model.export(tmp_path / "m.onnx")
    session = ort.InferenceSession(str(path))
    [inp] = session.get_inputs()
    assert inp.shape[1] == 4 and not isinstance(inp.shape[0], int)  # symbolic batch
    for batch in (1, 7):
        x = np.random.default_rng(batch).random((batch, 4), dtype="float32")
        [y] = session.run(None, {inp.name: x})
        np.testing.assert_allclose(y, run(model, x), rtol=1e-5, atol=1e-6)


def test_two_input_two_output_export_with_legacy_exporter(tmp_path):
    a, b = lamina.Input((4,), name="in_a"), lamina.Input((3,), name="in_b")
    o1 = L.Dense(2, name="o1")(L.Dense(5, activation="relu")(a))
    o2 = L.Dense(1, name="o2")(b)
    model = lamina.Model([a, b], [o1, o2])
    path = model.export(tmp_path / "f.onnx", dynamo=False)
    session = ort.InferenceSession(str(path))
    assert [i.name for i in session.get_inputs()] == ["in_a", "in_b"]
    assert [o.name for o in session.get_outputs()] == ["o1", "o2"]
    xa = np.random.default_rng(0).random((5, 4), dtype="float32")
    xb = np.random.default_rng(1).random((5, 3), dtype="float32")
    got = session.run(None, {"in_a": xa, "in_b": xb})
    for g, w in zip(got, run(model, [xa, xb])):
        np.testing.assert_allclose(g, w, rtol=1e-5, atol=1e-6)


def test_unsupported_export_format():
    with pytest.raises(ValueError, match="onnx"):
        mlp().export("m", format="tf_saved_model")


def test_unbuilt_model_needs_an_input_signature(tmp_path):
    model = lamina.Sequential([L.Dense(2)])
    with pytest.raises((ValueError, RuntimeError), match="input_signature|not been built"):
        model.export(tmp_path / "u.onnx")
    path = model.export(tmp_path / "u.onnx", input_signature=[lamina.KerasTensor((None, 3))], dynamo=False)
    session = ort.InferenceSession(str(path))
    x = np.ones((2, 3), "float32")
    np.testing.assert_allclose(session.run(None, {session.get_inputs()[0].name: x})[0], run(model, x), rtol=1e-6)


def test_export_carries_its_arguments_and_leaves_no_temporary_file(tmp_path, monkeypatch):
    """Under JAX the export runs in a torch-backend child process from a temporary .keras file:
    the opset and the exporter choice reach it, the outputs are the model's and nothing stays."""
    import tempfile

    import onnx

    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    model = mlp()
    path = model.export(tmp_path / "o17.onnx", opset_version=17, dynamo=False)
    assert {o.domain: o.version for o in onnx.load(str(path)).opset_import}[""] == 17
    session = ort.InferenceSession(str(path))
    x = np.random.default_rng(3).random((3, 4), dtype="float32")
    np.testing.assert_allclose(session.run(None, {session.get_inputs()[0].name: x})[0], run(model, x),
                               rtol=1e-5, atol=1e-6)
    assert list(scratch.iterdir()) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["o17.onnx", "scratch"]


class Twice(L.Layer):
    def call(self, x):
        return 2.0 * x


def test_a_model_with_a_custom_layer(tmp_path):
    """Under torch the model is exported in this process; under JAX the child process cannot
    recreate a class it does not know, and the error says how to export it."""
    model = lamina.Sequential([lamina.Input((3,)), L.Dense(2), Twice()])
    if lamina.backend.backend() == "torch":
        path = model.export(tmp_path / "c.onnx", dynamo=False)
        session = ort.InferenceSession(str(path))
        x = np.ones((2, 3), "float32")
        np.testing.assert_allclose(session.run(None, {session.get_inputs()[0].name: x})[0], run(model, x), rtol=1e-6)
        return
    with pytest.raises(ValueError, match=r"(?s)Unknown layer class 'Twice'.*LAMINA_BACKEND=torch.*"
                                         r"custom_objects=\{\.\.\.\}\)\.export\('m\.onnx'\)"):
        model.export(tmp_path / "c.onnx")
    assert list(tmp_path.iterdir()) == []
