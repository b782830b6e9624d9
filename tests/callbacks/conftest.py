"""A fake model and a tiny driver that calls callback hooks the way lamina's fit loop does."""

from __future__ import annotations

import numpy as np
import pytest

from lamina.callbacks import CallbackList


class FakeOptimizer:
    def __init__(self, learning_rate=0.1):
        self.learning_rate = learning_rate


class FakeModel:
    """What callbacks may use: stop_training, optimizer.learning_rate, get/set_weights."""

    def __init__(self, learning_rate=0.1):
        self.stop_training = False
        self.optimizer = FakeOptimizer(learning_rate)
        self.weights = [np.zeros((2, 2), "float32"), np.zeros(2, "float32")]

    def get_weights(self):
        return [w.copy() for w in self.weights]

    def set_weights(self, weights):
        self.weights = [np.array(w) for w in weights]


class CountingLogs:
    """A zero-argument logs callable that counts how often it is called (each call = a sync)."""

    def __init__(self, values=None):
        self.calls = 0
        self.values = values or {"loss": 0.5, "accuracy": 0.75}

    def __call__(self):
        self.calls += 1
        return dict(self.values)


def run_fit(
    model,
    callbacks=None,
    epochs=2,
    steps=5,
    verbose=0,
    batch_logs=None,
    epoch_logs=None,
    val_steps=2,
    on_step=None,
    add_progbar=None,
):
    """Drive the hooks in Keras's order; ``epoch_logs(epoch)`` gives each epoch's logs.

    Returns the CallbackList (its History is ``model.history``).
    """
    batch_logs = batch_logs or CountingLogs()
    epoch_logs = epoch_logs or (lambda e: {"loss": 1.0 / (e + 1), "val_loss": 2.0 / (e + 1)})
    cbs = CallbackList(
        callbacks,
        add_history=True,
        add_progbar=verbose != 0 if add_progbar is None else add_progbar,
        model=model,
        verbose=verbose,
        epochs=epochs,
        steps=steps,
    )
    model.stop_training = False
    cbs.on_train_begin()
    logs = None
    for epoch in range(epochs):
        cbs.on_epoch_begin(epoch)
        for step in range(steps):
            cbs.on_train_batch_begin(step)
            if on_step is not None:
                on_step(epoch, step)
            cbs.on_train_batch_end(step, batch_logs)
            if model.stop_training:
                break
        logs = dict(epoch_logs(epoch))
        if val_steps:
            cbs.on_test_begin()
            for step in range(val_steps):
                cbs.on_test_batch_begin(step)
                cbs.on_test_batch_end(step, batch_logs)
            cbs.on_test_end({k[4:]: v for k, v in logs.items() if k.startswith("val_")})
        cbs.on_epoch_end(epoch, logs)
        if model.stop_training:
            break
    cbs.on_train_end(logs)
    return cbs


@pytest.fixture
def model():
    return FakeModel()


@pytest.fixture
def fit():
    return run_fit


@pytest.fixture
def logs_counter():
    return CountingLogs


@pytest.fixture
def model_factory():
    return FakeModel
