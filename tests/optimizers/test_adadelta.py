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


def adadelta_reference(lr, rho, eps):
    def step(t, w, g, s):
        s["G"] = rho * s["G"] + (1 - rho) * g * g
        delta = np.sqrt(s["D"] + eps) / np.sqrt(s["G"] + eps) * g
        s["D"] = rho * s["D"] + (1 - rho) * delta * delta
        return w - lr * delta
    return step


def test_defaults():
    opt = optimizers.Adadelta()
    assert (opt.learning_rate, opt.rho, opt.epsilon) == (0.001, 0.95, 1e-7)


def test_matches_formula_torch_and_keras():
    init, grads = problem(steps=6)
    kwargs = {"learning_rate": 1.0, "rho": 0.9, "epsilon": 1e-6}
    ours = run_lamina(optimizers.Adadelta(**kwargs), init, grads)
    assert_moved(ours, init)
    assert_close(ours, run_numpy(adadelta_reference(1.0, 0.9, 1e-6), {"G": 0.0, "D": 0.0}, init, grads))
    assert_close(ours, run_torch(torch.optim.Adadelta, {"lr": 1.0, "rho": 0.9, "eps": 1e-6}, init, grads))
    assert_close(ours, run_keras("Adadelta", kwargs, init, grads))


def test_slot_order_is_keras():
    opt = optimizers.Adadelta()
    opt.build([param(np.zeros((2,))), param(np.zeros((3,)))], paths=["a/w", "b/w"])
    assert [v.name for v in opt.variables][2:] == [
        "a_w_accumulated_grad", "a_w_accumulated_delta_var", "b_w_accumulated_grad", "b_w_accumulated_delta_var"]


def test_bad_rho():
    with pytest.raises(ValueError, match="Adadelta: `rho` must be a number in"):
        optimizers.Adadelta(rho=2)
