import re
import sys
import time

import pytest

from lamina.callbacks import CallbackList, ProgbarLogger, resolve_verbose
from lamina.callbacks.progbar_logger import format_step_time, format_value

STEP_TIME = r"\d+(s|ms|us)/step"


def epoch_logs(e):
    return {"loss": 0.5 / (e + 1), "accuracy": 0.25 * (e + 1), "val_loss": 0.00005}


def test_verbose_2_prints_one_line_per_epoch(model, fit, logs_counter, capsys):
    counter = logs_counter()
    fit(model, epochs=3, steps=7, verbose=2, epoch_logs=epoch_logs, batch_logs=counter)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 6
    for e in range(3):
        assert lines[2 * e] == f"Epoch {e + 1}/3"
        loss = f"{0.5 / (e + 1):.4f}"
        pattern = (rf"7/7 - \d+s - {STEP_TIME} - loss: {loss} - accuracy: {0.25 * (e + 1):.4f}"
                   r" - val_loss: 5\.0000e-05")
        assert re.fullmatch(pattern, lines[2 * e + 1]), lines[2 * e + 1]
    assert counter.calls == 0  # verbose 2 never reads batch logs


def test_verbose_1_draws_bar_and_final_line_with_val_metrics(model, fit, logs_counter, capsys,
                                                            monkeypatch):
    monkeypatch.setattr(ProgbarLogger, "refresh_interval", 0.0)  # redraw at every step
    counter = logs_counter({"loss": 0.123456, "accuracy": 0.9})
    fit(model, epochs=2, steps=4, verbose=1, epoch_logs=epoch_logs, batch_logs=counter)
    out = capsys.readouterr().out
    assert counter.calls == 8  # once per training step, none for validation
    lines = out.split("\n")
    assert lines[0] == "Epoch 1/2" and lines[2] == "Epoch 2/2" and lines[4] == ""
    redraws = lines[1].split("\r")
    assert re.search(r"2/4 \[=+\.+\] \d+s " + STEP_TIME + r" - loss: 0\.1235 - accuracy: 0\.9000$",
                     redraws[2].rstrip())
    final = redraws[-1].rstrip()
    assert re.fullmatch(r"4/4 \[={30}\] \d+s " + STEP_TIME +
                        r" - loss: 0\.5000 - accuracy: 0\.2500 - val_loss: 5\.0000e-05", final), final


def test_verbose_1_throttles_redraws(model, fit, logs_counter, capsys, monkeypatch):
    monkeypatch.setattr(ProgbarLogger, "refresh_interval", 0.05)
    counter = logs_counter()
    fit(model, epochs=1, steps=20, verbose=1, val_steps=0, batch_logs=counter,
        on_step=lambda e, s: time.sleep(0.01))
    capsys.readouterr()
    assert 1 <= counter.calls <= 6  # ~0.2 s of steps, a redraw every 0.05 s at most


def test_verbose_0_prints_nothing(model, fit, capsys):
    cbs = CallbackList([ProgbarLogger()], model=model, verbose=0, epochs=1, steps=2)
    cbs.on_train_begin()
    cbs.on_epoch_begin(0)
    cbs.on_train_batch_end(0, {"loss": 1.0})
    cbs.on_epoch_end(0, {"loss": 1.0})
    cbs.on_train_end()
    assert capsys.readouterr().out == ""


def test_evaluate_bar_shows_metrics_and_fit_validation_is_silent(model, capsys):
    cbs = CallbackList(add_progbar=True, model=model, verbose=2, epochs=1, steps=3)
    cbs.on_test_begin()
    for i in range(3):
        cbs.on_test_batch_end(i, lambda: {"loss": 0.3})
    cbs.on_test_end({"loss": 0.25, "accuracy": 0.5})
    assert re.fullmatch(r"3/3 - \d+s - " + STEP_TIME + r" - loss: 0\.2500 - accuracy: 0\.5000\n",
                        capsys.readouterr().out)


