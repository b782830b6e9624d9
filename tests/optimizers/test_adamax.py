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


def adamax_reference(lr, b1, b2, eps):
    def step(t, w, g, s):
        s["m"] = s["m"] + (g - s["m"]) * (1 - b1)
        s["u"] = np.maximum(b2 * s["u"], np.abs(g))
        return w - lr * s["m"] / ((1 - b1**t) * (s["u"] + eps))
    return step


def test_defaults():
    opt = optimizers.Adamax()
    assert (opt.learning_rate, opt.beta_1, opt.beta_2, opt.epsilon) == (0.001, 0.9, 0.999, 1e-7)


def test_matches_formula_and_keras():
    init, grads = problem(steps=6)
    kwargs = {"learning_rate": 0.05, "beta_1": 0.8, "beta_2": 0.9, "epsilon": 1e-3}
    ours = run_lamina(optimizers.Adamax(**kwargs), init, grads)
    assert_moved(ours, init)
    assert_close(ours, run_numpy(adamax_reference(0.05, 0.8, 0.9, 1e-3), {"m": 0.0, "u": 0.0}, init, grads))
    assert_close(ours, run_keras("Adamax", kwargs, init, grads))


def test_matches_torch_when_epsilon_is_zero():
    # torch puts eps inside the max (max(b2*u, |g| + eps)); at eps=0 the two agree.
    init, grads = problem(steps=6)
    ours = run_lamina(optimizers.Adamax(learning_rate=0.05, epsilon=0.0), init, grads)
    assert_close(ours, run_torch(torch.optim.Adamax, {"lr": 0.05, "eps": 0.0}, init, grads))


def test_slot_names():
    opt = optimizers.Adamax()
    opt.build([param(np.zeros((2,)))], paths=["d/b"])
    assert [v.name for v in opt.variables] == ["iteration", "learning_rate", "d_b_momentum", "d_b_norm"]


def test_bad_beta():
    with pytest.raises(ValueError, match=r"Adamax: `beta_2` must be a number in \[0.0, 1.0\); received beta_2=1"):
        optimizers.Adamax(beta_2=1)
