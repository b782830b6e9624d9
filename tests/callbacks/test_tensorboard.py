"""TensorBoard callback: event files read back with tensorboard's EventAccumulator hold exactly
the History's values (as float32, TensorBoard's scalar type), the weights, graph and profile."""

from __future__ import annotations

import glob
import os

import numpy as np
import pytest

import lamina as keras

event_accumulator = pytest.importorskip("tensorboard.backend.event_processing.event_accumulator")


def _read(folder):
    acc = event_accumulator.EventAccumulator(str(folder), size_guidance={"histograms": 0, "scalars": 0})
    acc.Reload()
    return acc


def _scalars(acc, tag):
    return [(e.step, e.value) for e in acc.Scalars(tag)]


class _Recorder(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.batch_logs, self.weights = [], []

    def on_train_batch_end(self, batch, logs=None):
        self.batch_logs.append(dict(logs))

    def on_epoch_end(self, epoch, logs=None):
        self.weights.append({v.path: np.array(v.numpy()) for v in self.model.weights})


def _fit(tmp_path, epochs=3, **kw):
    rng = np.random.RandomState(0)
    x = rng.rand(80, 4).astype("float32")
    y = x @ np.array([[1.0], [-2.0], [0.5], [3.0]], "float32")
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(6, activation="relu"), keras.layers.Dense(1)])
    model.compile(keras.optimizers.SGD(0.05), "mse", metrics=["mae"])
    rec = _Recorder()
    lr = keras.callbacks.LearningRateScheduler(lambda e, lr: 0.05 / (e + 1))
    hist = model.fit(x, y, batch_size=16, epochs=epochs, validation_split=0.25, verbose=0,
                     callbacks=[lr, keras.callbacks.TensorBoard(tmp_path, **kw), rec])
    return model, hist.history, rec


def test_epoch_scalars_equal_the_history(tmp_path):
    _, hist, _ = _fit(tmp_path)
    train, val = _read(tmp_path / "train"), _read(tmp_path / "validation")
    for name in ("loss", "mae"):
        assert _scalars(train, f"epoch_{name}") == [(i, np.float32(v)) for i, v in enumerate(hist[name])]
        assert _scalars(val, f"epoch_{name}") == [(i, np.float32(v)) for i, v in enumerate(hist["val_" + name])]
    assert _scalars(train, "epoch_learning_rate") == [(e, np.float32(0.05 / (e + 1))) for e in range(3)]
    # after each validation: the values against the optimizer's iterations (4 batches an epoch)
    assert _scalars(val, "evaluation_loss_vs_iterations") == [
        (4 * (i + 1), np.float32(v)) for i, v in enumerate(hist["val_loss"])]
    assert "val_loss" not in train.Tags()["scalars"] and "epoch_val_loss" not in val.Tags()["scalars"]


def test_batch_scalars_every_update_freq_batches(tmp_path):
    _, _, rec = _fit(tmp_path, update_freq=3)
    train = _read(tmp_path / "train")
    steps = list(range(3, 13, 3))  # 4 batches an epoch, 3 epochs: global batches 3, 6, 9, 12
    assert _scalars(train, "batch_loss") == [(s, np.float32(rec.batch_logs[s - 1]["loss"])) for s in steps]
    assert [s for s, _ in _scalars(train, "batch_learning_rate")] == steps


def test_no_batch_scalars_by_default(tmp_path):
    _fit(tmp_path, epochs=1)
    assert not [t for t in _read(tmp_path / "train").Tags()["scalars"] if t.startswith("batch_")]


def test_weight_histograms_images_and_graph(tmp_path):
    model, _, rec = _fit(tmp_path, histogram_freq=2, write_images=True)
    train = _read(tmp_path / "train")
    tags = train.Tags()
    assert sorted(tags["histograms"]) == sorted(f"{v.path}/histogram" for v in model.weights)
    for v in model.weights:
        events = train.Histograms(f"{v.path}/histogram")
        assert [e.step for e in events] == [0, 2]
        for e in events:
            w = rec.weights[e.step][v.path]
            h = e.histogram_value
            assert h.num == w.size and h.min == w.min() and h.max == w.max()
            assert h.sum == pytest.approx(float(w.astype("float64").sum()), rel=1e-5, abs=1e-6)
    assert "dense/kernel/image" in tags["images"] and "dense/bias/image" in tags["images"]
    assert tags["graph"] is True
    assert "Dense" in str(train.Graph())


def test_profile_batch_writes_the_backend_profiler_trace(tmp_path):
    _fit(tmp_path, epochs=1, profile_batch=(2, 3))
    # torch.profiler's Chrome trace, or jax.profiler's XSpace in a folder per run
    pattern = "*.pt.trace.json" if keras.backend.backend() == "torch" else os.path.join("*", "*.xplane.pb")
    traces = glob.glob(os.path.join(tmp_path, "train", "plugins", "profile", pattern))
    assert len(traces) == 1 and os.path.getsize(traces[0]) > 0


def test_embeddings_for_the_projector(tmp_path):
    model = keras.Sequential([keras.Input((3,), dtype="int32"), keras.layers.Embedding(10, 4),
                              keras.layers.GlobalAveragePooling1D(), keras.layers.Dense(1)])
    model.compile("sgd", "mse")
    model.fit(np.arange(30).reshape(10, 3) % 10, np.ones(10), epochs=2, verbose=0,
              callbacks=[keras.callbacks.TensorBoard(tmp_path, embeddings_freq=1, write_graph=False)])
    config = open(tmp_path / "train" / "projector_config.pbtxt").read()
    assert config.count("embedding") >= 2 and "tensors.tsv" in config
    rows = open(sorted(glob.glob(str(tmp_path / "train" / "*" / "embedding*" / "tensors.tsv")))[-1]).read().splitlines()
    np.testing.assert_allclose(np.array([r.split("\t") for r in rows], "float32"),
                               keras.ops.convert_to_numpy(model.layers[0].embeddings), rtol=1e-6)


@pytest.mark.parametrize("kw,msg", [
    (dict(update_freq=0), r"invalid update_freq=0; expected 'epoch', 'batch' or a positive integer"),
    (dict(update_freq="step"), r"invalid update_freq='step'"),
    (dict(profile_batch=(5, 2)), r"profile_batch must be .* received profile_batch=\(5, 2\)"),
    (dict(profile_batch=-1), r"received profile_batch=-1"),
    (dict(histogram_freq=-1), r"histogram_freq must be a non-negative integer"),
])
def test_bad_arguments_are_refused(tmp_path, kw, msg):
    with pytest.raises(ValueError, match=msg):
        keras.callbacks.TensorBoard(tmp_path, **kw)


def test_missing_tensorboard_package_names_the_install(tmp_path, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "torch.utils.tensorboard", None)  # the torch backend's writer
    monkeypatch.setitem(sys.modules, "tensorboard.summary.writer.event_file_writer", None)  # JAX's
    with pytest.raises(ImportError, match=r"needs the 'tensorboard' package .*pip install tensorboard"):
        _fit(tmp_path, epochs=1)
