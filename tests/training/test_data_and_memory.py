"""fit() takes a torch DataLoader; repeated predict/fit/evaluate calls do not accumulate memory."""

import gc
import weakref
import tracemalloc

import numpy as np
import pytest
import torch

import lamina
from lamina import layers


def _model():
    m = lamina.Sequential([layers.Dense(16, input_dim=8, activation="relu", activity_regularizer="l2"),
                           layers.Dense(1)])
    m.compile("adam", "mse", metrics=["mae"])
    return m


def test_fit_and_predict_accept_a_torch_dataloader():
    x = torch.randn(96, 8)
    y = x.sum(1, keepdim=True)
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x, y), batch_size=32, shuffle=True)
    m = _model()
    hist = m.fit(loader, epochs=3, verbose=0)
    assert len(hist.history["loss"]) == 3 and hist.history["loss"][-1] < hist.history["loss"][0]
    assert isinstance(m.evaluate(loader, verbose=0), list)


@pytest.mark.filterwarnings("ignore::FutureWarning")  # torch's own, raised while scanning gc objects
def test_repeated_calls_do_not_grow_memory():
    m = _model()
    x = np.random.rand(64, 8).astype("float32")
    y = np.random.rand(64, 1).astype("float32")

    def work():
        for _ in range(20):
            m.predict(x[:1], verbose=0)
            m.predict(x, verbose=0)
            m(x)
        m.fit(x, y, epochs=1, verbose=0)
        m.evaluate(x, y, verbose=0)
        m.train_on_batch(x, y)

    def live_tensors():
        gc.collect()
        # type() first: a dead weakref.proxy raises ReferenceError on any isinstance check
        return sum(1 for o in gc.get_objects()
                   if type(o) not in weakref.ProxyTypes and torch.is_tensor(o))

    work()  # warm-up: lazily built state, caches
    tensors = live_tensors()
    tracemalloc.start()
    work()
    gc.collect()
    first, _ = tracemalloc.get_traced_memory()
    for _ in range(5):
        work()
    gc.collect()
    after, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert after - first < 200_000, f"memory grew by {after - first} bytes over 5 rounds"
    assert live_tensors() <= tensors + 5  # tensors (torch memory tracemalloc cannot see) do not pile up
    assert len(m.layers[0]._inbound_nodes) == 1  # eager calls add no graph nodes
