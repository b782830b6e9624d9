"""Behaviour shared by all optimizers: clipping, weight decay, missing gradients, state, EMA..."""

import numpy as np
import pytest
import torch
from optimizer_cases import (
    param,
    tensor,
    value,
    assert_close,
    parameters,
    problem,
    run_keras,
    run_lamina,
    run_numpy,
)
from test_adam import SLOTS, adam_reference

import lamina
from lamina import optimizers


def plain_sgd_after(opt_kwargs, init, grads, transform):
    """Variables after SGD(lr=1) on transformed gradients: shows exactly what the update saw."""
    ws = [x.astype(np.float64) for x in init]
    for g in grads:
        g = transform([x.astype(np.float64) for x in g])
        ws = [w - opt_kwargs.get("learning_rate", 1.0) * x for w, x in zip(ws, g)]
    return ws


# ---------------------------------------------------------------- clipping
def test_clipnorm_clips_each_gradient_separately():
    init, grads = problem(scale=2.0)
    ours = run_lamina(optimizers.SGD(learning_rate=1.0, clipnorm=1.5), init, grads)
    expected = plain_sgd_after({}, init, grads, lambda gs: [g * 1.5 / max(np.linalg.norm(g), 1.5) for g in gs])
    assert_close(ours, expected)


def test_global_clipnorm_scales_all_gradients_together():
    init, grads = problem(scale=2.0)
    ours = run_lamina(optimizers.SGD(learning_rate=1.0, global_clipnorm=1.5), init, grads)

    def clip(gs):
        total = np.sqrt(sum((g**2).sum() for g in gs))
        return [g * 1.5 / max(total, 1.5) for g in gs]

    assert_close(ours, plain_sgd_after({}, init, grads, clip))


def test_clipvalue():
    init, grads = problem(scale=2.0)
    ours = run_lamina(optimizers.SGD(learning_rate=1.0, clipvalue=0.5), init, grads)
    assert_close(ours, plain_sgd_after({}, init, grads, lambda gs: [np.clip(g, -0.5, 0.5) for g in gs]))


def test_clipnorm_leaves_a_zero_gradient_alone():
    w = param(np.ones((3,)))
    optimizers.SGD(clipnorm=1.0).apply([tensor(np.zeros((3,)))], [w])
    assert np.array_equal(value(w), np.ones(3))


def test_clipping_does_not_modify_the_callers_gradients():
    g = tensor(np.full((4,), 3.0))
    optimizers.Adam(clipvalue=1.0).apply([g], [param(np.zeros((4,)))])
    assert np.array_equal(lamina.ops.convert_to_numpy(g), np.full((4,), 3.0))


@pytest.mark.parametrize("kwargs", [{"clipnorm": 0.5}, {"global_clipnorm": 0.5}, {"clipvalue": 0.1}])
def test_clipping_matches_keras(kwargs):
    init, grads = problem()
    kwargs = {"learning_rate": 0.01, **kwargs}
    assert_close(run_lamina(optimizers.Adam(**kwargs), init, grads), run_keras("Adam", kwargs, init, grads))


def test_only_one_clipping_argument():
    with pytest.raises(ValueError, match="Adam: only one of `clipnorm`, `clipvalue` and `global_clipnorm` can be set"):
        optimizers.Adam(clipnorm=1.0, clipvalue=0.5)


def test_clipnorm_must_be_positive():
    with pytest.raises(ValueError, match=r"SGD: `clipnorm` must be a number > 0.0; received clipnorm=-1\. Use a positive"):
        optimizers.SGD(clipnorm=-1)


# ---------------------------------------------------------------- weight decay
def test_weight_decay_is_decoupled_and_uses_the_learning_rate():
    init, grads = problem()
    ours = run_lamina(optimizers.SGD(learning_rate=0.1, weight_decay=0.5), init, grads)
    expected = run_numpy(lambda t, w, g, s: (w - w * 0.5 * 0.1) - 0.1 * g, {}, init, grads)
    assert_close(ours, expected)
    assert_close(ours, run_keras("SGD", {"learning_rate": 0.1, "weight_decay": 0.5}, init, grads))


