import numpy as np
import pytest
import torch
import torch.nn.functional as F

from lamina import activations, ops

X = np.linspace(-4, 4, 41).astype("float32")
T = torch.from_numpy(X)


@pytest.mark.parametrize("name,ref", [
    ("relu", lambda t: F.relu(t)),
    ("sigmoid", torch.sigmoid),
    ("tanh", torch.tanh),
    ("elu", F.elu),
    ("selu", F.selu),
    ("softplus", F.softplus),
    ("softsign", F.softsign),
    ("swish", F.silu),
    ("silu", F.silu),
    ("gelu", lambda t: 0.5 * t * (1 + torch.erf(t / np.sqrt(2)))),
    ("leaky_relu", lambda t: torch.where(t > 0, t, 0.2 * t)),
    ("hard_sigmoid", lambda t: torch.clamp(t + 3, 0, 6) / 6),
    ("exponential", torch.exp),
    ("linear", lambda t: t),
])
def test_activation_values(name, ref):
    out = ops.convert_to_numpy(activations.get(name)(ops.convert_to_tensor(X)))
    np.testing.assert_allclose(out, ref(T).numpy(), rtol=1e-5, atol=1e-6)


def test_softmax_rows_sum_to_one_and_match_formula():
    x = np.random.randn(3, 5).astype("float32")
    out = ops.convert_to_numpy(activations.softmax(ops.convert_to_tensor(x)))
    e = np.exp(x - x.max(1, keepdims=True))
    np.testing.assert_allclose(out, e / e.sum(1, keepdims=True), rtol=1e-5)


def test_relu_keras_options():
    out = ops.convert_to_numpy(activations.relu(ops.convert_to_tensor(X), negative_slope=0.1, max_value=2.0, threshold=1.0))
    expected = np.where(X >= 1.0, np.minimum(X, 2.0), 0.1 * (X - 1.0))
    np.testing.assert_allclose(out, expected, rtol=1e-6, atol=1e-6)


def test_unknown_activation_suggests():
    with pytest.raises(ValueError, match="Did you mean 'softmax'"):
        activations.get("sofmax")


def test_serialize_round_trip():
    for name in ["relu", "softmax", "linear", "gelu", "swish"]:
        fn = activations.get(name)
        assert activations.get(activations.serialize(fn)) is fn
