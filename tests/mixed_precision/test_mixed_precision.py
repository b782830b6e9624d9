"""Mixed precision: dtype policies, per-layer policies, configs as Keras 3.15 writes them, training
under mixed_bfloat16 on CPU, and dynamic loss scaling with an injected overflow."""

import numpy as np
import pytest
import lamina
from lamina import layers, ops, optimizers
from lamina.datasets import digits

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture(autouse=True)
def _float32_afterwards():
    yield
    lamina.mixed_precision.set_global_policy(None)


@pytest.mark.parametrize("name,compute,variable", [
    ("float32", "float32", "float32"), ("bfloat16", "bfloat16", "bfloat16"),
    ("mixed_float16", "float16", "float32"), ("mixed_bfloat16", "bfloat16", "float32"),
])
def test_policy_dtypes_match_keras(keras, name, compute, variable):
    ours, theirs = lamina.dtype_policies.DTypePolicy(name), keras.dtype_policies.DTypePolicy(name)
    assert (ours.compute_dtype, ours.variable_dtype) == (theirs.compute_dtype, theirs.variable_dtype) == (compute, variable)
    assert ours.get_config() == theirs.get_config()


def test_layer_config_round_trips_with_keras(keras):
    ours = layers.Dense(3, dtype="mixed_bfloat16")
    theirs = keras.layers.Dense(3, dtype="mixed_bfloat16")
    assert ours.get_config()["dtype"] == theirs.get_config()["dtype"]
    back = layers.Dense.from_config({**layers.Dense(3).get_config(), "dtype": theirs.get_config()["dtype"]})
    assert (back.compute_dtype, back.variable_dtype, back.dtype) == ("bfloat16", "float32", "float32")
    forth = keras.layers.Dense.from_config(ours.get_config())
    assert forth.dtype_policy.name == "mixed_bfloat16"


def test_global_policy_mixed_layers_keep_float32_variables():
    lamina.mixed_precision.set_global_policy("mixed_bfloat16")
    assert lamina.mixed_precision.global_policy().name == "mixed_bfloat16"
    model = lamina.Sequential([lamina.Input((8,)), layers.Dense(16, activation="relu"), layers.Dense(4),
                               layers.Activation("softmax", dtype="float32")])
    x = np.random.default_rng(0).random((5, 8)).astype("float32")
    hidden = model.layers[0](x)
    assert ops.dtype(hidden) == "bfloat16"  # computed in the compute dtype
    assert all(w.dtype == "float32" for w in model.weights)
    assert model.layers[0].compute_dtype == "bfloat16" and model.layers[0].dtype == "float32"
    out = model(x)
    assert ops.dtype(out) == "float32"  # the float32 softmax layer opts out of the policy
    out = ops.convert_to_numpy(out)
    np.testing.assert_allclose(out.sum(-1), 1.0, rtol=1e-5)
    (k0, b0), (k1, b1) = model.layers[0].get_weights(), model.layers[1].get_weights()
    logits = np.maximum(x @ k0 + b0, 0) @ k1 + b1
    ref = np.exp(logits - logits.max(-1, keepdims=True))
    ref /= ref.sum(-1, keepdims=True)
    np.testing.assert_allclose(out, ref, atol=3e-2)  # bfloat16 error
    assert not np.allclose(out, ref, atol=1e-6)  # ...and it is not float32


def test_per_layer_policy_in_a_float32_model():
    dense = layers.Dense(4, dtype="mixed_bfloat16")
    x = np.random.default_rng(0).random((2, 3)).astype("float32")
    y = dense(x)
    assert ops.dtype(y) == "bfloat16" and ops.dtype(dense.kernel) == "float32"
    assert ops.dtype(layers.Dense(4)(x)) == "float32"


def test_loss_is_float32_under_mixed_policy():
    lamina.mixed_precision.set_global_policy("mixed_bfloat16")
    model = lamina.Sequential([lamina.Input((4,)), layers.Dense(3)])
    y = model(np.random.default_rng(0).random((6, 4)).astype("float32"))
    assert ops.dtype(y) == "bfloat16"
    loss = lamina.losses.SparseCategoricalCrossentropy(from_logits=True)(np.arange(6) % 3, y)
    assert ops.dtype(loss) == "float32"


