import numpy as np
import pytest

from lamina.callbacks import LearningRateScheduler


def test_two_argument_schedule_sets_lr_each_epoch(model, fit):
    seen = []

    def schedule(epoch, lr):
        seen.append((epoch, lr))
        return lr * 0.5

    fit(model, [LearningRateScheduler(schedule)], epochs=3)
    assert seen == [(0, 0.1), (1, 0.05), (2, 0.025)]
    assert model.optimizer.learning_rate == pytest.approx(0.0125)
    assert model.history.history["learning_rate"] == pytest.approx([0.05, 0.025, 0.0125])


def test_keras1_one_argument_schedule_and_numpy_floats(model, fit):
    fit(model, [LearningRateScheduler(lambda epoch: np.float32(0.01 * (epoch + 1)))], epochs=2)
    assert model.optimizer.learning_rate == pytest.approx(0.02)
    assert isinstance(model.optimizer.learning_rate, float)


def test_verbose(model, fit, capsys):
    fit(model, [LearningRateScheduler(lambda e, lr: 0.5, verbose=1)], epochs=1)
    assert "Epoch 1: LearningRateScheduler setting learning rate to 0.5." in capsys.readouterr().out


def test_bad_schedule_output(model, fit):
    with pytest.raises(ValueError, match="must return a float; at epoch 0 it returned 'fast'"):
        fit(model, [LearningRateScheduler(lambda e, lr: "fast")], epochs=1)
    with pytest.raises(TypeError, match="schedule"):
        LearningRateScheduler(0.1)
