"""Cross-backend checks (each runs lamina twice, once per backend, in subprocesses).

- conformance: every case of ``conformance_cases.py`` (every public layer class) gives the same
  eager output, the same gradients of ``sum(output ** 2)`` with respect to the inputs and weights,
  the same ``model.predict`` and the same weights after one SGD step through ``model.fit`` under
  torch and JAX, within float32 tolerance. Its one-case-per-family subset runs in the default tier,
  the full run (all cases in one process per backend) in the slow tier; a default-tier test fails
  when a public layer class has neither a case nor a written exclusion;
- files: a CNN trained and saved (``.keras`` and ``.weights.h5``) under one backend loads under the
  other, predicts identically and keeps training from the saved optimizer state;
- the README quickstart (digits MLP) reaches the same test accuracy under both backends.
"""

import inspect
import pathlib
import runpy
import textwrap

import numpy as np
import pytest

pytest.importorskip("jax")

import lamina  # noqa: E402
from tests.backend.jax._subprocess import ROOT, run  # noqa: E402

CASES = ROOT / "tests" / "backend" / "jax" / "conformance_cases.py"
# float32 tolerance: |jax - torch| <= RTOL * |torch| + RTOL * scale, where scale is the largest
# magnitude (at least 1) among the case's arrays of the same kind (outputs, input gradients,
# weight gradients...): a value near zero carries the rounding of the larger values it was
# computed from (the gradient of an attention key bias is zero, up to the rounding of the sums
# of the other gradients: ~1e-5 under both backends, in different directions).
RTOL = 1e-5


def _conformance(backend, path, subset):
    # All cases take ~7 min of CPU under JAX (XLA compiles per case), the subset ~30 s; the
    # timeouts leave room for a loaded machine.
    run(backend, f"import runpy, sys; sys.argv = ['x', {str(path)!r}, {subset!r}]; "
                 f"runpy.run_path({str(CASES)!r}, run_name='__main__'); print('{{}}')",
        timeout=5400 if subset == "all" else 1800)
    return dict(np.load(path))


def _check_agreement(tmp_path, subset):
    cases = runpy.run_path(str(CASES))["CASES"]
    ref = _conformance("torch", tmp_path / "torch.npz", subset)
    got = _conformance("jax", tmp_path / "jax.npz", subset)
    errors = {k: str(v)[-800:] for k, v in {**ref, **got}.items() if k.endswith("/error")}
    assert errors == {}
    assert sorted(got) == sorted(ref)
    scale = {}
    for key, want in ref.items():
        if want.dtype.kind == "f":
            group = key.split("/")[0] + "/" + key.split("/")[1]
            scale[group] = max(scale.get(group, 1.0), float(np.abs(want).max(initial=0.0)))
    bad = {}
    for key, want in ref.items():
        value = got[key]
        if want.dtype.kind not in "fc":
            if value.dtype != want.dtype and value.dtype.kind in "iu" and want.dtype.kind in "iu":
                value = value.astype(want.dtype)  # int32 under JAX (no x64) for torch's int64
            if value.shape != want.shape or not np.array_equal(value, want):
                bad[key] = "not equal"
            continue
        rtol = cases[key.split("/")[0]].tol or RTOL
        atol = rtol * scale[key.split("/")[0] + "/" + key.split("/")[1]]
        if value.shape != want.shape or not np.allclose(value, want, rtol=rtol, atol=atol):
            bad[key] = float(np.max(np.abs(value - want))) if value.shape == want.shape else "shape"
    assert bad == {}


def test_one_case_per_layer_family_agrees_across_backends(tmp_path):
    _check_agreement(tmp_path, "fast")


@pytest.mark.slow
def test_every_layer_agrees_across_backends(tmp_path):
    _check_agreement(tmp_path, "all")


def _public_layer_classes():
    """{name: class} of lamina.layers' public Layer classes, one name per class; a Keras 1
    constructor alias (``Convolution2D``: its calls build a ``Conv2D``) counts as its target."""
    out = {}
    for name in sorted(dir(lamina.layers)):
        obj = getattr(lamina.layers, name)
        if inspect.isclass(obj) and issubclass(obj, lamina.layers.Layer) and not name.startswith("_"):
            obj = getattr(obj, "_target", obj)
            out.setdefault(obj, name)
    return {name: cls for cls, name in out.items()}


def test_every_public_layer_class_has_a_case_or_a_written_exclusion(recwarn):
    module = runpy.run_path(str(CASES))
    covered = set()
    for case in module["CASES"].values():
        covered.update(type(layer) for layer in case.make()._flatten_layers())
    public = _public_layer_classes()
    missing = sorted(n for n, cls in public.items() if cls not in covered and n not in module["EXCLUDED"])
    assert missing == [], f"add a case to {CASES.name} (or an exclusion with its reason) for {missing}"
    assert set(module["EXCLUDED"]) <= set(public)  # no stale exclusion
    assert not {public[n] for n in module["EXCLUDED"]} & covered  # an excluded class has no case
    # the default-tier subset keeps one case per family (lamina.layers.<family>.<module>)
    families = {c.__module__.split(".")[2] for c in covered if c.__module__.count(".") >= 3}
    fast = {type(module["CASES"][n].make()).__module__.split(".")[2] for n in module["FAST"]}
    assert families - fast == set()


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


@pytest.mark.slow
@pytest.mark.parametrize("saver,loader", [("torch", "jax"), ("jax", "torch")])
def test_files_saved_under_one_backend_load_under_the_other(tmp_path, saver, loader):
    base = str(tmp_path / "cnn")
    run(saver, f"import sys; sys.argv = ['x', 'train', {base!r}]\n" + FILES)
    out = run(loader, f"import sys; sys.argv = ['x', 'load', {base!r}]\n" + FILES)
    assert out["keras_diff"] < 1e-5 and out["weights_diff"] < 1e-5
    assert out["iterations_loaded"] == 8 and out["iterations_after"] == 12


@pytest.mark.slow
def test_quickstart_reaches_the_same_accuracy_under_both_backends():
    code = (pathlib.Path(ROOT / "examples" / "quickstart.py").read_text()
            .replace("epochs=30", "epochs=10").replace("verbose=2", "verbose=0")
            + "\nimport json; print(json.dumps({'accuracy': accuracy}))\n")
    torch_acc = run("torch", code)["accuracy"]
    jax_acc = run("jax", code)["accuracy"]
    assert jax_acc > 0.9 and torch_acc > 0.9
    assert abs(jax_acc - torch_acc) < 0.03
