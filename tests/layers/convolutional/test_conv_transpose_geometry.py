"""Transposed convolutions never hand torch an output_padding (issue 14).

torch's CPU backward with output_padding > 0 can corrupt the heap on one thread (it aborted the
process for Conv2DTranspose(kernel_size=1, strides=2, padding='same')). lamina, like Keras's torch
backend, calls torch with output_padding=0 and crops or zero-extends the result itself. Every
geometry below is checked against Keras 3 (outputs and input gradients) on every backend, and on
the torch backend also for the torch call (the spy sees no call on another backend).
"""

import importlib
import itertools

import numpy as np
import pytest
import torch

import lamina
from lamina import layers
from tests.keras3 import keras3
torch_conv = importlib.import_module("lamina.backend.torch.ops.conv")

keras = keras3()

pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation doesn.t accept a copy keyword")

CASES = [dict(kernel_size=k, strides=s, padding=p, output_padding=op)
         for k, s, p, op in itertools.product((1, 2, 3), (1, 2, 3), ("same", "valid"), (None, 0, 1))
         if op is None or op < s]


@pytest.fixture
def torch_calls(monkeypatch):
    seen = []
    for rank, fn in list(torch_conv._CONV_T.items()):
        def spy(x, w, b, stride, padding, output_padding, groups, dilation, _fn=fn):
            seen.append(output_padding)
            return _fn(x, w, b, stride, padding, output_padding, groups, dilation)
        monkeypatch.setitem(torch_conv._CONV_T, rank, spy)
    return seen


def _assert_torch_saw_no_output_padding(torch_calls):
    if lamina.backend.backend() == "torch":
        assert torch_calls and all(op == 0 for op in torch_calls), torch_calls


def _keras_and_lamina(rank, kwargs, shape):
    name = f"Conv{rank}DTranspose"
    kl = getattr(keras.layers, name)(filters=2, **kwargs)
    ll = getattr(layers, name)(filters=2, **kwargs)
    x = np.random.default_rng(0).standard_normal(shape).astype("float32")
    kl(x)
    ll(x)
    ll.set_weights([np.random.default_rng(1).standard_normal(w.shape).astype("float32")
                    for w in kl.get_weights()])
    kl.set_weights(ll.get_weights())
    return kl, ll, x


@pytest.mark.parametrize("kwargs", CASES, ids=str)
def test_conv2d_transpose_matches_keras_without_output_padding(kwargs, torch_calls, grads):
    kl, ll, x = _keras_and_lamina(2, kwargs, (2, 5, 4, 3))
    # the backward that crashed
    y, (gx,), _ = grads(ll, x, lambda out: lamina.ops.sum(lamina.ops.square(out)))
    _assert_torch_saw_no_output_padding(torch_calls)

    kx = torch.tensor(x, requires_grad=True)
    ky = kl(kx)
    ky.square().sum().backward()
    np.testing.assert_allclose(y, ky.detach().cpu().numpy(), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(gx, kx.grad.cpu().numpy(), rtol=1e-5, atol=1e-5)
    assert tuple(y.shape) == tuple(ll.compute_output_shape(x.shape))


@pytest.mark.parametrize("rank,shape", [(1, (2, 5, 3)), (3, (1, 3, 4, 2, 2))])
def test_conv1d_and_3d_transpose_kernel_1_stride_2_same(rank, shape, torch_calls, grads):
    kwargs = dict(kernel_size=1, strides=2, padding="same")
    kl, ll, x = _keras_and_lamina(rank, kwargs, shape)
    y, (gx,), _ = grads(ll, x, lambda out: lamina.ops.sum(out))
    _assert_torch_saw_no_output_padding(torch_calls)
    np.testing.assert_allclose(y, keras.ops.convert_to_numpy(kl(x)), rtol=1e-5, atol=1e-5)
    kx = torch.tensor(x, requires_grad=True)
    kl(kx).sum().backward()
    np.testing.assert_allclose(gx, kx.grad.cpu().numpy(), rtol=1e-5, atol=1e-5)


def test_kernel_1_stride_2_same_trains_in_a_model():
    lamina.utils.set_random_seed(0)
    model = lamina.Sequential([lamina.Input((4, 4, 3)),
                               layers.Conv2DTranspose(2, 1, strides=2, padding="same")])
    model.compile("sgd", "mse")
    x = np.random.default_rng(0).random((4, 4, 4, 3)).astype("float32")
    y = np.zeros((4, 8, 8, 2), "float32")
    history = model.fit(x, y, epochs=2, batch_size=2, verbose=0)
    assert np.isfinite(history.history["loss"]).all()
