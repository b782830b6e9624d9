"""SwapEMAWeights: evaluation and prediction see the optimizer's moving averages; training
continues from the trained weights."""

import numpy as np
import pytest

import lamina
from lamina import layers, optimizers


def _model(use_ema=True):
    lamina.utils.set_random_seed(0)
    model = lamina.Sequential([lamina.Input((3,)), layers.Dense(4, activation="tanh"), layers.Dense(1)])
    model.compile(optimizers.SGD(0.1, use_ema=use_ema, ema_momentum=0.9), "mse")
    return model


X = np.random.default_rng(0).random((32, 3)).astype("float32")
Y = X.sum(1, keepdims=True)


def _averages(model):
    return [lamina.ops.convert_to_numpy(a).copy() for a in model.optimizer._averages]


def test_evaluate_and_predict_use_the_averages_then_restore():
    model = _model()
    for i in range(0, 32, 8):  # train_on_batch: no end-of-fit overwrite with the averages
        model.train_on_batch(X[i:i + 8], Y[i:i + 8])
    trained = [w.copy() for w in model.get_weights()]
    averages = _averages(model)
    assert max(np.abs(a - t).max() for a, t in zip(averages, trained)) > 1e-4  # they differ
    swap = lamina.callbacks.SwapEMAWeights()
    swap.set_model(model)
    loss_ema = model.evaluate(X, Y, verbose=0, callbacks=[swap])
    pred_ema = model.predict(X, verbose=0, callbacks=[swap])
    for got, want in zip(model.get_weights(), trained):
        np.testing.assert_array_equal(got, want)  # the trained weights are back
    for got, want in zip(_averages(model), averages):
        np.testing.assert_array_equal(got, want)  # and the averages are untouched
    model.set_weights(averages)
    np.testing.assert_allclose(loss_ema, model.evaluate(X, Y, verbose=0), rtol=1e-6)
    np.testing.assert_allclose(pred_ema, model.predict(X, verbose=0), rtol=1e-6)


def test_validation_during_fit_uses_the_averages():
    model = _model()
    swap = lamina.callbacks.SwapEMAWeights()
    seen = []

    class Probe(lamina.callbacks.Callback):
        def on_test_begin(self, logs=None):
            seen.append([w.copy() for w in self.model.get_weights()])

    history = model.fit(X, Y, epochs=2, batch_size=8, verbose=0, validation_data=(X, Y),
                        callbacks=[swap, Probe()])
    assert len(seen) == 2 and "val_loss" in history.history
    for got, want in zip(seen[-1], model.get_weights()):  # fit() ends with the averages written in
        np.testing.assert_allclose(got, want, rtol=1e-6)


def test_swap_on_epoch_leaves_the_averages_after_fit():
    model = _model()
    model.fit(X, Y, epochs=3, batch_size=8, verbose=0,
              callbacks=[lamina.callbacks.SwapEMAWeights(swap_on_epoch=True)])
    for got, want in zip(model.trainable_weights, _averages(model)):
        np.testing.assert_allclose(lamina.ops.convert_to_numpy(got.value), want, rtol=1e-6)


def test_needs_use_ema():
    model = _model(use_ema=False)
    with pytest.raises(ValueError, match=r"SwapEMAWeights needs an optimizer with moving averages: create it with use_ema=True"):
        model.fit(X, Y, epochs=1, verbose=0, callbacks=[lamina.callbacks.SwapEMAWeights()])
