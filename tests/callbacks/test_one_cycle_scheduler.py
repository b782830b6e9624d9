"""OneCycleScheduler: the learning rate and momentum of every batch equal
torch.optim.lr_scheduler.OneCycleLR's."""

import numpy as np
import pytest

import lamina as keras

torch = pytest.importorskip("torch")


def _torch_schedule(total, opt_name="sgd", **kw):
    p = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([p], lr=0.1, momentum=0.9) if opt_name == "sgd" else torch.optim.Adam([p])
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, total_steps=total, **kw)
    lrs, moms = [], []
    for _ in range(total):
        g = opt.param_groups[0]
        lrs.append(g["lr"])
        moms.append(g["momentum"] if opt_name == "sgd" else g["betas"][0])
        opt.step()
        sched.step()
    return lrs, moms


def _ours(optimizer, epochs=3, **kw):
    rng = np.random.RandomState(0)
    x, y = rng.rand(40, 3).astype("float32"), rng.rand(40, 1).astype("float32")
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.compile(optimizer, "mse")
    lrs, moms = [], []
    attr = "momentum" if isinstance(optimizer, keras.optimizers.SGD) else "beta_1"

    class Record(keras.callbacks.Callback):
        def on_train_batch_begin(self, batch, logs=None):
            lrs.append(float(model.optimizer.learning_rate))
            moms.append(getattr(model.optimizer, attr))

    model.fit(x, y, batch_size=8, epochs=epochs, verbose=0,
              callbacks=[keras.callbacks.OneCycleScheduler(**kw), Record()])
    return lrs, moms


@pytest.mark.parametrize("kw", [
    dict(max_lr=0.5),
    dict(max_lr=0.2, pct_start=0.25, anneal_strategy="linear", div_factor=10.0, final_div_factor=100.0),
    dict(max_lr=1.0, three_phase=True, base_momentum=0.8, max_momentum=0.9),
])
def test_matches_torch_one_cycle_lr_with_sgd(kw):
    lrs, moms = _ours(keras.optimizers.SGD(0.1, momentum=0.9), **kw)
    t_lrs, t_moms = _torch_schedule(15, **kw)  # 5 batches x 3 epochs
    np.testing.assert_allclose(lrs, t_lrs, rtol=1e-6)  # the optimizer keeps the rate in float32
    np.testing.assert_allclose(moms, t_moms, rtol=1e-12)
    assert max(lrs) == pytest.approx(kw["max_lr"], rel=0.05)


def test_cycles_adams_beta_1():
    lrs, moms = _ours(keras.optimizers.Adam(), max_lr=0.01, total_steps=20)
    t_lrs, t_moms = _torch_schedule(20, "adam", max_lr=0.01)
    np.testing.assert_allclose(lrs, t_lrs[:15], rtol=1e-6)
    np.testing.assert_allclose(moms, t_moms[:15], rtol=1e-12)


def test_plain_sgd_without_momentum_is_refused_unless_cycle_momentum_is_off():
    with pytest.raises(ValueError, match=r"cycle_momentum=True but SGD has no momentum to cycle.*SGD\(momentum=0.9\)"):
        _ours(keras.optimizers.SGD(0.1), max_lr=0.1)
    lrs, _ = _ours(keras.optimizers.SGD(0.1), max_lr=0.1, cycle_momentum=False)
    np.testing.assert_allclose(lrs, _torch_schedule(15, max_lr=0.1)[0], rtol=1e-6)


def test_running_past_total_steps_is_a_clear_error():
    with pytest.raises(ValueError, match=r"batch 11 is past the cycle's total_steps=10"):
        _ours(keras.optimizers.SGD(0.1, momentum=0.9), max_lr=0.1, total_steps=10)


@pytest.mark.parametrize("kw,msg", [
    (dict(max_lr=0), "max_lr must be > 0"),
    (dict(max_lr=0.1, pct_start=1.0), r"pct_start must be in \(0, 1\)"),
    (dict(max_lr=0.1, anneal_strategy="cosine"), "anneal_strategy must be 'cos' or 'linear'"),
    (dict(max_lr=0.1, total_steps=1), "total_steps must be an integer >= 2"),
])
def test_bad_arguments(kw, msg):
    with pytest.raises(ValueError, match=msg):
        keras.callbacks.OneCycleScheduler(**kw)
