"""CompileLoss and CompileMetrics: structures, weights, Keras log names, 'accuracy' resolution,
and the one-time target checks."""

import numpy as np
import pytest
import torch

from lamina import losses, metrics, ops
from lamina.errors import LaminaWarning
from lamina.training import compile_utils
from lamina.training.compile_utils import CompileLoss, CompileMetrics
from tests.keras3 import keras3

RNG = np.random.default_rng(9)
N, C = 6, 3


def t(x):
    return ops.convert_to_tensor(x)


LABELS = t(RNG.integers(0, C, N))
ONE_HOT = t(np.eye(C, dtype="float32")[ops.convert_to_numpy(LABELS)])
PROBS = t(RNG.dirichlet(np.ones(C), N).astype("float32"))
BIN = t((RNG.random((N, 1)) > 0.5).astype("float32"))
BIN_P = t(RNG.random((N, 1)).astype("float32"))
REG_T = t(RNG.random((N, 2)).astype("float32"))
REG_P = t(RNG.random((N, 2)).astype("float32"))
SW = t(RNG.random(N).astype("float32"))


def close(a, b):
    np.testing.assert_allclose(ops.convert_to_numpy(a), ops.convert_to_numpy(b), rtol=1e-6, atol=1e-7)


# ---------------------------------------------------------------- CompileLoss
def test_single_output_equals_the_loss():
    cl = CompileLoss("categorical_crossentropy")
    close(cl(ONE_HOT, PROBS), losses.CategoricalCrossentropy()(ONE_HOT, PROBS))
    close(cl(ONE_HOT, PROBS, SW), losses.CategoricalCrossentropy()(ONE_HOT, PROBS, SW))
    assert cl.per_output == {}
    close(CompileLoss("mse", loss_weights=0.5)(REG_T, REG_P), 0.5 * losses.mse(REG_T, REG_P).mean())
    close(CompileLoss(losses.Huber(delta=0.1))([REG_T], REG_P), losses.Huber(delta=0.1)(REG_T, REG_P))


def test_list_outputs_with_weights_and_per_output_logs():
    cl = CompileLoss(["sparse_categorical_crossentropy", "mse"], loss_weights=[1.0, 0.25],
                     output_names=["cls", "reg"])
    total = cl([LABELS, REG_T], [PROBS, REG_P])
    l1 = losses.SparseCategoricalCrossentropy()(LABELS, PROBS)
    l2 = losses.MeanSquaredError()(REG_T, REG_P)
    close(total, l1 + 0.25 * l2)
    assert list(cl.per_output) == ["cls_loss", "reg_loss"]
    close(cl.per_output["cls_loss"], l1)
    close(cl.per_output["reg_loss"], l2)  # unweighted, as Keras logs them


def test_dict_outputs_dict_loss_and_dict_weights():
    cl = CompileLoss({"reg": "mae", "cls": "binary_crossentropy"}, loss_weights={"reg": 2.0},
                     output_names=["cls", "reg"])
    y_true = {"cls": BIN, "reg": REG_T}
    y_pred = {"reg": REG_P, "cls": BIN_P}
    total = cl(y_true, y_pred, sample_weight={"cls": SW, "reg": None})
    want = losses.BinaryCrossentropy()(BIN, BIN_P, SW) + 2.0 * losses.MeanAbsoluteError()(REG_T, REG_P)
    close(total, want)
    # The same loss with outputs as a list and targets keyed by name.
    cl2 = CompileLoss({"reg": "mae", "cls": "binary_crossentropy"}, loss_weights={"reg": 2.0},
                      output_names=["cls", "reg"])
    close(cl2(y_true, [BIN_P, REG_P], sample_weight=[SW, None]), want)


def test_one_sample_weight_applies_to_every_output():
    cl = CompileLoss("mse", output_names=["a", "b"])
    total = cl([REG_T, REG_T], [REG_P, REG_P * 2], sample_weight=SW)
    want = losses.MeanSquaredError()(REG_T, REG_P, SW) + losses.MeanSquaredError()(REG_T, REG_P * 2, SW)
    close(total, want)


def test_outputs_without_a_loss_are_skipped():
    cl = CompileLoss({"b": "mse"}, output_names=["a", "b"])
    close(cl([LABELS, REG_T], [PROBS, REG_P]), losses.MeanSquaredError()(REG_T, REG_P))
    assert cl.per_output == {}


def _grads(fn, *args):
    """The gradients of the scalar ``fn(*args)`` with respect to each arg, on either backend."""
    from lamina import backend

    if backend.backend() == "jax":
        import jax

        return [np.asarray(g) for g in jax.grad(fn, argnums=tuple(range(len(args))))(*args)]
    leaves = [a.clone().requires_grad_(True) for a in args]
    fn(*leaves).backward()
    return [None if a.grad is None else a.grad.numpy() for a in leaves]