def test_exclude_from_weight_decay_by_name_and_by_variable():
    params = parameters([np.ones((2, 2), "float32"), np.ones(2, "float32"), np.ones(3, "float32")])
    opt = optimizers.SGD(learning_rate=0.1, weight_decay=1.0)
    opt.exclude_from_weight_decay(var_list=[params[2]], var_names=["bias"])
    opt.build(params, paths=["dense/kernel", "dense/bias", "other/kernel"])
    opt.apply([tensor(np.zeros((2, 2))), tensor(np.zeros((2,))), tensor(np.zeros((3,)))])
    assert np.allclose(value(params[0]), np.full((2, 2), 0.9))
    assert np.array_equal(value(params[1]), np.ones(2))
    assert np.array_equal(value(params[2]), np.ones(3))
    with pytest.raises(ValueError, match="must be called before the optimizer is built"):
        opt.exclude_from_weight_decay(var_names=["kernel"])


# ---------------------------------------------------------------- the step
def test_missing_gradients_are_skipped_with_one_warning():
    init, grads = problem(steps=2)
    params = parameters(init)
    opt = optimizers.Adam(learning_rate=0.1)
    with pytest.warns(lamina.errors.LaminaWarning, match="1 of 3 variables received no gradient"):
        opt.apply([tensor(grads[0][0]), None, tensor(grads[0][2])], params)
    opt.apply([tensor(grads[1][0]), None, tensor(grads[1][2])], params)  # no second warning
    assert np.array_equal(value(params[1]), init[1])
    expected = run_numpy(adam_reference(0.1), SLOTS, [init[0], init[2]], [[g[0], g[2]] for g in grads])
    assert_close([value(params[0]), value(params[2])], expected)
    assert opt.iterations == 2


def test_all_gradients_missing():
    with pytest.raises(ValueError, match="no gradient was provided for any variable"):
        optimizers.SGD().apply([None], [param(np.zeros((1,)))])


def test_subset_of_the_built_variables_uses_their_own_slots():
    init, grads = problem(steps=3)
    params = parameters(init)
    opt = optimizers.Adam(learning_rate=0.1)
    opt.build(params)
    for g in grads:
        opt.apply([tensor(g[2]), tensor(g[0])], [params[2], params[0]])
    expected = run_numpy(adam_reference(0.1), SLOTS, [init[2], init[0]], [[g[2], g[0]] for g in grads])
    assert_close([value(params[2]), value(params[0])], expected)
    assert np.array_equal(value(params[1]), init[1])


def test_apply_gradients_takes_pairs_and_returns_iterations():
    init, grads = problem(steps=2)
    params = parameters(init)
    opt = optimizers.SGD(learning_rate=0.1)
    for g in grads:
        n = opt.apply_gradients(zip([tensor(x) for x in g], params))
    assert n == 2
    assert_close([value(p) for p in params], run_numpy(lambda t, w, g, s: w - 0.1 * g, {}, init, grads))


def test_apply_without_variables_needs_a_built_optimizer():
    with pytest.raises(ValueError, match=r"Call optimizer.build\(model.trainable_weights\) first"):
        optimizers.SGD().apply([tensor(np.zeros((1,)))])


def test_unknown_variable():
    opt = optimizers.SGD()
    opt.build([param(np.zeros((1,)))])
    with pytest.raises(ValueError, match="create a new optimizer for a different set of variables"):
        opt.apply([tensor(np.zeros((1,)))], [param(np.zeros((1,)))])


def test_gradient_count_mismatch():
    opt = optimizers.SGD()
    opt.build([param(np.zeros((1,)))])
    with pytest.raises(ValueError, match="received 2 gradients for 1 variables"):
        opt.apply([tensor(np.zeros((1,))), tensor(np.zeros((1,)))])


@pytest.mark.skipif(lamina.backend.backend() != "torch", reason="torch autograd specific")
def test_apply_builds_no_autograd_graph():
    w = param(np.ones((3,)))
    opt = optimizers.Adam()
    assert torch.is_grad_enabled()
    opt.apply([tensor(np.ones((3,)))], [w])  # in-place on a leaf that requires grad: needs no_grad
    assert w.grad_fn is None and w.requires_grad and torch.is_grad_enabled()
    assert all(not v.value.requires_grad for v in opt.variables[2:])


def test_empty_gradient_list_is_a_no_op():
    opt = optimizers.SGD()
    opt.apply([], [])
    assert opt.iterations == 0


# ---------------------------------------------------------------- iterations & learning rate
def test_iterations_is_a_settable_int_used_for_bias_correction():
    init, grads = problem(steps=3)
    opt = optimizers.Adam(learning_rate=0.1)
    opt.iterations = 10
    ours = run_lamina(opt, init, grads)
    assert type(opt.iterations) is int and opt.iterations == 13
    expected = run_numpy(lambda t, w, g, s: adam_reference(0.1)(t + 10, w, g, s), SLOTS, init, grads)
    assert_close(ours, expected)


