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


def adagrad_reference(lr, eps):
    def step(t, w, g, s):
        s["acc"] = s["acc"] + g * g
        return w - lr * g / np.sqrt(s["acc"] + eps)
    return step


def test_defaults():
    opt = optimizers.Adagrad()
    assert (opt.learning_rate, opt.initial_accumulator_value, opt.epsilon) == (0.001, 0.1, 1e-7)


@pytest.mark.parametrize("initial", [0.1, 0.5])
def test_matches_formula_and_keras(initial):
    init, grads = problem()
    kwargs = {"learning_rate": 0.1, "initial_accumulator_value": initial, "epsilon": 1e-3}
    ours = run_lamina(optimizers.Adagrad(**kwargs), init, grads)
    assert_moved(ours, init)
    assert_close(ours, run_numpy(adagrad_reference(0.1, 1e-3), {"acc": initial}, init, grads))
    assert_close(ours, run_keras("Adagrad", kwargs, init, grads))


def test_matches_torch_when_epsilon_is_zero():
    init, grads = problem()
    ours = run_lamina(optimizers.Adagrad(learning_rate=0.1, epsilon=0.0), init, grads)
    theirs = run_torch(torch.optim.Adagrad, {"lr": 0.1, "initial_accumulator_value": 0.1, "eps": 0.0}, init, grads)
    assert_close(ours, theirs)


def test_accumulator_starts_at_initial_value():
    opt = optimizers.Adagrad(initial_accumulator_value=0.25)
    opt.build([param(np.zeros((2, 3)))])
    assert opt.variables[2].name == "variable_accumulator"
    np.testing.assert_array_equal(opt.variables[2].numpy(), np.full((2, 3), 0.25, "float32"))


def test_negative_initial_accumulator_value():
    with pytest.raises(ValueError, match="Adagrad: `initial_accumulator_value` must be a number >= 0.0; received"):
        optimizers.Adagrad(initial_accumulator_value=-1)
