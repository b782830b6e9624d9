"""Conv1D/2D/3D against torch.nn.functional with converted weights (keras-formats.md §2.4)."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import lamina
from lamina import layers
from lamina.errors import ShapeError

CONV = {1: layers.Conv1D, 2: layers.Conv2D, 3: layers.Conv3D}
TORCH_CONV = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}


def _same_pads(size, k, s, d):
    """TF 'same': out = ceil(size / s); the extra pad goes at the end."""
    k_eff = (k - 1) * d + 1
    out = -(-size // s)
    total = max((out - 1) * s + k_eff - size, 0)
    return total // 2, total - total // 2


def _reference(x, kernel, bias, strides, padding, dilation, groups, data_format):
    """torch reference on an NC... copy, with explicit padding."""
    rank = kernel.ndim - 2
    xt = torch.from_numpy(x)
    if data_format == "channels_last":
        xt = torch.movedim(xt, -1, 1)
    spatial = xt.shape[2:]
    if padding == "same":
        pads = [_same_pads(spatial[i], kernel.shape[i], strides[i], dilation[i]) for i in range(rank)]
    elif padding == "causal":
        pads = [((kernel.shape[0] - 1) * dilation[0], 0)]
    else:
        pads = [(0, 0)] * rank
    flat = [p for pair in reversed(pads) for p in pair]
    xt = F.pad(xt, flat)
    w = torch.from_numpy(np.ascontiguousarray(np.transpose(kernel, (rank + 1, rank) + tuple(range(rank)))))
    y = TORCH_CONV[rank](xt, w, None if bias is None else torch.from_numpy(bias), strides, 0, dilation, groups)
    if data_format == "channels_last":
        y = torch.movedim(y, 1, -1)
    return y


CASES = [
    # rank, spatial, kernel, strides, padding, dilation, groups
    (1, (11,), (3,), (1,), "valid", (1,), 1),
    (1, (10,), (4,), (2,), "same", (1,), 1),
    (1, (9,), (3,), (1,), "causal", (2,), 1),
    (1, (12,), (5,), (3,), "causal", (1,), 1),
    (2, (7, 8), (3, 3), (1, 1), "valid", (1, 1), 1),
    (2, (8, 8), (3, 3), (2, 2), "same", (1, 1), 1),    # odd total: extra row/col at bottom/right
    (2, (7, 6), (2, 4), (1, 1), "same", (1, 1), 1),    # even kernels, stride 1: asymmetric
    (2, (9, 9), (3, 2), (3, 2), "same", (1, 1), 1),
    (2, (9, 10), (3, 3), (1, 1), "same", (2, 3), 1),
    (2, (6, 6), (3, 3), (1, 1), "valid", (2, 1), 2),
    (2, (7, 7), (3, 3), (2, 1), "same", (1, 1), 4),
    (3, (5, 6, 4), (3, 2, 2), (1, 2, 1), "same", (1, 1, 1), 1),
    (3, (5, 5, 5), (2, 2, 2), (1, 1, 1), "valid", (1, 1, 2), 1),
]


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
@pytest.mark.parametrize("rank,spatial,ksize,strides,padding,dilation,groups", CASES)
def test_conv_matches_torch(rank, spatial, ksize, strides, padding, dilation, groups, data_format):
    cin, filters = 4, 8
    shape = (2, *spatial, cin) if data_format == "channels_last" else (2, cin, *spatial)
    x = np.random.default_rng(1).standard_normal(shape).astype("float32")
    layer = CONV[rank](filters, ksize, strides=strides, padding=padding, dilation_rate=dilation,
                       groups=groups, data_format=data_format, bias_initializer="random_normal")
    y = layer(x)
    kernel, bias = layer.get_weights()
    assert kernel.shape == ksize + (cin // groups, filters)  # Keras layout
    expected = _reference(x, kernel, bias, strides, padding, dilation, groups, data_format)
    np.testing.assert_allclose(lamina.ops.convert_to_numpy(y), expected.numpy(), rtol=1e-5, atol=1e-5)
    assert layer.compute_output_shape((None,) + shape[1:]) == (None,) + tuple(y.shape[1:])


@pytest.mark.parametrize("padding,strides", [("valid", 1), ("same", 2), ("same", 1)])
def test_conv2d_gradients_match_torch(padding, strides, grads):
    x = np.random.default_rng(2).standard_normal((3, 9, 8, 5)).astype("float32")
    layer = layers.Conv2D(6, (3, 2), strides=strides, padding=padding, activation="tanh")
    layer(x)
    oshape = tuple(layer.compute_output_shape(x.shape))
    r = np.linspace(-1, 1, int(np.prod(oshape)), dtype="float32").reshape(oshape)
    y, (gx,), gw = grads(layer, x, lambda out: lamina.ops.sum(lamina.ops.multiply(out, r)))
    kernel, bias = layer.get_weights()
    xr = torch.from_numpy(x).requires_grad_()
    w = torch.from_numpy(kernel.transpose(3, 2, 0, 1).copy()).requires_grad_()
    b = torch.from_numpy(bias).requires_grad_()
    xp = torch.movedim(xr, -1, 1)
    if padding == "same":
        ph, pw = _same_pads(9, 3, strides, 1), _same_pads(8, 2, strides, 1)
        xp = F.pad(xp, (*pw, *ph))
    yr = torch.tanh(torch.movedim(F.conv2d(xp, w, b, strides), 1, -1))
    (yr * torch.from_numpy(r)).sum().backward()
    np.testing.assert_allclose(y, yr.detach().numpy(), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(gw["kernel"], w.grad.numpy().transpose(2, 3, 1, 0), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(gw["bias"], b.grad.numpy(), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(gx, xr.grad.numpy(), rtol=1e-4, atol=1e-5)


def test_conv1d_causal_gradient_matches_torch(grads):
    x = np.random.default_rng(3).standard_normal((2, 10, 3)).astype("float32")
    layer = layers.Conv1D(4, 3, padding="causal", dilation_rate=2)
    y, (gx,), gw = grads(layer, x, lambda out: lamina.ops.sum(lamina.ops.square(out)))
    kernel, bias = layer.get_weights()
    w = torch.from_numpy(kernel.transpose(2, 1, 0).copy()).requires_grad_()
    xr = torch.from_numpy(x).requires_grad_()
    yr = F.conv1d(F.pad(xr.transpose(1, 2), (4, 0)), w, torch.from_numpy(bias), dilation=2).transpose(1, 2)
    yr.square().sum().backward()
    np.testing.assert_allclose(y, yr.detach().numpy(), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(gw["kernel"], w.grad.numpy().transpose(2, 1, 0), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(gx, xr.grad.numpy(), rtol=1e-4, atol=1e-5)


def test_causal_output_never_sees_the_future():
    layer = layers.Conv1D(2, 4, padding="causal")
    x = np.random.default_rng(4).standard_normal((1, 12, 3)).astype("float32")
    y1 = lamina.ops.convert_to_numpy(layer(x))
    x2 = x.copy()
    x2[:, 7:] = 100.0
    y2 = lamina.ops.convert_to_numpy(layer(x2))
    np.testing.assert_allclose(y1[:, :7], y2[:, :7], rtol=1e-6, atol=1e-6)
    assert not np.allclose(y1[:, 7:], y2[:, 7:])


def test_conv2d_numpy_closed_form():
    """A direct NumPy cross-correlation (no flip) in HWIO, valid padding."""
    x = np.random.default_rng(5).standard_normal((1, 5, 6, 2)).astype("float32")
    layer = layers.Conv2D(3, (2, 3), use_bias=False)
    y = lamina.ops.convert_to_numpy(layer(x))
    (k,) = layer.get_weights()
    expected = np.zeros((1, 4, 4, 3), "float32")
    for i in range(4):
        for j in range(4):
            expected[0, i, j] = np.einsum("hwc,hwco->o", x[0, i:i + 2, j:j + 3], k)
    np.testing.assert_allclose(y, expected, rtol=1e-5, atol=1e-5)
    assert [w.name for w in layer.weights] == ["kernel"]


def test_data_format_default_comes_from_config():
    lamina.config.set_image_data_format("channels_first")
    try:
        layer = layers.Conv2D(2, 3)
    finally:
        lamina.config.set_image_data_format("channels_last")
    assert layer.data_format == "channels_first"
    assert layers.Conv2D(2, 3).data_format == "channels_last"


@pytest.mark.torch_only  # torch's channels_last memory format
def test_conv_output_is_a_view_of_channels_last_memory():
    """No layout copies: the NHWC output is torch's channels_last result, permuted back."""
    layer = layers.Conv2D(8, 3)
    y = layer(np.random.default_rng(6).standard_normal((2, 9, 9, 4)).astype("float32"))
    assert y.is_contiguous()  # (N, H, W, C) contiguous == channels_last NCHW memory


