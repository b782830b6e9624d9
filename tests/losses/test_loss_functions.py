"""Every loss against a NumPy formula and, where torch has one, torch.nn.functional."""

import contextlib

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import lamina
from lamina import losses, ops

EPS = 1e-7
RNG = np.random.default_rng(1234)
N, C = 8, 5
Y = RNG.random((N, C)).astype("float32")
P = (RNG.random((N, C)) * 0.98 + 0.01).astype("float32")
B = (RNG.random((N, C)) > 0.5).astype("float32")
LOGITS = (RNG.normal(size=(N, C)) * 3).astype("float32")
LABELS = RNG.integers(0, C, N)
ONE_HOT = np.eye(C, dtype="float32")[LABELS]
SW = RNG.random(N).astype("float32")


def np_(x):
    return ops.convert_to_numpy(x)


def _unit(x):
    return x / np.linalg.norm(x, axis=-1, keepdims=True)


def _log_softmax(x):
    m = x.max(-1, keepdims=True)
    return x - m - np.log(np.exp(x - m).sum(-1, keepdims=True))


NUMPY = {
    "mean_squared_error": (Y, P, lambda t, p: np.mean((t - p) ** 2, -1)),
    "mean_absolute_error": (Y, P, lambda t, p: np.mean(np.abs(t - p), -1)),
    "mean_absolute_percentage_error": (
        Y, P, lambda t, p: 100 * np.mean(np.abs(t - p) / np.maximum(np.abs(t), EPS), -1)),
    "mean_squared_logarithmic_error": (
        Y, P, lambda t, p: np.mean((np.log(np.maximum(p, EPS) + 1) - np.log(np.maximum(t, EPS) + 1)) ** 2, -1)),
    "cosine_similarity": (Y, P, lambda t, p: -np.sum(_unit(t) * _unit(p), -1)),
    "huber": (Y, P * 3, lambda t, p: np.mean(np.where(np.abs(p - t) <= 1, 0.5 * (p - t) ** 2, np.abs(p - t) - 0.5), -1)),
    "log_cosh": (Y, P * 3, lambda t, p: np.mean(np.log(np.cosh(p - t)), -1)),
    "binary_crossentropy": (
        B, P, lambda t, p: -np.mean(t * np.log(np.clip(p, EPS, 1 - EPS)) + (1 - t) * np.log(1 - np.clip(p, EPS, 1 - EPS)), -1)),
    "categorical_crossentropy": (
        ONE_HOT, P, lambda t, p: -np.sum(t * np.log(np.clip(p / p.sum(-1, keepdims=True), EPS, 1 - EPS)), -1)),
    "sparse_categorical_crossentropy": (
        LABELS, P, lambda t, p: -np.log(np.clip((p / p.sum(-1, keepdims=True))[np.arange(N), t.astype(int)], EPS, 1 - EPS))),
    "kl_divergence": (Y, P, lambda t, p: np.sum(np.clip(t, EPS, 1) * np.log(np.clip(t, EPS, 1) / np.clip(p, EPS, 1)), -1)),
    "poisson": (Y, P, lambda t, p: np.mean(p - t * np.log(p + EPS), -1)),
    "hinge": (B, LOGITS, lambda t, p: np.mean(np.maximum(1 - (2 * t - 1) * p, 0), -1)),
    "squared_hinge": (B, LOGITS, lambda t, p: np.mean(np.maximum(1 - (2 * t - 1) * p, 0) ** 2, -1)),
    "categorical_hinge": (
        ONE_HOT, LOGITS, lambda t, p: np.maximum(np.max((1 - t) * p, -1) - np.sum(t * p, -1) + 1, 0)),
}


