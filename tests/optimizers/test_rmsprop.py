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


def rmsprop_reference(lr, rho, momentum, eps, centered):
    def step(t, w, g, s):
        s["v"] = rho * s["v"] + (1 - rho) * g * g
        if centered:
            s["a"] = rho * s["a"] + (1 - rho) * g
            denom = s["v"] - s["a"] ** 2 + eps
        else:
            denom = s["v"] + eps
        increment = lr * g / denom**0.5
        if momentum > 0:
            s["m"] = momentum * s["m"] + increment
            return w - s["m"]
        return w - increment
    return step


def test_defaults():
    opt = optimizers.RMSprop()
    assert (opt.learning_rate, opt.rho, opt.momentum, opt.epsilon, opt.centered) == (0.001, 0.9, 0.0, 1e-7, False)


@pytest.mark.parametrize("momentum,centered", [(0.0, False), (0.5, False), (0.0, True), (0.9, True)])
def test_matches_formula_and_keras(momentum, centered):
    init, grads = problem()
    kwargs = {"learning_rate": 0.01, "rho": 0.8, "momentum": momentum, "epsilon": 1e-3, "centered": centered}
    ours = run_lamina(optimizers.RMSprop(**kwargs), init, grads)
    assert_moved(ours, init)
    ref = run_numpy(rmsprop_reference(0.01, 0.8, momentum, 1e-3, centered), {"v": 0, "a": 0, "m": 0}, init, grads)
    assert_close(ours, ref)
    assert_close(ours, run_keras("RMSprop", kwargs, init, grads))


@pytest.mark.parametrize("momentum,centered", [(0.0, False), (0.5, False), (0.0, True), (0.9, True)])
def test_matches_torch_when_epsilon_is_zero(momentum, centered):
    # torch.optim.RMSprop's alpha is Keras's rho; its momentum buffer is Keras's divided by lr.
    init, grads = problem()
    ours = run_lamina(optimizers.RMSprop(learning_rate=0.01, rho=0.8, momentum=momentum, epsilon=0.0,
                                         centered=centered), init, grads)
    theirs = run_torch(torch.optim.RMSprop, {"lr": 0.01, "alpha": 0.8, "momentum": momentum, "eps": 0.0,
                                             "centered": centered}, init, grads)
    assert_close(ours, theirs, atol=1e-5)


def test_epsilon_sits_inside_the_square_root():
    # Keras: sqrt(v + eps); torch: sqrt(v) + eps. With a large epsilon they visibly differ.
    init, grads = problem(scale=0.01)
    ours = run_lamina(optimizers.RMSprop(learning_rate=0.01, epsilon=1e-4), init, grads)
    inside = run_numpy(rmsprop_reference(0.01, 0.9, 0.0, 1e-4, False), {"v": 0}, init, grads)
    outside = run_torch(torch.optim.RMSprop, {"lr": 0.01, "alpha": 0.9, "eps": 1e-4}, init, grads)
    assert_close(ours, inside)
    assert max(abs(a - b).max() for a, b in zip(ours, outside)) > 1e-3


def test_slot_order_is_keras():
    init, _ = problem()
    opt = optimizers.RMSprop(momentum=0.5, centered=True)
    opt.build([param(x) for x in init[:2]], paths=["d/kernel", "d/bias"])
    assert [v.name for v in opt.variables] == [
        "iteration", "learning_rate", "d_kernel_velocity", "d_bias_velocity", "d_kernel_momentum",
        "d_bias_momentum", "d_kernel_average_gradient", "d_bias_average_gradient"]


@pytest.mark.parametrize("rho", [-0.5, 1.1])
def test_bad_rho(rho):
    with pytest.raises(ValueError, match=rf"RMSprop: `rho` must be a number in \[0.0, 1.0\]; received rho={rho}"):
        optimizers.RMSprop(rho=rho)


def test_epsilon_none_is_the_keras_2_default():
    assert optimizers.RMSprop(epsilon=None).epsilon == 1e-7
