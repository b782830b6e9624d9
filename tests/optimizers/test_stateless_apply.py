"""Optimizer.stateless_apply: the same update as apply(), as a function of values."""

import numpy as np
import pytest

import lamina
from lamina import ops
from tests.keras3 import keras3

RNG = np.random.default_rng(0)
W = [RNG.random((3, 2), dtype=np.float32), RNG.random((2,), dtype=np.float32)]
G = [[RNG.standard_normal(w.shape).astype("float32") for w in W] for _ in range(3)]


@pytest.mark.parametrize("name", ["SGD", "RMSprop", "Adam", "Adagrad", "Adadelta", "Adamax", "Nadam"])
def test_stateless_apply_matches_apply_and_changes_nothing(name):
    cls = getattr(lamina.optimizers, name)
    kw = {"momentum": 0.9} if name in ("SGD", "RMSprop") else {}
    ref, opt = cls(**kw), cls(**kw)
    ref_w = [lamina.backend.Variable(w.copy()) for w in W]  # apply() updates these
    w = [ops.convert_to_tensor(x.copy()) for x in W]
    ref.build(ref_w)
    opt.build(w)
    state = [v.numpy() for v in opt.variables]
    initial = [v.numpy() for v in opt.variables]
    values = [ops.convert_to_tensor(x.copy()) for x in W]
    for g in G:
        ref.apply([ops.convert_to_tensor(x) for x in g], ref_w)
        values, state = opt.stateless_apply(state, [ops.convert_to_tensor(x) for x in g], values)
    for a, b in zip(values, ref_w):
        np.testing.assert_allclose(ops.convert_to_numpy(a), b.numpy(), rtol=1e-6)
    for a, b in zip(state, ref.variables):
        np.testing.assert_allclose(np.asarray(ops.convert_to_numpy(a) if ops.is_tensor(a) else a), b.numpy(),
                                   rtol=1e-6)
    assert int(np.asarray(state[0])) == 3 and opt.iterations == 0
    for a, b in zip(w, W):
        np.testing.assert_array_equal(ops.convert_to_numpy(a), b)  # the variables are untouched
    for v, before in zip(opt.variables, initial):  # and so is the optimizer's own state
        np.testing.assert_array_equal(v.numpy(), before)


def test_stateless_apply_checks_its_arguments():
    opt = lamina.optimizers.Adam()
    with pytest.raises(ValueError, match="must be built before stateless_apply"):
        opt.stateless_apply([], [], [])
    opt.build([ops.ones((2,))])
    with pytest.raises(ValueError, match=r"expects 4 optimizer values \(optimizer.variables\) and 1 trainable"):
        opt.stateless_apply([0], [ops.ones((2,))], [ops.ones((2,))])


def test_loss_scale_optimizer_stateless_apply_matches_apply_and_keras():
    """Finite steps grow the counter (and, every dynamic_growth_steps, double the scale); a
    non-finite gradient skips the update and halves the scale. Same as apply() and Keras 3."""
    def make():
        return lamina.optimizers.LossScaleOptimizer(lamina.optimizers.Adam(0.1), initial_scale=4.0,
                                                    dynamic_growth_steps=2)

    grads = [[g * 4.0 for g in G[0]], [np.full_like(W[0], np.inf), G[1][1] * 4.0]] + [
        [g * 4.0 for g in gs] for gs in G[1:]] + [[g * 8.0 for g in G[0]]]
    ref, opt = make(), make()
    ref_w = [lamina.backend.Variable(w.copy()) for w in W]
    w = [ops.convert_to_tensor(x.copy()) for x in W]
    ref.build(ref_w)
    opt.build(w)
    state = [v.numpy() for v in opt.variables]
    values = [ops.convert_to_tensor(x.copy()) for x in W]
    for g in grads:
        ref.apply([ops.convert_to_tensor(x) for x in g], ref_w)
        values, state = opt.stateless_apply(state, [ops.convert_to_tensor(x) for x in g], values)
    # (under JAX the update runs inside lax.cond, compiled by XLA: float rounding differs slightly)
    for a, b in zip(values, ref_w):
        np.testing.assert_allclose(ops.convert_to_numpy(a), b.numpy(), rtol=1e-5)
    for a, b in zip(state, ref.variables):
        np.testing.assert_allclose(np.asarray(ops.convert_to_numpy(a) if ops.is_tensor(a) else a), b.numpy(),
                                   rtol=1e-5)
    # Keras 3's order: iteration, learning_rate (unused), step_counter, dynamic_scale, the inner's
    assert [v.name for v in opt.variables[:5]] == ["iteration", "learning_rate", "step_counter",
                                                   "dynamic_scale", "iteration"]
    # 5 steps: finite (counter 1), inf (scale 2, counter 0), finite, finite (scale 4), finite
    assert float(np.asarray(ops.convert_to_numpy(state[3]))) == 4.0 == ref.dynamic_scale
    assert int(np.asarray(ops.convert_to_numpy(state[2]))) == 1 and opt.dynamic_scale == 4.0
    assert int(np.asarray(ops.convert_to_numpy(state[4]))) == 4  # the skipped step did not count
    assert not np.allclose(ops.convert_to_numpy(values[0]), W[0])

    keras = keras3()
    import torch

    kopt = keras.optimizers.LossScaleOptimizer(keras.optimizers.Adam(0.1), initial_scale=4.0,
                                               dynamic_growth_steps=2)
    kvars = [keras.Variable(torch.tensor(x.copy())) for x in W]
    for g in grads:
        kopt.apply([torch.tensor(x) for x in g], kvars)
    for a, b in zip(values, kvars):
        np.testing.assert_allclose(ops.convert_to_numpy(a), b.value.detach().numpy(), rtol=1e-5, atol=1e-6)
    assert float(kopt.dynamic_scale.value) == 4.0


@pytest.mark.skipif(lamina.backend.backend() != "jax", reason="jax.jit of stateless_apply")
def test_stateless_apply_traces_under_jax_jit():
    """Inside jax.jit the step number, the learning rate and the state are traced: Nadam's running
    product, gradient accumulation and the loss scale's finite check still match eager steps."""
    import jax

    opt = lamina.optimizers.LossScaleOptimizer(
        lamina.optimizers.Nadam(0.1, gradient_accumulation_steps=2), initial_scale=4.0, dynamic_growth_steps=2)
    opt.build([ops.convert_to_tensor(W[0])])
    jitted = jax.jit(opt.stateless_apply)
    state_j = state_e = [ops.convert_to_tensor(v.numpy()) for v in opt.variables]
    w_j = w_e = [ops.convert_to_tensor(W[0])]
    for g in ([4.0, 8.0], [np.inf, 1.0], [4.0, 4.0], [1.0, 2.0], [2.0, 2.0]):
        g = [ops.convert_to_tensor(np.tile(np.array(g, "float32"), 3).reshape(3, 2))]
        w_j, state_j = jitted(state_j, g, w_j)
        w_e, state_e = opt.stateless_apply(state_e, g, w_e)
    np.testing.assert_allclose(np.asarray(w_j[0]), np.asarray(w_e[0]), rtol=1e-6)
    assert not np.allclose(np.asarray(w_j[0]), W[0])
    for a, b in zip(state_j, state_e):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-6)
    assert int(state_j[4]) == 4 and float(state_j[3]) == 4.0  # inner iteration; the scale
