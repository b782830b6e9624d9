"""The training loop: fit/evaluate/predict semantics, checked against hand computations."""

import numpy as np
import pytest
import torch

import lamina
from lamina import layers
from lamina.errors import NotCompiledError, ShapeError


def linear_model(units=1, input_dim=3, **compile_kwargs):
    model = lamina.Sequential([layers.Dense(units, input_dim=input_dim)])
    model.compile(**({"optimizer": lamina.optimizers.SGD(0.1), "loss": "mse"} | compile_kwargs))
    return model


def data(n=64, d=3, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, d)).astype("float32")
    y = (x @ np.array([[1.0], [-2.0], [0.5]], "float32")[:d] + 0.3).astype("float32")
    return x, y


def test_one_sgd_step_equals_closed_form():
    model = linear_model()
    x, y = data(8)
    k, b = model.get_weights()
    model.fit(x, y, batch_size=8, epochs=1, shuffle=False, verbose=0)
    err = x @ k + b - y  # d(mse)/d(pred) = 2*err/n
    gk = 2 * x.T @ err / 8
    gb = 2 * err.sum(0) / 8
    k2, b2 = model.get_weights()
    np.testing.assert_allclose(k2, k - 0.1 * gk, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(b2, b - 0.1 * gb, rtol=1e-5, atol=1e-6)


def test_fit_learns_linear_regression_and_history():
    model = linear_model()
    x, y = data(256)
    hist = model.fit(x, y, batch_size=16, epochs=20, verbose=0, validation_split=0.25)
    assert set(hist.history) == {"loss", "val_loss"}
    assert len(hist.history["loss"]) == 20 and hist.epoch == list(range(20))
    assert hist.history["loss"][-1] < 1e-3
    k, b = model.get_weights()
    np.testing.assert_allclose(k.ravel(), [1.0, -2.0, 0.5], atol=0.02)
    assert model.history is hist


def test_reported_loss_is_the_sample_weighted_mean_over_the_epoch():
    model = linear_model(optimizer=lamina.optimizers.SGD(0.0))  # no learning: loss is fixed
    x, y = data(50)
    hist = model.fit(x, y, batch_size=16, epochs=1, verbose=0, shuffle=False)
    pred = model.predict(x, verbose=0)
    assert hist.history["loss"][0] == pytest.approx(float(((pred - y) ** 2).mean()), rel=1e-5)
    assert model.evaluate(x, y, verbose=0) == pytest.approx(float(((pred - y) ** 2).mean()), rel=1e-5)


def test_validation_split_uses_the_last_samples():
    x, y = data(100)
    a = linear_model(optimizer=lamina.optimizers.SGD(0.0))
    h1 = a.fit(x, y, epochs=1, validation_split=0.2, verbose=0)
    h2 = a.fit(x[:80], y[:80], epochs=1, validation_data=(x[80:], y[80:]), verbose=0)
    assert h1.history["val_loss"][0] == pytest.approx(h2.history["val_loss"][0], rel=1e-6)


def test_evaluate_returns_scalar_list_or_dict():
    model = linear_model(metrics=["mae"])
    x, y = data(32)
    res = model.evaluate(x, y, verbose=0)
    assert isinstance(res, list) and len(res) == 2
    d = model.evaluate(x, y, verbose=0, return_dict=True)
    assert set(d) == {"loss", "mae"} and d["loss"] == pytest.approx(res[0])
    pred = model.predict(x, verbose=0)
    assert d["mae"] == pytest.approx(float(np.abs(pred - y).mean()), rel=1e-5)
    assert model.metrics_names == ["loss", "mae"]
    plain = linear_model()
    assert isinstance(plain.evaluate(x, y, verbose=0), float)


def test_predict_concatenates_batches_and_matches_call():
    model = linear_model()
    x, _ = data(70)
    out = model.predict(x, batch_size=16, verbose=0)
    assert out.shape == (70, 1)
    np.testing.assert_allclose(out, lamina.ops.convert_to_numpy(model(x)), rtol=1e-6)
    np.testing.assert_allclose(model.predict_on_batch(x[:5]), out[:5], rtol=1e-6)


def test_train_on_batch_and_test_on_batch():
    model = linear_model(metrics=["mae"])
    x, y = data(16)
    before = model.test_on_batch(x, y)
    after = model.train_on_batch(x, y)
    assert len(before) == 2 and before[0] == pytest.approx(after[0])
    assert model.test_on_batch(x, y)[0] < before[0]
    assert set(model.train_on_batch(x, y, return_dict=True)) == {"loss", "mae"}


def test_sample_weight_zero_ignores_samples():
    x, y = data(32)
    y_bad = y.copy()
    y_bad[16:] = 1000.0
    sw = np.r_[np.ones(16), np.zeros(16)].astype("float32")
    a = linear_model()
    b = linear_model()
    b.set_weights(a.get_weights())
    k0, b0 = a.get_weights()
    a.fit(x[:16], y[:16], batch_size=32, epochs=1, shuffle=False, verbose=0)
    b.fit(x, y_bad, sample_weight=sw, batch_size=32, epochs=1, shuffle=False, verbose=0)
    # Keras's 'sum_over_batch_size': the weighted sum is divided by all 32 samples, so b's step
    # is exactly half of a's (which averages over its 16), and the 1000s have no effect.
    ka, ba = a.get_weights()
    kb, bb = b.get_weights()
    np.testing.assert_allclose(kb - k0, 0.5 * (ka - k0), rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(bb - b0, 0.5 * (ba - b0), rtol=1e-4, atol=1e-6)


def test_class_weight_scales_the_loss():
    x = np.ones((4, 1), "float32")
    y = np.array([[0], [0], [1], [1]], "float32")
    model = lamina.Sequential([layers.Dense(1, input_dim=1, use_bias=False, kernel_initializer="zeros")])
    model.compile(optimizer=lamina.optimizers.SGD(0.0), loss="mse")
    plain = model.fit(x, y, epochs=1, verbose=0).history["loss"][0]
    weighted = model.fit(x, y, class_weight={0: 1.0, 1: 3.0}, epochs=1, verbose=0).history["loss"][0]
    assert plain == pytest.approx(0.5)
    assert weighted == pytest.approx((0 + 0 + 3 + 3) / 4)


def test_set_random_seed_makes_fit_reproducible():
    x, y = data(64)

    def run():
        lamina.utils.set_random_seed(123)
        model = lamina.Sequential([layers.Dense(8, input_dim=3, activation="relu"), layers.Dropout(0.3), layers.Dense(1)])
        model.compile("adam", "mse")
        return model.fit(x, y, epochs=3, batch_size=8, verbose=0).history["loss"]

    assert run() == run()


def test_fit_accepts_generators_and_pydataset():
    x, y = data(64)

    class Batches(lamina.utils.PyDataset):
        def __len__(self):
            return 4

        def __getitem__(self, i):
            return x[i * 16:(i + 1) * 16], y[i * 16:(i + 1) * 16]

    model = linear_model()
    hist = model.fit(Batches(), epochs=2, verbose=0)
    assert len(hist.history["loss"]) == 2

    def gen():
        while True:
            for i in range(4):
                yield x[i * 16:(i + 1) * 16], y[i * 16:(i + 1) * 16]

    hist = model.fit(gen(), steps_per_epoch=4, epochs=2, verbose=0)
    assert hist.history["loss"][1] < hist.history["loss"][0]
    assert model.predict(Batches(), verbose=0).shape == (64, 1)
    assert isinstance(model.evaluate(Batches(), verbose=0), float)


def test_fit_accepts_torch_tensors():
    model = linear_model()
    x, y = data(32)
    hist = model.fit(torch.from_numpy(x), torch.from_numpy(y), epochs=1, verbose=0)
    assert np.isfinite(hist.history["loss"][0])


def test_multi_input_multi_output_dicts():
    a, b = lamina.Input((3,), name="a"), lamina.Input((2,), name="b")
    h = layers.Dense(8, activation="relu")(layers.concatenate([a, b]) if hasattr(layers, "concatenate") else a)
    out1 = layers.Dense(1, name="reg")(h)
    out2 = layers.Dense(3, activation="softmax", name="cls")(h)
    model = lamina.Model({"a": a, "b": b}, {"reg": out1, "cls": out2})
    model.compile("adam", loss={"reg": "mse", "cls": "sparse_categorical_crossentropy"},
                  loss_weights={"reg": 1.0, "cls": 0.5}, metrics={"cls": ["accuracy"]})
    rng = np.random.default_rng(0)
    xa, xb = rng.random((40, 3), dtype=np.float32), rng.random((40, 2), dtype=np.float32)
    ys = {"reg": rng.random((40, 1), dtype=np.float32), "cls": rng.integers(0, 3, (40,))}
    hist = model.fit({"a": xa, "b": xb}, ys, epochs=2, verbose=0)
    assert {"loss", "reg_loss", "cls_loss", "cls_accuracy"} <= set(hist.history)
    preds = model.predict({"a": xa, "b": xb}, verbose=0)
    assert preds["cls"].shape == (40, 3)


def test_errors_fit_before_compile_and_mismatched_lengths():
    model = lamina.Sequential([layers.Dense(1, input_dim=3)])
    with pytest.raises(NotCompiledError, match="compile"):
        model.fit(np.zeros((4, 3)), np.zeros((4, 1)))
    model.compile("sgd", "mse")
    with pytest.raises(ValueError, match=r"x: 10.*y: 9|different numbers of samples"):
        model.fit(np.zeros((10, 3)), np.zeros((9, 1)), verbose=0)
    with pytest.raises(ShapeError, match=r"expects \(batch,\) \+ \(3,\)"):
        model.fit(np.zeros((10, 4)), np.zeros((10, 1)), verbose=0)
    with pytest.raises(TypeError, match="Did you mean 'epochs'"):
        model.fit(np.zeros((4, 3)), np.zeros((4, 1)), epoch=3)


def test_integer_labels_to_categorical_crossentropy_explains_fix():
    model = lamina.Sequential([layers.Dense(4, input_dim=3, activation="softmax")])
    model.compile("adam", "categorical_crossentropy")
    with pytest.raises(ValueError, match="sparse_categorical_crossentropy|to_categorical"):
        model.fit(np.zeros((8, 3), "float32"), np.arange(8) % 4, verbose=0)


def test_terminate_on_nan_stops_and_says_where(capsys):
    model = linear_model(optimizer=lamina.optimizers.SGD(1e30))
    x, y = data(64)
    hist = model.fit(x, y * 1e10, batch_size=8, epochs=5, verbose=0,
                     callbacks=[lamina.callbacks.TerminateOnNaN()])
    out = capsys.readouterr().out
    assert "batch" in out.lower()
    assert len(hist.history.get("loss", [])) <= 1


def test_early_stopping_restores_best_weights():
    model = linear_model()
    x, y = data(64)
    es = lamina.callbacks.EarlyStopping(monitor="loss", patience=1, restore_best_weights=True, min_delta=10.0)
    hist = model.fit(x, y, epochs=20, verbose=0, callbacks=[es])
    assert len(hist.history["loss"]) == 2


def test_verbose_2_prints_one_line_per_epoch(capsys):
    model = linear_model()
    x, y = data(64)
    model.fit(x, y, epochs=3, verbose=2)
    out = capsys.readouterr().out
    assert out.count("Epoch ") == 3 and out.count("loss:") == 3


@pytest.mark.torch_only  # torch.optim and torch autograd through a lamina model (an nn.Module)
def test_model_call_under_torch_autograd_is_native():
    """A torch user can train a lamina model with torch.optim directly."""
    model = lamina.Sequential([layers.Dense(1, input_dim=3)])
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    x, y = (torch.from_numpy(a) for a in data(64))
    first = None
    for _ in range(50):
        loss = torch.nn.functional.mse_loss(model(x), y)
        first = first if first is not None else float(loss.detach())
        opt.zero_grad()
        loss.backward()
        opt.step()
    assert float(loss.detach()) < first / 10