def test_total_loss_has_gradients():
    cl = CompileLoss(["categorical_crossentropy", "mse"])
    g_p, g_r = _grads(lambda p, r: cl([ONE_HOT, REG_T], [p, r]), PROBS, REG_P)
    # d(mse)/dr = 2 (r - t) / size; d(cce)/dp: the loss normalises p, so -t/p + 1/sum(p), / N
    t, r = ops.convert_to_numpy(REG_T), ops.convert_to_numpy(REG_P)
    np.testing.assert_allclose(g_r, 2 * (r - t) / r.size, rtol=1e-5, atol=1e-7)
    p, y = ops.convert_to_numpy(PROBS), ops.convert_to_numpy(ONE_HOT)
    expected_p = (-y / p + y.sum(-1, keepdims=True) / p.sum(-1, keepdims=True)) / N
    np.testing.assert_allclose(g_p, expected_p, rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("y_true,y_pred,fn", [
    (BIN, BIN_P, losses.binary_crossentropy),
    (LABELS, PROBS, losses.sparse_categorical_crossentropy),
    (ONE_HOT, PROBS, losses.categorical_crossentropy),
], ids=["binary", "sparse", "categorical"])
def test_crossentropy_string_resolves_from_shapes(y_true, y_pred, fn):
    for spec in ("crossentropy", "ce"):
        cl = CompileLoss(spec)
        close(cl(y_true, y_pred), losses.LossFunctionWrapper(fn)(y_true, y_pred))
        assert cl._entries[0][2].fn is fn


def test_unknown_loss_name_fails_at_compile_time_with_suggestion():
    with pytest.raises(ValueError, match="Did you mean 'categorical_crossentropy'"):
        CompileLoss("categorical_crossentropie")
    with pytest.raises(ValueError, match="Did you mean 'mse'"):
        CompileLoss({"out": "mde"})


def test_bad_structures_name_the_outputs():
    with pytest.raises(ValueError, match=r"not output names. Did you mean 'cls'"):
        CompileLoss({"clss": "mse"}, output_names=["cls", "reg"])([LABELS, REG_T], [PROBS, REG_P])
    with pytest.raises(ValueError, match=r"list of 3 entries but the model has 2 output"):
        CompileLoss(["mse"] * 3, output_names=["a", "b"])([REG_T, REG_T], [REG_P, REG_P])


# ---------------------------------------------------------------- one-time checks
def test_integer_labels_with_categorical_crossentropy_raise_with_the_fix():
    for labels in (LABELS, ops.reshape(LABELS, (N, 1))):
        cl = CompileLoss("categorical_crossentropy")
        with pytest.raises(ValueError) as e:
            cl(labels, PROBS)
        msg = str(e.value)
        assert "categorical_crossentropy" in msg
        assert f"{tuple(labels.shape)}" in msg and f"({N}, {C})" in msg
        assert "loss='sparse_categorical_crossentropy'" in msg
        assert f"lamina.utils.to_categorical(y, num_classes={C})" in msg


def test_multi_output_check_names_the_output():
    cl = CompileLoss(["mse", "categorical_crossentropy"], output_names=["reg", "cls"])
    with pytest.raises(ValueError, match="for output 'cls'"):
        cl([REG_T, LABELS], [REG_P, PROBS])


def test_shape_mismatch_that_would_broadcast_raises_with_both_shapes():
    cl = CompileLoss("mse")
    with pytest.raises(ValueError, match=r"y_true.shape=\(6,\) and y_pred.shape=\(6, 3\)"):
        cl(ops.cast(LABELS, "float32"), PROBS)


def test_checks_run_once_per_build_and_again_after_reset(monkeypatch):
    calls = []
    real = losses.check_targets
    monkeypatch.setattr(losses, "check_targets", lambda *a, **k: (calls.append(1), real(*a, **k)))
    cl = CompileLoss("sparse_categorical_crossentropy")
    for _ in range(5):
        cl(LABELS, PROBS)
    assert len(calls) == 1
    cl.reset_check()
    cl(LABELS, PROBS)
    cl(LABELS, PROBS)
    assert len(calls) == 2
    # A new fit with bad targets is caught after reset_check.
    cl.reset_check()
    with pytest.raises(ValueError, match="look one-hot encoded"):
        cl(ONE_HOT, PROBS)


# ---------------------------------------------------------------- CompileMetrics
def _names(cm):
    return {k: type(m).__name__ for k, m in zip(cm.result(), cm.metrics)}


@pytest.mark.parametrize("y_true,y_pred,loss,expected", [
    (BIN, BIN_P, None, "BinaryAccuracy"),
    (LABELS, PROBS, None, "SparseCategoricalAccuracy"),
    (ops.reshape(LABELS, (N, 1)), PROBS, None, "SparseCategoricalAccuracy"),
    (ONE_HOT, PROBS, None, "CategoricalAccuracy"),
    (ONE_HOT, PROBS, "binary_crossentropy", "BinaryAccuracy"),  # multi-label: from the loss
    (LABELS, PROBS, losses.SparseCategoricalCrossentropy(from_logits=True), "SparseCategoricalAccuracy"),
], ids=["binary", "sparse", "sparse_n1", "categorical", "multilabel_bce", "sparse_loss_object"])
def test_accuracy_resolution(y_true, y_pred, loss, expected):
    cm = CompileMetrics(["accuracy", "acc"], loss=loss)
    if loss == "binary_crossentropy":  # PROBS rows sum to 1: a softmax, which the loss misfits
        with pytest.warns(LaminaWarning, match="binary_crossentropy does not fit this output"):
            cm.update_state(y_true, y_pred)
    else:
        cm.update_state(y_true, y_pred)
    assert _names(cm) == {"accuracy": expected, "acc": expected}
    result = cm.result()
    ref = getattr(metrics, expected)()
    ref.update_state(y_true, y_pred)
    close(result["accuracy"], ref.result())
    close(result["acc"], ref.result())


def test_accuracy_on_logits_uses_threshold_zero():
    cm = CompileMetrics(["accuracy"], loss=losses.BinaryCrossentropy(from_logits=True))
    logits = t(np.array([[-2.0], [0.5], [0.2], [-0.1]], "float32"))
    cm.update_state(t(np.array([[0.0], [1.0], [0.0], [0.0]], "float32")), logits)
    assert float(cm.result()["accuracy"]) == 0.75


def test_loss_names_work_as_metrics_and_keep_their_spelling():
    cm = CompileMetrics(["mse", "mae", "binary_crossentropy", metrics.AUC(name="auc"), losses.huber])
    cm.update_state(BIN, BIN_P)
    assert list(cm.result()) == ["mse", "mae", "binary_crossentropy", "auc", "huber"]
    close(cm.result()["mse"], losses.MeanSquaredError()(BIN, BIN_P))
    close(cm.result()["binary_crossentropy"], losses.BinaryCrossentropy()(BIN, BIN_P))


def test_multi_output_metric_names_and_values():
    cm = CompileMetrics({"cls": ["accuracy"], "reg": "mae"}, output_names=["cls", "reg"],
                        loss={"cls": "sparse_categorical_crossentropy", "reg": "mse"})
    cm.update_state([LABELS, REG_T], [PROBS, REG_P])
    result = cm.result()
    assert list(result) == ["cls_accuracy", "reg_mae"]
    close(result["reg_mae"], losses.MeanAbsoluteError()(REG_T, REG_P))
    cm = CompileMetrics(["accuracy"], output_names=["a", "b"])  # applied to each output
    cm.update_state({"a": BIN, "b": ONE_HOT}, {"a": BIN_P, "b": PROBS})
    assert _names(cm) == {"a_accuracy": "BinaryAccuracy", "b_accuracy": "CategoricalAccuracy"}


def test_weighted_metrics_use_sample_weights_and_get_distinct_names():
    cm = CompileMetrics(["mse"], weighted_metrics=["mse"])
    for i in range(0, N, 4):
        cm.update_state(REG_T[i:i + 4], REG_P[i:i + 4], SW[i:i + 4])
    result = cm.result()
    assert list(result) == ["mse", "weighted_mse"]
    per = ops.convert_to_numpy(losses.mse(REG_T, REG_P))
    w = ops.convert_to_numpy(SW)
    np.testing.assert_allclose(float(result["mse"]), per.mean(), rtol=1e-6)
    np.testing.assert_allclose(float(result["weighted_mse"]), (per * w).sum() / w.sum(), rtol=1e-6)
    cm.reset_state()
    assert float(cm.result()["mse"]) == 0.0


def test_metrics_before_build_and_unknown_names():
    cm = CompileMetrics(["accuracy"])
    assert cm.metrics == []
    with pytest.raises(ValueError, match="Did you mean 'accuracy'"):
        CompileMetrics(["acuracy"])


def test_duplicate_names_are_numbered():
    cm = CompileMetrics([metrics.Mean(name="m"), metrics.Sum(name="m")])
    cm.update_state(REG_T, REG_P)
    assert list(cm.result()) == ["m", "m_1"]


def test_metric_names_match_keras_compile_metrics():
    keras3()
    from keras.src.trainers import compile_utils as keras_cu

    spec = {"cls": ["accuracy", "acc"], "reg": ["mae", "mse"]}
    weighted = {"reg": ["mse"]}
    mine = CompileMetrics(spec, weighted_metrics=weighted, output_names=["cls", "reg"])
    theirs = keras_cu.CompileMetrics(spec, weighted, output_names=["cls", "reg"])
    y_true, y_pred = [ONE_HOT, REG_T], [PROBS, REG_P]
    mine.update_state(y_true, y_pred, SW)
    theirs.update_state([torch.as_tensor(x) for x in y_true], [torch.as_tensor(x) for x in y_pred], SW)
    mine_r, theirs_r = mine.result(), theirs.result()
    assert list(mine_r) == list(theirs_r) == ["cls_accuracy", "cls_acc", "reg_mae", "reg_mse", "reg_weighted_mse"]
    for k in theirs_r:
        np.testing.assert_allclose(float(mine_r[k]), float(theirs_r[k]), rtol=1e-5)


def test_module_doc_example_runs():
    import doctest

    assert doctest.testmod(compile_utils).failed == 0
