import warnings

import numpy as np
import pytest

from lamina.callbacks import EarlyStopping
from lamina.errors import LaminaWarning
from tests.keras3 import keras3

CASES = [
    # values of the monitor per epoch, kwargs
    ([1.0, 0.9, 0.95, 0.97, 0.8, 0.99, 1.0, 1.1], dict(patience=2)),
    ([1.0, 0.9, 0.95, 0.97, 0.8, 0.99, 1.0, 1.1], dict(patience=0)),
    ([1.0, 0.99, 0.985, 0.98, 0.5], dict(patience=1, min_delta=0.02)),
    ([1.0, 0.9, 0.8, 0.7, 0.6, 0.55], dict(patience=1, baseline=0.65)),
    ([0.5, 0.6, 0.55, 0.58, 0.7, 0.69, 0.68], dict(patience=1, mode="max", monitor="val_acc")),
    ([1.0, 1.1, 1.2, 0.5, 0.6, 0.7], dict(patience=1, start_from_epoch=3)),
    ([1.0, 1.0, 1.0, 1.0], dict(patience=2)),
]


def _run(cb, model, values, monitor="val_loss"):
    """Calls the hooks; returns the epoch after which stop_training was set (or None)."""
    model.stop_training = False
    cb.set_model(model)
    cb.on_train_begin({})
    stopped_after = None
    for epoch, v in enumerate(values):
        model.weights = [np.full((2, 2), epoch, "float32"), np.full(2, epoch, "float32")]
        cb.on_epoch_begin(epoch, {})
        cb.on_epoch_end(epoch, {"loss": 0.0, monitor: v})
        if model.stop_training:
            stopped_after = epoch
            break
    cb.on_train_end({})
    return stopped_after


def _ours(values, kw, model):
    kw = dict(kw)
    monitor = kw.setdefault("monitor", "val_loss")
    cb = EarlyStopping(restore_best_weights=True, **kw)
    return cb, _run(cb, model, values, monitor)


@pytest.mark.parametrize("values,kw", CASES)
def test_matches_keras(values, kw, model_factory):
    pytest.importorskip("torch")
    keras = keras3()
    kw = dict(kw)
    monitor = kw.setdefault("monitor", "val_loss")
    if monitor != "val_loss":
        kw.setdefault("mode", "max")
    ours, ours_stop = _ours(values, kw, model_factory())
    theirs_model = model_factory()
    theirs = keras.callbacks.EarlyStopping(restore_best_weights=True, **kw)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs_stop = _run(theirs, theirs_model, values, monitor)
    assert ours_stop == theirs_stop
    assert ours.stopped_epoch == theirs.stopped_epoch
    assert ours.best_epoch == theirs.best_epoch
    assert ours.best == pytest.approx(float(theirs.best))
    assert ours.wait == theirs.wait


def test_stops_after_patience_and_restores_best_weights(model):
    cb, stopped = _ours([1.0, 0.5, 0.7, 0.8, 0.9], dict(patience=2), model)
    assert stopped == 3 and cb.stopped_epoch == 3 and cb.best_epoch == 1
    np.testing.assert_array_equal(model.weights[0], np.full((2, 2), 1.0))  # epoch 1's weights


def test_without_restore_weights_stay_last(model):
    cb = EarlyStopping(patience=0)
    _run(cb, model, [1.0, 2.0])
    np.testing.assert_array_equal(model.weights[0], np.full((2, 2), 1.0))


def test_auto_mode_infers_direction(model):
    cb = EarlyStopping(monitor="val_accuracy", patience=0)
    assert _run(cb, model, [0.5, 0.6, 0.7, 0.65], monitor="val_accuracy") == 3
    cb = EarlyStopping(monitor="val_mean_absolute_error", patience=0)
    assert _run(cb, model, [0.5, 0.4, 0.45], monitor="val_mean_absolute_error") == 2


def test_auto_mode_uses_the_metric_direction_when_the_model_has_one(model):
    class Metric:
        name = "custom_score"
        _direction = "up"

    model.metrics = [Metric()]
    cb = EarlyStopping(monitor="val_custom_score", patience=0)
    assert _run(cb, model, [0.1, 0.2, 0.3, 0.25], monitor="val_custom_score") == 3


def test_verbose_messages(model, capsys):
    cb = EarlyStopping(patience=1, verbose=1, restore_best_weights=True)
    _run(cb, model, [1.0, 0.5, 0.6, 0.7])
    out = capsys.readouterr().out
    assert "Epoch 3: early stopping" in out
    assert "Restoring model weights from the end of the best epoch: 2." in out


def test_missing_monitor_is_an_error_at_the_first_epoch_listing_available_keys(model):
    cb = EarlyStopping(monitor="val_acc")
    cb.set_model(model)
    cb.on_train_begin()
    with pytest.raises(ValueError, match=r"EarlyStopping: early stopping is conditioned on "
                       r"monitor='val_acc', which is not among the logged values at the end of "
                       r"the epoch: 'loss', 'accuracy'.*validation_data"):
        cb.on_epoch_end(0, {"loss": 1.0, "accuracy": 0.5})


def test_bad_mode():
    with pytest.raises(ValueError, match="mode='maximum'.*'auto', 'min' or 'max'"):
        EarlyStopping(mode="maximum")
