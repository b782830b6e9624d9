"""lamina.utils.Dataset: the tf.data subset (map/batch/unbatch/shuffle/take/prefetch/...) on NumPy."""

import threading
import time

import numpy as np
import pytest

import lamina
from lamina.utils import Dataset
from lamina.utils.dataset import AUTOTUNE, INFINITE, UNKNOWN


def _ints(ds):
    return [int(v) for v in ds]


def test_from_tensor_slices_batch_unbatch_round_trip():
    x, y = np.arange(20.0).reshape(10, 2), np.arange(10) % 3
    ds = Dataset.from_tensor_slices((x, y))
    assert len(ds) == 10 and not ds.is_batched
    batches = list(ds.batch(4))
    assert [b[0].shape for b in batches] == [(4, 2), (4, 2), (2, 2)]
    np.testing.assert_array_equal(np.concatenate([b[1] for b in batches]), y)
    assert len(ds.batch(4)) == 3 and len(ds.batch(4, drop_remainder=True)) == 2
    back = list(ds.batch(4).unbatch())
    assert len(back) == 10 and all(np.array_equal(a[0], x[i]) and a[1] == y[i] for i, a in enumerate(back))
    d = list(Dataset.from_tensor_slices({"a": x, "b": y}).batch(5))
    assert d[1]["a"].shape == (5, 2) and d[1]["b"].tolist() == list(y[5:])
    with pytest.raises(ValueError, match=r"different lengths \[3, 10\]"):
        Dataset.from_tensor_slices((x, np.arange(3)))
    with pytest.raises(ValueError, match="not batched"):
        ds.unbatch()
    with pytest.raises(ValueError, match="batch_size must be a positive integer; received 0"):
        ds.batch(0)


def test_batch_of_strings_and_ragged_elements():
    texts = Dataset.from_tensor_slices(np.array(["a", "bb", "ccc"], dtype=object)).batch(2)
    first = next(iter(texts))
    assert first.dtype == object and first.tolist() == ["a", "bb"]
    ragged = Dataset(lambda: iter([np.zeros(2), np.zeros(3)]), 2).batch(2)
    with pytest.raises(ValueError, match=r"different shapes \[\(2,\), \(3,\)\].*pad them"):
        list(ragged)


def test_map_unpacks_tuples_and_keeps_order_in_threads():
    seen = set()

    def slow_double(x, y):
        seen.add(threading.current_thread().name)
        time.sleep(0.001 * (5 - int(x) % 5))  # later elements finish first: order must still hold
        return x * 2, y

    ds = Dataset.from_tensor_slices((np.arange(20), np.arange(20))).map(slow_double, num_parallel_calls=4)
    assert [int(x) for x, _ in ds] == list(range(0, 40, 2))
    assert any(name.startswith("lamina-data") for name in seen)
    assert _ints(Dataset.from_tensor_slices(np.arange(5)).map(lambda v: v + 1, num_parallel_calls=AUTOTUNE)) == [1, 2, 3, 4, 5]


def test_shuffle_reshuffles_each_pass_reproducibly():
    ds = Dataset.from_tensor_slices(np.arange(50)).shuffle(16, seed=3)
    first, second = _ints(ds), _ints(ds)
    assert sorted(first) == list(range(50)) and first != list(range(50)) and first != second
    again = Dataset.from_tensor_slices(np.arange(50)).shuffle(16, seed=3)
    assert _ints(again) == first and _ints(again) == second
    fixed = Dataset.from_tensor_slices(np.arange(50)).shuffle(16, seed=3, reshuffle_each_iteration=False)
    assert _ints(fixed) == _ints(fixed)
    # A buffer of 1 cannot reorder anything (tf.data's buffer semantics).
    assert _ints(Dataset.from_tensor_slices(np.arange(10)).shuffle(1, seed=0)) == list(range(10))


