"""Conv1D/2D/3DTranspose against an independent formulation: a convolution of the
stride-dilated, padded input with the flipped kernel (how TF/JAX define Keras's geometry)."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import lamina
from lamina import layers

TRANSPOSE = {1: layers.Conv1DTranspose, 2: layers.Conv2DTranspose, 3: layers.Conv3DTranspose}
TORCH_CONV = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}


def _keras_pads(k, s, d, padding, output_padding):
    """Keras's (left, right) padding of the stride-dilated input, per axis."""
    k = (k - 1) * d + 1
    if padding == "valid":
        extra = max(k, s) - k if output_padding is None else output_padding
        return k - 1, k - 1 + extra
    total = s + k - 2 if output_padding is None else k + k % 2 - 2 + output_padding
    left = min(total // 2 + total % 2, k - 1)
    return left, total - left


def _reference(x, kernel, bias, strides, padding, output_padding, dilation, data_format):
    rank = kernel.ndim - 2
    xt = torch.from_numpy(x)
    if data_format == "channels_last":
        xt = torch.movedim(xt, -1, 1)
    n, c, *spatial = xt.shape
    dil_shape = [(size - 1) * s + 1 for size, s in zip(spatial, strides)]
    xd = torch.zeros((n, c, *dil_shape))
    xd[(slice(None), slice(None)) + tuple(slice(None, None, s) for s in strides)] = xt
    ops_ = output_padding or (None,) * rank
    pads = [_keras_pads(kernel.shape[i], strides[i], dilation[i], padding, ops_[i]) for i in range(rank)]
    xd = F.pad(xd, [p for pair in reversed(pads) for p in pair])
    flipped = np.flip(kernel, axis=tuple(range(rank)))  # (*k, out, in)
    w = torch.from_numpy(np.ascontiguousarray(np.transpose(flipped, (rank, rank + 1) + tuple(range(rank)))))
    y = TORCH_CONV[rank](xd, w, torch.from_numpy(bias), 1, 0, dilation)
    if data_format == "channels_last":
        y = torch.movedim(y, 1, -1)
    return y.numpy()


CASES = [
    # rank, spatial, kernel, strides, padding, output_padding, dilation
    (1, (5,), (3,), (2,), "same", None, (1,)),
    (1, (5,), (3,), (2,), "valid", None, (1,)),
    (1, (4,), (2,), (3,), "valid", None, (1,)),        # stride > kernel: zeros + bias at the end
    (1, (6,), (3,), (1,), "same", None, (2,)),
    (2, (4, 5), (3, 3), (2, 2), "same", None, (1, 1)),
    (2, (4, 4), (4, 4), (2, 2), "same", None, (1, 1)),
    (2, (3, 4), (3, 2), (2, 3), "valid", None, (1, 1)),
    (2, (4, 4), (3, 3), (2, 2), "same", (1, 0), (1, 1)),
    (2, (4, 4), (3, 3), (3, 2), "valid", (2, 1), (1, 1)),
    (2, (5, 5), (5, 5), (1, 1), "same", None, (1, 1)),
    (2, (5, 4), (2, 3), (1, 1), "same", None, (1, 1)),
    (3, (3, 2, 3), (2, 3, 2), (2, 1, 2), "same", None, (1, 1, 1)),
    (3, (2, 3, 2), (2, 2, 2), (1, 2, 2), "valid", None, (1, 1, 1)),
]


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
@pytest.mark.parametrize("rank,spatial,ksize,strides,padding,output_padding,dilation", CASES)
def test_conv_transpose_matches_dilated_convolution(rank, spatial, ksize, strides, padding,
                                                    output_padding, dilation, data_format):
    cin, filters = 3, 4
    shape = (2, *spatial, cin) if data_format == "channels_last" else (2, cin, *spatial)
    x = np.random.default_rng(0).standard_normal(shape).astype("float32")
    layer = TRANSPOSE[rank](filters, ksize, strides=strides, padding=padding, output_padding=output_padding,
                            dilation_rate=dilation, data_format=data_format, bias_initializer="ones")
    y = lamina.ops.convert_to_numpy(layer(x))
    kernel, bias = layer.get_weights()
    assert kernel.shape == ksize + (filters, cin)  # Keras layout (*k, out, in)
    expected = _reference(x, kernel, bias, strides, padding, output_padding, dilation, data_format)
    assert y.shape == expected.shape
    np.testing.assert_allclose(y, expected, rtol=1e-5, atol=1e-5)
    assert layer.compute_output_shape((None,) + shape[1:]) == (None,) + y.shape[1:]


def test_same_padding_output_is_input_times_stride():
    out = layers.Conv2DTranspose(8, 3, strides=2, padding="same")(lamina.Input((7, 5, 4)))
    assert out.shape == (None, 14, 10, 8)


def test_conv2d_transpose_gradients_match_torch(grads):
    """k=4, s=2, 'same' is torch's ConvTranspose2d(padding=1) exactly."""
    x = np.random.default_rng(1).standard_normal((2, 5, 5, 3)).astype("float32")
    layer = layers.Conv2DTranspose(6, 4, strides=2, padding="same", activation="relu")
    y, (gx,), gw = grads(layer, x, lambda out: lamina.ops.sum(lamina.ops.square(out)))
    kernel, bias = layer.get_weights()
    w = torch.from_numpy(kernel.transpose(3, 2, 0, 1).copy()).requires_grad_()  # (in, out, kh, kw)
    xr = torch.from_numpy(x).requires_grad_()
    yr = torch.relu(F.conv_transpose2d(xr.permute(0, 3, 1, 2), w, torch.from_numpy(bias), 2, 1)).permute(0, 2, 3, 1)
    yr.square().sum().backward()
    np.testing.assert_allclose(y, yr.detach().numpy(), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(gw["kernel"], w.grad.numpy().transpose(2, 3, 1, 0), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(gx, xr.grad.numpy(), rtol=1e-4, atol=1e-4)


def test_output_padding_must_be_smaller_than_strides():
    with pytest.raises(ValueError, match="output_padding must be smaller than strides"):
        layers.Conv2DTranspose(2, 3, strides=2, output_padding=2)


def test_causal_is_refused_for_transpose():
    with pytest.raises(ValueError, match="causal"):
        layers.Conv1DTranspose(2, 3, padding="causal")


def test_conv3d_transpose_keeps_keras_argument_order():
    layer = layers.Conv3DTranspose(2, 2, 1, "valid", "channels_first")
    assert layer.data_format == "channels_first" and layer.output_padding is None


def test_op_extends_with_zeros_and_bias_beyond_torch_output_padding():
    """ops.conv_transpose with output_padding >= stride (which torch cannot express): the extra
    rows hold only the bias, as in the dilated-convolution definition."""
    x = np.random.default_rng(2).standard_normal((1, 4, 2)).astype("float32")
    kernel = np.random.default_rng(3).standard_normal((3, 5, 2)).astype("float32")
    bias = np.arange(5, dtype="float32")
    y = lamina.ops.convert_to_numpy(lamina.ops._internal.conv_transpose(
        lamina.ops.convert_to_tensor(x), lamina.ops.convert_to_tensor(kernel), 2, "valid", 3, "channels_last", 1,
        lamina.ops.convert_to_tensor(bias)))
    expected = _reference(x, kernel, bias, (2,), "valid", (3,), (1,), "channels_last")
    assert y.shape == expected.shape == (1, 12, 5)
    np.testing.assert_allclose(y, expected, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(y[0, -2:], np.broadcast_to(bias, (2, 5)), rtol=1e-6)
