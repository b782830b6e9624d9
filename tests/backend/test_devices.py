"""Device choice, lamina.device scopes, per-batch transfer with prefetch, the TF32 policy."""

import numpy as np
import pytest
import torch

import lamina as keras
from lamina.backend.torch import core as backend_core
from lamina.backend.torch.data import device_batches, host_tensor
from lamina.backend.torch.ops.core import default_device


def test_default_device_choice():
    assert default_device({}, cuda_count=0) == "cpu"
    assert default_device({}, cuda_count=2) == "cuda:0"
    assert default_device({"LOCAL_RANK": "3"}, cuda_count=2) == "cuda:1"  # torchrun: own GPU
    assert default_device({"LAMINA_DEVICE": "cpu", "LOCAL_RANK": "1"}, cuda_count=2) == "cpu"
    assert default_device({"LAMINA_DEVICE": "cuda:1"}, cuda_count=0) == "cuda:1"


@pytest.mark.torch_only  # torch's meta device
def test_device_scope_places_new_tensors_and_weights_and_restores():
    before = keras.ops.DEVICE
    with keras.device("meta"):  # a device that exists on every torch build
        assert keras.ops.zeros((2,)).device.type == "meta"
        assert keras.ops.convert_to_tensor(np.ones(3)).device.type == "meta"
        assert backend_core.device_name() == "meta"
    assert keras.ops.DEVICE == before and keras.ops.zeros((2,)).device == before
    with pytest.raises(ValueError, match=r"lamina.device\('tpu:0'\): unknown device"):
        with keras.device("tpu:0"):
            pass
    if not torch.cuda.is_available():
        with pytest.raises(ValueError, match="CUDA is not available"):
            with keras.device("gpu:0"):
                pass
    assert keras.ops.DEVICE == before


@pytest.mark.torch_only  # torch's meta device and dtypes
def test_host_tensor_stays_on_the_cpu_under_another_device():
    with keras.device("meta"):
        t = host_tensor(np.ones((4, 2), dtype="float64"))
    assert t.device.type == "cpu" and t.dtype == torch.float32  # floatx, as convert_to_tensor


def test_device_batches_move_each_batch_one_ahead_in_order():
    produced = []

    def source():
        for i in range(4):
            produced.append(i)
            yield (torch.full((2, 3), float(i)), torch.tensor([i, i]), None)

    seen = []
    for i, (x, y, sw) in enumerate(device_batches(source(), device="meta")):
        assert x.device.type == "meta" and y.device.type == "meta" and sw is None
        assert tuple(x.shape) == (2, 3)
        seen.append(i)
        assert len(produced) == min(i + 2, 4)  # the next batch is already on its way, no more
    assert seen == [0, 1, 2, 3]
    # On the CPU the batches are passed through untouched (the same tensor objects).
    batch = (torch.ones(2), None, None)
    assert next(iter(device_batches([batch], device="cpu"))) is batch


@pytest.mark.torch_only  # torch.backends' TF32 switches
def test_tf32_policy_is_off_by_default_and_restored():
    assert backend_core.tf32_enabled() is False
    old = torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32
    with backend_core._tf32_policy(True):
        assert torch.backends.cuda.matmul.allow_tf32 and torch.backends.cudnn.allow_tf32
    with backend_core._tf32_policy(False):
        assert not torch.backends.cuda.matmul.allow_tf32 and not torch.backends.cudnn.allow_tf32
    assert (torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32) == old
    keras.backend.enable_tensor_float_32_execution(True)
    try:
        assert backend_core.tf32_enabled() is True
    finally:
        keras.backend.enable_tensor_float_32_execution(False)


def test_fit_streams_a_generator_never_materialised_whole():
    """Data larger than the device: fit pulls a generator batch by batch (at most one ahead)."""
    keras.utils.set_random_seed(0)
    produced = []

    def batches():
        rng = np.random.default_rng(0)
        while True:  # endless: it can only be consumed lazily
            produced.append(1)
            x = rng.normal(size=(8, 4)).astype("float32")
            yield x, x.sum(axis=1, keepdims=True)

    ahead = []

    class Watch(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            ahead.append(len(produced) - (self._done + batch + 1))

        def on_epoch_begin(self, epoch, logs=None):
            self._done = len(produced)

    model = keras.Sequential([keras.layers.Input((4,)), keras.layers.Dense(1)])
    model.compile(keras.optimizers.SGD(0.05), "mse")
    history = model.fit(batches(), steps_per_epoch=25, epochs=3, verbose=0, callbacks=[Watch()])
    assert len(produced) == 75 and max(ahead) <= 1
    assert history.history["loss"][-1] < history.history["loss"][0] / 2  # it learned the sum


@pytest.mark.torch_only  # torch tensors' .device
def test_fit_keeps_array_data_in_host_memory():
    from lamina.training.data_adapter import make_data

    data = make_data(np.ones((10, 3)), np.ones((10, 1)), batch_size=4, shuffle=True)
    assert data.host and data.x.device.type == "cpu" and data.y.device.type == "cpu"
    xs = [xb for xb, _, _ in data.epoch()]
    assert [len(x) for x in xs] == [4, 4, 2]  # sliced per batch, never concatenated
