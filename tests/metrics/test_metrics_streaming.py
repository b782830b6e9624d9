"""Streaming updates over several batches equal the metric computed on all data at once (NumPy)."""

import contextlib

import numpy as np
import pytest
import lamina
from lamina import metrics, ops

RNG = np.random.default_rng(11)
N, C = 23, 4
PROBS = (RNG.random((N, C)) * 0.9 + 0.05).astype("float32")
LABELS = RNG.integers(0, C, N)
ONE_HOT = np.eye(C, dtype="float32")[LABELS]
BIN = (RNG.random((N, 1)) > 0.5).astype("float32")
BIN_P = RNG.random((N, 1)).astype("float32")
Y = RNG.random((N, C)).astype("float32")
W = RNG.random(N).astype("float32")
EPS = 1e-7


def _mean(per_sample, w):
    return np.sum(per_sample * w) / np.sum(w) if w is not None else per_sample.mean()


def _unit(x):
    return x / np.linalg.norm(x, axis=-1, keepdims=True)


CASES = {
    "BinaryAccuracy": (BIN, BIN_P, lambda t, p, w: _mean(((p > 0.5) == t).astype(float)[:, 0], w)),
    "CategoricalAccuracy": (ONE_HOT, PROBS, lambda t, p, w: _mean((t.argmax(-1) == p.argmax(-1)).astype(float), w)),
    "SparseCategoricalAccuracy": (LABELS, PROBS, lambda t, p, w: _mean((t == p.argmax(-1)).astype(float), w)),
    "TopKCategoricalAccuracy": (
        ONE_HOT, PROBS, lambda t, p, w: _mean((np.argsort(-p, -1)[:, :5] == t.argmax(-1)[:, None]).any(-1).astype(float), w)),
    "SparseTopKCategoricalAccuracy": (
        LABELS, PROBS, lambda t, p, w: _mean((np.argsort(-p, -1)[:, :5] == t[:, None]).any(-1).astype(float), w)),
    "MeanSquaredError": (Y, PROBS, lambda t, p, w: _mean(((t - p) ** 2).mean(-1), w)),
    "MeanAbsoluteError": (Y, PROBS, lambda t, p, w: _mean(np.abs(t - p).mean(-1), w)),
    "RootMeanSquaredError": (Y, PROBS, lambda t, p, w: np.sqrt(_mean(((t - p) ** 2).mean(-1), w))),
    "CosineSimilarity": (Y, PROBS, lambda t, p, w: _mean(np.sum(_unit(t) * _unit(p), -1), w)),
    "CategoricalCrossentropy": (
        ONE_HOT, PROBS, lambda t, p, w: _mean(-np.sum(t * np.log(p / p.sum(-1, keepdims=True)), -1), w)),
    "SparseCategoricalCrossentropy": (
        LABELS, PROBS, lambda t, p, w: _mean(-np.log((p / p.sum(-1, keepdims=True))[np.arange(len(t)), t]), w)),
    "BinaryCrossentropy": (
        BIN, BIN_P, lambda t, p, w: _mean(-(t * np.log(p) + (1 - t) * np.log(1 - p))[:, 0], w)),
    "Precision": (BIN, BIN_P, lambda t, p, w: np.sum(((p > 0.5) & (t == 1))[:, 0] * (1 if w is None else w))
                  / np.sum((p > 0.5)[:, 0] * (1 if w is None else w))),
    "Recall": (BIN, BIN_P, lambda t, p, w: np.sum(((p > 0.5) & (t == 1))[:, 0] * (1 if w is None else w))
               / np.sum((t == 1)[:, 0] * (1 if w is None else w))),
}


def _stream(metric, y_true, y_pred, w, sizes=(5, 8, 10)):
    start = 0
    for size in sizes:
        sl = slice(start, start + size)
        metric.update_state(y_true[sl], y_pred[sl], sample_weight=None if w is None else w[sl])
        start += size
    assert start == N


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("name", sorted(CASES))
def test_streaming_equals_concatenated(name, weighted):
    y_true, y_pred, ref = CASES[name]
    w = W if weighted else None
    m = getattr(metrics, name)()
    _stream(m, y_true, y_pred, w)
    result = m.result()
    assert ops.is_tensor(result) and tuple(result.shape) == ()
    want = ref(y_true, y_pred.astype("float64"), w)
    np.testing.assert_allclose(float(result), want, rtol=1e-5)
    m.reset_state()
    _stream(m, y_true, y_pred, w, sizes=(N,))
    np.testing.assert_allclose(float(m.result()), want, rtol=1e-5)


