"""ModelCheckpoint, driven through its hooks (and through fit() once training is available)."""

from __future__ import annotations

import os

import numpy as np
import pytest
from saving_helpers import mlp, require_training, run

import lamina
from lamina.callbacks.model_checkpoint import ModelCheckpoint


def _drive(cb, model, epoch_logs):
    cb.set_model(model)
    for epoch, logs in enumerate(epoch_logs):
        cb.on_epoch_begin(epoch)
        cb.on_epoch_end(epoch, logs)


def test_saves_every_epoch_with_formatted_names(tmp_path):
    cb = ModelCheckpoint(str(tmp_path / "m.{epoch:02d}-{loss:.2f}.keras"))
    _drive(cb, mlp(), [{"loss": 0.5}, {"loss": 0.25}])
    assert sorted(os.listdir(tmp_path)) == ["m.01-0.50.keras", "m.02-0.25.keras"]
    assert lamina.models.load_model(tmp_path / "m.02-0.25.keras").output_shape == (None, 2)


def test_save_best_only_min_and_max(tmp_path):
    model = mlp()
    path = tmp_path / "best.weights.h5"
    cb = ModelCheckpoint(str(path), monitor="val_loss", save_best_only=True, save_weights_only=True)
    assert cb.mode == "min"
    cb.set_model(model)
    cb.on_epoch_end(0, {"val_loss": 1.0})
    first = path.stat().st_mtime_ns
    weights = model.layers[0].get_weights()
    model.layers[0].set_weights([np.full_like(weights[0], 7.0), weights[1]])
    cb.on_epoch_end(1, {"val_loss": 2.0})  # worse: not saved
    assert path.stat().st_mtime_ns == first
    cb.on_epoch_end(2, {"val_loss": 0.5})  # better: saved
    other = lamina.models.clone_model(model)
    other.load_weights(path)
    np.testing.assert_array_equal(other.layers[0].get_weights()[0], np.full((4, 5), 7.0, "float32"))
    acc = ModelCheckpoint(str(tmp_path / "a.keras"), monitor="val_accuracy", save_best_only=True)
    assert acc.mode == "max"


def test_missing_monitor_is_an_error_naming_the_logged_values(tmp_path):
    cb = ModelCheckpoint(str(tmp_path / "b.keras"), save_best_only=True, monitor="val_los")
    cb.set_model(mlp())
    with pytest.raises(ValueError, match=r"ModelCheckpoint: saving the best model is conditioned "
                       r"on monitor='val_los'.*: 'loss', 'val_loss'\. Did you mean 'val_loss'\?"):
        cb.on_epoch_end(0, {"loss": 1.0, "val_loss": 2.0})
    assert not (tmp_path / "b.keras").exists()


def test_initial_value_threshold(tmp_path):
    cb = ModelCheckpoint(str(tmp_path / "t.keras"), save_best_only=True, initial_value_threshold=0.1)
    _drive(cb, mlp(), [{"val_loss": 0.2}])
    assert not (tmp_path / "t.keras").exists()


def test_save_freq_in_batches_reads_lazy_logs_only_when_saving(tmp_path):
    calls = []

    def logs():
        calls.append(1)
        return {"loss": 0.1}

    cb = ModelCheckpoint(str(tmp_path / "b{batch}.weights.h5"), save_weights_only=True, save_freq=2)
    assert cb.accepts_lazy_logs
    cb.set_model(mlp())
    cb.on_epoch_begin(0)
    for i in range(5):
        cb.on_train_batch_end(i, logs)
    cb.on_epoch_end(0, {"loss": 0.1})
    assert sorted(os.listdir(tmp_path)) == ["b2.weights.h5", "b4.weights.h5"]
    assert len(calls) == 2


def test_legacy_h5_names_and_period(tmp_path):
    with pytest.warns(lamina.errors.LaminaDeprecationWarning, match="period"):
        cb = ModelCheckpoint(str(tmp_path / "w.{epoch:02d}.h5"), save_weights_only=True, period=2)
    _drive(cb, mlp(), [{}, {}, {}, {}])
    assert sorted(os.listdir(tmp_path)) == ["w.02.h5", "w.04.h5"]


def test_bad_filepath_and_arguments(tmp_path):
    with pytest.raises(ValueError, match=r"\.weights\.h5"):
        ModelCheckpoint(str(tmp_path / "w.keras"), save_weights_only=True)
    with pytest.raises(ValueError, match=r"\.keras"):
        ModelCheckpoint(str(tmp_path / "w.pt"))
    with pytest.raises(ValueError, match="save_freq"):
        ModelCheckpoint(str(tmp_path / "w.keras"), save_freq="batch")
    with pytest.raises(KeyError, match="val_acc"):
        _drive(ModelCheckpoint(str(tmp_path / "{val_acc}.keras")), mlp(), [{"loss": 1.0}])


def test_checkpoint_during_fit(tmp_path):
    require_training()
    model = mlp()
    model.compile(optimizer="adam", loss="mse")
    x = np.random.default_rng(0).random((16, 4), dtype="float32")
    y = np.random.default_rng(1).random((16, 2), dtype="float32")
    cb = ModelCheckpoint(str(tmp_path / "e{epoch}.keras"))
    model.fit(x, y, epochs=2, batch_size=8, verbose=0, callbacks=[cb])
    assert sorted(os.listdir(tmp_path)) == ["e1.keras", "e2.keras"]
    loaded = lamina.models.load_model(tmp_path / "e2.keras")
    np.testing.assert_array_equal(run(loaded, x), run(model, x))
