"""Every lamina loss against Keras 3 (torch backend) on the same inputs, with sample weights."""

import numpy as np
import pytest

from lamina import losses, ops

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

RNG = np.random.default_rng(7)
N, C = 12, 4
Y = RNG.random((N, C)).astype("float32")
P = (RNG.random((N, C)) * 0.9 + 0.05).astype("float32")
B = (RNG.random((N, C)) > 0.5).astype("float32")
LOGITS = (RNG.normal(size=(N, C)) * 4).astype("float32")
LABELS = RNG.integers(0, C, N)
ONE_HOT = np.eye(C, dtype="float32")[LABELS]
SW = RNG.random(N).astype("float32")

CASES = [
    ("MeanSquaredError", {}, Y, P),
    ("MeanAbsoluteError", {}, Y, P),
    ("MeanAbsolutePercentageError", {}, Y, P),
    ("MeanSquaredLogarithmicError", {}, Y, P),
    ("CosineSimilarity", {}, Y, P),
    ("Huber", {"delta": 0.5}, Y, P * 3),
    ("LogCosh", {}, Y, P * 3),
    ("KLDivergence", {}, Y, P),
    ("Poisson", {}, Y, P),
    ("Hinge", {}, B, LOGITS),
    ("SquaredHinge", {}, B, LOGITS),
    ("CategoricalHinge", {}, ONE_HOT, LOGITS),
    ("BinaryCrossentropy", {}, B, P),
    ("BinaryCrossentropy", {"label_smoothing": 0.1}, B, P),
    ("BinaryCrossentropy", {"from_logits": True, "label_smoothing": 0.2}, B, LOGITS),
    ("CategoricalCrossentropy", {}, ONE_HOT, P),
    ("CategoricalCrossentropy", {"label_smoothing": 0.1}, ONE_HOT, P),
    ("CategoricalCrossentropy", {"from_logits": True, "label_smoothing": 0.1}, ONE_HOT, LOGITS),
    ("SparseCategoricalCrossentropy", {}, LABELS, P),
    ("SparseCategoricalCrossentropy", {"from_logits": True}, LABELS[:, None], LOGITS),
    ("SparseCategoricalCrossentropy", {"from_logits": True, "ignore_class": 2}, LABELS, LOGITS),
]


@pytest.mark.parametrize("reduction", ["sum_over_batch_size", "sum", "none", "mean_with_sample_weight"])
@pytest.mark.parametrize("cls,kwargs,y_true,y_pred", CASES,
                         ids=[f"{c[0]}{sorted(c[1].items())}" for c in CASES])
def test_matches_keras(keras, cls, kwargs, y_true, y_pred, reduction):
    mine = getattr(losses, cls)(reduction=reduction, **kwargs)
    theirs = getattr(keras.losses, cls)(reduction=reduction, **kwargs)
    for sw in (None, SW):
        got = ops.convert_to_numpy(mine(y_true, y_pred, sample_weight=sw))
        want = keras.ops.convert_to_numpy(theirs(y_true, y_pred, sample_weight=sw))
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", ["mse", "mae", "mape", "msle", "kld", "binary_crossentropy",
                                  "categorical_crossentropy", "poisson", "hinge", "log_cosh"])
def test_string_names_resolve_like_keras(keras, name):
    y_true, y_pred = (ONE_HOT, P) if "categorical" in name else (B, P)
    got = ops.convert_to_numpy(losses.get(name)(y_true, y_pred))
    want = keras.ops.convert_to_numpy(keras.losses.get(name)(y_true, y_pred))
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


def test_temporal_sample_weights_match_keras(keras):
    y = RNG.random((4, 3, 2)).astype("float32")
    p = RNG.random((4, 3, 2)).astype("float32")
    w = RNG.random((4, 3)).astype("float32")
    got = ops.convert_to_numpy(losses.MeanSquaredError()(y, p, w))
    want = keras.ops.convert_to_numpy(keras.losses.MeanSquaredError()(y, p, w))
    np.testing.assert_allclose(got, want, rtol=1e-6)


def test_configs_have_keras_keys(keras):
    for cls in ("BinaryCrossentropy", "CategoricalCrossentropy", "SparseCategoricalCrossentropy",
                "MeanSquaredError", "Hinge"):
        mine = getattr(losses, cls)().get_config()
        theirs = getattr(keras.losses, cls)().get_config()
        assert set(theirs) <= set(mine), (cls, theirs, mine)
        assert {k: mine[k] for k in theirs} == theirs


def test_keras_written_loss_config_deserializes(keras):
    config = keras.losses.serialize(keras.losses.CategoricalCrossentropy(from_logits=True, label_smoothing=0.1))
    loss = losses.deserialize(config)
    assert isinstance(loss, losses.CategoricalCrossentropy)
    assert loss.from_logits is True and loss.label_smoothing == 0.1
    assert losses.deserialize(keras.losses.serialize(keras.losses.mean_squared_error)) is losses.mean_squared_error
