import pytest

from lamina.callbacks import CallbackList, TerminateOnNaN


def _losses(bad_at):
    state = {"n": 0}

    def logs():
        state["n"] += 1
        return {"loss": float("nan") if state["n"] == bad_at else 0.5}

    return logs


def test_stops_and_says_where(model, fit, capsys):
    cbs = fit(model, [TerminateOnNaN()], epochs=3, steps=4, batch_logs=_losses(bad_at=7))
    assert cbs.needs_batch_logs
    assert model.stop_training
    assert model.history.epoch == [0, 1]  # the epoch ends and training stops
    out = capsys.readouterr().out
    assert "TerminateOnNaN: invalid loss (nan) at epoch 2, batch 2; terminating training." in out


def test_inf_and_finite(model):
    cb = TerminateOnNaN()
    cb.set_model(model)
    cb.on_train_batch_end(0, {"loss": 1e30})
    assert not model.stop_training
    cb.on_train_batch_end(1, {"loss": float("-inf")})
    assert model.stop_training


def test_raise_error(model):
    cbs = CallbackList([TerminateOnNaN(raise_error=True)], model=model)
    cbs.on_epoch_begin(0)
    with pytest.raises(RuntimeError, match="loss became nan at epoch 1, batch 5"):
        cbs.on_train_batch_end(5, lambda: {"loss": float("nan")})
