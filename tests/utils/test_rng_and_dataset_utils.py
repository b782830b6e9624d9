import random

import numpy as np
import pytest

from lamina import ops
from lamina.utils import PyDataset, Sequence, set_random_seed


def _draw():
    return random.random(), np.random.rand(), ops.convert_to_numpy(ops.random_normal((3,)))


def test_set_random_seed_makes_python_numpy_and_backend_repeat():
    set_random_seed(1234)
    a = _draw()
    set_random_seed(1234)
    b = _draw()
    set_random_seed(4321)
    c = _draw()
    assert a[0] == b[0] and a[1] == b[1]
    np.testing.assert_array_equal(a[2], b[2])
    assert a[0] != c[0] and not np.array_equal(a[2], c[2])


def test_set_random_seed_rejects_bad_seeds():
    with pytest.raises(TypeError, match="integer seed; received '1'"):
        set_random_seed("1")
    with pytest.raises(ValueError, match="0..2\\*\\*32-1"):
        set_random_seed(-5)


class Squares(PyDataset):
    def __init__(self, n, batch_size, **kwargs):
        super().__init__(**kwargs)
        self.x = np.arange(n, dtype="float32")
        self.batch_size = batch_size
        self.epochs_ended = 0

    def __len__(self):
        return -(-len(self.x) // self.batch_size)

    def __getitem__(self, i):
        xb = self.x[i * self.batch_size:(i + 1) * self.batch_size]
        return xb, xb ** 2

    def on_epoch_end(self):
        self.epochs_ended += 1


def test_py_dataset_batches():
    data = Squares(10, 4, workers=2, max_queue_size=3)
    assert len(data) == data.num_batches == 3
    batches = list(data)
    assert [len(b[0]) for b in batches] == [4, 4, 2]
    np.testing.assert_array_equal(batches[2][1], [64.0, 81.0])
    assert (data.workers, data.use_multiprocessing, data.max_queue_size) == (2, False, 3)
    data.on_epoch_end()
    assert data.epochs_ended == 1


def test_sequence_is_py_dataset_and_keras2_subclasses_work_without_super_init():
    assert Sequence is PyDataset

    class Old(Sequence):
        def __init__(self):
            self.n = 2

        def __len__(self):
            return self.n

        def __getitem__(self, i):
            return np.zeros(1), np.ones(1)

    old = Old()
    assert (old.workers, old.use_multiprocessing, old.max_queue_size) == (1, False, 10)
    assert len(list(old)) == 2
    old.on_epoch_begin()
    old.on_epoch_end()


def test_base_class_says_what_to_define():
    with pytest.raises(NotImplementedError, match="__len__"):
        len(PyDataset())
    with pytest.raises(NotImplementedError, match="__getitem__"):
        PyDataset()[0]
