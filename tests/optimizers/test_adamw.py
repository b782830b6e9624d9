import pytest
import torch
from optimizer_cases import assert_close, assert_moved, problem, run_keras, run_lamina, run_numpy, run_torch
from test_adam import SLOTS, adam_reference

from lamina import optimizers


def test_defaults():
    opt = optimizers.AdamW()
    assert (opt.learning_rate, opt.weight_decay, opt.epsilon) == (0.001, 0.004, 1e-7)
    assert opt.name == "adam_w"
    assert opt.get_config()["weight_decay"] == 0.004


def test_matches_formula_and_keras():
    init, grads = problem()
    kwargs = {"learning_rate": 0.05, "weight_decay": 0.2}
    ours = run_lamina(optimizers.AdamW(**kwargs), init, grads)
    assert_moved(ours, init)
    assert_close(ours, run_numpy(adam_reference(0.05, wd=0.2), SLOTS, init, grads))
    assert_close(ours, run_keras("AdamW", kwargs, init, grads))


def test_matches_torch_when_epsilon_is_zero():
    init, grads = problem()
    ours = run_lamina(optimizers.AdamW(learning_rate=0.05, weight_decay=0.2, epsilon=0.0), init, grads)
    theirs = run_torch(torch.optim.AdamW, {"lr": 0.05, "weight_decay": 0.2, "eps": 0.0}, init, grads)
    assert_close(ours, theirs)


def test_weight_decay_none_is_refused():
    with pytest.raises(ValueError, match="AdamW: `weight_decay` must be a float >= 0; received weight_decay=None"):
        optimizers.AdamW(weight_decay=None)
