import pytest

from lamina.callbacks import Callback, CallbackList, History, LambdaCallback, ProgbarLogger


class Recorder(Callback):
    def __init__(self):
        super().__init__()
        self.events = []

    def __getattribute__(self, name):
        attr = super().__getattribute__(name)
        if name.startswith("on_") and callable(attr):
            events = super().__getattribute__("events")

            def wrapper(*args):
                events.append((name, *args[:1]) if args and isinstance(args[0], int) else (name,))
                return attr(*args)

            return wrapper
        return attr


def test_hooks_are_called_in_keras_order(model, fit):
    rec = Recorder()
    fit(model, [rec], epochs=1, steps=2, val_steps=1)
    names = [e[0] for e in rec.events if not e[0].startswith("on_batch")]
    assert names == [
        "on_train_begin", "on_epoch_begin",
        "on_train_batch_begin", "on_train_batch_end",
        "on_train_batch_begin", "on_train_batch_end",
        "on_test_begin", "on_test_batch_begin", "on_test_batch_end", "on_test_end",
        "on_epoch_end", "on_train_end",
    ]


def test_history_is_added_and_set_on_the_model(model, fit):
    cbs = fit(model, epochs=3)
    assert isinstance(model.history, History)
    assert model.history.history == {"loss": [1.0, 0.5, 1 / 3], "val_loss": [2.0, 1.0, 2 / 3]}
    assert model.history.epoch == [0, 1, 2]
    assert model.history.params == {"verbose": 0, "epochs": 3, "steps": 5}
    assert [type(c) for c in cbs.callbacks] == [History]


def test_existing_history_and_progbar_are_not_duplicated(model):
    h, p = History(), ProgbarLogger()
    cbs = CallbackList([h, p], add_history=True, add_progbar=True, model=model, verbose=0,
                       epochs=1, steps=1)
    assert cbs.callbacks == [h, p] and model.history is h


def test_user_callbacks_come_before_history_and_progbar(model):
    user = Callback()
    cbs = CallbackList([user], add_history=True, add_progbar=True, model=model, verbose=0,
                       epochs=1, steps=1)
    assert [type(c) for c in cbs.callbacks] == [Callback, History, ProgbarLogger]


@pytest.mark.parametrize("verbose", [0, 1, 2])
def test_logs_callable_never_called_when_nobody_needs_it(
    model, fit, logs_counter, verbose, capsys, monkeypatch
):
    monkeypatch.setattr(ProgbarLogger, "refresh_interval", 60.0)  # no redraw during the run
    counter = logs_counter()
    cbs = fit(model, [Callback(), LambdaCallback(on_epoch_end=lambda e, l: None)],
              epochs=2, steps=50, verbose=verbose, batch_logs=counter)
    assert not cbs.needs_batch_logs and not cbs.needs_test_batch_logs
    assert counter.calls == 0
    capsys.readouterr()


def test_logs_callable_called_once_per_batch_for_several_consumers(model, fit, logs_counter):
    seen = []

    class A(Callback):
        def on_train_batch_end(self, batch, logs=None):
            seen.append(("a", batch, logs["loss"]))

    class B(Callback):  # Keras 1 spelling
        def on_batch_end(self, batch, logs=None):
            seen.append(("b", batch, logs["loss"]))

    counter = logs_counter()
    cbs = fit(model, [A(), B()], epochs=2, steps=3, val_steps=0, batch_logs=counter)
    assert cbs.needs_batch_logs
    assert counter.calls == 6
    assert seen[:2] == [("a", 0, 0.5), ("b", 0, 0.5)] and len(seen) == 12


def test_test_batch_logs_only_for_test_consumers(model, fit, logs_counter):
    got = []
    lam = LambdaCallback(on_test_batch_end=lambda b, logs: got.append(logs["loss"]))
    counter = logs_counter()
    cbs = fit(model, [lam], epochs=1, steps=4, val_steps=3, batch_logs=counter)
    assert cbs.needs_test_batch_logs and not cbs.needs_batch_logs
    assert counter.calls == 3 and got == [0.5] * 3


def test_lambda_on_batch_end_keras1_makes_logs_needed(model):
    got = []
    cbs = CallbackList([LambdaCallback(on_batch_end=lambda b, l: got.append((b, l)))], model=model)
    assert cbs.needs_batch_logs
    cbs.on_train_batch_end(4, lambda: {"loss": 1.5})
    cbs.on_batch_end(5, {"loss": 2.5})  # the Keras 1 name on the list routes to the same hook
    assert got == [(4, {"loss": 1.5}), (5, {"loss": 2.5})]


def test_dict_logs_accepted_and_none_becomes_empty(model):
    got = []
    cbs = CallbackList([LambdaCallback(on_train_batch_end=lambda b, l: got.append(l))], model=model)
    cbs.on_train_batch_end(0, {"loss": 1.0})
    cbs.on_train_batch_end(1, None)
    cbs.on_train_batch_end(2, lambda: None)
    assert got == [{"loss": 1.0}, {}, {}]


def test_predict_hooks_lazy_outputs(model, logs_counter):
    counter = logs_counter({"outputs": [1, 2]})
    cbs = CallbackList(add_progbar=True, model=model, verbose=0, epochs=1, steps=3)
    cbs.on_predict_begin()
    for i in range(3):
        cbs.on_predict_batch_begin(i)
        cbs.on_predict_batch_end(i, counter)
    cbs.on_predict_end()
    assert counter.calls == 0 and not cbs.needs_predict_batch_logs


def test_append_and_callbacks_edited_before_train_begin(model, fit, logs_counter):
    cbs = CallbackList(model=model, verbose=0, epochs=1, steps=1)
    assert not cbs.needs_batch_logs
    lam = LambdaCallback(on_train_batch_end=lambda b, l: None)
    cbs.append(lam)
    assert cbs.needs_batch_logs and lam.model is model and lam.params["epochs"] == 1
    assert list(cbs) == [lam]


def test_stop_training_set_by_a_callback_ends_the_loop(model, fit):
    class StopAfterOne(Callback):
        def on_epoch_end(self, epoch, logs=None):
            self.model.stop_training = True

    fit(model, [StopAfterOne()], epochs=5)
    assert model.history.epoch == [0]
