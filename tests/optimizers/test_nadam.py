import numpy as np
import pytest
import torch
from optimizer_cases import assert_close, assert_moved, param, problem, run_keras, run_lamina, run_torch

from lamina import optimizers


def nadam_reference(init, grads, lr, b1, b2, eps):
    ws = [x.astype(np.float64) for x in init]
    m = [np.zeros_like(w) for w in ws]
    v = [np.zeros_like(w) for w in ws]
    product = 1.0
    for t, gs in enumerate(grads, start=1):
        u_t = b1 * (1 - 0.5 * 0.96**t)
        u_next = b1 * (1 - 0.5 * 0.96 ** (t + 1))
        product *= u_t
        for i, g in enumerate(gs):
            m[i] = b1 * m[i] + (1 - b1) * g
            v[i] = b2 * v[i] + (1 - b2) * g * g
            m_hat = u_next * m[i] / (1 - product * u_next) + (1 - u_t) * g / (1 - product)
            ws[i] = ws[i] - lr * m_hat / (np.sqrt(v[i] / (1 - b2**t)) + eps)
    return ws, product


def test_defaults():
    opt = optimizers.Nadam()
    assert (opt.learning_rate, opt.beta_1, opt.beta_2, opt.epsilon) == (0.001, 0.9, 0.999, 1e-7)


def test_matches_formula_torch_and_keras():
    init, grads = problem(steps=6)
    kwargs = {"learning_rate": 0.05, "beta_1": 0.9, "beta_2": 0.99, "epsilon": 1e-3}
    opt = optimizers.Nadam(**kwargs)
    ours = run_lamina(opt, init, grads)
    assert_moved(ours, init)
    ref, product = nadam_reference(init, grads, 0.05, 0.9, 0.99, 1e-3)
    assert_close(ours, ref)
    # torch.optim.NAdam with momentum_decay=1 uses Keras 3's schedule 0.96**t (and the same eps).
    theirs = run_torch(torch.optim.NAdam, {"lr": 0.05, "betas": (0.9, 0.99), "eps": 1e-3, "momentum_decay": 1.0},
                       init, grads)
    assert_close(ours, theirs)
    assert_close(ours, run_keras("Nadam", kwargs, init, grads))
    # The running momentum product is the last saved variable, as in Keras.
    assert opt.variables[-1].name == "variable"
    assert np.isclose(opt.variables[-1].numpy(), product)


def test_u_product_survives_a_save_and_load():
    init, grads = problem(steps=4)
    a = optimizers.Nadam(learning_rate=0.05)
    run_lamina(a, init, grads[:2])
    b = optimizers.Nadam(learning_rate=0.05)
    params = [param(x) for x in init]
    b.build(params)
    b.set_weights(a.get_weights())
    assert b.iterations == 2 and np.isclose(b._u_product, a._u_product)


def test_schedule_decay_is_explained():
    with pytest.raises(ValueError, match="Nadam: `schedule_decay=0.004` is a Keras 1/2 argument"):
        optimizers.Nadam(schedule_decay=0.004)
