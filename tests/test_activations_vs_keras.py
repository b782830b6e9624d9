"""The activations added for Keras 3 parity, compared with Keras 3 on the same inputs."""

import numpy as np
import pytest

from lamina import activations, ops


X = np.linspace(-3, 3, 24).astype("float32").reshape(4, 6)

CASES = [
    ("celu", {}), ("celu", {"alpha": 0.5}), ("glu", {}), ("glu", {"axis": 0}),
    ("hard_shrink", {}), ("hard_shrink", {"threshold": 1.2}), ("hard_tanh", {}),
    ("log_sigmoid", {}), ("soft_shrink", {}), ("soft_shrink", {"threshold": 0.9}),
    ("sparse_plus", {}), ("sparse_sigmoid", {}),
    ("squareplus", {}), ("squareplus", {"b": 1.0}), ("tanh_shrink", {}),
    ("threshold", {"threshold": 0.3, "default_value": -2.0}),
]


@pytest.mark.parametrize("name,kwargs", CASES)
def test_activation_matches_keras(keras, name, kwargs):
    ours = ops.convert_to_numpy(activations.get(name)(ops.convert_to_tensor(X), **kwargs))
    theirs = keras.ops.convert_to_numpy(keras.activations.get(name)(X, **kwargs))
    assert ours.shape == theirs.shape
    assert np.abs(theirs).max() > 0  # the comparison is not between two zero tensors
    np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", sorted({n for n, _ in CASES} | {"sparsemax"}))
def test_activation_names_round_trip(keras, name):
    fn = activations.get(name)
    assert activations.serialize(fn) == name
    assert keras.activations.serialize(keras.activations.get(name)) == name
    assert activations.deserialize(keras.activations.serialize(keras.activations.get(name))) is fn


def _sparsemax_reference(z):
    """Martins & Astudillo (2016), algorithm 1, on one vector."""
    zs = np.sort(z)[::-1]
    cs = np.cumsum(zs)
    k = np.arange(1, len(z) + 1)
    kz = k[1 + k * zs > cs][-1]
    return np.maximum(z - (cs[kz - 1] - 1) / kz, 0.0)


@pytest.mark.parametrize("axis", [-1, 0])
def test_sparsemax_matches_the_closed_form(axis):
    # Keras 3.15's torch kernel sums the cumulative sums over the whole support instead of
    # taking the one at k, so rows with more than one supported entry do not sum to 1 there;
    # lamina is checked against the paper's algorithm instead.
    x = np.random.RandomState(1).randn(5, 7).astype("float32") * 2
    out = ops.convert_to_numpy(activations.sparsemax(ops.convert_to_tensor(x), axis=axis))
    ref = np.apply_along_axis(_sparsemax_reference, axis, x.astype("float64"))
    np.testing.assert_allclose(out, ref, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(out.sum(axis), 1.0, rtol=1e-5)
    assert (out == 0).any() and (out > 0).sum() > out.shape[1 - axis % 2]