def test_take_skip_repeat_cache_and_cardinality():
    ds = Dataset.from_tensor_slices(np.arange(5))
    assert _ints(ds.take(3)) == [0, 1, 2] and len(ds.take(3)) == 3 and _ints(ds.take(-1)) == list(range(5))
    assert _ints(ds.skip(3)) == [3, 4] and len(ds.skip(3)) == 2
    assert _ints(ds.repeat(2)) == [0, 1, 2, 3, 4] * 2 and len(ds.repeat(2)) == 10
    assert ds.repeat().cardinality() == INFINITE and _ints(ds.repeat().take(7)) == [0, 1, 2, 3, 4, 0, 1]
    with pytest.raises(TypeError, match="infinite.*steps_per_epoch"):
        len(ds.repeat())
    assert ds.batch(2).unbatch().cardinality() == UNKNOWN
    calls = []
    cached = ds.map(lambda v: calls.append(1) or v).cache()
    assert _ints(cached) == _ints(cached) == list(range(5)) and len(calls) == 5


def test_prefetch_runs_ahead_in_a_thread_and_reports_errors():
    produced = []

    def source():
        for i in range(10):
            produced.append(threading.current_thread().name)
            yield i

    ds = Dataset(source, 10).prefetch(3)
    it = iter(ds)
    assert next(it) == 0
    time.sleep(0.2)
    assert 3 <= len(produced) <= 5 and produced[0] == "lamina-prefetch"  # ran ahead, bounded by the buffer
    assert list(it) == list(range(1, 10))

    def broken():
        yield 1
        raise OSError("disk gone")

    with pytest.raises(OSError, match="disk gone"):
        list(Dataset(broken).prefetch(2))


def test_stopping_early_releases_the_threads():
    before = threading.active_count()
    ds = Dataset.from_tensor_slices(np.arange(1000)).map(lambda v: v, num_parallel_calls=4).prefetch(4)
    for _ in range(5):
        for i, _ in enumerate(ds):
            if i == 3:
                break
    deadline = time.time() + 5
    while threading.active_count() > before and time.time() < deadline:
        time.sleep(0.05)
    assert threading.active_count() <= before


def test_to_torch_data_loader():
    torch = pytest.importorskip("torch")
    ds = Dataset.from_tensor_slices((np.ones((5, 2), "float32"), np.arange(5))).batch(2)
    loader = ds.to_torch()
    assert isinstance(loader, torch.utils.data.DataLoader) and len(loader) == 3
    batches = list(loader)
    assert isinstance(batches[0][0], torch.Tensor) and batches[0][0].shape == (2, 2) and batches[2][1].tolist() == [4]


def test_fit_evaluate_predict_consume_a_dataset():
    rng = np.random.RandomState(0)
    x = rng.randn(64, 4).astype("float32")
    y = (x[:, 0] > 0).astype("int32")
    ds = Dataset.from_tensor_slices((x, y)).shuffle(64, seed=0).batch(16).prefetch(2)
    model = lamina.Sequential([lamina.Input((4,)), lamina.layers.Dense(2, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy")
    history = model.fit(ds, epochs=15, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert model.predict(Dataset.from_tensor_slices(x).batch(10), verbose=0).shape == (64, 2)
    assert np.isfinite(model.evaluate(ds, verbose=0))
    # An endless dataset continues across epochs: each epoch sees the next steps_per_epoch batches.
    seen = []
    counted = Dataset.from_tensor_slices((x, y)).map(lambda a, b: (seen.append(1) or a, b)).batch(16).repeat()
    model.fit(counted, epochs=3, steps_per_epoch=2, verbose=0)
    assert len(seen) == 3 * 2 * 16
    with pytest.raises(ValueError, match=r"fit\(\) received a Dataset of single samples; batch it first"):
        model.fit(Dataset.from_tensor_slices((x, y)), epochs=1, verbose=0)


def test_docstring_examples():
    import doctest

    from lamina.utils import dataset

    result = doctest.testmod(dataset, extraglobs={"np": np}, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0