def test_conv2d_given_3d_input_names_layer_expected_ndim_and_shape():
    layer = layers.Conv2D(4, 3, name="conv_a")
    with pytest.raises(ShapeError) as e:
        layer(np.zeros((28, 28, 1), "float32"))
    msg = str(e.value)
    assert '"conv_a"' in msg and "expected ndim=4" in msg and "found ndim=3" in msg and "(28, 28, 1)" in msg


def test_conv2d_3d_input_after_build_and_in_sequential():
    layer = layers.Conv2D(4, 3, name="conv_b")
    layer(np.zeros((1, 8, 8, 2), "float32"))
    for data_format in ("channels_last",):
        with pytest.raises(ShapeError, match=r'"conv_b".*expected ndim=4.*\(8, 8, 2\)'):
            layer(np.zeros((8, 8, 2), "float32"))
    cf = layers.Conv2D(4, 3, data_format="channels_first", name="conv_c")
    cf(np.zeros((1, 2, 8, 8), "float32"))
    with pytest.raises(ShapeError, match=r'"conv_c".*expected ndim=4.*\(2, 8, 8\)'):
        cf(np.zeros((2, 8, 8), "float32"))
    model = lamina.Sequential([layers.Conv2D(4, 3, input_shape=(8, 8, 1), name="first")])
    # A model adds a missing trailing channel axis of size 1, as Keras 3's functional models do.
    assert tuple(model(np.zeros((5, 8, 8), "float32")).shape) == (5, 6, 6, 4)
    with pytest.raises(ShapeError, match=r"'sequential.*expects arrays of shape \(None, 8, 8, 1\).*\(8, 8\)"):
        model(np.zeros((8, 8), "float32"))


