"""DepthwiseConv1D/2D and SeparableConv1D/2D against torch grouped convolutions (§2.4)."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import lamina
from lamina import layers


def _depthwise_weight(kernel):
    """Keras (*k, in, mult) -> torch (in * mult, 1, *k); output channel = c * mult + m."""
    rank = kernel.ndim - 2
    flat = kernel.reshape(kernel.shape[:rank] + (1, -1))
    return torch.from_numpy(np.ascontiguousarray(np.transpose(flat, (rank + 1, rank) + tuple(range(rank)))))


def _to_torch(x, data_format):
    t = torch.from_numpy(x)
    return torch.movedim(t, -1, 1) if data_format == "channels_last" else t


def _from_torch(y, data_format):
    return (torch.movedim(y, 1, -1) if data_format == "channels_last" else y).detach().numpy()


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
@pytest.mark.parametrize("ksize,strides,padding,mult,dilation", [
    ((3, 3), (1, 1), "valid", 1, (1, 1)),
    ((3, 3), (2, 2), "same", 2, (1, 1)),     # asymmetric TF padding on an even input
    ((2, 3), (1, 1), "same", 3, (2, 1)),
])
def test_depthwise_conv2d_matches_torch(ksize, strides, padding, mult, dilation, data_format):
    cin = 3
    shape = (2, 8, 8, cin) if data_format == "channels_last" else (2, cin, 8, 8)
    x = np.random.default_rng(0).standard_normal(shape).astype("float32")
    layer = layers.DepthwiseConv2D(ksize, strides, padding, depth_multiplier=mult, dilation_rate=dilation,
                                   data_format=data_format, bias_initializer="random_normal")
    y = lamina.ops.convert_to_numpy(layer(x))
    kernel, bias = layer.get_weights()
    assert kernel.shape == ksize + (cin, mult) and bias.shape == (cin * mult,)
    xt = _to_torch(x, data_format)
    if padding == "same":
        pads = []
        for size, k, s, d in zip((8, 8), ksize, strides, dilation):
            k = (k - 1) * d + 1
            total = max((-(-size // s) - 1) * s + k - size, 0)
            pads.append((total // 2, total - total // 2))
        xt = F.pad(xt, (*pads[1], *pads[0]))
    ref = F.conv2d(xt, _depthwise_weight(kernel), torch.from_numpy(bias), strides, 0, dilation, cin)
    np.testing.assert_allclose(y, _from_torch(ref, data_format), rtol=1e-5, atol=1e-5)
    assert layer.compute_output_shape((None,) + shape[1:]) == (None,) + y.shape[1:]


def test_depthwise_conv1d_causal_matches_torch():
    x = np.random.default_rng(1).standard_normal((2, 9, 4)).astype("float32")
    layer = layers.DepthwiseConv1D(3, padding="causal", depth_multiplier=2)
    y = lamina.ops.convert_to_numpy(layer(x))
    kernel, bias = layer.get_weights()
    ref = F.conv1d(F.pad(torch.from_numpy(x).transpose(1, 2), (2, 0)), _depthwise_weight(kernel),
                   torch.from_numpy(bias), groups=4).transpose(1, 2)
    np.testing.assert_allclose(y, ref.numpy(), rtol=1e-5, atol=1e-5)


def test_depthwise_output_channel_order_is_channel_major():
    """Output channel c * mult + m is input channel c convolved with kernel[..., c, m]."""
    x = np.random.default_rng(2).standard_normal((1, 5, 5, 2)).astype("float32")
    layer = layers.DepthwiseConv2D(1, depth_multiplier=3, use_bias=False)
    y = lamina.ops.convert_to_numpy(layer(x))
    (k,) = layer.get_weights()
    for c in range(2):
        for m in range(3):
            np.testing.assert_allclose(y[..., c * 3 + m], x[..., c] * k[0, 0, c, m], rtol=1e-6)


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_separable_conv2d_matches_torch(data_format):
    shape = (2, 9, 9, 3) if data_format == "channels_last" else (2, 3, 9, 9)
    x = np.random.default_rng(3).standard_normal(shape).astype("float32")
    layer = layers.SeparableConv2D(5, 3, strides=2, padding="same", depth_multiplier=2,
                                   data_format=data_format, bias_initializer="random_normal")
    y = lamina.ops.convert_to_numpy(layer(x))
    dk, pk, b = layer.get_weights()
    assert [w.name for w in layer.weights] == ["depthwise_kernel", "pointwise_kernel", "bias"]
    assert dk.shape == (3, 3, 3, 2) and pk.shape == (1, 1, 6, 5) and b.shape == (5,)
    xt = F.pad(_to_torch(x, data_format), (1, 1, 1, 1))  # 9 with stride 2: total 2, symmetric
    mid = F.conv2d(xt, _depthwise_weight(dk), None, 2, 0, 1, 3)
    ref = F.conv2d(mid, torch.from_numpy(pk.transpose(3, 2, 0, 1).copy()), torch.from_numpy(b))
    np.testing.assert_allclose(y, _from_torch(ref, data_format), rtol=1e-5, atol=1e-5)


def test_separable_conv1d_gradients_match_torch(grads):
    x = np.random.default_rng(4).standard_normal((2, 10, 3)).astype("float32")
    layer = layers.SeparableConv1D(4, 3, padding="same", depth_multiplier=2, activation="tanh")
    y, (gx,), gw = grads(layer, x, lambda out: lamina.ops.sum(out))
    dk, pk, b = layer.get_weights()
    dw = _depthwise_weight(dk).requires_grad_()
    pw = torch.from_numpy(pk.transpose(2, 1, 0).copy()).requires_grad_()
    xr = torch.from_numpy(x).requires_grad_()
    mid = F.conv1d(F.pad(xr.transpose(1, 2), (1, 1)), dw, groups=3)
    yr = torch.tanh(F.conv1d(mid, pw, torch.from_numpy(b))).transpose(1, 2)
    yr.sum().backward()
    np.testing.assert_allclose(y, yr.detach().numpy(), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(gw["pointwise_kernel"], pw.grad.numpy().transpose(2, 1, 0), rtol=1e-4, atol=1e-5)
    grad_dk = dw.grad.numpy()[:, 0, :].T.reshape(3, 3, 2)  # (in*mult, 1, k) -> (k, in, mult)
    np.testing.assert_allclose(gw["depthwise_kernel"], grad_dk, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(gx, xr.grad.numpy(), rtol=1e-4, atol=1e-5)


def test_depth_multiplier_must_be_positive():
    with pytest.raises(ValueError, match="depth_multiplier must be a positive integer"):
        layers.DepthwiseConv2D(3, depth_multiplier=0)