def _roc_auc(t, p):
    pos, neg = p[t == 1], p[t == 0]
    return np.mean((pos[:, None] > neg[None, :]) + 0.5 * (pos[:, None] == neg[None, :]))


def test_auc_streaming_approaches_exact_roc_auc():
    t = (RNG.random(400) > 0.4).astype("float32")
    p = np.clip(t * 0.3 + RNG.random(400) * 0.7, 0, 1).astype("float32")
    m = metrics.AUC(num_thresholds=1000)
    for i in range(0, 400, 100):
        m.update_state(t[i:i + 100], p[i:i + 100])
    np.testing.assert_allclose(float(m.result()), _roc_auc(t, p), atol=2e-3)


def test_mean_and_sum_with_weights():
    values = RNG.random(N).astype("float32")
    mean, total = metrics.Mean(), metrics.Sum()
    for i in range(0, N, 7):
        mean.update_state(values[i:i + 7], sample_weight=W[i:i + 7])
        total.update_state(values[i:i + 7], sample_weight=W[i:i + 7])
    np.testing.assert_allclose(float(mean.result()), np.sum(values * W) / W.sum(), rtol=1e-5)
    np.testing.assert_allclose(float(total.result()), np.sum(values * W), rtol=1e-5)


def test_mean_of_per_timestep_values_counts_samples():
    values = RNG.random((6, 3)).astype("float32")
    m = metrics.Mean()
    m.update_state(values[:2])
    m.update_state(values[2:])
    np.testing.assert_allclose(float(m.result()), values.mean(), rtol=1e-6)
    assert float(m.count) == 6


@contextlib.contextmanager
def _no_host_sync():
    """Make every torch tensor -> Python conversion raise while the block runs."""
    import torch

    def boom(*args, **kwargs):
        raise AssertionError("host sync inside update_state")

    names = ("item", "tolist", "numpy", "__bool__", "__float__", "__int__", "__index__")
    saved = {n: getattr(torch.Tensor, n) for n in names}
    try:
        for n in names:
            setattr(torch.Tensor, n, boom)
        yield
    finally:
        for n, f in saved.items():
            setattr(torch.Tensor, n, f)


def _traced_update_and_result(m, args, weights):
    """Under JAX, update_state and result run under jax.jit: reading a value on the host there
    (float(), bool(), np.asarray of a tracer) raises, so tracing them proves they never sync."""
    import jax

    @jax.jit
    def run(state):
        state = m.stateless_update_state(state, *args)
        state = m.stateless_update_state(state, *args, sample_weight=weights)
        return state, m.stateless_result(state)

    state, result = run([v.value for v in m.variables])
    np.testing.assert_allclose(ops.convert_to_numpy(result),
                               ops.convert_to_numpy(m.stateless_result(state)), rtol=1e-6)


@pytest.mark.parametrize("name", sorted(CASES) + ["AUC", "Mean"])
def test_update_state_never_synchronises_with_host(name):
    m = getattr(metrics, name)()
    if name == "Mean":
        args = (ops.convert_to_tensor(np.random.default_rng(3).random(8).astype("float32")),)
    else:
        y_true, y_pred, _ = CASES.get(name, CASES["BinaryAccuracy"])
        args = (ops.convert_to_tensor(y_true[:8]), ops.convert_to_tensor(y_pred[:8]))
    weights = ops.convert_to_tensor(W[:8])
    m.update_state(*args)  # first call may convert its constants
    if lamina.backend.backend() == "jax":
        _traced_update_and_result(m, args, weights)
        return
    with _no_host_sync():
        m.update_state(*args)
        m.update_state(*args, sample_weight=weights)
        m.result()