def test_learning_rate_get_and_set():
    opt = optimizers.RMSprop(learning_rate=0.01)
    assert opt.learning_rate == 0.01 and isinstance(opt.learning_rate, float)
    opt.learning_rate = 0.5
    assert opt.learning_rate == 0.5 and opt.get_config()["learning_rate"] == 0.5
    opt.learning_rate.assign(0.25)  # Keras 3 spelling
    assert opt.learning_rate == 0.25
    opt.learning_rate = np.float32(0.125)
    assert opt.learning_rate == 0.125
    with pytest.raises(ValueError, match="RMSprop: `learning_rate` must be a number >= 0.0; received learning_rate=-0.1"):
        opt.learning_rate = -0.1


def test_schedule_is_evaluated_at_the_iteration_count():
    init, grads = problem(steps=5)
    schedule = optimizers.schedules.PiecewiseConstantDecay([1, 3], [1.0, 0.5, 0.1])
    opt = optimizers.SGD(learning_rate=schedule)
    ours = run_lamina(opt, init, grads)
    rates = [1.0, 1.0, 0.5, 0.5, 0.1]  # steps 0..4
    assert_close(ours, run_numpy(lambda t, w, g, s: w - rates[t - 1] * g, {}, init, grads))
    assert opt.learning_rate == 0.1
    assert [v.name for v in opt.variables] == ["iteration"]  # no learning_rate variable, as Keras
    with pytest.raises(TypeError, match="was created with a LearningRateSchedule"):
        opt.learning_rate = 0.1
    opt.learning_rate = optimizers.schedules.ExponentialDecay(1.0, 1, 0.5)
    assert opt.learning_rate == 0.5**5


def test_callable_learning_rate():
    rate = [0.5]
    opt = optimizers.SGD(learning_rate=lambda: rate[0])
    w = param(np.zeros((1,)))
    opt.apply([tensor(np.ones((1,)))], [w])
    rate[0] = 0.25
    opt.apply([tensor(np.ones((1,)))], [w])
    assert np.allclose(value(w), [-0.75])
    assert opt.get_config()["learning_rate"] == 0.25


def test_negative_learning_rate_message():
    with pytest.raises(ValueError, match=r"Adam: `learning_rate` must be a number >= 0.0; received learning_rate=-0.001\. "
                                         r"Pass a float >= 0"):
        optimizers.Adam(learning_rate=-0.001)


def test_unknown_argument_message():
    with pytest.raises(ValueError, match=r"RMSprop: unknown argument\(s\) rh=0.9. Did you mean 'rho'\? RMSprop accepts: "):
        optimizers.RMSprop(rh=0.9)


# ---------------------------------------------------------------- state
def test_variable_handles_read_and_write_the_live_state():
    w = param(np.ones((2, 3)), name="dense/kernel")
    opt = optimizers.Adam(learning_rate=0.1)
    opt.apply([tensor(np.ones((2, 3)))], [w])
    iteration, lr, m, v = opt.variables
    assert (iteration.path, lr.path, m.path, v.path) == (
        "adam/iteration", "adam/learning_rate", "adam/dense_kernel_momentum", "adam/dense_kernel_velocity")
    assert iteration.numpy() == 1 and np.isclose(lr.numpy(), 0.1)
    np.testing.assert_allclose(m.numpy(), np.full((2, 3), 0.1), rtol=1e-6)
    m.assign(np.zeros((2, 3)))
    assert float(np.abs(m.numpy()).sum()) == 0.0
    iteration.assign(np.int32(7))
    lr.assign(np.float32(0.5))
    assert opt.iterations == 7 and opt.learning_rate == 0.5
    with pytest.raises(ValueError, match=r"Cannot assign a value of shape \(3,\) to optimizer variable 'adam/dense_kernel_velocity' of shape \(2, 3\)"):
        v.assign(np.zeros(3))


def test_set_weights_resumes_training_exactly():
    init, grads = problem(steps=6)
    straight = run_lamina(optimizers.Adam(learning_rate=0.1), init, grads)
    first = optimizers.Adam(learning_rate=0.1)
    params = parameters(init)
    for g in grads[:3]:
        first.apply([tensor(x) for x in g], params)
    second = optimizers.Adam(learning_rate=0.1)
    resumed = parameters([value(p) for p in params])
    second.build(resumed)
    second.set_weights(first.get_weights())
    store = {}
    first.save_own_variables(store)
    assert sorted(store, key=int) == [str(i) for i in range(8)]
    for g in grads[3:]:
        second.apply([tensor(x) for x in g])
    assert_close([value(p) for p in resumed], straight, atol=1e-7)