def test_evaluate_verbose_1(model, capsys):
    cbs = CallbackList(add_progbar=True, model=model, verbose=1, epochs=1, steps=3)
    cbs.on_test_begin()
    for i in range(3):
        cbs.on_test_batch_end(i, lambda: {"loss": 0.3})
    cbs.on_test_end({"loss": 0.25})
    last = capsys.readouterr().out.split("\r")[-1]
    assert re.fullmatch(r"3/3 \[={30}\] \d+s " + STEP_TIME + r" - loss: 0\.2500\n", last), last


def test_predict_bar_has_no_metrics(model, logs_counter, capsys):
    counter = logs_counter({"outputs": 1})
    cbs = CallbackList(add_progbar=True, model=model, verbose=1, epochs=1, steps=2)
    cbs.on_predict_begin()
    for i in range(2):
        cbs.on_predict_batch_end(i, counter)
    cbs.on_predict_end()
    last = capsys.readouterr().out.split("\r")[-1]
    assert re.fullmatch(r"2/2 \[={30}\] \d+s " + STEP_TIME + r"\s*\n", last), last
    assert counter.calls == 0


def test_unknown_number_of_steps(model, fit, capsys, monkeypatch):
    monkeypatch.setattr(ProgbarLogger, "refresh_interval", 0.0)
    fit(model, epochs=1, steps=3, verbose=1, val_steps=0, add_progbar=False,
        callbacks=[_with_steps(ProgbarLogger(), None)])
    out = capsys.readouterr().out
    assert "2/Unknown" in out
    assert re.search(r"3/3 \[={30}\] \d+s " + STEP_TIME + " - loss: 1.0000 - val_loss: 2.0000\n$", out)


def _with_steps(progbar, steps):
    original = progbar.set_params

    def set_params(params):
        original({**params, "steps": steps})

    progbar.set_params = set_params
    return progbar


def test_resolve_verbose(monkeypatch):
    assert [resolve_verbose(v) for v in (0, 1, 2, True, False)] == [0, 1, 2, 1, 0]

    class Tty:
        def __init__(self, tty):
            self.tty = tty

        def isatty(self):
            return self.tty

    monkeypatch.delitem(sys.modules, "ipykernel", raising=False)
    monkeypatch.setattr(sys, "stdout", Tty(True))
    assert resolve_verbose("auto") == 1
    monkeypatch.setattr(sys, "stdout", Tty(False))
    assert resolve_verbose("auto") == 2
    for bad in (3, -1, "loud", 1.5, None):
        with pytest.raises(ValueError, match="verbose must be 'auto', 0"):
            resolve_verbose(bad)


def test_value_and_time_formatting():
    assert format_value(0.123456) == "0.1235"
    assert format_value(-2.5) == "-2.5000"
    assert format_value(0.0001234) == "1.2340e-04"
    assert format_value(float("nan")) == "nan"
    assert format_step_time(2.4) == "2s/step"
    assert format_step_time(0.0204) == "20ms/step"
    assert format_step_time(0.000351) == "351us/step"


def test_run_stopped_mid_epoch_shows_the_steps_done(model, capsys):
    cbs = CallbackList(add_progbar=True, model=model, verbose=2, epochs=1, steps=10)
    cbs.on_train_begin()
    cbs.on_epoch_begin(0)
    for i in range(4):
        cbs.on_train_batch_end(i, lambda: {"loss": 1.0})
    cbs.on_epoch_end(0, {"loss": float("nan")})
    cbs.on_train_end()
    assert re.fullmatch(r"Epoch 1/1\n 4/10 - \d+s - " + STEP_TIME + r" - loss: nan\n",
                        capsys.readouterr().out)


def test_step_time_leaves_out_validation(model, capsys):
    cbs = CallbackList(add_progbar=True, model=model, verbose=2, epochs=1, steps=3)
    cbs.on_train_begin()
    cbs.on_epoch_begin(0)
    for i in range(3):
        time.sleep(0.002)
        cbs.on_train_batch_end(i, None)
    time.sleep(0.3)  # validation
    cbs.on_epoch_end(0, {})
    line = capsys.readouterr().out.splitlines()[1]
    ms = int(re.fullmatch(r"3/3 - 0s - (\d+)ms/step", line).group(1))
    assert 1 <= ms < 100