def test_wrong_channel_count_after_build_is_explained():
    layer = layers.Conv2D(4, 3, name="conv_d")
    layer(np.zeros((1, 8, 8, 2), "float32"))
    with pytest.raises(ShapeError, match=r'"conv_d".*axis -1.*value 2.*\(1, 8, 8, 3\)'):
        layer(np.zeros((1, 8, 8, 3), "float32"))


def test_kernel_larger_than_input_is_reported():
    with pytest.raises(ValueError, match=r"non-positive spatial size.*\(1, 2, 2, 1\).*padding='same'"):
        layers.Conv2D(1, 5)(np.zeros((1, 2, 2, 1), "float32"))


@pytest.mark.parametrize("kwargs,match", [
    (dict(filters=0, kernel_size=3), "positive integer"),
    (dict(filters=4, kernel_size=(3, 3, 3)), "tuple of 2 ints"),
    (dict(filters=4, kernel_size=3, strides=0), "> 0"),
    (dict(filters=4, kernel_size=3, padding="causal"), "only supported by 1D"),
    (dict(filters=4, kernel_size=3, padding="smae"), "Did you mean 'same'"),
    (dict(filters=6, kernel_size=3, groups=4), "divides filters=6"),
    (dict(filters=4, kernel_size=3, data_format="nhwc"), "channels_last"),
])
def test_conv2d_argument_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        layers.Conv2D(**kwargs)


def test_groups_must_divide_input_channels():
    with pytest.raises(ValueError, match="not divisible by groups=2"):
        layers.Conv2D(4, 3, groups=2)(np.zeros((1, 5, 5, 3), "float32"))


def test_symbolic_shapes_and_config():
    inp = lamina.Input((28, 28, 1))
    out = layers.Conv2D(32, 3, strides=2, padding="same")(inp)
    assert out.shape == (None, 14, 14, 32)
    out = layers.Conv1D(5, 3, padding="causal")(lamina.Input((None, 4)))
    assert out.shape == (None, None, 5)
    cfg = layers.Conv3D(2, 2, name="c3").get_config()
    assert cfg["kernel_size"] == (2, 2, 2) and cfg["strides"] == (1, 1, 1) and cfg["groups"] == 1
    assert cfg["kernel_initializer"]["class_name"] == "GlorotUniform" and cfg["activation"] == "linear"


def test_weights_are_parameters_in_keras_order():
    layer = layers.Conv2D(3, 2)
    layer(np.zeros((1, 4, 4, 2), "float32"))
    assert [w.path for w in layer.weights] == [f"{layer.name}/kernel", f"{layer.name}/bias"]
    if lamina.backend.backend() == "torch":  # torch.nn.Parameters there
        assert [tuple(p.shape) for p in layer.parameters()] == [(2, 2, 2, 3), (3,)]
    assert layer.count_params() == 2 * 2 * 2 * 3 + 3


def test_lora_is_refused_clearly():
    with pytest.raises(NotImplementedError, match="lora_rank"):
        layers.Conv2D(2, 3, lora_rank=4)
