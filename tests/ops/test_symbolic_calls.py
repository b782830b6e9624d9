"""Public ops, losses and activations called on functional-API tensors build graph nodes (Keras 3)."""

import json
import zipfile

import numpy as np
import pytest

import lamina
from lamina import activations, layers, losses, ops


def _x(n=3, d=5, seed=0):
    return np.random.default_rng(seed).random((n, d), dtype=np.float32)


def test_ops_on_an_input_build_a_model_that_computes_the_same_as_numpy():
    inp = lamina.Input((5,))
    out = ops.concatenate([ops.mean(inp, axis=-1, keepdims=True), ops.square(inp),
                           ops.maximum(inp, 0.5)], axis=-1)
    assert out.shape == (None, 11)
    x = _x()
    got = lamina.Model(inp, out).predict(x, verbose=0)
    want = np.concatenate([x.mean(-1, keepdims=True), x ** 2, np.maximum(x, 0.5)], -1)
    np.testing.assert_allclose(got, want, rtol=1e-6)


def test_shape_of_a_symbolic_tensor_is_its_static_shape():
    assert ops.shape(lamina.Input((4, 2))) == (None, 4, 2)


def test_keras2_vae_loss_from_symbolic_tensors_trains():
    inp = lamina.Input((5,))
    dec = layers.Dense(5, activation="sigmoid")(layers.Dense(3)(inp))
    model = lamina.Model(inp, dec)
    model.add_loss(ops.mean(losses.binary_crossentropy(inp, dec) * 5))
    model.compile(optimizer="adam")
    x = _x(32)
    hist = model.fit(x, epochs=2, batch_size=8, verbose=0).history["loss"]
    p = model.predict(x, verbose=0)
    want = -(x * np.log(np.clip(p, 1e-7, 1)) + (1 - x) * np.log(np.clip(1 - p, 1e-7, 1))).mean()
    assert np.isfinite(hist).all()
    # the recorded loss is the eager formula on the model's own output
    np.testing.assert_allclose(model.evaluate(x, verbose=0), want * 5, rtol=1e-4)


def test_activation_functions_record_nodes():
    inp = lamina.Input((5,))
    x = _x() - 0.5
    got = lamina.Model(inp, activations.relu(inp)).predict(x, verbose=0)
    np.testing.assert_allclose(got, np.maximum(x, 0))


def test_models_with_recorded_functions_round_trip(tmp_path):
    inp = lamina.Input((5,))
    out = ops.sum(losses.mse(inp, ops.clip(inp, 0.2, 0.8))[:, None] * inp, axis=1)
    model = lamina.Model(inp, out)
    path = tmp_path / "m.keras"
    model.save(path)
    again = lamina.saving.load_model(path)
    np.testing.assert_allclose(again.predict(_x(), verbose=0), model.predict(_x(), verbose=0))


def test_a_file_cannot_name_a_function_outside_the_recorded_set(tmp_path):
    # ops.clip is saved in lamina's own form (a BackendFunction naming "ops.clip"); the ops saved in
    # Keras 3's form are covered by tests/saving/test_keras_ops_nodes.py.
    inp = lamina.Input((5,))
    model = lamina.Model(inp, ops.clip(inp, 0.0, 1.0))
    path = tmp_path / "m.keras"
    model.save(path)
    with zipfile.ZipFile(path) as z:
        members = {n: z.read(n) for n in z.namelist()}
    config = members["config.json"].decode()
    assert '"ops.clip"' in config
    members["config.json"] = config.replace('"ops.clip"', '"ops.__loader__"').encode()
    bad = tmp_path / "bad.keras"
    with zipfile.ZipFile(bad, "w") as z:
        for n, b in members.items():
            z.writestr(n, b)
    with pytest.raises(Exception, match="ops.__loader__"):
        lamina.saving.load_model(bad)
    json.loads(members["config.json"])  # the rest of the file was well formed


def test_eager_calls_are_unchanged():
    x = _x()
    np.testing.assert_allclose(np.asarray(ops.mean(x, axis=0)), x.mean(0), rtol=1e-6)
    np.testing.assert_allclose(np.asarray(losses.mse(x, 0 * x)), (x ** 2).mean(-1), rtol=1e-6)


@pytest.mark.parametrize("index", [
    lambda t: t[:, None], lambda t: t[..., 1:3], lambda t: t[:, ::2], lambda t: t[:, 0]])
def test_indexed_symbolic_tensors_round_trip(tmp_path, index):
    inp = lamina.Input((5,))
    model = lamina.Model(inp, index(inp))
    model.save(tmp_path / "m.keras")
    again = lamina.saving.load_model(tmp_path / "m.keras")
    x = _x()
    np.testing.assert_array_equal(again.predict(x, verbose=0), index(x))