def _digits_accuracy(policy):
    lamina.mixed_precision.set_global_policy(policy)
    lamina.utils.set_random_seed(3)
    (x_train, y_train), (x_test, y_test) = digits.load_data()
    x_train = x_train.reshape(len(x_train), -1).astype("float32") / 16.0
    x_test = x_test.reshape(len(x_test), -1).astype("float32") / 16.0
    model = lamina.Sequential([lamina.Input((64,)), layers.Dense(64, activation="relu"),
                               layers.Dense(10), layers.Activation("softmax", dtype="float32")])
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x_train, y_train, epochs=6, batch_size=32, verbose=0)
    assert all(w.dtype == "float32" for w in model.weights)
    return model.evaluate(x_test, y_test, verbose=0)[1]


def test_mixed_bfloat16_trains_digits_as_well_as_float32():
    acc32 = _digits_accuracy("float32")
    acc16 = _digits_accuracy("mixed_bfloat16")
    assert acc32 > 0.9
    assert acc16 > acc32 - 0.03, (acc16, acc32)


def test_loss_scale_optimizer_skips_overflow_and_halves_the_scale():
    w = lamina.backend.Variable(np.ones(3, "float32"))
    opt = optimizers.LossScaleOptimizer(optimizers.SGD(0.1), initial_scale=8.0, dynamic_growth_steps=2)

    def g(*values):
        return [ops.convert_to_tensor(np.array(values, "float32"))]

    opt.apply(g(8.0, 8.0, 8.0), [w])  # scaled gradient of 1.0
    np.testing.assert_allclose(w.numpy(), 0.9, rtol=1e-6)
    assert (opt.dynamic_scale, opt.step_counter, opt.iterations) == (8.0, 1, 1)
    opt.apply(g(float("inf"), 1.0, 1.0), [w])  # the injected overflow
    np.testing.assert_allclose(w.numpy(), 0.9, rtol=1e-6)  # the step was skipped
    assert (opt.dynamic_scale, opt.step_counter, opt.iterations) == (4.0, 0, 1)
    opt.apply(g(float("nan"), 1.0, 1.0), [w])
    assert opt.dynamic_scale == 2.0
    for _ in range(2):
        opt.apply(g(2.0, 2.0, 2.0), [w])
    assert (opt.dynamic_scale, opt.step_counter, opt.iterations) == (4.0, 0, 3)  # grew after 2 good steps
    np.testing.assert_allclose(w.numpy(), 0.7, rtol=1e-6)


def test_loss_scale_optimizer_matches_keras_step_by_step(keras):
    rng = np.random.default_rng(0)
    init = rng.normal(size=(4, 3)).astype("float32")
    grads = [rng.normal(size=(4, 3)).astype("float32") * 100 for _ in range(6)]
    grads[2][1, 1] = np.inf
    import torch  # Keras runs on torch in this process

    ours_w = lamina.backend.Variable(init)
    theirs_w = keras.Variable(torch.tensor(init))
    ours = optimizers.LossScaleOptimizer(optimizers.Adam(0.01), initial_scale=64.0, dynamic_growth_steps=2)
    theirs = keras.optimizers.LossScaleOptimizer(keras.optimizers.Adam(0.01), initial_scale=64.0,
                                                 dynamic_growth_steps=2)
    for g in grads:
        ours.apply([ops.convert_to_tensor(g)], [ours_w])
        theirs.apply([torch.tensor(g)], [theirs_w])
        np.testing.assert_allclose(ours_w.numpy(), theirs_w.value.detach().numpy(), rtol=1e-5, atol=1e-6)
        assert ours.dynamic_scale == float(theirs.dynamic_scale.value)
        assert ours.iterations == int(theirs.iterations.value)
    assert not np.allclose(ours_w.numpy(), init)


def test_loss_scale_optimizer_config_round_trips_with_keras(keras):
    ours = optimizers.LossScaleOptimizer(optimizers.SGD(0.5), initial_scale=128.0, dynamic_growth_steps=10)
    theirs = keras.optimizers.LossScaleOptimizer(keras.optimizers.SGD(0.5), initial_scale=128.0,
                                                 dynamic_growth_steps=10)
    back = optimizers.deserialize(keras.optimizers.serialize(theirs))
    assert isinstance(back, optimizers.LossScaleOptimizer) and isinstance(back.inner_optimizer, optimizers.SGD)
    assert (back.initial_scale, back.dynamic_growth_steps) == (128.0, 10)
    forth = keras.optimizers.deserialize(optimizers.serialize(ours))
    assert isinstance(forth, keras.optimizers.LossScaleOptimizer)
    assert (forth.initial_scale, forth.dynamic_growth_steps) == (128.0, 10)


