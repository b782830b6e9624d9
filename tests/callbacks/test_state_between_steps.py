"""What callbacks and user code read or write between training steps is the state the next step
uses, on every backend (under JAX a compiled step keeps its state on the device between steps
and writes it back only when something on the host reads or writes it).

The reference is plain NumPy gradient descent on linear models (mean squared error), step by
step, with the same reads and writes in between.
"""

from __future__ import annotations

import numpy as np
import pytest

import lamina
from lamina import layers, optimizers

RNG = np.random.default_rng(7)
X = RNG.normal(size=(24, 3)).astype("float32")
Y = (X @ np.array([[1.0], [-2.0], [0.5]]) + 0.3).astype("float32")
LR = 0.1


def _linear(optimizer=None, seed=0):
    lamina.utils.set_random_seed(seed)
    model = lamina.Sequential([lamina.Input((3,)), layers.Dense(1)])
    model.compile(optimizer or optimizers.SGD(LR), "mse")
    return model


def _grads(w, b, x, y):
    g = 2.0 * (x @ w + b - y) / y.size  # the mean over the batch and the outputs
    return x.T @ g, g.sum(0)


def _sgd(weights, x, y, lr=LR):
    w, b = (np.asarray(a, np.float64) for a in weights)
    gw, gb = _grads(w, b, np.float64(x), np.float64(y))
    return [w - lr * gw, b - lr * gb]


def _close(got, want):
    assert len(got) == len(want)
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=2e-5, atol=2e-6)


def test_get_weights_after_each_train_on_batch_is_the_updated_state():
    model = _linear()
    ref = model.get_weights()
    for i in range(0, 24, 8):
        model.train_on_batch(X[i:i + 8], Y[i:i + 8])
        ref = _sgd(ref, X[i:i + 8], Y[i:i + 8])
        _close(model.get_weights(), ref)
    assert model.optimizer.iterations == 3


def test_set_weights_and_assign_between_steps_are_what_the_next_step_updates():
    model = _linear()
    model.train_on_batch(X[:8], Y[:8])
    new = [np.full((3, 1), 0.25, "float32"), np.array([-1.0], "float32")]
    model.set_weights(new)
    model.train_on_batch(X[8:16], Y[8:16])
    ref = _sgd(new, X[8:16], Y[8:16])
    _close(model.get_weights(), ref)
    # a Variable assigned directly (model.trainable_variables / layer.weights)
    kernel, bias = model.layers[0].weights
    kernel.assign(np.ones((3, 1), "float32"))
    bias.assign_add(np.array([2.0], "float32"))
    ref = [np.ones((3, 1)), ref[1] + 2.0]
    _close([kernel.numpy(), bias.numpy()], ref)
    model.train_on_batch(X[16:], Y[16:])
    _close(model.get_weights(), _sgd(ref, X[16:], Y[16:]))


def test_optimizer_state_read_and_written_between_steps():
    model = _linear(optimizers.SGD(LR, momentum=0.9))
    w = [np.float64(a) for a in model.get_weights()]
    m = [np.zeros_like(a) for a in w]
    for i in (0, 8):
        g = _grads(*w, np.float64(X[i:i + 8]), np.float64(Y[i:i + 8]))
        m = [0.9 * mi - LR * gi for mi, gi in zip(m, g)]
        w = [wi + mi for wi, mi in zip(w, m)]
        model.train_on_batch(X[i:i + 8], Y[i:i + 8])
    opt = model.optimizer
    momenta = [v for v in opt.variables if v.name.endswith("momentum")]
    _close([v.numpy() for v in momenta], m)
    assert int(opt.variables[0].numpy()) == 2 == opt.iterations
    _close(model.get_weights(), w)
    for v in momenta:  # a reset momentum: the next update is a plain gradient step
        v.assign(np.zeros(v.shape, "float32"))
    model.train_on_batch(X[16:], Y[16:])
    _close(model.get_weights(), _sgd(w, X[16:], Y[16:]))


def test_recompiling_after_train_on_batch_keeps_the_trained_weights():
    model = _linear()
    ref = model.get_weights()
    model.train_on_batch(X[:8], Y[:8])
    ref = _sgd(ref, X[:8], Y[:8])
    model.compile(optimizers.SGD(LR / 2), "mse")  # new steps: nothing the old ones held is lost
    model.train_on_batch(X[8:16], Y[8:16])
    _close(model.get_weights(), _sgd(ref, X[8:16], Y[8:16], LR / 2))


