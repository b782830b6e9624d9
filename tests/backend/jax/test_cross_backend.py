"""Cross-backend checks (slow: each runs lamina twice, once per backend, in subprocesses).

- conformance: every case of ``conformance_cases.py`` gives the same inference output and the same
  weights after one SGD step (so the same gradients) under torch and JAX, within float32 tolerance;
- files: a CNN trained and saved (``.keras`` and ``.weights.h5``) under one backend loads under the
  other, predicts identically and keeps training from the saved optimizer state;
- the README quickstart (digits MLP) reaches the same test accuracy under both backends.
"""

import pathlib
import textwrap

import numpy as np
import pytest

pytest.importorskip("jax")

from tests.backend.jax._subprocess import ROOT, run  # noqa: E402

pytestmark = pytest.mark.slow
CASES = ROOT / "tests" / "backend" / "jax" / "conformance_cases.py"


def _conformance(backend, path):
    run(backend, f"import runpy, sys; sys.argv = ['x', {str(path)!r}]; "
                 f"runpy.run_path({str(CASES)!r}, run_name='__main__'); print('{{}}')")
    return dict(np.load(path))


def test_layers_agree_across_backends(tmp_path):
    ref = _conformance("torch", tmp_path / "torch.npz")
    got = _conformance("jax", tmp_path / "jax.npz")
    errors = {k: str(v)[-500:] for k, v in {**ref, **got}.items() if k.endswith("/error")}
    assert errors == {}
    assert sorted(got) == sorted(ref)
    bad = {}
    for key, want in ref.items():
        if not np.allclose(got[key], want, rtol=1e-4, atol=1e-4):
            bad[key] = float(np.max(np.abs(got[key] - want)))
    assert bad == {}


FILES = textwrap.dedent("""
    import json, sys, numpy as np
    import lamina
    from lamina import layers
    mode, path = sys.argv[1], sys.argv[2]
    lamina.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 8, 8, 1)).astype("float32")
    y = (x.mean(axis=(1, 2, 3)) > 0).astype("int32")
    out = {}
    if mode == "train":
        model = lamina.Sequential([lamina.Input(shape=(8, 8, 1)),
            layers.Conv2D(4, 3, padding="same", activation="relu"), layers.BatchNormalization(),
            layers.MaxPooling2D(2), layers.Conv2D(4, 3), layers.Flatten(), layers.Dropout(0.1),
            layers.Dense(2, activation="softmax")])
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        model.fit(x, y, epochs=2, batch_size=16, verbose=0)
        model.save(path + ".keras")
        model.save_weights(path + ".weights.h5")
        np.save(path + ".npy", model.predict(x, verbose=0))
    else:
        ref = np.load(path + ".npy")
        m = lamina.models.load_model(path + ".keras")
        out["keras_diff"] = float(np.abs(m.predict(x, verbose=0) - ref).max())
        m.load_weights(path + ".weights.h5")
        out["weights_diff"] = float(np.abs(m.predict(x, verbose=0) - ref).max())
        out["iterations_loaded"] = m.optimizer.iterations
        m.fit(x, y, epochs=1, batch_size=16, verbose=0)
        out["iterations_after"] = m.optimizer.iterations
    print(json.dumps(out))
""")


@pytest.mark.parametrize("saver,loader", [("torch", "jax"), ("jax", "torch")])
def test_files_saved_under_one_backend_load_under_the_other(tmp_path, saver, loader):
    base = str(tmp_path / "cnn")
    run(saver, f"import sys; sys.argv = ['x', 'train', {base!r}]\n" + FILES)
    out = run(loader, f"import sys; sys.argv = ['x', 'load', {base!r}]\n" + FILES)
    assert out["keras_diff"] < 1e-5 and out["weights_diff"] < 1e-5
    assert out["iterations_loaded"] == 8 and out["iterations_after"] == 12


def test_quickstart_reaches_the_same_accuracy_under_both_backends():
    code = (pathlib.Path(ROOT / "examples" / "quickstart.py").read_text()
            .replace("epochs=30", "epochs=10").replace("verbose=2", "verbose=0")
            + "\nimport json; print(json.dumps({'accuracy': accuracy}))\n")
    torch_acc = run("torch", code)["accuracy"]
    jax_acc = run("jax", code)["accuracy"]
    assert jax_acc > 0.9 and torch_acc > 0.9
    assert abs(jax_acc - torch_acc) < 0.03
