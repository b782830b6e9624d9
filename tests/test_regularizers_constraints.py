import numpy as np
import pytest
import torch

import lamina
from lamina import constraints, regularizers
from tests.keras3 import keras3


W = np.random.default_rng(0).normal(size=(5, 4)).astype("float32")
K4 = np.random.default_rng(1).normal(size=(3, 3, 2, 4)).astype("float32")


def _f(x):
    """A lamina result (any backend) or a Keras-on-torch result as a Python float."""
    return float(x.detach().cpu()) if torch.is_tensor(x) else float(lamina.ops.convert_to_numpy(x))


def _np(t):
    return lamina.ops.convert_to_numpy(t)


def test_l1_l2_formulas_and_defaults():
    w = W
    np.testing.assert_allclose(_f(regularizers.L1(0.3)(w)), 0.3 * np.abs(W).sum(), rtol=1e-5)
    np.testing.assert_allclose(_f(regularizers.L2(0.2)(w)), 0.2 * (W ** 2).sum(), rtol=1e-5)
    np.testing.assert_allclose(_f(regularizers.L1L2(0.1, 0.2)(w)),
                               0.1 * np.abs(W).sum() + 0.2 * (W ** 2).sum(), rtol=1e-5)
    assert _f(regularizers.L1L2()(w)) == 0.0
    assert regularizers.get("l1").get_config() == {"l1": 0.01}
    assert regularizers.get("l2").get_config() == {"l2": 0.01}
    assert regularizers.get("l1l2").get_config() == {"l1": 0.0, "l2": 0.0}  # Keras 3 'l1l2'
    assert regularizers.get("l1_l2").get_config() == {"l1": 0.01, "l2": 0.01}  # Keras 2 l1_l2()
    assert regularizers.l1_l2(l1=0.5).get_config() == {"l1": 0.5, "l2": 0.01}
    assert isinstance(regularizers.get(regularizers.L2), regularizers.L2)
    assert regularizers.L1(None).l1 == 0.01 and regularizers.L1L2(None, None).l2 == 0.0


def test_regularizers_match_keras():
    keras = keras3()
    w = torch.from_numpy(W)  # Keras runs on torch; lamina gets the same values as NumPy
    pairs = [(regularizers.L1(0.3), keras.regularizers.L1(0.3)),
             (regularizers.L2(0.2), keras.regularizers.L2(0.2)),
             (regularizers.L1L2(0.1, 0.05), keras.regularizers.L1L2(0.1, 0.05))]
    for mode in ("rows", "columns"):
        pairs.append((regularizers.OrthogonalRegularizer(0.1, mode),
                      keras.regularizers.OrthogonalRegularizer(0.1, mode)))
    for ours, ref in pairs:
        np.testing.assert_allclose(_f(ours(W)), _f(ref(w)), rtol=1e-5, atol=1e-7)
        ref_config, config = ref.get_config(), ours.get_config()
        assert set(config) == set(ref_config)
        for key, value in ref_config.items():  # Keras keeps some factors as float32 tensors
            assert config[key] == (pytest.approx(value) if isinstance(value, float) else value)
        ser = regularizers.serialize(ours)
        assert (ser["module"], ser["class_name"], ser["registered_name"]) == (
            "keras.regularizers", type(ref).__name__, None)


def test_orthogonal_regularizer_formula():
    w = W / np.linalg.norm(W, axis=1, keepdims=True)
    g = w @ w.T
    off = np.abs(g - np.diag(np.diag(g))).sum()
    np.testing.assert_allclose(_f(regularizers.OrthogonalRegularizer(0.5)(W)),
                               0.5 * off / (5 * 4), rtol=1e-5)
    with pytest.raises(ValueError, match="2-D"):
        regularizers.OrthogonalRegularizer()(K4)


def test_regularizer_validation_serialization_and_layer_losses():
    for bad in (-0.1, float("nan"), float("inf"), "x"):
        with pytest.raises(ValueError, match="non-negative"):
            regularizers.L2(bad)
    with pytest.raises(ValueError, match="Unknown regularizer"):
        regularizers.get("l3")
    assert regularizers.serialize(None) is None
    config = regularizers.serialize(regularizers.L1L2(0.1, 0.2))
    assert regularizers.deserialize(config).get_config() == {"l1": 0.1, "l2": 0.2}
    dense = lamina.layers.Dense(3, kernel_regularizer="l2", bias_regularizer=regularizers.L1(0.5))
    dense(np.ones((2, 4), "float32"))
    k, b = dense.get_weights()
    np.testing.assert_allclose(sorted(_f(x) for x in dense.losses),
                               sorted([0.01 * (k ** 2).sum(), 0.5 * np.abs(b).sum()]), rtol=1e-5)


@pytest.mark.parametrize("axis", [0, 1, [0, 1, 2]])
def test_constraints_match_formulas(axis):
    w = K4 if isinstance(axis, list) else W
    ax = tuple(axis) if isinstance(axis, list) else axis
    norms = np.sqrt((w ** 2).sum(ax, keepdims=True))
    wt = lamina.ops.convert_to_tensor(w)
    np.testing.assert_allclose(_np(constraints.MaxNorm(1.5, axis)(wt)),
                               w * np.clip(norms, 0, 1.5) / (1e-7 + norms), rtol=1e-5)
    np.testing.assert_allclose(_np(constraints.UnitNorm(axis)(wt)), w / (1e-7 + norms), rtol=1e-5)
    np.testing.assert_allclose(_np(constraints.MinMaxNorm(0.5, 1.2, 0.7, axis)(wt)),
                               w * (0.7 * np.clip(norms, 0.5, 1.2) + 0.3 * norms) / (1e-7 + norms), rtol=1e-5)
    np.testing.assert_array_equal(_np(constraints.NonNeg()(wt)), np.maximum(w, 0))


def test_constraints_match_keras_and_serialize():
    keras = keras3()
    w = torch.from_numpy(K4)
    for ours, ref in ((constraints.MaxNorm(2, [0, 1, 2]), keras.constraints.MaxNorm(2, [0, 1, 2])),
                      (constraints.UnitNorm(), keras.constraints.UnitNorm()),
                      (constraints.MinMaxNorm(0.1, 0.9, 0.5), keras.constraints.MinMaxNorm(0.1, 0.9, 0.5)),
                      (constraints.NonNeg(), keras.constraints.NonNeg())):
        np.testing.assert_allclose(_np(ours(lamina.ops.convert_to_tensor(K4))), keras.ops.convert_to_numpy(ref(w)), rtol=1e-6, atol=1e-7)
        assert ours.get_config() == ref.get_config()
        assert constraints.serialize(ours)["class_name"] == type(ref).__name__
    assert constraints.serialize(None) is None
    assert isinstance(constraints.get("max_norm"), constraints.MaxNorm)
    assert isinstance(constraints.get(constraints.NonNeg), constraints.NonNeg)
    assert constraints.deserialize(constraints.serialize(constraints.MaxNorm(3, 1))).get_config() == {
        "max_value": 3, "axis": 1}
    with pytest.raises(ValueError, match="Did you mean 'max_norm'"):
        constraints.get("max_nrom")