def test_two_models_sharing_layers_train_one_after_the_other():
    """The Keras 2 GAN pattern: a sub-model and a model containing it, each compiled and trained
    with train_on_batch in turn; each step starts from the other's update."""
    lamina.utils.set_random_seed(1)
    inner = lamina.Sequential([lamina.Input((3,)), layers.Dense(2)])
    outer = lamina.Sequential([lamina.Input((3,)), inner, layers.Dense(1)])
    inner.compile(optimizers.SGD(LR), "mse")
    outer.compile(optimizers.SGD(LR), "mse")
    y2 = np.concatenate([Y, -Y], axis=1)
    w1, b1, w2, b2 = (np.float64(a) for a in outer.get_weights())
    for i in (0, 8):
        xb, yb = np.float64(X[i:i + 8]), np.float64(Y[i:i + 8])
        inner.train_on_batch(X[i:i + 8], y2[i:i + 8])
        gw1, gb1 = _grads(w1, b1, xb, np.float64(y2[i:i + 8]))
        w1, b1 = w1 - LR * gw1, b1 - LR * gb1
        outer.train_on_batch(X[i:i + 8], Y[i:i + 8])
        h = xb @ w1 + b1
        g = 2.0 * (h @ w2 + b2 - yb) / len(xb)
        gh = g @ w2.T
        w1, b1, w2, b2 = w1 - LR * xb.T @ gh, b1 - LR * gh.sum(0), w2 - LR * h.T @ g, b2 - LR * g.sum(0)
        _close(inner.get_weights(), [w1, b1])
        _close(outer.get_weights(), [w1, b1, w2, b2])


def _dropout_model():
    lamina.utils.set_random_seed(3)
    model = lamina.Sequential([lamina.Input((3,)), layers.Dense(16), layers.Dropout(0.5), layers.Dense(1)])
    model.compile(optimizers.SGD(LR), "mse")
    return model


def test_reads_between_steps_change_nothing_and_the_global_generator_is_shared():
    """Dropout built with seed=None and a random draw between steps take turns on the global
    generator, whether or not anything reads the state in between."""

    def run(read):
        model = _dropout_model()
        draws = []
        for i in (0, 8, 16):
            model.train_on_batch(X[i:i + 8], Y[i:i + 8])
            if read:
                model.get_weights()
                model.optimizer.get_weights()
            draws.append(lamina.ops.convert_to_numpy(lamina.random.uniform((4,))))
        return model.get_weights(), draws

    (w_plain, d_plain), (w_read, d_read) = run(False), run(True)
    initial = _dropout_model().get_weights()
    assert all(not np.array_equal(a, b) for a, b in zip(w_plain, initial))  # it trained
    for a, b in zip(w_plain + d_plain, w_read + d_read):
        np.testing.assert_array_equal(a, b)
    lamina.utils.set_random_seed(3)
    first = lamina.ops.convert_to_numpy(lamina.random.uniform((4,)))
    assert not np.array_equal(d_plain[0], first)  # the step's dropout drew from it first


def test_set_random_seed_between_steps_takes_effect_on_the_next_step():
    def run(read, reseed=True):
        model = _dropout_model()
        model.train_on_batch(X[:8], Y[:8])
        if read:
            model.get_weights()
        if reseed:
            lamina.utils.set_random_seed(11)
        model.train_on_batch(X[8:16], Y[8:16])
        return model.get_weights()

    plain, read, not_reseeded = run(False), run(True), run(False, reseed=False)
    for a, b in zip(plain, read):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(plain[0], not_reseeded[0])  # the new seed gave other dropout masks


class _Project(lamina.callbacks.Callback):
    """Clips the kernel into [-0.2, 0.2] after every batch and records the weights."""

    def __init__(self):
        super().__init__()
        self.seen = []

    def on_train_batch_end(self, batch, logs=None):
        kernel, bias = self.model.get_weights()
        self.model.set_weights([np.clip(kernel, -0.2, 0.2), bias])
        self.seen.append(self.model.get_weights())


def test_a_callback_setting_weights_after_every_batch_steers_the_training():
    model = _linear()
    ref = model.get_weights()
    project = _Project()
    model.fit(X, Y, batch_size=8, epochs=2, shuffle=False, verbose=0, callbacks=[project])
    expected = []
    for _ in range(2):
        for i in range(0, 24, 8):
            w, b = _sgd(ref, X[i:i + 8], Y[i:i + 8])
            ref = [np.clip(w, -0.2, 0.2), b]
            expected.append(ref)
    assert len(project.seen) == 6
    for got, want in zip(project.seen, expected):
        _close(got, want)
    _close(model.get_weights(), expected[-1])


