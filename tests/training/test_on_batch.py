"""train_on_batch / test_on_batch / predict_on_batch: the values of the batch, against NumPy.

A Dense(3, softmax) model, so the forward pass, the sparse categorical crossentropy and the
accuracy are a few lines of NumPy computed from the weights before each call.
"""

import numpy as np
import pytest

import lamina
from lamina import layers


def model(metrics=("accuracy",), lr=0.5):
    lamina.utils.set_random_seed(0)
    m = lamina.Sequential([lamina.Input((4,)), layers.Dense(3, activation="softmax")])
    m.compile(optimizer=lamina.optimizers.SGD(lr), loss="sparse_categorical_crossentropy",
              metrics=list(metrics))
    return m


def batch(n=8, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, 4)).astype("float32"), rng.integers(0, 3, n).astype("int64")


def np_losses(m, x, y):
    """Per-sample crossentropy and correctness at the model's current weights."""
    k, b = m.get_weights()
    z = x @ k + b
    p = np.exp(z - z.max(-1, keepdims=True))
    p /= p.sum(-1, keepdims=True)
    nll = -np.log(np.clip(p[np.arange(len(y)), y], 1e-7, 1 - 1e-7))
    return nll, (p.argmax(-1) == y).astype("float64")


def test_train_on_batch_returns_that_batch_at_the_weights_before_the_update():
    m = model()
    for seed in range(3):  # every call reports its own batch only (reset per call, Keras 3)
        x, y = batch(seed=seed)
        nll, correct = np_losses(m, x, y)
        w0 = m.get_weights()[0]
        loss, acc = m.train_on_batch(x, y)
        assert loss == pytest.approx(nll.mean(), rel=1e-5)
        assert acc == pytest.approx(correct.mean())
        assert not np.allclose(m.get_weights()[0], w0)  # and the update happened
    logs = m.train_on_batch(x, y, return_dict=True)
    assert list(logs) == ["loss", "accuracy"] and all(type(v) is float for v in logs.values())


def test_test_on_batch_is_the_batch_and_leaves_the_weights():
    m = model()
    m.train_on_batch(*batch(seed=5))
    for seed in range(2):
        x, y = batch(seed=seed)
        nll, correct = np_losses(m, x, y)
        w = m.get_weights()
        assert m.test_on_batch(x, y, return_dict=True) == {
            "loss": pytest.approx(nll.mean(), rel=1e-5), "accuracy": pytest.approx(correct.mean())}
        np.testing.assert_array_equal(m.get_weights()[0], w[0])
    k, b = m.get_weights()
    z = x @ k + b
    np.testing.assert_allclose(m.predict_on_batch(x), np.exp(z) / np.exp(z).sum(-1, keepdims=True), rtol=1e-5)


def test_sample_weight_and_class_weight_weigh_the_loss_not_the_metric():
    m = model(lr=0.0)
    x, y = batch(seed=1)
    nll, correct = np_losses(m, x, y)
    sw = np.linspace(0.0, 2.0, len(y)).astype("float32")
    loss, acc = m.train_on_batch(x, y, sample_weight=sw)
    assert loss == pytest.approx((nll * sw).sum() / len(y), rel=1e-5)  # sum_over_batch_size
    assert acc == pytest.approx(correct.mean())  # `metrics` are unweighted (weighted_metrics are)
    cw = {0: 0.5, 1: 2.0, 2: 3.0}
    loss = m.train_on_batch(x, y, class_weight=cw, return_dict=True)["loss"]
    assert loss == pytest.approx((nll * np.array([cw[c] for c in y])).sum() / len(y), rel=1e-5)
    assert m.test_on_batch(x, y, sample_weight=sw)[0] == pytest.approx((nll * sw).sum() / len(y), rel=1e-5)


def test_reset_metrics_false_accumulates_as_keras_2():
    m = model(lr=0.0)  # the weights stay, so every batch's NumPy values hold for the whole test
    (x1, y1), (x2, y2), (x3, y3) = batch(8, 1), batch(4, 2), batch(8, 3)
    (n1, c1), (n2, c2), (n3, c3) = np_losses(m, x1, y1), np_losses(m, x2, y2), np_losses(m, x3, y3)
    m.train_on_batch(x1, y1)  # resets: Keras 2 reset at its end, so batch 1 is not counted below
    loss, acc = m.train_on_batch(x2, y2, reset_metrics=False)
    assert (loss, acc) == (pytest.approx(n2.mean(), rel=1e-5), pytest.approx(c2.mean()))
    loss, acc = m.train_on_batch(x3, y3, reset_metrics=False)
    # the loss is a mean over samples (weighted by batch size), the accuracy over all samples
    assert loss == pytest.approx(np.r_[n2, n3].mean(), rel=1e-5)
    assert acc == pytest.approx(np.r_[c2, c3].mean())
    loss, acc = m.test_on_batch(x1, y1, reset_metrics=False)
    assert loss == pytest.approx(np.r_[n2, n3, n1].mean(), rel=1e-5)
    assert m.train_on_batch(x1, y1) == [pytest.approx(n1.mean(), rel=1e-5), pytest.approx(c1.mean())]


def test_metrics_hold_the_batch_after_the_call_as_in_keras_3():
    m = model()
    x, y = batch(seed=4)
    _, correct = np_losses(m, x, y)
    m.train_on_batch(x, y)
    results = [mm for mm in m.metrics if mm.name != "loss"][0].result()
    assert float(lamina.ops.convert_to_numpy(results["accuracy"])) == pytest.approx(correct.mean())
