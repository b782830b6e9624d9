"""Lion, Lamb, Ftrl, Adafactor and Muon against Keras 3 step by step (same initial weights, same
gradients), against NumPy formulas, and their configs both ways."""

import numpy as np
import pytest
import torch
from optimizer_cases import (
    assert_close,
    assert_moved,
    param,
    parameters,
    problem,
    run_numpy,
    tensor,
    value,
)

from lamina import optimizers
from tests.keras3 import keras3

CASES = [
    ("Lion", {"learning_rate": 0.01}),
    ("Lion", {"learning_rate": 0.02, "beta_1": 0.7, "beta_2": 0.9, "weight_decay": 0.1}),
    ("Lamb", {"learning_rate": 0.05}),
    ("Lamb", {"learning_rate": 0.05, "beta_1": 0.8, "beta_2": 0.95, "epsilon": 1e-3}),
    ("Ftrl", {"learning_rate": 0.1}),
    ("Ftrl", {"learning_rate": 0.1, "learning_rate_power": -0.7, "initial_accumulator_value": 0.5,
              "l1_regularization_strength": 0.05, "l2_regularization_strength": 0.1,
              "l2_shrinkage_regularization_strength": 0.02, "beta": 0.3}),
    ("Adafactor", {"learning_rate": 0.05}),
    ("Adafactor", {"learning_rate": 0.5, "beta_2_decay": -0.6, "epsilon_2": 1e-2, "clip_threshold": 0.5}),
    ("Adafactor", {"learning_rate": 0.05, "relative_step": False}),
    ("Muon", {"learning_rate": 0.02}),  # (5, 4) takes the Muon step; (4,) and (3, 2, 2) AdamW
    ("Muon", {"learning_rate": 0.02, "nesterov": False, "momentum": 0.8, "ns_steps": 3,
              "rms_rate": None, "adam_lr_ratio": 0.5, "weight_decay": 0.1, "adam_weight_decay": 0.0}),
]
IDS = [f"{n}{sorted(k.items())}" for n, k in CASES]


def _step_by_step(name, kwargs, steps=6):
    """lamina and Keras from the same weights with the same gradients, compared after every step."""
    keras = keras3()
    init, grads = problem(steps=steps, seed=3)
    ours_params = parameters(init)
    ours = getattr(optimizers, name)(**kwargs)
    theirs_vars = [keras.Variable(torch.tensor(x)) for x in init]
    theirs = getattr(keras.optimizers, name)(**kwargs)
    for g in grads:
        ours.apply([tensor(x) for x in g], ours_params)
        theirs.apply([torch.tensor(x) for x in g], theirs_vars)
        assert_close([value(p) for p in ours_params],
                     [v.value.detach().cpu().numpy() for v in theirs_vars], atol=2e-6, rtol=2e-5)
    return init, [value(p).astype(np.float64) for p in ours_params]


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.parametrize("name,kwargs", CASES, ids=IDS)
def test_matches_keras_step_by_step(name, kwargs):
    init, final = _step_by_step(name, kwargs)
    assert_moved(final, init)


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.parametrize("name,kwargs", CASES, ids=IDS)
def test_config_round_trips_with_keras(name, kwargs):
    keras = keras3()
    ours = getattr(optimizers, name)(**kwargs)
    theirs = getattr(keras.optimizers, name)(**kwargs)
    mine, their_config = _f32(ours.get_config()), _f32(theirs.get_config())
    assert {k: v for k, v in mine.items() if k != "name"} == {k: v for k, v in their_config.items() if k != "name"}
    back = optimizers.deserialize(keras.optimizers.serialize(theirs))
    assert type(back) is type(ours) and _f32(back.get_config()) == their_config
    # keras.saving: Keras 3.15's keras.optimizers.deserialize leaves Lamb out of its table.
    forth = keras.saving.deserialize_keras_object(optimizers.serialize(ours))
    assert type(forth) is type(theirs) and _f32(forth.get_config()) == mine


def _f32(config):
    """Keras keeps the learning rate in a float32 variable: compare it at that precision."""
    return {**config, "learning_rate": float(np.float32(config["learning_rate"]))}


def test_lion_formula():
    init, grads = problem(steps=5)

    def step(t, w, g, s):
        update = np.sign(0.9 * s["m"] + 0.1 * g)
        s["m"] = 0.99 * s["m"] + 0.01 * g
        return w - 0.01 * update

    params = parameters(init)
    opt = optimizers.Lion(learning_rate=0.01)
    for g in grads:
        opt.apply([tensor(x) for x in g], params)
    assert_close([value(p) for p in params], run_numpy(step, {"m": 0.0}, init, grads))


def test_lamb_trust_ratio_formula():
    init, grads = problem(steps=4)
    b1, b2, eps, lr = 0.9, 0.999, 1e-7, 0.05

    def step(t, w, g, s):
        s["m"] = b1 * s["m"] + (1 - b1) * g
        s["v"] = b2 * s["v"] + (1 - b2) * g * g
        r = (s["m"] / (1 - b1**t)) / (np.sqrt(s["v"] / (1 - b2**t)) + eps)
        return w - lr * np.linalg.norm(w) / np.linalg.norm(r) * r

    params = parameters(init)
    opt = optimizers.Lamb(learning_rate=lr)
    for g in grads:
        opt.apply([tensor(x) for x in g], params)
    assert_close([value(p) for p in params], run_numpy(step, {"m": 0.0, "v": 0.0}, init, grads))


def test_ftrl_l1_gives_exact_zeros():
    init, grads = problem(steps=3, scale=0.01)
    params = parameters(init)
    opt = optimizers.Ftrl(learning_rate=0.1, l1_regularization_strength=10.0)
    for g in grads:
        opt.apply([tensor(x) for x in g], params)
    assert all((value(p) == 0).all() for p in params)


def test_adafactor_keeps_factored_state_for_matrices():
    opt = optimizers.Adafactor()
    opt.build([param(np.zeros((5, 4))), param(np.zeros((4,)))], paths=["d/k", "d/b"])
    shapes = {v.name: tuple(v.numpy().shape) for v in opt.variables}
    assert shapes["d_k_row"] == (5,) and shapes["d_k_col"] == (4,) and shapes["d_b_velocity"] == (4,)


def test_bad_arguments_name_the_fix():
    with pytest.raises(ValueError, match=r"Lion: `beta_1` must be a number in \(0, 1\]; received beta_1=0"):
        optimizers.Lion(beta_1=0)
    with pytest.raises(ValueError, match=r"Ftrl: `learning_rate_power` must be a number <= 0; received learning_rate_power=0.5"):
        optimizers.Ftrl(learning_rate_power=0.5)
    with pytest.raises(ValueError, match=r"Ftrl: `l1_regularization_strength` must be a number >= 0.0"):
        optimizers.Ftrl(l1_regularization_strength=-1)


def test_muon_orthogonalises_the_matrix_update():
    # One step from zero momentum with rms_rate=None: w moves by lr * NS5(g), whose singular
    # values are all close to 1 (the point of Muon).
    g = np.random.default_rng(1).normal(size=(6, 4)).astype("float32")
    w = param(np.zeros((6, 4)))
    optimizers.Muon(learning_rate=1.0, rms_rate=None, weight_decay=None, nesterov=False).apply([tensor(g)], [w])
    s = np.linalg.svd(-value(w), compute_uv=False)
    assert s.min() > 0.6 and s.max() < 1.25, s


@pytest.mark.parametrize("name", ["lion", "lamb", "ftrl", "adafactor", "muon"])
def test_names_resolve(name):
    assert type(optimizers.get(name)).__name__.lower() == name
