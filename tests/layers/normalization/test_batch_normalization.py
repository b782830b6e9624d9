import numpy as np
import pytest
import torch

import lamina
from lamina import layers, ops
from tests.keras3 import keras3
from tests.layers.neutral import layer_grad, to_np


def _np(t):
    return to_np(t)


def _random_weights(c, rng):
    return [rng.uniform(0.5, 1.5, c).astype("float32"), rng.normal(size=c).astype("float32"),
            rng.normal(size=c).astype("float32"), rng.uniform(0.5, 2.0, c).astype("float32")]


@pytest.mark.parametrize("shape", [(8, 5), (4, 3, 6), (4, 3, 3, 6)])
def test_training_step_matches_formula_and_updates_moving_stats_with_biased_variance(shape):
    rng = np.random.default_rng(0)
    x = rng.normal(2.0, 3.0, size=shape).astype("float32")
    bn = layers.BatchNormalization(momentum=0.9, epsilon=1e-3)
    bn(np.zeros(shape, "float32"))
    gamma, beta, mm, mv = _random_weights(shape[-1], rng)
    bn.set_weights([gamma, beta, mm, mv])
    y = _np(bn(x, training=True))
    axes = tuple(range(len(shape) - 1))
    mean, var = x.mean(axes), x.var(axes)  # biased variance, as Keras
    np.testing.assert_allclose(y, (x - mean) / np.sqrt(var + 1e-3) * gamma + beta, rtol=1e-4, atol=1e-4)
    new = bn.get_weights()
    np.testing.assert_allclose(new[2], 0.9 * mm + 0.1 * mean, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(new[3], 0.9 * mv + 0.1 * var, rtol=1e-5, atol=1e-5)
    # inference uses the moving statistics and leaves them alone
    y_inf = _np(bn(x, training=False))
    expected = (x - new[2]) / np.sqrt(new[3] + 1e-3) * gamma + beta
    np.testing.assert_allclose(y_inf, expected, rtol=1e-4, atol=1e-4)
    np.testing.assert_array_equal(bn.get_weights()[3], new[3])


def test_matches_keras_training_and_inference():
    keras = keras3()
    rng = np.random.default_rng(1)
    x = rng.normal(size=(6, 4, 4, 3)).astype("float32")
    w = _random_weights(3, rng)
    ours, ref = layers.BatchNormalization(), keras.layers.BatchNormalization()
    ours(np.zeros(x.shape, "float32"))
    ref(np.zeros(x.shape, "float32"))
    ours.set_weights(w)
    ref.set_weights(w)
    for training in (True, True, False):
        y = _np(ours(x, training=training))
        y_ref = keras.ops.convert_to_numpy(ref(x, training=training))
        np.testing.assert_allclose(y, y_ref, rtol=1e-5, atol=1e-5)
        for a, b in zip(ours.get_weights(), ref.get_weights()):
            np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-6)


