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


def sgd_reference(lr, momentum=0.0, nesterov=False):
    def step(t, w, g, s):
        if momentum == 0:
            return w - lr * g
        s["m"] = momentum * s["m"] - lr * g
        return w + (momentum * s["m"] - lr * g if nesterov else s["m"])
    return step


def test_defaults():
    opt = optimizers.SGD()
    assert (opt.learning_rate, opt.momentum, opt.nesterov) == (0.01, 0.0, False)
    assert opt.name == "sgd"


def test_plain_sgd_matches_torch_and_formula():
    init, grads = problem()
    ours = run_lamina(optimizers.SGD(learning_rate=0.1), init, grads)
    assert_moved(ours, init)
    assert_close(ours, run_torch(torch.optim.SGD, {"lr": 0.1}, init, grads))
    assert_close(ours, run_numpy(sgd_reference(0.1), {}, init, grads))


@pytest.mark.parametrize("nesterov", [False, True])
def test_momentum_matches_torch_and_formula(nesterov):
    # Keras keeps m = momentum*m - lr*g, torch keeps buf = momentum*buf + g: with a constant
    # learning rate m == -lr*buf, so the variables agree.
    init, grads = problem(steps=6)
    opt = optimizers.SGD(learning_rate=0.05, momentum=0.9, nesterov=nesterov)
    ours = run_lamina(opt, init, grads)
    theirs = run_torch(torch.optim.SGD, {"lr": 0.05, "momentum": 0.9, "nesterov": nesterov}, init, grads)
    assert_close(ours, theirs)
    assert_close(ours, run_numpy(sgd_reference(0.05, 0.9, nesterov), {"m": 0.0}, init, grads))


@pytest.mark.parametrize("kwargs", [{}, {"momentum": 0.9}, {"momentum": 0.5, "nesterov": True}])
def test_matches_keras(kwargs):
    init, grads = problem()
    kwargs = {"learning_rate": 0.1, **kwargs}
    assert_close(run_lamina(optimizers.SGD(**kwargs), init, grads), run_keras("SGD", kwargs, init, grads))


def test_slots_only_with_momentum():
    init, _ = problem()
    params = [param(x) for x in init]
    plain, heavy = optimizers.SGD(), optimizers.SGD(momentum=0.9)
    plain.build(params)
    heavy.build(params, paths=["dense/kernel", "dense/bias", "conv/kernel"])
    assert [v.name for v in plain.variables] == ["iteration", "learning_rate"]
    assert [v.path for v in heavy.variables][2:] == [
        "sgd_1/dense_kernel_momentum", "sgd_1/dense_bias_momentum", "sgd_1/conv_kernel_momentum"]


@pytest.mark.parametrize("momentum", [-0.1, 1.5, "0.9"])
def test_bad_momentum(momentum):
    with pytest.raises(ValueError, match=r"SGD: `momentum` must be a number in \[0.0, 1.0\]; received momentum="):
        optimizers.SGD(momentum=momentum)


def test_config_round_trip():
    opt = optimizers.SGD(learning_rate=0.2, momentum=0.8, nesterov=True, name="s")
    config = opt.get_config()
    assert config["momentum"] == 0.8 and config["nesterov"] is True and config["learning_rate"] == 0.2
    assert optimizers.SGD.from_config(config).get_config() == config
    assert np.isclose(optimizers.SGD.from_config(config).learning_rate, 0.2)
