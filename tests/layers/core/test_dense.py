import numpy as np
import pytest
import torch

import lamina
from lamina import layers
from lamina.errors import ShapeError
from tests.layers.neutral import layer_grad, to_np


def test_dense_matches_torch_linear_forward_and_grad():
    layer = layers.Dense(5, activation="tanh")
    x = np.random.randn(7, 3).astype("float32")
    y = layer(x)
    k, b = layer.get_weights()
    assert k.shape == (3, 5) and b.shape == (5,)  # Keras layout
    ref = torch.nn.Linear(3, 5)
    with torch.no_grad():
        ref.weight.copy_(torch.from_numpy(k.T))
        ref.bias.copy_(torch.from_numpy(b))
    xt = torch.from_numpy(x)
    expected = torch.tanh(ref(xt))
    np.testing.assert_allclose(to_np(y), to_np(expected), rtol=1e-6, atol=1e-6)
    expected.sum().backward()
    _, (gk, gb) = layer_grad(layer, lamina.ops.sum, [x])
    np.testing.assert_allclose(gk, ref.weight.grad.numpy().T, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(gb, ref.bias.grad.numpy(), rtol=1e-5, atol=1e-6)


def test_dense_on_3d_input_and_no_bias():
    layer = layers.Dense(4, use_bias=False)
    x = np.random.randn(2, 6, 3).astype("float32")
    y = lamina.ops.convert_to_numpy(layer(x))
    (k,) = layer.get_weights()
    np.testing.assert_allclose(y, x @ k, rtol=1e-5, atol=1e-6)
    assert [w.name for w in layer.weights] == ["kernel"]


def test_dense_default_initializers_are_glorot_uniform_and_zeros():
    layer = layers.Dense(300)
    layer(np.zeros((1, 200), "float32"))
    k, b = layer.get_weights()
    limit = np.sqrt(6 / (200 + 300))
    assert np.abs(k).max() <= limit + 1e-6
    assert abs(k.std() - limit / np.sqrt(3)) < 0.01  # uniform(-l, l) has std l/sqrt(3)
    assert not b.any()


def test_dense_shape_error_names_layer_expected_and_received():
    model = lamina.Sequential([layers.Dense(4, input_dim=3, name="hidden")])
    with pytest.raises(ShapeError) as e:
        model(np.zeros((2, 5), "float32"))
    msg = str(e.value)
    assert '"hidden"' in msg and "axis -1" in msg and "value 3" in msg and "(2, 5)" in msg


def test_dense_rejects_bad_units():
    with pytest.raises(ValueError, match="positive integer"):
        layers.Dense(0)


def test_unknown_kwarg_suggests_spelling():
    with pytest.raises(ValueError, match="Did you mean 'activity_regularizer'"):
        layers.Dense(3, activity_regularizr="l2")


def test_dense_kernel_regularizer_in_losses():
    layer = layers.Dense(2, kernel_regularizer=lamina.regularizers.l2(0.1), activity_regularizer="l1")
    x = np.ones((1, 3), "float32")
    out = layer(x)
    (k, _) = layer.get_weights()
    losses = [float(to_np(v)) for v in layer.losses]
    np.testing.assert_allclose(sorted(losses), sorted([0.01 * np.abs(to_np(out)).sum() / 1, 0.1 * (k ** 2).sum()]), rtol=1e-5)