def test_masked_statistics_match_keras():
    keras = keras3()
    rng = np.random.default_rng(2)
    x = rng.normal(size=(3, 5, 4)).astype("float32")
    mask = np.array([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1], [1, 0, 0, 0, 0]], bool)
    w = _random_weights(4, rng)
    ours, ref = layers.BatchNormalization(), keras.layers.BatchNormalization()
    ours(np.zeros(x.shape, "float32"))
    ref(np.zeros(x.shape, "float32"))
    ours.set_weights(w)
    ref.set_weights(w)
    y = _np(ours(x, training=True, mask=mask))
    y_ref = keras.ops.convert_to_numpy(ref(x, training=True, mask=mask))
    np.testing.assert_allclose(y, y_ref, rtol=1e-4, atol=1e-4)
    for a, b in zip(ours.get_weights(), ref.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_batch_of_one_sample_matches_keras():
    keras = keras3()
    x = np.array([[1.0, -2.0, 3.0]], "float32")
    ours, ref = layers.BatchNormalization(), keras.layers.BatchNormalization()
    y = _np(ours(x, training=True))
    y_ref = keras.ops.convert_to_numpy(ref(x, training=True))
    np.testing.assert_allclose(y, y_ref, atol=1e-6)
    for a, b in zip(ours.get_weights(), ref.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)


def test_channels_first_matches_torch_batchnorm2d_outputs_and_gradients():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(4, 3, 5, 5)).astype("float32")
    bn = layers.BatchNormalization(axis=1, momentum=0.9, epsilon=1e-5)
    ref = torch.nn.BatchNorm2d(3, eps=1e-5, momentum=0.1)
    bn(np.zeros(x.shape, "float32"))
    gamma, beta, mm, mv = _random_weights(3, rng)
    bn.set_weights([gamma, beta, mm, mv])
    with torch.no_grad():
        ref.weight.copy_(torch.from_numpy(gamma))
        ref.bias.copy_(torch.from_numpy(beta))
        ref.running_mean.copy_(torch.from_numpy(mm))
        ref.running_var.copy_(torch.from_numpy(mv))
    xr = torch.from_numpy(x).requires_grad_()
    g = rng.normal(size=x.shape).astype("float32")
    # the gradients in training mode (batch statistics), through stateless_call: no state changes
    (gx,), (g_gamma, g_beta) = layer_grad(bn, lambda y: ops.sum(ops.multiply(y, g)), [x], training=True)
    y = bn(x, training=True)
    yr = ref.train()(xr)
    np.testing.assert_allclose(_np(y), _np(yr), rtol=1e-5, atol=1e-5)
    (yr * torch.from_numpy(g)).sum().backward()
    np.testing.assert_allclose(gx, _np(xr.grad), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(g_gamma, _np(ref.weight.grad), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(g_beta, _np(ref.bias.grad), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(_np(bn.moving_mean), _np(ref.running_mean), rtol=1e-6, atol=1e-6)
    # torch's running variance uses the unbiased batch variance; Keras (and lamina) the biased one
    n = x.size // 3
    var = x.var(axis=(0, 2, 3))
    np.testing.assert_allclose(_np(bn.moving_variance), 0.9 * mv + 0.1 * var, rtol=1e-5)
    np.testing.assert_allclose(_np(ref.running_var), 0.9 * mv + 0.1 * var * n / (n - 1), rtol=1e-5)


def test_frozen_layer_runs_in_inference_mode():
    x = np.random.default_rng(4).normal(3.0, 2.0, size=(16, 4)).astype("float32")
    bn = layers.BatchNormalization()
    bn(np.zeros(x.shape, "float32"))
    bn.trainable = False
    before = bn.get_weights()
    y = _np(bn(x, training=True))
    np.testing.assert_allclose(y, x / np.sqrt(1 + 1e-3), rtol=1e-5)
    for a, b in zip(before, bn.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert bn.trainable_weights == [] and len(bn.non_trainable_weights) == 4


def test_weight_order_names_and_optional_weights():
    bn = layers.BatchNormalization(center=False)
    bn(np.zeros((2, 3), "float32"))
    assert [w.name for w in bn.weights] == ["gamma", "moving_mean", "moving_variance"]
    assert [w.trainable for w in bn.weights] == [True, False, False]
    bn = layers.BatchNormalization()
    bn(np.zeros((2, 3), "float32"))
    assert [w.path for w in bn.weights] == [f"{bn.name}/{n}" for n in
                                            ("gamma", "beta", "moving_mean", "moving_variance")]
    if lamina.backend.backend() == "torch":  # the statistics are torch buffers, not parameters
        assert sorted(dict(bn.named_buffers())) == ["moving_mean", "moving_variance"]


def test_symbolic_shape_and_input_spec_error():
    inp = lamina.Input((4, 4, 3))
    bn = layers.BatchNormalization()
    out = bn(inp)
    assert out.shape == (None, 4, 4, 3) == bn.compute_output_shape((None, 4, 4, 3))
    with pytest.raises(ValueError, match="axis -1"):
        bn(np.zeros((2, 4, 4, 5), "float32"))
    with pytest.raises(ValueError, match="out of bounds"):
        layers.BatchNormalization(axis=3).compute_output_shape((None, 3))


def test_fit_updates_moving_statistics_and_predict_uses_them():
    pytest.importorskip("lamina.optimizers")
    pytest.importorskip("lamina.training.compile_utils")
    rng = np.random.default_rng(5)
    x = rng.normal(5.0, 2.0, size=(64, 3)).astype("float32")
    y = rng.normal(size=(64, 1)).astype("float32")
    model = lamina.Sequential([lamina.Input((3,)), layers.BatchNormalization(momentum=0.5), layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    model.fit(x, y, epochs=3, batch_size=16, verbose=0)
    mm = model.layers[0].get_weights()[2]
    np.testing.assert_allclose(mm, x.mean(0), atol=0.8)


def test_keras1_mode_argument():
    with pytest.warns(lamina.errors.LaminaDeprecationWarning, match="mode=0"):
        layers.BatchNormalization(mode=0)
    with pytest.raises(ValueError, match="training=True"):
        layers.BatchNormalization(mode=2)
    with pytest.warns(lamina.errors.LaminaDeprecationWarning, match="gamma_initializer"):
        bn = layers.BatchNormalization(gamma_init="zeros")
    assert type(bn.gamma_initializer).__name__ == "Zeros"


def test_config_has_keras_keys_and_round_trips():
    keras = keras3()
    bn = layers.BatchNormalization(axis=1, momentum=0.9, center=False, gamma_regularizer="l2")
    config = bn.get_config()
    assert set(config) == set(keras.layers.BatchNormalization().get_config())
    clone = layers.BatchNormalization.from_config(config)
    assert clone.get_config() == config