@pytest.mark.parametrize("name", sorted(NUMPY))
def test_function_matches_numpy_formula(name):
    y_true, y_pred, ref = NUMPY[name]
    got = np_(losses.get(name)(y_true, y_pred))
    assert got.shape == (N,)
    np.testing.assert_allclose(got, ref(y_true.astype("float64"), y_pred.astype("float64")), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", sorted(NUMPY))
def test_class_reduction_and_sample_weight_match_numpy(name):
    y_true, y_pred, ref = NUMPY[name]
    per_sample = ref(y_true.astype("float64"), y_pred.astype("float64"))
    fn = losses.get(name)
    wrapped = losses.LossFunctionWrapper(fn)
    np.testing.assert_allclose(np_(wrapped(y_true, y_pred)), per_sample.mean(), rtol=1e-5)
    np.testing.assert_allclose(np_(wrapped(y_true, y_pred, SW)), (per_sample * SW).sum() / N, rtol=1e-5)
    summed = losses.LossFunctionWrapper(fn, reduction="sum")
    np.testing.assert_allclose(np_(summed(y_true, y_pred, SW)), (per_sample * SW).sum(), rtol=1e-5)
    none = losses.LossFunctionWrapper(fn, reduction=None)
    np.testing.assert_allclose(np_(none(y_true, y_pred, SW)), per_sample * SW, rtol=1e-5, atol=1e-6)


def _t(x):
    return torch.as_tensor(x)


TORCH = [
    (losses.MeanSquaredError(), Y, P, lambda t, p: F.mse_loss(p, t)),
    (losses.MeanAbsoluteError(), Y, P, lambda t, p: F.l1_loss(p, t)),
    (losses.Huber(delta=0.7), Y, P * 3, lambda t, p: F.huber_loss(p, t, delta=0.7)),
    (losses.BinaryCrossentropy(), B, P, lambda t, p: F.binary_cross_entropy(p, t)),
    (losses.BinaryCrossentropy(from_logits=True), B, LOGITS, lambda t, p: F.binary_cross_entropy_with_logits(p, t)),
    (losses.CategoricalCrossentropy(from_logits=True), ONE_HOT, LOGITS, lambda t, p: F.cross_entropy(p, t)),
    (losses.CategoricalCrossentropy(from_logits=True, label_smoothing=0.2), ONE_HOT, LOGITS,
     lambda t, p: F.cross_entropy(p, t.argmax(-1), label_smoothing=0.2)),
    (losses.SparseCategoricalCrossentropy(from_logits=True), LABELS, LOGITS, lambda t, p: F.cross_entropy(p, t)),
    (losses.SparseCategoricalCrossentropy(), LABELS, P,
     lambda t, p: F.nll_loss(torch.log(p / p.sum(-1, keepdim=True)), t)),
    (losses.KLDivergence(), ONE_HOT * 0.9 + 0.02, P / P.sum(-1, keepdims=True),
     lambda t, p: F.kl_div(torch.log(p), t, reduction="batchmean")),
    (losses.Poisson(), Y, P, lambda t, p: F.poisson_nll_loss(p, t, log_input=False, eps=EPS)),
    (losses.CosineSimilarity(), Y, P, lambda t, p: -F.cosine_similarity(t, p, dim=-1).mean()),
]


@pytest.mark.parametrize("loss,y_true,y_pred,ref", TORCH, ids=[type(c[0]).__name__ for c in TORCH])
def test_class_matches_torch_functional(loss, y_true, y_pred, ref):
    got = np_(loss(y_true, y_pred))
    want = ref(_t(y_true), _t(y_pred)).numpy()
    np.testing.assert_allclose(got, want, rtol=2e-5, atol=1e-6)


def test_bce_label_smoothing_matches_formula():
    s = 0.1
    got = np_(losses.BinaryCrossentropy(label_smoothing=s)(B, P))
    t = B * (1 - s) + 0.5 * s
    want = -np.mean(t * np.log(P) + (1 - t) * np.log(1 - P))
    np.testing.assert_allclose(got, want, rtol=1e-5)


def test_categorical_crossentropy_probabilities_are_renormalised_and_clipped():
    # Unnormalised scores and an exact zero: Keras divides by the sum, then clips to [eps, 1-eps].
    p = np.array([[2.0, 0.0, 2.0]], "float32")
    got = np_(losses.categorical_crossentropy([[0.0, 1.0, 0.0]], p))
    np.testing.assert_allclose(got, [-np.log(EPS)], rtol=1e-5)
    got = np_(losses.categorical_crossentropy([[1.0, 0.0, 0.0]], p))
    np.testing.assert_allclose(got, [np.log(2.0)], rtol=1e-6)


def test_sparse_labels_of_shape_n_1_and_float_labels_work():
    a = np_(losses.sparse_categorical_crossentropy(LABELS[:, None], P))
    b = np_(losses.sparse_categorical_crossentropy(LABELS.astype("float32"), P))
    c = np_(losses.sparse_categorical_crossentropy(LABELS, P))
    np.testing.assert_allclose(a, c)
    np.testing.assert_allclose(b, c)


def test_sparse_ignore_class_leaves_positions_out_of_the_mean():
    labels = np.array([0, 1, 2, 1])
    logits = LOGITS[:4, :3]
    got = np_(losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=1)(labels, logits))
    per = -_log_softmax(logits.astype("float64"))[np.arange(4), labels]
    np.testing.assert_allclose(got, per[[0, 2]].mean(), rtol=1e-5)


def test_hinge_keeps_labels_that_are_already_plus_minus_one():
    pm = 2 * B - 1
    np.testing.assert_allclose(np_(losses.hinge(pm, LOGITS)), np_(losses.hinge(B, LOGITS)), rtol=1e-6)


def test_per_timestep_loss_with_per_sample_weights_broadcasts_per_sample():
    y = RNG.random((4, 3, 2)).astype("float32")
    p = RNG.random((4, 3, 2)).astype("float32")
    w = np.array([1.0, 0.0, 2.0, 0.5], "float32")
    got = np_(losses.MeanSquaredError()(y, p, w))
    per = np.mean((y - p) ** 2, -1)  # (4, 3)
    np.testing.assert_allclose(got, (per * w[:, None]).sum() / per.size, rtol=1e-5)