def test_mixed_float16_compile_adds_loss_scaling_and_fit_trains():
    lamina.mixed_precision.set_global_policy("mixed_float16")
    lamina.utils.set_random_seed(0)
    model = lamina.Sequential([lamina.Input((4,)), layers.Dense(8, activation="relu"),
                               layers.Dense(1, dtype="float32")])
    model.compile(optimizers.SGD(0.05), "mse")
    assert isinstance(model.optimizer, optimizers.LossScaleOptimizer)
    x = np.random.rand(64, 4).astype("float32")
    y = x.sum(1, keepdims=True)
    history = model.fit(x, y, epochs=5, batch_size=16, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert all(w.dtype == "float32" for w in model.weights)
    assert model.optimizer.dynamic_scale == 2.0**15  # no overflow, 20 steps < 2000


def test_unknown_mixed_policy_names_the_choices():
    with pytest.raises(ValueError, match=r"unknown mixed-precision policy 'mixed_float8'. Use 'mixed_float16' or 'mixed_bfloat16'"):
        layers.Dense(2, dtype="mixed_float8")


def test_fit_scales_the_loss_for_loss_scale_factor():
    # Keras 3: fit differentiates loss * loss_scale_factor and the optimizer divides the
    # gradients by it, so training equals training without it (up to rounding).
    x = np.random.default_rng(1).random((32, 4)).astype("float32")
    y = x.sum(1, keepdims=True)
    weights = []
    for factor in (None, 1024.0):
        lamina.utils.set_random_seed(0)
        model = lamina.Sequential([lamina.Input((4,)), layers.Dense(3, activation="tanh"), layers.Dense(1)])
        model.compile(optimizers.SGD(0.1, loss_scale_factor=factor), "mse")
        model.fit(x, y, epochs=2, batch_size=8, verbose=0, shuffle=False)
        weights.append(model.get_weights())
    for a, b in zip(*weights):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_loss_scale_optimizer_state_saves_as_keras_does(keras, tmp_path):
    """optimizer.variables in Keras 3's order and names (its own unused iteration and learning
    rate, step_counter, dynamic_scale, then the inner optimizer's), saved as Keras saves them: a
    file from either loads into the other with the scale and the counter."""
    import torch

    x = np.random.default_rng(0).random((16, 4)).astype("float32")
    y = x.sum(1, keepdims=True)
    ours = lamina.Sequential([lamina.Input((4,)), layers.Dense(1)])
    ours.compile(optimizers.LossScaleOptimizer(optimizers.Adam(0.01), initial_scale=8.0, dynamic_growth_steps=3),
                 "mse")
    ours.fit(x, y, batch_size=4, epochs=1, shuffle=False, verbose=0)  # 4 steps: the scale grew once
    assert [v.name for v in ours.optimizer.variables[:4]] == ["iteration", "learning_rate", "step_counter",
                                                              "dynamic_scale"]
    ours.save(tmp_path / "ours.keras")
    theirs = keras.saving.load_model(tmp_path / "ours.keras")
    got = [float(v.value.detach()) for v in theirs.optimizer.variables[:5]]
    assert got == [0.0, 0.0, 1.0, 16.0, 4.0] == [float(v.numpy()) for v in ours.optimizer.variables[:5]]

    theirs.optimizer.dynamic_scale.assign(torch.tensor(2.0))
    theirs.optimizer.step_counter.assign(torch.tensor(2))
    theirs.save(tmp_path / "theirs.keras")
    back = lamina.saving.load_model(tmp_path / "theirs.keras")
    assert isinstance(back.optimizer, optimizers.LossScaleOptimizer)
    assert (back.optimizer.dynamic_scale, back.optimizer.step_counter, back.optimizer.iterations) == (2.0, 2, 4)
    back.fit(x[:4], y[:4], verbose=0)  # the third finite step in a row: the scale doubles
    assert (back.optimizer.dynamic_scale, back.optimizer.step_counter, back.optimizer.iterations) == (4.0, 0, 5)
