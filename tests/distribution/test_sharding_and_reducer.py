"""Host-side sharding, the bucketed gradient reducer and synchronized BatchNormalization.

The fast tests run in a gloo group of ONE process (an in-memory store, no ports), where a sum over
ranks is the identity, so what they check is the bookkeeping: which rows reach the device, which
buckets exist and in which order they are launched, that hooks are inert outside a step, that the
summed gradients equal autograd's. The two-process runs (real sums) are the slow tests in
test_data_parallel.py and test_collectives_two_processes below.
"""

import numpy as np
import pytest
import torch
import torch.distributed as tdist

import lamina as keras
from lamina.backend.torch.data_parallel import DataParallelSteps, shard_bounds
from lamina.backend.torch.grad_reducer import GradReducer
from lamina.training.step_logic import StepLogic


@pytest.fixture
def group():
    tdist.init_process_group("gloo", store=tdist.HashStore(), rank=0, world_size=1)
    try:
        yield
    finally:
        tdist.destroy_process_group()


def _model():
    keras.utils.set_random_seed(3)
    model = keras.Sequential([keras.layers.Input((5,)), keras.layers.Dense(8, activation="relu"),
                              keras.layers.Dense(2, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy")
    return model


@pytest.mark.parametrize("rank", [0, 1, 2])
def test_each_rank_receives_only_its_rows_cut_on_the_host(group, rank):
    model = _model()
    steps = DataParallelSteps(model, StepLogic(model))
    steps.rank, steps.world = rank, 3  # what rank r of 3 would keep
    x = torch.arange(7 * 5, dtype=torch.float32).reshape(7, 5)
    y = torch.arange(7)
    names = np.array([f"s{i}" for i in range(7)])
    batches = [(x, y, None), ({"a": x[:2], "b": names[:2]}, y[:2], None)]
    out = []
    for xb, yb, swb in steps.device_batches(iter(batches)):
        out.append((xb, yb, swb, steps._global_rows))
        steps._global_rows = None  # what the step does when it takes the batch
    lo, hi = shard_bounds(7, rank, 3)
    torch.testing.assert_close(out[0][0], x[lo:hi])
    torch.testing.assert_close(out[0][1], y[lo:hi])
    assert out[0][2] is None and out[0][3] == 7
    lo, hi = shard_bounds(2, rank, 3)  # 2 rows over 3 ranks: rank 2 gets none
    torch.testing.assert_close(out[1][0]["a"], x[lo:hi])
    assert list(out[1][0]["b"]) == list(names[lo:hi]) and out[1][3] == 2
    # The step weighs its loss by its share of the global batch, and a batch handed to the step
    # directly (train_on_batch) is cut by the step itself.
    steps._global_rows = 7
    n, _ = steps._shard(x[:3], y[:3], None)
    assert n == 3 and steps._weight == pytest.approx(3 / 7) and steps._global_rows is None
    n, (xs, _, _) = steps._shard(x, y, None)
    lo, hi = shard_bounds(7, rank, 3)
    assert n == hi - lo and steps._weight == pytest.approx((hi - lo) / 7)
    torch.testing.assert_close(xs, x[lo:hi])


def _params():
    torch.manual_seed(0)
    return [torch.randn(300, 100, requires_grad=True), torch.randn(100, requires_grad=True),
            torch.randn(100, 50, requires_grad=True), torch.randn(50, requires_grad=True),
            torch.randn(7, requires_grad=True)]  # the last one is unused by the loss


def _loss(ps, x):
    h = torch.tanh(x @ ps[0] + ps[1])
    return (h @ ps[2] + ps[3]).square().mean()


def test_reducer_buckets_in_reverse_order_and_returns_autograd_gradients(group):
    ps = _params()
    x = torch.randn(4, 300)
    expected = torch.autograd.grad(_loss(ps, x), ps[:4])
    # 0.05 MiB buckets: the 120 kB kernel gets one of its own; the reversed order starts with
    # the unused vector, then the last layer (the first gradients backward produces).
    reducer = GradReducer(ps, bucket_mb=0.05, first_bucket_mb=0.0001)
    assert reducer.buckets == [[4], [3, 2, 1], [0]]
    assert reducer.buckets[0] == [4] and reducer.buckets[-1] == [0]
    assert sorted(i for b in reducer.buckets for i in b) == [0, 1, 2, 3, 4]
    launched = []
    real = tdist.all_reduce

    def spy(t, *a, **k):
        launched.append(next(b for b, buf in enumerate(reducer.buffers) if buf is t))
        return real(t, *a, **k)

    tdist.all_reduce = spy
    try:
        reducer.begin()
        _loss(ps, x).backward()
        before_finish = list(launched)
        grads = reducer.finish()
    finally:
        tdist.all_reduce = real
    # Bucket 0 holds the unused tensor, so nothing could be launched during backward before it
    # (launches are strictly in bucket order); finish() launches every bucket once, in order.
    assert before_finish == [] and launched == list(range(len(reducer.buckets)))
    for g, e in zip(grads[:4], expected):
        torch.testing.assert_close(g, e)
    assert torch.count_nonzero(grads[4]) == 0  # no gradient: zeros, as on every rank
    assert all(p.grad is None for p in ps[:4])  # moved into the buckets, not kept twice


def test_reducer_launches_during_backward_and_is_inert_outside_a_step(group):
    ps = _params()[:4]
    x = torch.randn(4, 300)
    reducer = GradReducer(ps, bucket_mb=0.05, first_bucket_mb=0.001)
    launched = []
    real = tdist.all_reduce

    def spy(t, *a, **k):
        launched.append(k.get("async_op"))
        return real(t, *a, **k)

    tdist.all_reduce = spy
    try:
        _loss(ps, x).backward()  # not armed: an ordinary backward, no collective
        assert launched == [] and all(p.grad is not None for p in ps)
        plain = [p.grad.clone() for p in ps]
        for p in ps:
            p.grad = None
        reducer.begin()
        _loss(ps, x).backward()
        assert len(launched) == len(reducer.buckets) and all(launched)  # all async, in backward
        grads = reducer.finish()
    finally:
        tdist.all_reduce = real
    for g, e in zip(grads, plain):
        torch.testing.assert_close(g, e)
    ref = GradReducer(ps)
    del reducer, ref  # a discarded reducer takes its hooks off
    _loss(ps, x).backward()
    assert all(p.grad is not None for p in ps)


@pytest.mark.torch_only  # the torch backend's DataParallelSteps and its DDP gradient buckets
def test_fit_with_tiny_buckets_matches_plain_steps(group, monkeypatch):
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=(45, 5)).astype("float32"), rng.integers(0, 2, 45)
    plain = _model()
    plain.fit(x, y, batch_size=8, epochs=2, verbose=0, shuffle=False)
    monkeypatch.setenv("LAMINA_DDP_BUCKET_MB", "0.00001")  # one bucket per tensor
    dp = _model()
    dp._steps = DataParallelSteps(dp, StepLogic(dp))
    dp.fit(x, y, batch_size=8, epochs=2, verbose=0, shuffle=False)
    assert len(dp._steps._reducer.buckets) == 4
    for a, b in zip(plain.get_weights(), dp.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)


def test_synchronized_batchnorm_in_one_process_is_plain_batchnorm():
    rng = np.random.default_rng(2)
    x = rng.normal(2.0, 3.0, size=(16, 4)).astype("float32")
    outs = []
    for sync in (False, True):
        keras.utils.set_random_seed(5)
        layer = keras.layers.BatchNormalization(synchronized=sync)
        outs.append((keras.ops.convert_to_numpy(layer(x, training=True)),
                     [keras.ops.convert_to_numpy(w) for w in layer.weights]))
        assert layer.get_config()["synchronized"] is sync
    np.testing.assert_array_equal(outs[0][0], outs[1][0])
    for a, b in zip(outs[0][1], outs[1][1]):
        np.testing.assert_array_equal(a, b)


def test_sync_batch_norm_op_matches_torch_batch_norm_and_keras_moving_update(group):
    from lamina.backend.torch.distributed import sync_batch_norm_train

    torch.manual_seed(1)
    x = (torch.randn(6, 3, 5, 4) * 2 + 1).requires_grad_()
    gamma, beta = torch.randn(4, requires_grad=True), torch.randn(4, requires_grad=True)
    mm, mv = torch.randn(4), torch.rand(4) + 0.5
    out, new_mean, new_var = sync_batch_norm_train(x, gamma, beta, mm, mv, -1, 0.9, 1e-3)
    ref = torch.nn.functional.batch_norm(x.reshape(-1, 4), None, None, gamma, beta, True, 0.0, 1e-3)
    torch.testing.assert_close(out, ref.reshape(x.shape), rtol=1e-5, atol=1e-5)
    flat = x.detach().reshape(-1, 4)
    torch.testing.assert_close(new_mean, 0.9 * mm + 0.1 * flat.mean(0))
    torch.testing.assert_close(new_var, 0.9 * mv + 0.1 * flat.var(0, unbiased=False))
    g = torch.randn_like(out)
    got = torch.autograd.grad(out, (x, gamma, beta), g)
    want = torch.autograd.grad(ref.reshape(x.shape), (x, gamma, beta), g)
    for a, b in zip(got, want):
        torch.testing.assert_close(a, b, rtol=1e-4, atol=1e-5)


@pytest.mark.torch_only  # torch's meta device and torch tensors' .device
def test_generator_batches_stay_on_the_host_until_the_loop_moves_them():
    """So that under data parallelism only a rank's rows reach its device (and, on one GPU, the
    copy is pinned and one batch ahead like array batches), not the whole batch in the adapter."""
    from lamina.training.data_adapter import make_data

    def gen():
        for i in range(2):
            yield np.full((4, 3), i, "float64"), np.arange(4)

    with keras.device("meta"):  # stands for a GPU: new tensors would be created there
        batches = list(make_data(gen()).epoch())
        on_device = keras.ops.ones((2,))
        kept = make_data(iter([(on_device, on_device)])).epoch()
        x_dev, _, _ = next(kept)
    assert len(batches) == 2
    for xb, yb, swb in batches:
        assert xb.device.type == "cpu" and yb.device.type == "cpu" and swb is None
        assert xb.dtype == torch.float32  # floatx, as on the device
    assert x_dev.device.type == "meta"  # a tensor already on the device is left there


@pytest.mark.torch_only  # the torch backend's DataParallelSteps
def test_an_empty_shard_with_synchronized_batchnorm_is_a_clear_error(group):
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.layers.Input((3,)), keras.layers.Dense(4),
                              keras.layers.BatchNormalization(synchronized=True, name="bn"),
                              keras.layers.Dense(1)])
    model.compile("sgd", "mse")
    steps = model._steps = DataParallelSteps(model, StepLogic(model))
    steps.rank, steps.world = 1, 2  # rank 1 of 2 gets no row of a 1-row batch
    with pytest.raises(ValueError, match=r"a batch of 1 rows over 2 processes leaves process 1 no "
                                         r"rows, and the synchronized BatchNormalization layer\(s\) "
                                         r"\['bn'\]"):
        model.train_on_batch(np.ones((1, 3), "float32"), np.ones((1, 1), "float32"))