def test_mean_with_sample_weight_divides_by_weight_sum():
    got = np_(losses.MeanAbsoluteError(reduction="mean_with_sample_weight")(Y, P, SW))
    want = (np.mean(np.abs(Y - P), -1) * SW).sum() / SW.sum()
    np.testing.assert_allclose(got, want, rtol=1e-5)


# ---------------------------------------------------------------- gradients
@pytest.mark.parametrize("loss,y_true,y_pred,ref", [TORCH[i] for i in (0, 2, 3, 4, 5, 7)],
                         ids=["mse", "huber", "bce", "bce_logits", "cce_logits", "scce_logits"])
def test_gradient_matches_torch_functional(loss, y_true, y_pred, ref):
    p2 = _t(y_pred).clone().requires_grad_(True)
    ref(_t(y_true), p2).backward()
    np.testing.assert_allclose(_grad_of_pred(loss, y_true, y_pred), p2.grad.numpy(), rtol=1e-4, atol=1e-7)


def _grad_of_pred(loss, y_true, y_pred):
    """d loss(y_true, y_pred) / d y_pred on lamina's backend: torch autograd, or jax.grad under JAX."""
    if lamina.backend.backend() == "torch":
        p = ops.convert_to_tensor(y_pred, ops.dtype(y_pred)).clone().requires_grad_(True)
        loss(ops.convert_to_tensor(y_true), p).backward()
        return p.grad.numpy()
    import jax

    return np.asarray(jax.grad(lambda p: loss(y_true, p))(ops.convert_to_tensor(y_pred, ops.dtype(y_pred))))


def _float64():
    """A context in which lamina's backend computes in float64: JAX needs x64 switched on for it
    (``jax.enable_x64`` is a context-local setting, restored on exit); torch always has it."""
    if lamina.backend.backend() != "jax":
        return contextlib.nullcontext()
    import jax

    return jax.enable_x64(True)


@pytest.mark.parametrize("name", ["categorical_crossentropy", "sparse_categorical_crossentropy",
                                  "kl_divergence", "log_cosh", "mean_squared_logarithmic_error"])
def test_gradient_matches_finite_differences(name):
    y_true, y_pred, _ = NUMPY[name]
    loss = losses.LossFunctionWrapper(losses.get(name))
    loss._dtype = "float64"
    x = y_pred[:3].astype("float64")
    yt = y_true[:3].astype("float64") if y_true.dtype.kind == "f" else y_true[:3]
    with _float64():
        f64 = ops.convert_to_tensor(yt, ops.dtype(yt))
        analytic = _grad_of_pred(loss, f64, x)
        h = 1e-6
        numeric = np.zeros(x.shape)
        for idx in np.ndindex(*x.shape):
            up, down = x.copy(), x.copy()
            up[idx] += h
            down[idx] -= h
            numeric[idx] = (float(loss(f64, ops.convert_to_tensor(up, "float64")))
                            - float(loss(f64, ops.convert_to_tensor(down, "float64")))) / (2 * h)
    np.testing.assert_allclose(analytic, numeric, rtol=1e-4, atol=1e-7)


FUSED = [
    (losses.MeanSquaredError(), Y[:, :1], P[:, 0]),
    (losses.MeanAbsoluteError(), Y.reshape(2, 4, 5), P.reshape(2, 4, 5)),
    (losses.BinaryCrossentropy(label_smoothing=0.1), B[:, 0], P[:, :1]),
    (losses.BinaryCrossentropy(from_logits=True), B.reshape(2, 4, 5), LOGITS.reshape(2, 4, 5)),
    (losses.CategoricalCrossentropy(label_smoothing=0.3), ONE_HOT.reshape(2, 4, 5), P.reshape(2, 4, 5)),
    (losses.CategoricalCrossentropy(from_logits=True), ONE_HOT, LOGITS),
    (losses.SparseCategoricalCrossentropy(from_logits=True), LABELS.reshape(2, 4), LOGITS.reshape(2, 4, 5)),
    (losses.SparseCategoricalCrossentropy(from_logits=True, axis=1), LABELS.reshape(2, 4),
     np.ascontiguousarray(LOGITS.reshape(2, 4, 5).transpose(0, 2, 1))),
    (losses.SparseCategoricalCrossentropy(), LABELS[:, None], P),
]


@pytest.mark.parametrize("loss,y_true,y_pred", FUSED, ids=[type(c[0]).__name__ + str(i) for i, c in enumerate(FUSED)])
def test_fused_batch_mean_equals_mean_of_per_sample_losses(loss, y_true, y_pred):
    fused = np_(loss(y_true, y_pred))
    per_sample = np_(loss.unreduced(y_true, y_pred))
    np.testing.assert_allclose(fused, per_sample.mean(), rtol=1e-5)
