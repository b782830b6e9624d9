import numpy as np
import pytest
import torch
from optimizer_cases import (
    assert_close,
    assert_moved,
    param,
    problem,
    run_keras,
    run_lamina,
    run_numpy,
    run_torch,
)

from lamina import optimizers


def adam_reference(lr, b1=0.9, b2=0.999, eps=1e-7, amsgrad=False, wd=0.0):
    def step(t, w, g, s):
        w = w - w * wd * lr
        s["m"] = s["m"] + (g - s["m"]) * (1 - b1)
        s["v"] = s["v"] + (g * g - s["v"]) * (1 - b2)
        v = s["v"]
        if amsgrad:
            s["vhat"] = np.maximum(s["vhat"], v)
            v = s["vhat"]
        alpha = lr * np.sqrt(1 - b2**t) / (1 - b1**t)
        return w - alpha * s["m"] / (np.sqrt(v) + eps)
    return step


SLOTS = {"m": 0.0, "v": 0.0, "vhat": 0.0}


def test_defaults():
    opt = optimizers.Adam()
    assert (opt.learning_rate, opt.beta_1, opt.beta_2, opt.epsilon, opt.amsgrad) == (0.001, 0.9, 0.999, 1e-7, False)
    assert opt.weight_decay is None


@pytest.mark.parametrize("amsgrad", [False, True])
def test_matches_formula_and_keras(amsgrad):
    init, grads = problem(steps=6)
    kwargs = {"learning_rate": 0.01, "beta_1": 0.8, "beta_2": 0.99, "epsilon": 1e-3, "amsgrad": amsgrad}
    ours = run_lamina(optimizers.Adam(**kwargs), init, grads)
    assert_moved(ours, init)
    assert_close(ours, run_numpy(adam_reference(0.01, 0.8, 0.99, 1e-3, amsgrad), SLOTS, init, grads))
    assert_close(ours, run_keras("Adam", kwargs, init, grads))


@pytest.mark.parametrize("amsgrad", [False, True])
def test_matches_torch_when_epsilon_is_zero(amsgrad):
    # Keras's epsilon is not bias-corrected (torch: sqrt(v_hat) + eps); at eps=0 the two agree.
    init, grads = problem(steps=6)
    ours = run_lamina(optimizers.Adam(learning_rate=0.01, epsilon=0.0, amsgrad=amsgrad), init, grads)
    theirs = run_torch(torch.optim.Adam, {"lr": 0.01, "eps": 0.0, "amsgrad": amsgrad}, init, grads)
    assert_close(ours, theirs)


def test_with_weight_decay_matches_formula_and_keras():
    init, grads = problem()
    kwargs = {"learning_rate": 0.05, "weight_decay": 0.1}
    ours = run_lamina(optimizers.Adam(**kwargs), init, grads)
    assert_close(ours, run_numpy(adam_reference(0.05, wd=0.1), SLOTS, init, grads))
    assert_close(ours, run_keras("Adam", kwargs, init, grads))


def test_slot_order_is_keras():
    init, _ = problem()
    opt = optimizers.Adam(amsgrad=True)
    opt.build([param(x) for x in init[:2]], paths=["seq/d/kernel", "seq/d/bias"])
    assert [v.path for v in opt.variables] == [
        "adam/iteration", "adam/learning_rate", "adam/seq_d_kernel_momentum", "adam/seq_d_kernel_velocity",
        "adam/seq_d_bias_momentum", "adam/seq_d_bias_velocity", "adam/seq_d_kernel_velocity_hat",
        "adam/seq_d_bias_velocity_hat"]
    assert [v.shape for v in opt.variables] == [(), (), (5, 4), (5, 4), (4,), (4,), (5, 4), (4,)]
    assert opt.variables[0].numpy().dtype == np.int32 and opt.variables[1].numpy().dtype == np.float32


@pytest.mark.parametrize("argname,value", [("beta_1", 1.0), ("beta_2", -0.1), ("epsilon", -1e-7)])
def test_bad_arguments(argname, value):
    with pytest.raises(ValueError, match=rf"Adam: `{argname}` must be .*; received {argname}={value}"):
        optimizers.Adam(**{argname: value})
