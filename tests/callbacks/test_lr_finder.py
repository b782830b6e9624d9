"""LRFinder / model.find_learning_rate: the sweep's rates and losses, the suggestion, and the
model left exactly as it was (a fit afterwards equals a fit without the sweep)."""

import math

import numpy as np
import pytest

import lamina as keras


def _setup(seed=0):
    keras.utils.set_random_seed(seed)
    rng = np.random.RandomState(1)
    x = rng.rand(256, 5).astype("float32")
    y = x @ rng.rand(5, 1).astype("float32")
    model = keras.Sequential([keras.Input((5,)), keras.layers.Dense(16, activation="relu"),
                              keras.layers.Dropout(0.2), keras.layers.Dense(1)])
    model.compile(keras.optimizers.Adam(1e-3), "mse")
    return model, x, y


def test_find_learning_rate_leaves_the_model_exactly_as_it_was():
    model, x, y = _setup()
    model.fit(x, y, batch_size=32, epochs=1, verbose=0)  # a built optimizer with state
    before = [w.copy() for w in model.get_weights()]
    opt_before = [np.array(w) for w in model.optimizer.get_weights()]
    history = model.history
    finder = model.find_learning_rate(x, y, batch_size=32, num_steps=40, divergence=None)
    assert len(finder.learning_rates) == 40 and len(finder.losses) == 40
    for a, b in zip(model.get_weights(), before):
        assert np.array_equal(a, b)
    for a, b in zip(model.optimizer.get_weights(), opt_before):
        assert np.array_equal(np.array(a), b)
    assert model.history is history and float(model.optimizer.learning_rate) == pytest.approx(1e-3)
    after = model.fit(x, y, batch_size=32, epochs=2, verbose=0).history["loss"]

    ref, x, y = _setup()  # the same run without the sweep
    ref.fit(x, y, batch_size=32, epochs=1, verbose=0)
    assert ref.fit(x, y, batch_size=32, epochs=2, verbose=0).history["loss"] == after
    for a, b in zip(model.get_weights(), ref.get_weights()):
        assert np.array_equal(a, b)


def test_rates_are_geometric_and_losses_are_the_batch_losses():
    model, x, y = _setup()
    finder = keras.callbacks.LRFinder(1e-4, 1.0, num_steps=16, smoothing=0.0, divergence=None)
    seen = []

    class Batch(keras.callbacks.Callback):  # the loss of each batch, from its own evaluation
        def on_train_batch_begin(self, batch, logs=None):
            seen.append(float(model.optimizer.learning_rate))

    model.fit(x, y, batch_size=32, epochs=2, shuffle=False, verbose=0, callbacks=[finder, Batch()])
    expected = [1e-4 * (1e4 ** (i / 15)) for i in range(16)]
    np.testing.assert_allclose(finder.learning_rates, expected, rtol=1e-12)
    np.testing.assert_allclose(seen, expected, rtol=1e-6)
    # smoothing=0: the recorded loss is the batch loss; its first value is the first batch's
    probe, _, _ = _setup()
    first = probe.train_on_batch(x[:32], y[:32])
    assert finder.raw_losses[0] == pytest.approx(first, rel=1e-5)
    assert finder.losses == finder.raw_losses


def test_divergence_stops_the_sweep_and_the_suggestion_is_on_the_falling_part():
    model, x, y = _setup()
    finder = model.find_learning_rate(x, y, batch_size=16, min_lr=1e-5, max_lr=100.0, num_steps=200)
    assert len(finder.learning_rates) < 200  # the loss blew up before the end
    best = finder.suggestion()
    assert 1e-5 < best < finder.learning_rates[-1]
    i = finder.learning_rates.index(best)
    assert finder.losses[i] < finder.losses[0]
    assert not math.isnan(best)


def test_plot_marks_the_suggestion(tmp_path):
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    model, x, y = _setup()
    finder = model.find_learning_rate(x, y, batch_size=16, num_steps=60)
    ax = finder.plot(to_file=tmp_path / "lr.png")
    assert ax.get_xscale() == "log" and "suggestion" in ax.get_legend().get_texts()[0].get_text()
    assert (tmp_path / "lr.png").stat().st_size > 0


@pytest.mark.parametrize("kw,msg", [
    (dict(min_lr=1.0, max_lr=0.1), r"expected 0 < min_lr < max_lr; received min_lr=1.0, max_lr=0.1"),
    (dict(num_steps=1), r"num_steps must be an integer >= 2; received 1"),
    (dict(smoothing=1.0), r"smoothing must be in \[0, 1\); received 1.0"),
])
def test_bad_arguments(kw, msg):
    with pytest.raises(ValueError, match=msg):
        keras.callbacks.LRFinder(**kw)
