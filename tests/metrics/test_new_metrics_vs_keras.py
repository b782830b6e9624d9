"""The F-score, IoU, R2, correlation, count, rate-at-rate metrics and multi-label AUC against
Keras 3 (torch backend), streamed over two batches, with and without sample weights."""

import numpy as np
import pytest

from lamina import metrics, ops

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


RNG = np.random.default_rng(21)
N, C = 24, 4
P = (RNG.random((N, C)) * 0.98 + 0.01).astype("float32")
Y = RNG.normal(size=(N, C)).astype("float32")
YP = (Y + RNG.normal(size=(N, C)) * 0.7).astype("float32")
B = (RNG.random((N, C)) > 0.5).astype("float32")
LABELS = RNG.integers(0, C, N)
PRED_LABELS = np.where(RNG.random(N) > 0.4, LABELS, RNG.integers(0, C, N))
ONE_HOT = np.eye(C, dtype="float32")[LABELS]
P1 = P[:, 0]
B1 = B[:, 0]
W = RNG.random(N).astype("float32")
WI = RNG.integers(0, 3, N).astype("int32")  # integer weights for the integer IoU state

CASES = [
    ("F1Score", {}, B, P, W),
    ("F1Score", {"average": "micro", "threshold": 0.5}, B, P, W),
    ("F1Score", {"average": "macro"}, ONE_HOT, P, W),
    ("F1Score", {"average": "weighted", "threshold": 0.4}, B, P, W),
    ("FBetaScore", {"beta": 2.0}, ONE_HOT, P, W),
    ("FBetaScore", {"beta": 0.5, "average": "macro", "threshold": 0.6}, B, P, W),
    ("IoU", {"num_classes": C, "target_class_ids": [0, 2]}, LABELS, PRED_LABELS, WI),
    ("IoU", {"num_classes": C, "target_class_ids": [1], "ignore_class": 3}, LABELS, PRED_LABELS, WI),
    ("MeanIoU", {"num_classes": C}, LABELS, PRED_LABELS, WI),
    ("MeanIoU", {"num_classes": C, "sparse_y_pred": False}, LABELS, P, WI),
    ("OneHotIoU", {"num_classes": C, "target_class_ids": [0, 3]}, ONE_HOT, P, WI),
    ("OneHotMeanIoU", {"num_classes": C}, ONE_HOT, P, WI),
    ("BinaryIoU", {}, B1, P1, WI),
    ("BinaryIoU", {"target_class_ids": [1], "threshold": 0.3}, B1, P1, WI),
    ("R2Score", {}, Y, YP, W),
    ("R2Score", {"class_aggregation": None}, Y, YP, W),
    ("R2Score", {"class_aggregation": "variance_weighted_average"}, Y, YP, W),
    ("R2Score", {"num_regressors": 3}, Y, YP, None),
    ("PearsonCorrelation", {}, Y, YP, W),
    ("ConcordanceCorrelation", {}, Y, YP, W),
    ("PearsonCorrelation", {"axis": 0}, Y, YP, None),
    ("TruePositives", {}, B, P, W),
    ("TrueNegatives", {"thresholds": [0.2, 0.5, 0.9]}, B, P, W),
    ("FalsePositives", {"thresholds": 0.3}, B, P, W),
    ("FalseNegatives", {}, B, P, W),
    ("PrecisionAtRecall", {"recall": 0.6}, B, P, W),
    ("PrecisionAtRecall", {"recall": 0.8, "num_thresholds": 7, "class_id": 2}, B, P, W),
    ("RecallAtPrecision", {"precision": 0.55}, B, P, W),
    ("SensitivityAtSpecificity", {"specificity": 0.5}, B, P, W),
    ("SpecificityAtSensitivity", {"sensitivity": 0.7, "num_thresholds": 50}, B, P, W),
    ("AUC", {"multi_label": True}, B, P, W),
    ("AUC", {"multi_label": True, "num_labels": C, "label_weights": [1.0, 2.0, 0.5, 0.0]}, B, P, W),
    ("AUC", {"multi_label": True, "curve": "PR"}, B, P, W),
    ("AUC", {"multi_label": True, "curve": "PR", "summation_method": "minoring"}, B, P, None),
    ("AUC", {"label_weights": [1.0, 2.0, 0.5, 0.0]}, B, P, W),
]
IDS = [f"{c[0]}{sorted(c[1].items())}" for c in CASES]


def _stream(metric, y_true, y_pred, sample_weight, convert):
    half = len(y_true) // 2
    for sl in (slice(0, half), slice(half, None)):
        sw = None if sample_weight is None else convert(sample_weight[sl])
        metric.update_state(convert(y_true[sl]), convert(y_pred[sl]), sample_weight=sw)
    return metric.result()