class _Record(lamina.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.batches, self.epoch_lr = [], []

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch_lr.append(float(self.model.optimizer.learning_rate))

    def on_train_batch_end(self, batch, logs=None):
        logs = logs() if callable(logs) else logs
        self.batches.append((float(logs["loss"]), self.model.get_weights()))


def test_model_checkpoint_every_n_batches_saves_the_weights_of_that_batch(tmp_path):
    model = _linear()
    ref = model.get_weights()
    record = _Record()
    every = lamina.callbacks.ModelCheckpoint(str(tmp_path / "w-{epoch}-{batch}.weights.h5"),
                                             save_weights_only=True, save_freq=2)
    best = lamina.callbacks.ModelCheckpoint(str(tmp_path / "best.weights.h5"), monitor="loss",
                                            save_weights_only=True, save_best_only=True, save_freq=2)
    model.fit(X, Y, batch_size=4, epochs=2, shuffle=False, verbose=0, callbacks=[every, best, record])
    probe = _linear(seed=9)
    saved_best, best_loss = None, np.inf
    for n, (loss, weights) in enumerate(record.batches, 1):
        i = (n - 1) % 6 * 4
        ref = _sgd(ref, X[i:i + 4], Y[i:i + 4])
        _close(weights, ref)  # what the callbacks saw after each batch is the trained state
        if n % 2:
            continue
        epoch, batch = (n - 1) // 6 + 1, (n - 1) % 6 + 1
        probe.load_weights(str(tmp_path / f"w-{epoch}-{batch}.weights.h5"))
        _close(probe.get_weights(), weights)
        if loss < best_loss:
            saved_best, best_loss = weights, loss
    probe.load_weights(str(tmp_path / "best.weights.h5"))
    _close(probe.get_weights(), saved_best)


def test_learning_rate_callbacks_reach_the_next_step():
    """LearningRateScheduler and ReduceLROnPlateau change the rate between epochs; the weights
    follow gradient descent with the rates they set."""
    model = _linear()
    w0 = model.get_weights()
    record = _Record()
    schedule = lamina.callbacks.LearningRateScheduler(lambda epoch, lr: {0: 0.1, 1: 0.0, 2: 0.05}.get(epoch, lr))
    plateau = lamina.callbacks.ReduceLROnPlateau(monitor="loss", factor=0.5, patience=0, min_delta=1e9)
    model.fit(X, Y, batch_size=8, epochs=5, shuffle=False, verbose=0, callbacks=[schedule, plateau, record])
    lrs = record.epoch_lr
    # the plateau callback halves the rate after every epoch from the second on (never improves
    # by min_delta); the schedule keeps the current rate from epoch 3 on
    assert lrs == pytest.approx([0.1, 0.0, 0.05, 0.025, 0.0125])
    ref = w0
    for lr in lrs:
        lr = float(np.float32(lr))
        for i in range(0, 24, 8):
            ref = _sgd(ref, X[i:i + 8], Y[i:i + 8], lr)
    _close(model.get_weights(), ref)


def test_early_stopping_restores_the_best_epochs_weights():
    model = _linear()

    class EpochWeights(lamina.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.weights = []

        def on_epoch_end(self, epoch, logs=None):
            self.weights.append((logs["val_loss"], self.model.get_weights()))

    epochs = EpochWeights()
    stop = lamina.callbacks.EarlyStopping(monitor="val_loss", patience=2, restore_best_weights=True)
    history = model.fit(X, Y, batch_size=8, epochs=20, shuffle=False, verbose=0,
                        validation_data=(X, -Y), callbacks=[stop, epochs])
    assert len(history.history["loss"]) < 20  # stopped early: the restore matters
    best = min(range(len(epochs.weights)), key=lambda e: epochs.weights[e][0])
    assert best < len(epochs.weights) - 1
    _close(model.get_weights(), epochs.weights[best][1])


def test_terminate_on_nan_stops_at_the_batch_that_diverged():
    model = _linear(optimizers.SGD(1e18))
    seen = []

    class Losses(lamina.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            seen.append(float((logs() if callable(logs) else logs)["loss"]))

    history = model.fit(X, Y, batch_size=4, epochs=3, shuffle=False, verbose=0,
                        callbacks=[lamina.callbacks.TerminateOnNaN(), Losses()])
    assert model.stop_training and len(history.history["loss"]) == 1
    assert not np.isfinite(seen[-1]) and all(np.isfinite(seen[:-1]))


def test_a_dropped_model_is_freed_once_another_model_trains():
    """Nothing keeps a model alive for the state its last step left (JAX: pending state)."""
    import gc
    import weakref

    model = _linear()
    model.train_on_batch(X[:8], Y[:8])
    ref = weakref.ref(model)
    del model
    other = _linear(seed=1)
    other.train_on_batch(X[:8], Y[:8])
    gc.collect()
    assert ref() is None
