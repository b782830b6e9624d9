"""lamina metrics against Keras 3 metrics (torch backend), streamed over batches."""

import numpy as np
import pytest

from lamina import metrics, ops

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


RNG = np.random.default_rng(5)
N, C = 20, 4
P = (RNG.random((N, C)) * 0.9 + 0.05).astype("float32")
Y = RNG.random((N, C)).astype("float32")
B = (RNG.random((N, C)) > 0.5).astype("float32")
LABELS = RNG.integers(0, C, N)
ONE_HOT = np.eye(C, dtype="float32")[LABELS]
W = RNG.random(N).astype("float32")

CASES = [
    ("BinaryAccuracy", {}, B, P),
    ("BinaryAccuracy", {"threshold": 0.7}, B, P),
    ("Accuracy", {}, LABELS, P.argmax(-1)),
    ("CategoricalAccuracy", {}, ONE_HOT, P),
    ("SparseCategoricalAccuracy", {}, LABELS[:, None], P),
    ("TopKCategoricalAccuracy", {"k": 2}, ONE_HOT, P),
    ("SparseTopKCategoricalAccuracy", {"k": 2}, LABELS, P),
    ("MeanSquaredError", {}, Y, P),
    ("MeanAbsoluteError", {}, Y, P),
    ("MeanAbsolutePercentageError", {}, Y, P),
    ("MeanSquaredLogarithmicError", {}, Y, P),
    ("RootMeanSquaredError", {}, Y, P),
    ("CosineSimilarity", {}, Y, P),
    ("LogCoshError", {}, Y, P),
    ("BinaryCrossentropy", {}, B, P),
    ("BinaryCrossentropy", {"from_logits": True, "label_smoothing": 0.1}, B, P * 4 - 2),
    ("CategoricalCrossentropy", {}, ONE_HOT, P),
    ("SparseCategoricalCrossentropy", {"from_logits": True}, LABELS, P),
    ("KLDivergence", {}, Y, P),
    ("Poisson", {}, Y, P),
    ("Hinge", {}, B, P * 2 - 1),
    ("SquaredHinge", {}, B, P * 2 - 1),
    ("CategoricalHinge", {}, ONE_HOT, P),
    ("Precision", {}, B, P),
    ("Precision", {"thresholds": [0.3, 0.6], "class_id": 2}, B, P),
    ("Recall", {"top_k": 2}, B, P),
    ("AUC", {}, B, P),
    ("AUC", {"curve": "PR"}, B, P),
    ("AUC", {"num_thresholds": 11, "summation_method": "majoring"}, B, P),
]


@pytest.mark.parametrize("cls,kwargs,y_true,y_pred", CASES,
                         ids=[f"{c[0]}{sorted(c[1].items())}" for c in CASES])
def test_matches_keras(keras, cls, kwargs, y_true, y_pred):
    for w in (None, W):
        mine, theirs = getattr(metrics, cls)(**kwargs), getattr(keras.metrics, cls)(**kwargs)
        for i in range(0, N, 8):
            sw = None if w is None else w[i:i + 8]
            mine.update_state(y_true[i:i + 8], y_pred[i:i + 8], sample_weight=sw)
            theirs.update_state(y_true[i:i + 8], y_pred[i:i + 8], sample_weight=sw)
        np.testing.assert_allclose(ops.convert_to_numpy(mine.result()),
                                   keras.ops.convert_to_numpy(theirs.result()), rtol=2e-5, atol=1e-6)


@pytest.mark.parametrize("cls", ["BinaryAccuracy", "TopKCategoricalAccuracy", "Precision", "AUC",
                                 "MeanSquaredError", "SparseCategoricalCrossentropy"])
def test_configs_match_keras(keras, cls):
    mine, theirs = getattr(metrics, cls)().get_config(), getattr(keras.metrics, cls)().get_config()
    # Auto-numbered names ('auc_3') depend on how many were made before; compare the stem.
    assert mine.pop("name").split("_")[0] == theirs.pop("name").split("_")[0]
    assert {k: mine[k] for k in theirs} == theirs


def test_keras_written_metric_config_deserializes(keras):
    m = metrics.deserialize(keras.metrics.serialize(keras.metrics.TopKCategoricalAccuracy(k=3, name="top3")))
    assert isinstance(m, metrics.TopKCategoricalAccuracy) and m.k == 3 and m.name == "top3"
