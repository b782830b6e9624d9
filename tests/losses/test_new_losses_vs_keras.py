"""The focal, overlap, CTC, Circle and generalized cross-entropy losses against Keras 3."""

import numpy as np
import pytest

from lamina import losses, ops

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


RNG = np.random.default_rng(11)
N, C = 10, 4
P = (RNG.random((N, C)) * 0.9 + 0.05).astype("float32")
B = (RNG.random((N, C)) > 0.5).astype("float32")
LOGITS = (RNG.normal(size=(N, C)) * 3).astype("float32")
LABELS = RNG.integers(0, C, N)
ONE_HOT = np.eye(C, dtype="float32")[LABELS]
SOFTMAX = (np.exp(LOGITS) / np.exp(LOGITS).sum(-1, keepdims=True)).astype("float32")
SW = RNG.random(N).astype("float32")
MASKS = (RNG.random((N, 5, 5, 1)) > 0.5).astype("float32")
MASK_PRED = RNG.random((N, 5, 5, 1)).astype("float32")
EMB = RNG.normal(size=(N, 6)).astype("float32")
EMB /= np.linalg.norm(EMB, axis=1, keepdims=True)
GROUPS = np.array([0, 1, 2, 0, 1, 2, 0, 1, 3, 3])

CASES = [
    ("BinaryFocalCrossentropy", {}, B, P),
    ("BinaryFocalCrossentropy", {"apply_class_balancing": True, "alpha": 0.3, "gamma": 1.5}, B, P),
    ("BinaryFocalCrossentropy", {"from_logits": True, "label_smoothing": 0.1}, B, LOGITS),
    ("CategoricalFocalCrossentropy", {}, ONE_HOT, P),
    ("CategoricalFocalCrossentropy", {"alpha": 0.5, "gamma": 3.0, "label_smoothing": 0.2}, ONE_HOT, P),
    ("CategoricalFocalCrossentropy", {"from_logits": True}, ONE_HOT, LOGITS),
    ("CategoricalGeneralizedCrossEntropy", {}, LABELS, SOFTMAX),
    ("CategoricalGeneralizedCrossEntropy", {"q": 0.2}, LABELS, SOFTMAX),
    ("Dice", {}, MASKS, MASK_PRED),
    ("Dice", {"axis": (1, 2, 3)}, MASKS, MASK_PRED),
    ("Tversky", {}, MASKS, MASK_PRED),
    ("Tversky", {"alpha": 0.7, "beta": 0.3, "axis": (1, 2, 3)}, MASKS, MASK_PRED),
    ("Circle", {}, GROUPS, EMB),
    ("Circle", {"gamma": 10.0, "margin": 0.25, "remove_diagonal": False}, GROUPS, EMB),
]
REDUCTIONS = ["sum_over_batch_size", "sum", "none", "mean_with_sample_weight"]


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("cls,kwargs,y_true,y_pred", CASES,
                         ids=[f"{c[0]}{sorted(c[1].items())}" for c in CASES])
def test_matches_keras(keras, cls, kwargs, y_true, y_pred, reduction):
    mine = getattr(losses, cls)(reduction=reduction, **kwargs)
    theirs = getattr(keras.losses, cls)(reduction=reduction, **kwargs)
    per_sample = mine.unreduced(y_true, y_pred).ndim > 0
    for sw in (None, SW) if per_sample else (None,):
        got = ops.convert_to_numpy(mine(y_true, y_pred, sample_weight=sw))
        want = keras.ops.convert_to_numpy(theirs(y_true, y_pred, sample_weight=sw))
        assert np.abs(want).max() > 1e-4  # not a comparison of zeros
        np.testing.assert_allclose(got, want, rtol=2e-5, atol=1e-6)


def test_ctc_matches_keras(keras):
    logits = RNG.normal(size=(3, 8, 5)).astype("float32")
    labels = np.array([[1, 2, 3, 0], [4, 4, 0, 0], [2, 0, 0, 0]])
    for reduction in REDUCTIONS:
        got = ops.convert_to_numpy(losses.CTC(reduction=reduction)(labels, logits))
        want = keras.ops.convert_to_numpy(keras.losses.CTC(reduction=reduction)(labels, logits))
        np.testing.assert_allclose(got, want, rtol=1e-5)
    np.testing.assert_allclose(ops.convert_to_numpy(losses.ctc(labels, logits)),
                               keras.ops.convert_to_numpy(keras.losses.ctc(labels, logits)), rtol=1e-5)


FUNCTIONS = [
    ("binary_focal_crossentropy", {"gamma": 1.0}, B, P),
    ("categorical_focal_crossentropy", {}, ONE_HOT, P),
    ("categorical_generalized_cross_entropy", {"q": 0.7}, LABELS, SOFTMAX),
    ("dice", {"axis": (1, 2)}, MASKS, MASK_PRED),
    ("tversky", {"alpha": 0.2, "beta": 0.8}, MASKS, MASK_PRED),
    ("circle", {"gamma": 4}, GROUPS, EMB),
]


@pytest.mark.parametrize("name,kwargs,y_true,y_pred", FUNCTIONS, ids=[f[0] for f in FUNCTIONS])
def test_functions_match_keras(keras, name, kwargs, y_true, y_pred):
    got = ops.convert_to_numpy(getattr(losses, name)(y_true, y_pred, **kwargs))
    kt, kp = keras.ops.convert_to_tensor(y_true), keras.ops.convert_to_tensor(y_pred)
    want = keras.ops.convert_to_numpy(getattr(keras.losses, name)(kt, kp, **kwargs))
    np.testing.assert_allclose(got, want, rtol=2e-5, atol=1e-6)
    assert losses.get(name) is getattr(losses, name)


@pytest.mark.parametrize("cls,kwargs", [(c[0], c[1]) for c in CASES] + [("CTC", {})],
                         ids=[f"{c[0]}{sorted(c[1].items())}" for c in CASES] + ["CTC"])
def test_configs_round_trip_with_keras(keras, cls, kwargs):
    kwargs = {k: list(v) if isinstance(v, tuple) else v for k, v in kwargs.items()}
    mine = getattr(losses, cls)(**kwargs)
    theirs = getattr(keras.losses, cls)(**kwargs)
    assert mine.get_config() == theirs.get_config()
    back = losses.deserialize(keras.losses.serialize(theirs))
    assert type(back) is getattr(losses, cls) and back.get_config() == theirs.get_config()
    # keras.saving rather than keras.losses.deserialize: Keras 3.15 leaves
    # CategoricalGeneralizedCrossEntropy out of its losses table and returns the class name.
    forth = keras.saving.deserialize_keras_object(losses.serialize(mine))
    assert type(forth) is getattr(keras.losses, cls) and forth.get_config() == mine.get_config()


def test_generalized_cross_entropy_rejects_q_outside_0_1():
    with pytest.raises(ValueError, match=r"q must lie in the open interval \(0, 1\); received q=1.0"):
        losses.CategoricalGeneralizedCrossEntropy(q=1.0)


def test_ctc_rejects_one_hot_targets():
    with pytest.raises(ValueError, match=r"ctc: y_true must be integer labels .* received y_true.shape=\(2, 3, 4\)"):
        losses.ctc(np.zeros((2, 3, 4)), np.zeros((2, 5, 4)))
