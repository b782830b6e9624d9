"""The inference-time kernel layout cache never serves a stale kernel."""

import importlib

import numpy as np

import lamina
from lamina import layers


def _model():
    lamina.utils.set_random_seed(1)
    return lamina.Sequential([layers.Input((8, 8, 3)), layers.Conv2D(4, 3), layers.Conv2D(2, 1)])


def _reference(model, x):
    y = x
    for layer in model.layers:
        k, b = layer.get_weights()
        kh, kw = k.shape[:2]
        out = np.zeros((y.shape[0], y.shape[1] - kh + 1, y.shape[2] - kw + 1, k.shape[-1]), "float64")
        for i in range(out.shape[1]):
            for j in range(out.shape[2]):
                out[:, i, j] = np.tensordot(y[:, i:i + kh, j:j + kw], k, axes=([1, 2, 3], [0, 1, 2]))
        y = out + b
    return y


def test_predict_follows_set_weights_and_training():
    model = _model()
    x = np.random.default_rng(0).random((2, 8, 8, 3)).astype("float32")
    np.testing.assert_allclose(model.predict(x, verbose=0), _reference(model, x), rtol=1e-4, atol=1e-5)
    model.set_weights([w * 2 - 0.1 for w in model.get_weights()])  # in-place: version bump
    np.testing.assert_allclose(model.predict(x, verbose=0), _reference(model, x), rtol=1e-4, atol=1e-5)
    model.compile(optimizer="sgd", loss="mse")
    model.fit(x, np.ones((2, 6, 6, 2), "float32"), epochs=2, verbose=0)  # optimizer updates in place
    np.testing.assert_allclose(model.predict(x, verbose=0), _reference(model, x), rtol=1e-4, atol=1e-5)


def test_gradients_still_flow_to_the_kernel():
    model = _model()
    x = np.random.default_rng(0).random((4, 8, 8, 3)).astype("float32")
    before = model.layers[0].get_weights()[0].copy()
    model.compile(optimizer="sgd", loss="mse")
    model.fit(x, np.zeros((4, 6, 6, 2), "float32"), epochs=1, verbose=0)
    assert not np.allclose(model.layers[0].get_weights()[0], before)


def _kernel_bytes(model):
    return sum(layer.get_weights()[0].nbytes for layer in model.layers)


def test_cached_copies_hold_memory_only_while_they_can_serve():
    import gc

    torch_conv = importlib.import_module("lamina.backend.torch.ops.conv")  # (ops.conv is the op)

    lamina.backend.clear_session()
    assert torch_conv.kernel_cache_bytes() == 0
    model = _model()
    x = np.random.default_rng(0).random((2, 8, 8, 3)).astype("float32")
    model.predict(x, verbose=0)
    assert torch_conv.kernel_cache_bytes() == _kernel_bytes(model)  # one copy per kernel, no more
    model.set_weights(model.get_weights())
    model.predict(x, verbose=0)
    assert torch_conv.kernel_cache_bytes() == _kernel_bytes(model)  # stale copies replaced, not kept
    # training: the copies go at the kernels' first training use
    model.compile(optimizer="sgd", loss="mse")
    model.train_on_batch(x, np.ones((2, 6, 6, 2), "float32"))
    assert torch_conv.kernel_cache_bytes() == 0
    model.predict(x, verbose=0)
    assert torch_conv.kernel_cache_bytes() == _kernel_bytes(model)
    lamina.backend.clear_session()
    assert torch_conv.kernel_cache_bytes() == 0
    model.predict(x, verbose=0)
    del model
    gc.collect()
    assert torch_conv.kernel_cache_bytes() == 0  # and with their kernels