def test_set_weights_errors():
    opt = optimizers.Adam()
    with pytest.raises(ValueError, match="is not built"):
        opt.set_weights([])
    opt.build([param(np.zeros((2,)))])
    with pytest.raises(ValueError, match="has 4 variables"):
        opt.set_weights([np.int32(0)])


def test_load_own_variables_with_a_different_count_warns_and_skips():
    opt = optimizers.Adam()
    with pytest.warns(lamina.errors.LaminaWarning, match="Skipping variable loading for optimizer 'adam'"):
        opt.load_own_variables({"0": np.int32(3), "1": np.float32(0.1), "2": np.zeros(2)})
    assert opt.iterations == 0


# ---------------------------------------------------------------- EMA, accumulation, loss scale
def test_ema_matches_keras_and_finalize_writes_the_averages():
    init, grads = problem(steps=5)
    kwargs = {"learning_rate": 0.1, "use_ema": True, "ema_momentum": 0.9, "ema_overwrite_frequency": 3}
    assert_close(run_lamina(optimizers.Adam(**kwargs), init, grads), run_keras("Adam", kwargs, init, grads))
    opt = optimizers.SGD(learning_rate=0.1, use_ema=True, ema_momentum=0.5)
    params = parameters(init)
    average = [x.astype(np.float64) for x in init]
    for step, g in enumerate(grads):
        opt.apply([tensor(x) for x in g], params)
        m = 0.5 if step else 0.0
        average = [m * a + (1 - m) * value(p) for a, p in zip(average, params)]
    opt.finalize_variable_values(params)
    assert_close([value(p) for p in params], average)
    assert [v.name for v in opt.variables][2:5] == ["variable_average", "variable_1_average", "variable_2_average"]


def test_gradient_accumulation_matches_keras():
    init, grads = problem(steps=6)
    kwargs = {"learning_rate": 0.1, "gradient_accumulation_steps": 3}
    opt = optimizers.Adam(**kwargs)
    ours = run_lamina(opt, init, grads)
    assert_close(ours, run_keras("Adam", kwargs, init, grads))
    mean_grads = [[(a + b + c) / 3 for a, b, c in zip(*grads[i:i + 3])] for i in (0, 3)]
    assert_close(ours, run_numpy(adam_reference(0.1), SLOTS, init, mean_grads))
    assert opt.iterations == 2 and opt.variables[0].numpy() == 6


def test_loss_scale_factor_divides_the_gradients():
    init, grads = problem()
    opt = optimizers.SGD(learning_rate=0.1, loss_scale_factor=8.0)
    ours = run_lamina(opt, init, grads)
    assert_close(ours, run_numpy(lambda t, w, g, s: w - 0.1 * g / 8.0, {}, init, grads))
    assert opt.scale_loss(2.0) == 16.0 and optimizers.SGD().scale_loss(2.0) == 2.0


@pytest.mark.parametrize("kwargs,match", [
    ({"ema_momentum": 1.5}, "`ema_momentum` must be a number in"),
    ({"ema_overwrite_frequency": 0}, "`ema_overwrite_frequency` must be an integer >= 1 or None"),
    ({"gradient_accumulation_steps": 1}, "`gradient_accumulation_steps` must be an integer >= 2 or None"),
    ({"weight_decay": -1}, "`weight_decay` must be a number >= 0.0"),
])
def test_bad_common_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        optimizers.Adam(**kwargs)


def test_custom_keras_style_optimizer():
    class SignSGD(optimizers.Optimizer):
        def __init__(self, learning_rate=0.1, **kwargs):
            super().__init__(learning_rate=learning_rate, **kwargs)

        def build(self, variables, paths=None):
            if self.built:
                return
            super().build(variables, paths)
            self.steps = self.add_optimizer_variables(variables, "count")

        def update_step(self, gradient, variable, learning_rate):
            self.assign_sub(variable, learning_rate * lamina.ops.sign(gradient))
            self.assign_add(self.steps[self._get_variable_index(variable)], lamina.ops.ones_like(variable))

    w = param(np.zeros((3,)))
    opt = SignSGD()
    opt.apply([tensor([2.0, -3.0, 0.0])], [w])
    opt.apply([tensor([2.0, -3.0, 0.0])], [w])
    assert np.allclose(value(w), [-0.2, 0.2, 0.0])
    assert opt.variables[-1].name == "variable_count" and opt.variables[-1].numpy().tolist() == [2, 2, 2]
