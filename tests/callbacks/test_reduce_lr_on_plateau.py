import warnings

import pytest

from lamina.callbacks import ReduceLROnPlateau
from lamina.errors import LaminaDeprecationWarning
from tests.keras3 import keras3

VALUES = [1.0, 0.9, 0.9, 0.9, 0.9, 0.85, 0.86, 0.87, 0.88, 0.89, 0.9, 0.91, 0.92]


def _trajectory(cb, model, values, monitor="val_loss"):
    cb.set_model(model)
    cb.on_train_begin({})
    lrs, logged = [], []
    for epoch, v in enumerate(values):
        logs = {"loss": 0.0, monitor: v}
        cb.on_epoch_end(epoch, logs)
        logged.append(logs.get("learning_rate"))
        lrs.append(float(model.optimizer.learning_rate))
    return lrs, logged


@pytest.mark.parametrize("kw", [
    dict(patience=2),
    dict(patience=1, factor=0.5, cooldown=2),
    dict(patience=1, factor=0.5, min_lr=0.03),
    dict(patience=0, min_delta=0.06),
    dict(patience=1, mode="max"),
])
def test_matches_keras(kw, model_factory):
    keras = keras3()
    ours_model, theirs_model = model_factory(0.1), model_factory(0.1)
    ours, ours_logged = _trajectory(ReduceLROnPlateau(**kw), ours_model, VALUES)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs, theirs_logged = _trajectory(keras.callbacks.ReduceLROnPlateau(**kw), theirs_model,
                                            VALUES)
    assert ours == pytest.approx(theirs)
    assert ours_logged == pytest.approx(theirs_logged)
    assert all(isinstance(lr, float) for lr in ours)


def test_closed_form_and_logs(model):
    cb = ReduceLROnPlateau(patience=2, factor=0.5)
    lrs, logged = _trajectory(cb, model, [1.0, 1.0, 1.0, 1.0, 1.0])
    assert lrs == pytest.approx([0.1, 0.1, 0.05, 0.05, 0.025])
    assert logged == pytest.approx([0.1, 0.1, 0.1, 0.05, 0.05])  # the rate the epoch ran with


def test_verbose_message(model, capsys):
    _trajectory(ReduceLROnPlateau(patience=0, factor=0.5, verbose=1), model, [1.0, 1.0])
    assert "Epoch 2: ReduceLROnPlateau reducing learning rate to 0.05." in capsys.readouterr().out


def test_errors_and_keras2_epsilon(model):
    with pytest.raises(ValueError, match="factor=1.5.*below 1.0"):
        ReduceLROnPlateau(factor=1.5)
    with pytest.warns(LaminaDeprecationWarning, match="min_delta"):
        cb = ReduceLROnPlateau(epsilon=0.01)
    assert cb.min_delta == 0.01
    cb = ReduceLROnPlateau()
    model.optimizer = None
    cb.set_model(model)
    with pytest.raises(ValueError, match="compile"):
        cb.on_epoch_end(0, {"val_loss": 1.0})