@pytest.mark.parametrize("cls,kwargs,y_true,y_pred,weights", CASES, ids=IDS)
def test_matches_keras_streamed(keras, cls, kwargs, y_true, y_pred, weights):
    for sw in (None, weights) if weights is not None else (None,):
        mine = getattr(metrics, cls)(**kwargs)
        theirs = getattr(keras.metrics, cls)(**kwargs)
        got = ops.convert_to_numpy(_stream(mine, y_true, y_pred, sw, ops.convert_to_tensor))
        want = keras.ops.convert_to_numpy(_stream(theirs, y_true, y_pred, sw, keras.ops.convert_to_tensor))
        assert np.abs(want).max() > 1e-3, "a comparison of zeros proves nothing"
        np.testing.assert_allclose(got, want, rtol=2e-5, atol=2e-6)
        mine.reset_state()
        theirs.reset_state()
        assert np.allclose(ops.convert_to_numpy(_stream(mine, y_true, y_pred, sw, ops.convert_to_tensor)), got)


def _plain(config):
    """The config with tensors as lists, and without 'name' (Keras numbers auto names per session)."""
    return {k: (ops.convert_to_numpy(v).tolist() if hasattr(v, "shape") else v)
            for k, v in config.items() if k != "name"}


@pytest.mark.parametrize("cls,kwargs", [(c[0], c[1]) for c in CASES], ids=IDS)
def test_configs_round_trip_with_keras(keras, cls, kwargs):
    mine = getattr(metrics, cls)(**kwargs)
    theirs = getattr(keras.metrics, cls)(**kwargs)
    assert _plain(mine.get_config()) == _plain(theirs.get_config())
    assert mine.name.startswith(theirs.name.rsplit("_", 1)[0] if theirs.name[-1].isdigit() else theirs.name)
    back = metrics.deserialize(keras.metrics.serialize(theirs))
    assert back.name == theirs.name
    assert type(back) is getattr(metrics, cls) and _plain(back.get_config()) == _plain(theirs.get_config())
    forth = keras.metrics.deserialize(metrics.serialize(mine))
    assert type(forth) is getattr(keras.metrics, cls)
    assert _plain(forth.get_config()) == _plain(mine.get_config())


def test_state_is_only_variables_stateless_update_matches(keras):
    m = metrics.F1Score(average="macro")
    m.update_state(ONE_HOT[:4], P[:4])  # creates the per-class state
    m.reset_state()
    values = [v.value for v in m.variables]
    new = m.stateless_update_state(values, ONE_HOT, P)
    assert all(float(ops.convert_to_numpy(ops.sum(v.value))) == 0.0 for v in m.variables)
    m.update_state(ONE_HOT, P)
    np.testing.assert_allclose(ops.convert_to_numpy(m.stateless_result(new)),
                               ops.convert_to_numpy(m.result()), rtol=1e-6)
    for cls, kwargs in (("MeanIoU", {"num_classes": C}), ("PrecisionAtRecall", {"recall": 0.5}),
                        ("AUC", {"multi_label": True, "num_labels": C}), ("TruePositives", {})):
        m = getattr(metrics, cls)(**kwargs)
        yt, yp = (LABELS, PRED_LABELS) if cls == "MeanIoU" else (B, P)
        new = m.stateless_update_state([v.value for v in m.variables], yt, yp)
        m.update_state(yt, yp)
        for a, b in zip(new, m.variables):
            np.testing.assert_array_equal(ops.convert_to_numpy(a), ops.convert_to_numpy(b.value))


def test_bad_arguments_name_the_fix():
    with pytest.raises(ValueError, match=r"beta must be a Python float > 0; received beta=2"):
        metrics.FBetaScore(beta=2)
    with pytest.raises(ValueError, match=r"target_class_ids=\[4\] must be non-empty and lie in \[0, num_classes\) = \[0, 3\)"):
        metrics.IoU(3, [4])
    with pytest.raises(ValueError, match=r"recall must lie in \[0, 1\]; received recall=1.5"):
        metrics.PrecisionAtRecall(1.5)
    with pytest.raises(ValueError, match=r"AUC\(multi_label=True\) needs predictions of shape \(samples, labels\)"):
        metrics.AUC(multi_label=True).update_state(B1, P1)
    with pytest.raises(ValueError, match=r"R2Score expects 2D inputs"):
        metrics.R2Score().update_state(Y[..., None], YP[..., None])
