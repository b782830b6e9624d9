"""Keras 2's backend API (``from keras import backend as K``) against NumPy.

Every function of the table runs twice: on NumPy arrays (eager) and on symbolic tensors of a
functional model, which is then called on the same arrays. The references are NumPy formulas
(Keras 2's documented semantics), written independently of lamina's code.
"""

import numpy as np
import pytest
from numpy.lib.stride_tricks import sliding_window_view as windows

import lamina
from lamina import backend as K
from lamina import layers, ops
from lamina.errors import LaminaDeprecationWarning

rng = np.random.default_rng(0)
A = rng.standard_normal((2, 3, 4)).astype("float32")   # a batch of 2 samples
B = rng.standard_normal((2, 3, 4)).astype("float32")
M = rng.standard_normal((3, 4)).astype("float32")
W = rng.standard_normal((4, 5)).astype("float32")
POS = (np.abs(A) + 0.1).astype("float32")
PROBS = np.exp(M) / np.exp(M).sum(-1, keepdims=True)
ONEHOT = np.eye(4, dtype="float32")[[0, 3, 1]]
LABELS = np.array([0, 3, 1])
BITS = (rng.random((3, 4)) > 0.5).astype("float32")
IDX = np.array([[0, 2], [1, 1]])
IMG = rng.standard_normal((2, 5, 6, 3)).astype("float32")
SEQ = rng.standard_normal((2, 7, 3)).astype("float32")
K2 = rng.standard_normal((3, 3, 3, 4)).astype("float32")
K1 = rng.standard_normal((3, 3, 4)).astype("float32")


VOL = rng.standard_normal((1, 4, 5, 3, 2)).astype("float32")
K3 = rng.standard_normal((2, 2, 2, 2, 3)).astype("float32")
KT = rng.standard_normal((3, 2, 4, 3)).astype("float32")  # transposed conv: (kh, kw, out, in)
DW = rng.standard_normal((3, 3, 3, 2)).astype("float32")  # depthwise: (kh, kw, in, multiplier)
PW = rng.standard_normal((1, 1, 6, 4)).astype("float32")
LOCAL2 = rng.standard_normal((8, 2 * 3 * 3, 2)).astype("float32")
LOCAL1 = rng.standard_normal((3, 3 * 3, 2)).astype("float32")


def local_conv_ref(x, kernel, size, strides, out_shape):
    """Unshared-weights convolution, channels_last: one kernel per output position."""
    out = np.zeros((x.shape[0],) + out_shape + (kernel.shape[-1],))
    for p, pos in enumerate(np.ndindex(*out_shape)):
        window = x[(slice(None),) + tuple(slice(i * s, i * s + k) for i, s, k in zip(pos, strides, size))]
        out[(slice(None),) + pos] = window.reshape(x.shape[0], -1) @ kernel[p]
    return out


def softmax(x, axis=-1):
    e = np.exp(x - x.max(axis, keepdims=True))
    return e / e.sum(axis, keepdims=True)


def conv2d_ref(x, k, stride=1):
    """Valid 2D cross-correlation, NHWC input, HWIO kernel."""
    win = windows(x, k.shape[:2], axis=(1, 2))[:, ::stride, ::stride]  # (n, h, w, c, kh, kw)
    return np.einsum("nhwcij,ijco->nhwo", win, k)


def conv3d_ref(x, k):
    win = windows(x, k.shape[:3], axis=(1, 2, 3))  # (n, d, h, w, c, kd, kh, kw)
    return np.einsum("ndhwcijl,ijlco->ndhwo", win, k)


def conv2d_transpose_ref(x, k, stride):
    n, h, w, _ = x.shape
    kh, kw, out_c, _ = k.shape
    out = np.zeros((n, (h - 1) * stride + kh, (w - 1) * stride + kw, out_c))
    for i, j in np.ndindex(h, w):
        out[:, i * stride:i * stride + kh, j * stride:j * stride + kw] += np.einsum("nc,aboc->nabo", x[:, i, j], k)
    return out


def depthwise_ref(x, k):
    win = windows(x, k.shape[:2], axis=(1, 2))  # (n, h, w, c, kh, kw)
    out = np.einsum("nhwcij,ijcm->nhwcm", win, k)
    return out.reshape(out.shape[:3] + (-1,))


def batch_dot_ref(x, y, axes):
    """Keras 2: per-sample tensordot over axes[0] of x and axes[1] of y; rank 1 -> (batch, 1)."""
    out = np.stack([np.tensordot(a, b, axes=(axes[0] - 1, axes[1] - 1)) for a, b in zip(x, y)])
    return out[:, None] if out.ndim == 1 else out


EPS = 1e-7
CASES = {
    # ------------------------------------------------------------ reductions
    "mean": (lambda x: K.mean(x, axis=1), lambda x: x.mean(1), [A]),
    "mean_keepdims_all": (lambda x: K.mean(x, keepdims=True), lambda x: x.mean(keepdims=True), [A]),
    "mean_bool": (lambda x: K.mean(K.greater(x, 0), axis=-1), lambda x: (x > 0).mean(-1), [A]),
    "sum_axes": (lambda x: K.sum(x, axis=[0, 2]), lambda x: x.sum((0, 2)), [A]),
    "max": (lambda x: K.max(x, axis=-1, keepdims=True), lambda x: x.max(-1, keepdims=True), [A]),
    "min": (lambda x: K.min(x, axis=0), lambda x: x.min(0), [A]),
    "prod_keepdims_all": (lambda x: K.prod(x, keepdims=True), lambda x: x.prod(keepdims=True), [A]),
    "any_keepdims_all": (lambda x: K.any(x, keepdims=True), lambda x: (x != 0).any(keepdims=True), [A]),
    "logsumexp_all": (K.logsumexp, lambda x: np.log(np.exp(x).sum()), [A]),
    "prod": (lambda x: K.prod(x, axis=1), lambda x: x.prod(1), [A]),
    "std": (lambda x: K.std(x, axis=-1), lambda x: x.std(-1), [A]),
    "var": (lambda x: K.var(x, axis=1, keepdims=True), lambda x: x.var(1, keepdims=True), [A]),
    "any": (lambda x: K.any(K.greater(x, 1.5), axis=1), lambda x: (x > 1.5).any(1), [A]),
    "all": (lambda x: K.all(K.greater(x, -1.5), axis=-1), lambda x: (x > -1.5).all(-1), [A]),
    "argmax_default_last": (K.argmax, lambda x: x.argmax(-1), [A]),
    "argmin": (lambda x: K.argmin(x, axis=1), lambda x: x.argmin(1), [A]),
    "logsumexp": (lambda x: K.logsumexp(x, axis=-1), lambda x: np.log(np.exp(x).sum(-1)), [A]),
    "cumsum": (lambda x: K.cumsum(x, axis=1), lambda x: x.cumsum(1), [A]),
    "cumprod": (lambda x: K.cumprod(x, axis=2), lambda x: x.cumprod(2), [A]),
    # ------------------------------------------------------------ elementwise
    "square": (K.square, np.square, [A]),
    "abs": (K.abs, np.abs, [A]),
    "sqrt_clips_negatives": (K.sqrt, lambda x: np.sqrt(np.maximum(x, 0)), [A]),
    "exp": (K.exp, np.exp, [A]),
    "log": (K.log, np.log, [POS]),
    "pow": (lambda x: K.pow(x, 3), lambda x: x ** 3, [A]),
    "clip": (lambda x: K.clip(x, -0.5, 0.5), lambda x: np.clip(x, -0.5, 0.5), [A]),
    "clip_open_above": (lambda x: K.clip(x, 0.0, None), lambda x: np.maximum(x, 0.0), [A]),
    "clip_max_below_min": (lambda x: K.clip(x, 0.5, 0.1), lambda x: np.clip(x, 0.5, 0.5), [A]),
    "round_half_even": (lambda x: K.round(x * 2), lambda x: np.round(x * 2), [A]),
    "sign": (K.sign, np.sign, [A]),
    "sin": (K.sin, np.sin, [A]),
    "cos": (K.cos, np.cos, [A]),
    "maximum": (K.maximum, np.maximum, [A, B]),
    "minimum": (K.minimum, np.minimum, [A, B]),
    "equal": (lambda x: K.equal(K.round(x), 0), lambda x: np.round(x) == 0, [A]),
    "not_equal": (lambda x: K.not_equal(K.round(x), 0), lambda x: np.round(x) != 0, [A]),
    "greater": (K.greater, np.greater, [A, B]),
    "greater_equal": (K.greater_equal, np.greater_equal, [A, B]),
    "less": (K.less, np.less, [A, B]),
    "less_equal": (K.less_equal, np.less_equal, [A, B]),
    "stop_gradient": (K.stop_gradient, lambda x: x, [A]),
    # ------------------------------------------------------------ shapes
    "shape": (K.shape, lambda x: np.array(x.shape), [A]),
    "cast": (lambda x: K.cast(K.greater(x, 0), "float32"), lambda x: (x > 0).astype("float32"), [A]),
    "reshape": (lambda x: K.reshape(x, (2, -1, 2)), lambda x: x.reshape(2, -1, 2), [A]),
    "reshape_dynamic": (lambda x: K.reshape(x, (K.shape(x)[0], -1)), lambda x: x.reshape(2, -1), [A]),
    "flatten": (K.flatten, lambda x: x.reshape(-1), [A]),
    "batch_flatten": (K.batch_flatten, lambda x: x.reshape(2, -1), [A]),
    "expand_dims_default_last": (K.expand_dims, lambda x: x[..., None], [A]),
    "squeeze": (lambda x: K.squeeze(x[:, :1], 1), lambda x: x[:, 0], [A]),
    "permute_dimensions": (lambda x: K.permute_dimensions(x, (0, 2, 1)), lambda x: x.transpose(0, 2, 1), [A]),
    "transpose": (K.transpose, lambda x: x.T, [M]),
    "repeat_elements": (lambda x: K.repeat_elements(x, 2, axis=1), lambda x: np.repeat(x, 2, 1), [A]),
    "repeat": (lambda x: K.repeat(x, 3), lambda x: np.repeat(x[:, None], 3, 1), [M]),
    "tile": (lambda x: K.tile(x, [1, 2, 3]), lambda x: np.tile(x, (1, 2, 3)), [A]),
    "concatenate_default_last": (lambda x, y: K.concatenate([x, y]), lambda x, y: np.concatenate([x, y], -1), [A, B]),
    "stack": (lambda x, y: K.stack([x, y], axis=1), lambda x, y: np.stack([x, y], 1), [A, B]),
    "one_hot": (lambda i: K.one_hot(i, 4), lambda i: np.eye(4)[i], [LABELS]),
    "gather": (lambda x, i: K.gather(x, i), lambda x, i: x[i], [M, IDX]),
    "reverse": (lambda x: K.reverse(x, [1, 2]), lambda x: x[:, ::-1, ::-1], [A]),
    "slice": (lambda x: K.slice(x, (0, 1, 0), (-1, 2, 3)), lambda x: x[:, 1:3, 0:3], [A]),
    "temporal_padding": (lambda x: K.temporal_padding(x, (1, 2)), lambda x: np.pad(x, ((0, 0), (1, 2), (0, 0))), [A]),
    "spatial_2d_padding": (lambda x: K.spatial_2d_padding(x, ((1, 0), (0, 2))),
                           lambda x: np.pad(x, ((0, 0), (1, 0), (0, 2), (0, 0))), [IMG]),
    "resize_images": (lambda x: K.resize_images(x, 2, 3, "channels_last"),
                      lambda x: x.repeat(2, 1).repeat(3, 2), [IMG]),
    # ------------------------------------------------------------ linear algebra
    "dot_2d": (lambda x: K.dot(x, W), lambda x: x @ W, [M]),
    "dot_nd_like_np_dot": (lambda x: K.dot(x, np.ones((6, 4, 5), "float32")),
                           lambda x: np.dot(x, np.ones((6, 4, 5), "float32")), [A]),
    "batch_dot_axes_1": (lambda x, y: K.batch_dot(x, y, axes=1), lambda x, y: batch_dot_ref(x, y, (1, 1)), [M, M]),
    "batch_dot_default": (lambda x, y: K.batch_dot(x, K.permute_dimensions(y, (0, 2, 1))),
                          lambda x, y: batch_dot_ref(x, y.transpose(0, 2, 1), (2, 1)), [A, B]),
    "batch_dot_axes_1_2": (lambda x, y: K.batch_dot(x, y, axes=(1, 2)),
                           lambda x, y: batch_dot_ref(x, y, (1, 2)), [A[:, :, :1].copy(), B.transpose(0, 2, 1).copy()]),
    "l2_normalize_all": (K.l2_normalize, lambda x: x / np.sqrt((x ** 2).sum()), [A]),
    "l2_normalize_axis": (lambda x: K.l2_normalize(x, axis=-1),
                          lambda x: x / np.sqrt((x ** 2).sum(-1, keepdims=True)), [A]),
    # ------------------------------------------------------------ nn
    "relu": (K.relu, lambda x: np.maximum(x, 0), [A]),
    "relu_alpha_max_threshold": (lambda x: K.relu(x, alpha=0.1, max_value=1.0, threshold=0.2),
                                 lambda x: np.where(x > 0.2, np.minimum(x, 1.0), 0.1 * (x - 0.2)), [A]),
    "elu": (lambda x: K.elu(x, 0.5), lambda x: np.where(x > 0, x, 0.5 * (np.exp(x) - 1)), [A]),
    "softmax": (K.softmax, softmax, [A]),
    "softmax_axis": (lambda x: K.softmax(x, axis=1), lambda x: softmax(x, 1), [A]),
    "softplus": (K.softplus, lambda x: np.log1p(np.exp(x)), [A]),
    "softsign": (K.softsign, lambda x: x / (1 + np.abs(x)), [A]),
    "sigmoid": (K.sigmoid, lambda x: 1 / (1 + np.exp(-x)), [A]),
    "hard_sigmoid_keras2": (lambda x: K.hard_sigmoid(x * 4), lambda x: np.clip(0.2 * x * 4 + 0.5, 0, 1), [A]),
    "tanh": (K.tanh, np.tanh, [A]),
    "bias_add": (lambda x: K.bias_add(x, np.arange(4, dtype="float32")), lambda x: x + np.arange(4), [A]),
    "bias_add_channels_first": (lambda x: K.bias_add(x, np.arange(3, dtype="float32"), "channels_first"),
                                lambda x: x + np.arange(3)[:, None], [A]),
    "conv2d": (lambda x: K.conv2d(x, K2), lambda x: conv2d_ref(x, K2), [IMG]),
    "conv2d_strided": (lambda x: K.conv2d(x, K2, strides=(2, 2)), lambda x: conv2d_ref(x, K2, 2), [IMG]),
    "conv1d": (lambda x: K.conv1d(x, K1), lambda x: conv2d_ref(x[:, None], K1[None])[:, 0], [SEQ]),
    "conv1d_causal": (lambda x: K.conv1d(x, K1, padding="causal"),
                      lambda x: conv2d_ref(np.pad(x, ((0, 0), (2, 0), (0, 0)))[:, None], K1[None])[:, 0], [SEQ]),
    "conv3d": (lambda x: K.conv3d(x, K3), lambda x: conv3d_ref(x, K3), [VOL]),
    "conv2d_transpose": (lambda x: K.conv2d_transpose(x, KT, (2, 11, 12, 4), strides=(2, 2)),
                         lambda x: conv2d_transpose_ref(x, KT, 2), [IMG]),
    "conv2d_transpose_output_padding": (lambda x: K.conv2d_transpose(x, KT, (2, 11, 13, 4), strides=(2, 2)),
                                        lambda x: np.pad(conv2d_transpose_ref(x, KT, 2), ((0, 0), (0, 0), (0, 1), (0, 0))),
                                        [IMG]),
    "depthwise_conv2d": (lambda x: K.depthwise_conv2d(x, DW), lambda x: depthwise_ref(x, DW), [IMG]),
    "separable_conv2d": (lambda x: K.separable_conv2d(x, DW, PW), lambda x: depthwise_ref(x, DW) @ PW[0, 0], [IMG]),
    "pool3d_max": (lambda x: K.pool3d(x, (2, 2, 2), strides=(2, 2, 1)),
                   lambda x: windows(x, (2, 2, 2), axis=(1, 2, 3))[:, ::2, ::2].max((-1, -2, -3)), [VOL]),
    "spatial_3d_padding": (lambda x: K.spatial_3d_padding(x, ((1, 0), (0, 1), (2, 2))),
                           lambda x: np.pad(x, ((0, 0), (1, 0), (0, 1), (2, 2), (0, 0))), [VOL]),
    "resize_volumes": (lambda x: K.resize_volumes(x, 2, 1, 3, "channels_last"),
                       lambda x: x.repeat(2, 1).repeat(3, 3), [VOL]),
    "pool2d_max_strides_default_1": (lambda x: K.pool2d(x, (2, 2)),
                                     lambda x: windows(x, (2, 2), axis=(1, 2)).max((-1, -2)), [IMG]),
    "pool2d_avg": (lambda x: K.pool2d(x, (2, 3), strides=(2, 3), pool_mode="avg"),
                   lambda x: windows(x, (2, 3), axis=(1, 2))[:, ::2, ::3].mean((-1, -2)), [IMG]),
    "batch_normalization": (lambda x: K.batch_normalization(x, 0.5, 2.0, 0.1, 3.0, epsilon=1e-3),
                            lambda x: (x - 0.5) / np.sqrt(2.0 + 1e-3) * 3.0 + 0.1, [A]),
    # ------------------------------------------------------------ losses (per sample)
    "categorical_crossentropy": (K.categorical_crossentropy,
                                 lambda t, p: -(t * np.log(np.clip(p / p.sum(-1, keepdims=True), EPS, 1 - EPS))).sum(-1),
                                 [ONEHOT, PROBS]),
    "categorical_crossentropy_logits": (lambda t, z: K.categorical_crossentropy(t, z, from_logits=True),
                                        lambda t, z: -(t * np.log(softmax(z))).sum(-1), [ONEHOT, M]),
    "sparse_categorical_crossentropy": (K.sparse_categorical_crossentropy,
                                        lambda t, p: -np.log(np.clip(p, EPS, 1 - EPS)[np.arange(3), t]), [LABELS, PROBS]),
    "sparse_categorical_crossentropy_logits": (
        lambda t, z: K.sparse_categorical_crossentropy(t, z, from_logits=True),
        lambda t, z: -np.log(softmax(z)[np.arange(3), t]), [LABELS, M]),
    "binary_crossentropy": (K.binary_crossentropy,
                            lambda t, p: -(t * np.log(np.clip(p, EPS, 1 - EPS) + EPS)
                                           + (1 - t) * np.log(1 - np.clip(p, EPS, 1 - EPS) + EPS)),
                            [BITS, PROBS]),
    "binary_crossentropy_logits": (lambda t, z: K.binary_crossentropy(t, z, from_logits=True),
                                   lambda t, z: -(t * np.log(1 / (1 + np.exp(-z)))
                                                  + (1 - t) * np.log(1 - 1 / (1 + np.exp(-z)))), [BITS, M]),
    "binary_focal_crossentropy": (lambda t, p: K.binary_focal_crossentropy(t, p, apply_class_balancing=True),
                                  lambda t, p: (t * 0.25 + (1 - t) * 0.75) * (1 - (t * p + (1 - t) * (1 - p))) ** 2
                                  * -(t * np.log(np.clip(p, EPS, 1 - EPS) + EPS)
                                      + (1 - t) * np.log(1 - np.clip(p, EPS, 1 - EPS) + EPS)), [BITS, PROBS]),
    "categorical_focal_crossentropy": (K.categorical_focal_crossentropy,
                                       lambda t, p: (0.25 * (1 - p) ** 2 * -t * np.log(p)).sum(-1), [ONEHOT, PROBS]),
    "local_conv2d": (lambda x: K.local_conv2d(x, LOCAL2, (2, 3), (1, 2), (4, 2)),
                     lambda x: local_conv_ref(x, LOCAL2, (2, 3), (1, 2), (4, 2)), [IMG]),
    "local_conv1d": (lambda x: K.local_conv1d(x, LOCAL1, (3,), (2,)),
                     lambda x: local_conv_ref(x, LOCAL1, (3,), (2,), (3,)), [SEQ]),
    # ------------------------------------------------------------ creation / control
    "in_top_k": (lambda p, t: K.in_top_k(p, t, 2),
                 lambda p, t: (p > p[np.arange(3), t][:, None]).sum(1) < 2, [M, LABELS]),
    "identity": (K.identity, lambda x: x, [A]),
    "zeros_like": (K.zeros_like, np.zeros_like, [A]),
    "ones_like": (K.ones_like, np.ones_like, [A]),
    "switch_elementwise": (lambda x, y: K.switch(K.greater(x, 0), x, y), lambda x, y: np.where(x > 0, x, y), [A, B]),
    "switch_condition_rank_1": (lambda x, y: K.switch(K.greater(x[:, 0, 0], 0), x, y),
                                lambda x, y: np.where((x[:, 0, 0] > 0)[:, None, None], x, y), [A, B]),
}


def _check(got, want, name):
    got = ops.convert_to_numpy(got) if ops.is_tensor(got) else np.asarray(got)
    want = np.asarray(want)
    assert got.shape == want.shape, (name, got.shape, want.shape)
    np.testing.assert_allclose(got.astype("float64"), want.astype("float64"), rtol=2e-5, atol=2e-5,
                               err_msg=name)


@pytest.mark.parametrize("name", sorted(CASES))
def test_function_on_arrays_matches_numpy(name):
    fn, ref, arrays = CASES[name]
    _check(fn(*arrays), ref(*[a.astype("float64") if a.dtype.kind == "f" else a for a in arrays]), name)


@pytest.mark.parametrize("name", sorted(CASES))
def test_function_on_symbolic_tensors_inside_a_model(name):
    fn, ref, arrays = CASES[name]
    inputs = [layers.Input(batch_shape=a.shape, dtype=str(a.dtype)) for a in arrays]
    out = fn(*inputs)
    assert isinstance(out, lamina.layers.KerasTensor)
    model = lamina.Model(inputs, out)
    got = model([ops.convert_to_tensor(a) for a in arrays])
    want = ref(*[a.astype("float64") if a.dtype.kind == "f" else a for a in arrays])
    assert tuple(out.shape) == np.shape(want)  # the static shape the graph inferred
    _check(got, want, name)


def test_normalize_batch_in_training_print_tensor_and_arange(capsys):
    gamma, beta = np.full(4, 2.0, "float32"), np.full(4, 0.5, "float32")
    normed, mean, var = K.normalize_batch_in_training(M, gamma, beta, [0], epsilon=1e-3)
    _check(normed, (M - M.mean(0)) / np.sqrt(M.var(0) + 1e-3) * 2.0 + 0.5, "normalized")
    _check(mean, M.mean(0), "mean")
    _check(var, M.var(0), "variance")
    out = K.print_tensor(np.arange(3.0), message="value:")
    assert "value: [0. 1. 2.]" in capsys.readouterr().out
    _check(out, np.arange(3.0), "print_tensor returns x")
    assert K.arange(2, 8, 2).tolist() == [2, 4, 6] and K.dtype(K.arange(3)) == "int32"


def test_batch_dot_documented_example_shapes():
    x, y = np.ones((32, 20, 1), "float32"), np.ones((32, 30, 20), "float32")
    assert tuple(K.batch_dot(x, y, axes=(1, 2)).shape) == (32, 1, 30)
    assert K.int_shape(K.batch_dot(layers.Input((20, 1)), layers.Input((30, 20)), axes=(1, 2))) == (None, 1, 30)
    with pytest.raises(ValueError, match=r"batch_dot cannot contract the batch axis 0.*K.expand_dims"):
        K.batch_dot(x, y, axes=(0, 0))


def test_symbolic_functions_in_a_lambda_a_custom_loss_and_a_custom_layer_train():
    class Scale(layers.Layer):
        def build(self, input_shape):
            self.w = self.add_weight(shape=(input_shape[-1], 1), initializer="ones")

        def call(self, x):
            return K.dot(x, self.w)

    def mse(y_true, y_pred):
        return K.mean(K.square(y_pred - y_true), axis=-1)

    inp = layers.Input((4,))
    h = layers.Lambda(lambda t: K.l2_normalize(t, axis=-1) * K.sqrt(K.cast(K.shape(t)[1], "float32")))(inp)
    out = Scale()(K.concatenate([h, K.abs(h)]))
    model = lamina.Model(inp, out)
    model.compile("adam", loss=mse)
    x = rng.standard_normal((64, 4)).astype("float32")
    y = x.sum(-1, keepdims=True)
    hist = model.fit(x, y, epochs=5, batch_size=16, verbose=0)
    assert hist.history["loss"][-1] < hist.history["loss"][0]


def test_ctc_batch_cost_matches_the_sum_over_all_alignments():
    steps, classes = 4, 3  # blank = 2
    probs = softmax(rng.standard_normal((2, steps, classes))).astype("float32")
    labels = np.array([[0, 1], [1, 1]])
    lengths = np.array([[2], [2]])

    def collapse(path):
        out = [c for i, c in enumerate(path) if c != classes - 1 and (i == 0 or c != path[i - 1])]
        return out

    want = []
    for b in range(2):
        p = probs[b] + 1e-7
        p = p / p.sum(-1, keepdims=True)
        total = sum(np.prod([p[t, c] for t, c in enumerate(path)])
                    for path in np.ndindex(*(classes,) * steps) if collapse(path) == labels[b].tolist())
        want.append([-np.log(total)])
    inputs = np.array([[4], [4]])
    _check(K.ctc_batch_cost(labels, probs, inputs, lengths), want, "ctc")
    sym = [layers.Input(batch_shape=a.shape, dtype=str(a.dtype)) for a in (labels, probs, inputs, lengths)]
    model = lamina.Model(sym, K.ctc_batch_cost(*sym))
    _check(model([ops.convert_to_tensor(a) for a in (labels, probs, inputs, lengths)]), want, "ctc symbolic")
    decoded, _ = K.ctc_decode(probs, np.array([4, 4]))
    best = probs.argmax(-1)
    assert ops.convert_to_numpy(decoded[0])[0, :len(collapse(best[0]))].tolist() == collapse(best[0])


def test_rnn_map_fn_and_folds():
    x = rng.standard_normal((2, 5, 3)).astype("float32")

    def step(x_t, states):
        total = x_t + states[0] * states[1]  # states[1] is the constant
        return total * 2.0, [total]

    init, const = np.zeros((2, 3), "float32"), np.ones((2, 3), "float32")
    last, outs, states = K.rnn(step, x, [init], constants=[const])
    _check(outs, 2 * np.cumsum(x, 1), "rnn outputs")
    _check(last, 2 * x.sum(1), "rnn last")
    _check(states[0], x.sum(1), "rnn state")
    mask = np.array([[1, 1, 0, 1, 0], [1, 0, 0, 0, 0]], bool)
    last, outs, states = K.rnn(step, x, [init], mask=mask, constants=[const], go_backwards=True)
    totals = [(x[0] * mask[0][:, None])[::-1].cumsum(0), (x[1] * mask[1][:, None])[::-1].cumsum(0)]
    _check(states[0], np.stack([t[-1] for t in totals]), "masked backwards state")
    _check(outs[1], [[0, 0, 0]] * 4 + [2 * x[1, 0]], "masked steps carry the previous output")
    _check(K.map_fn(lambda r: K.sum(r), x), x.sum((1, 2)), "map_fn")
    _check(K.foldl(lambda a, r: a * 2 + r, x), (x[0] * 2 + x[1]), "foldl")
    _check(K.foldr(lambda a, r: a * 2 + r, x, initializer=np.zeros((5, 3), "float32")), x[1] * 2 + x[0], "foldr")


# ---------------------------------------------------------------- placeholder / function / gradients
def test_function_returns_intermediate_layer_outputs_of_functional_and_sequential_models():
    seq = lamina.Sequential([layers.Input((4,)), layers.Dense(3, name="hidden"), layers.Dense(2, name="top")])
    x = rng.standard_normal((5, 4)).astype("float32")
    get_hidden = K.function([seq.layers[0].input], [seq.get_layer("hidden").output])
    kernel, bias = seq.get_layer("hidden").get_weights()
    _check(get_hidden([x])[0], x @ kernel + bias, "hidden")
    # From an intermediate tensor to the output: the graph is cut where the value is fed.
    from_hidden = K.function([seq.get_layer("hidden").output], seq.output)
    k2, b2 = seq.get_layer("top").get_weights()
    _check(from_hidden([x[:, :3]]), x[:, :3] @ k2 + b2, "from hidden")
    with pytest.raises(ValueError, match=r"depend on the input .* not among the inputs given"):
        K.function([], [seq.output])


def test_function_feeds_the_learning_phase():
    inp = K.placeholder(shape=(None, 200))
    out = layers.Dropout(0.5)(inp)
    with pytest.warns(LaminaDeprecationWarning):
        phase = K.learning_phase()
    f = K.function([inp, phase], [out])
    x = np.ones((4, 200), "float32")
    np.testing.assert_array_equal(f([x, 0])[0], x)
    dropped = f([x, 1])[0]
    assert set(np.unique(dropped)) == {0.0, 2.0}


def test_gradients_in_function_match_finite_differences_and_drive_gradient_ascent():
    lamina.utils.set_random_seed(1)
    inp = layers.Input((8, 8, 1))
    h = layers.Conv2D(4, 3, activation="tanh", name="conv")(inp)
    model = lamina.Model(inp, layers.Dense(2)(layers.Flatten()(h)))
    loss = K.mean(model.get_layer("conv").output[:, :, :, 2])  # one filter's mean activation
    grads = K.gradients(loss, [model.input])[0]
    grads = grads / (K.sqrt(K.mean(K.square(grads))) + 1e-5)
    iterate = K.function([model.input], [loss, grads])
    img = rng.random((1, 8, 8, 1)).astype("float64")
    value, g = iterate([img])
    raw = K.function([model.input], K.gradients(loss, model.input))
    g_raw = raw([img])[0]
    for i in [(0, 0, 0, 0), (0, 3, 4, 0), (0, 7, 5, 0)]:
        up, down = img.copy(), img.copy()
        up[i] += 1e-3
        down[i] -= 1e-3
        numeric = (iterate([up])[0] - iterate([down])[0]) / 2e-3
        np.testing.assert_allclose(g_raw[i], numeric, rtol=2e-2, atol=1e-4)
    start = value
    for _ in range(10):
        value, g = iterate([img])
        img = img + 0.05 * g
    assert value > start


def test_gradients_with_respect_to_weights_and_unconnected_tensors():
    inp, other = layers.Input((3,)), layers.Input((3,))
    dense = layers.Dense(1, use_bias=False)
    loss = K.sum(dense(inp))
    gk, g_other = K.gradients(loss, [dense.kernel, other])
    assert g_other is None  # as Keras 2: not connected
    x = rng.standard_normal((4, 3)).astype("float32")
    _check(K.function([inp], [gk])([x])[0], x.sum(0)[:, None], "d loss / d kernel")
    hidden = K.square(inp)  # no weights upstream: autograd starts at this intermediate tensor
    top = layers.Dense(2, use_bias=False)
    g_hidden = K.gradients(K.sum(top(hidden)), hidden)[0]
    expected = np.tile(top.get_weights()[0].sum(1), (4, 1))
    _check(K.function(inp, g_hidden)(x), expected, "d loss / d intermediate")


@pytest.mark.skipif(lamina.backend.backend() != "torch", reason="eager K.gradients needs a tape (torch)")
def test_gradients_of_eager_tensors_on_the_tape():
    v = K.variable(2.0)
    y = ops.convert_to_tensor(np.arange(3.0)) * v
    _check(K.gradients(K.sum(y * y), [v])[0], 2 * 2.0 * np.sum(np.arange(3.0) ** 2), "eager gradients")


def test_function_applies_updates():
    v = K.variable(np.zeros(2))
    inp = K.placeholder(ndim=2)
    f = K.function([inp], [K.sum(inp)], updates=[(v, K.sum(inp, axis=0))])
    f([np.ones((3, 2))])
    np.testing.assert_array_equal(K.get_value(v), [3.0, 3.0])
    with pytest.raises(ValueError, match="session arguments"):
        K.function([inp], [inp], options=None)


# ---------------------------------------------------------------- variables
def test_variables_values_and_updates():
    v = K.variable(np.arange(6).reshape(2, 3), name="v")
    assert v.name == "v" and K.dtype(v) == "float32" and K.count_params(v) == 6
    assert K.int_shape(v) == (2, 3) and K.ndim(v) == 2
    K.set_value(v, np.ones((2, 3)))
    K.update_add(v, np.full((2, 3), 2.0))
    K.update_sub(v, 1.0)
    np.testing.assert_array_equal(K.eval(v), np.full((2, 3), 2.0))
    K.update(v, K.zeros((2, 3)))
    K.moving_average_update(v, np.full((2, 3), 10.0), 0.9)
    np.testing.assert_allclose(K.get_value(v), np.full((2, 3), 1.0))
    w = K.variable(5)
    K.batch_set_value([(v, np.eye(2, 3)), (w, 7)])
    assert [a.tolist() for a in K.batch_get_value([v, w])] == [np.eye(2, 3).tolist(), 7.0]
    np.testing.assert_array_equal(K.get_value(K.eye(3)), np.eye(3))
    np.testing.assert_array_equal(K.get_value(K.eye((2, 3))), np.eye(2, 3))
    np.testing.assert_array_equal(K.get_value(K.ones((2, 2), dtype="int32")), np.ones((2, 2)))
    assert K.dtype(K.ones((2, 2), dtype="int32")) == "int32"
    np.testing.assert_array_equal(K.get_value(K.constant(3.0, shape=(2, 2))), np.full((2, 2), 3.0))
    assert K.cast_to_floatx(np.arange(3)).dtype == np.float32


def test_set_value_on_a_layer_weight_and_the_optimizer_learning_rate():
    model = lamina.Sequential([layers.Input((2,)), layers.Dense(1)])
    model.compile(lamina.optimizers.SGD(0.1), "mse")
    K.set_value(model.layers[0].kernel, [[1.0], [2.0]])
    np.testing.assert_array_equal(model.layers[0].get_weights()[0], [[1.0], [2.0]])
    K.set_value(model.optimizer.learning_rate, 0.01)
    assert K.get_value(model.optimizer.learning_rate) == pytest.approx(0.01)
    with pytest.raises(TypeError, match="K.set_value needs a variable"):
        K.set_value(np.zeros(2), 1.0)


def test_a_layer_weight_is_its_variable_between_calls_and_a_tensor_inside_them():
    """As in Keras 3: ``layer.kernel`` can be read and written as a variable by user code, while
    call() computes on a tensor (under JAX the traced value inside a compiled step)."""
    seen = []

    class Scale(layers.Layer):
        def build(self, input_shape):
            self.w = self.add_weight(shape=(input_shape[-1],), initializer="ones", name="w")

        def call(self, x):
            seen.append(ops.is_tensor(self.w))
            return x * self.w

    layer = Scale()
    x = np.ones((2, 3), "float32")
    layer(x)
    K.set_value(layer.w, [1.0, 2.0, 3.0])
    np.testing.assert_array_equal(ops.convert_to_numpy(layer(x)), [[1, 2, 3]] * 2)
    layer.w.assign(np.full(3, 4.0, "float32"))
    K.batch_set_value([(layer.w, [5.0, 6.0, 7.0])])
    np.testing.assert_array_equal(K.get_value(layer.w), [5, 6, 7])
    np.testing.assert_array_equal(K.eval(layer.w), [5, 6, 7])
    np.testing.assert_array_equal(K.batch_get_value([layer.w, K.constant([1.0])])[1], [1.0])
    assert K.get_value(ops.sum(layer.w)) == 18.0 and K.get_value(ops.sum(layer.weights[0])) == 18.0
    np.testing.assert_array_equal(ops.convert_to_numpy(ops.stack([layer.weights[0], layer.w])), [[5, 6, 7]] * 2)
    model = lamina.Sequential([layers.Input((3,)), layer])
    model.compile(lamina.optimizers.SGD(0.1), "mse")
    model.fit(x, np.zeros((2, 3), "float32"), epochs=1, verbose=0)  # compiled step reads the weight
    np.testing.assert_allclose(K.get_value(layer.w), [5, 6, 7] - 0.1 * 2 / 3 * np.array([5, 6, 7]), rtol=1e-6)
    assert all(seen)


def test_floatx_float64_makes_float64_weights_and_math():
    """K.set_floatx('float64') gives float64 variables and computation (under JAX it turns on
    JAX's 64-bit types while floatx is float64), and floatx float32 afterwards is as before."""
    x = np.random.default_rng(0).random((4, 3))
    try:
        K.set_floatx("float64")
        model = lamina.Sequential([layers.Input((3,)), layers.Dense(2, activation="tanh"), layers.Dense(1)])
        assert [v.dtype for v in model.weights] == ["float64"] * 4
        w = [v.numpy() for v in model.weights]
        assert w[0].dtype == np.float64
        want = np.tanh(x @ w[0] + w[1]) @ w[2] + w[3]
        got = ops.convert_to_numpy(model(x))
        assert got.dtype == np.float64
        np.testing.assert_allclose(got, want, rtol=1e-12)  # float32 math would be off by ~1e-7
        assert ops.dtype(ops.convert_to_tensor(0.1)) == "float64"
        ints = np.array([3, 1, 2], "int32")  # Keras 3's integer results whatever floatx is
        assert [ops.dtype(t) for t in (ops.arange(3), ops.argmax(x), ops.argsort(ints), ops.sum(ints),
                                       ops.nonzero(ints)[0])] == ["int32"] * 5
        model.compile(lamina.optimizers.SGD(0.1), "mse")
        model.fit(x, np.zeros((4, 1)), epochs=1, batch_size=4, verbose=0)
        assert model.weights[0].numpy().dtype == np.float64
    finally:
        K.set_floatx("float32")
    assert K.dtype(K.variable(1.0)) == "float32" and ops.dtype(ops.convert_to_tensor(0.1)) == "float32"
    assert ops.dtype(ops.arange(3)) == "int32" and ops.dtype(ops.argmax(ops.ones((2, 3)))) == "int32"


def test_random_functions():
    a = K.get_value(K.random_normal((4000,), mean=1.0, stddev=2.0, seed=3))
    assert abs(a.mean() - 1.0) < 0.15 and abs(a.std() - 2.0) < 0.15
    np.testing.assert_array_equal(a, K.get_value(K.random_normal((4000,), 1.0, 2.0, seed=3)))
    u = K.get_value(K.random_uniform((4000,), -1.0, 3.0))
    assert u.min() >= -1.0 and u.max() < 3.0 and abs(u.mean() - 1.0) < 0.15
    t = K.get_value(K.truncated_normal((4000,), stddev=0.5))
    assert np.abs(t).max() <= 1.0 and 0.35 < t.std() < 0.5
    b = K.get_value(K.random_bernoulli((4000,), p=0.3))
    assert set(np.unique(b)) == {0.0, 1.0} and abs(b.mean() - 0.3) < 0.05
    with pytest.warns(LaminaDeprecationWarning, match="random_binomial"):
        assert K.random_binomial((3,), p=1.0).tolist() == [1.0, 1.0, 1.0]
    d = K.get_value(K.dropout(np.ones((4000,), "float32"), 0.25, seed=2))
    assert set(np.unique(d)) == {0.0, np.float32(1 / 0.75)} and abs((d == 0).mean() - 0.25) < 0.05
    z = layers.Input((3,))
    eps = K.random_normal(shape=(K.shape(z)[0], 3))
    assert eps.shape == (None, 3)
    assert K.function([z], [eps])([np.zeros((5, 3))])[0].shape == (5, 3)


# ---------------------------------------------------------------- control and configuration
def test_in_train_phase_follows_the_call_and_the_learning_phase():
    inp = layers.Input((2,))
    out = layers.Lambda(lambda t: K.in_train_phase(t * 0.0, t))(inp)
    model = lamina.Model(inp, out)
    x = np.ones((1, 2), "float32")
    np.testing.assert_array_equal(ops.convert_to_numpy(model(x)), x)
    np.testing.assert_array_equal(ops.convert_to_numpy(model(x, training=True)), 0 * x)
    assert K.in_test_phase(1, 2, training=0) == 1 and K.in_train_phase(lambda: "t", "i", training=True) == "t"
    with K.learning_phase_scope(1):
        np.testing.assert_array_equal(ops.convert_to_numpy(model(x)), 0 * x)
    np.testing.assert_array_equal(ops.convert_to_numpy(model(x)), x)
    with K.learning_phase_scope(0):  # restores the phase set_learning_phase changes
        with pytest.warns(LaminaDeprecationWarning, match="set_learning_phase"):
            K.set_learning_phase(1)
        np.testing.assert_array_equal(ops.convert_to_numpy(model(x)), 0 * x)
    assert K.switch(True, lambda: 1, lambda: 2) == 1


def test_configuration_functions():
    assert K.backend() == lamina.config.backend() and K.floatx() == "float32" and K.epsilon() == 1e-7
    try:
        K.set_epsilon(1e-4)
        K.set_floatx("float64")
        assert K.epsilon() == 1e-4 and K.dtype(K.variable(1.0)) == "float64"
        K.set_image_data_format("channels_first")
        with pytest.warns(LaminaDeprecationWarning, match="image_data_format"):
            assert K.image_dim_ordering() == "th"
        with pytest.warns(LaminaDeprecationWarning):
            K.set_image_dim_ordering("tf")
        assert K.image_data_format() == "channels_last"
    finally:
        K.set_epsilon(1e-7)
        K.set_floatx("float32")
        K.set_image_data_format("channels_last")
    K.clear_session()
    assert layers.Dense(1).name == "dense"


def test_tensorflow_only_names_raise_a_clear_error_and_typos_suggest():
    with pytest.raises(ValueError, match=r"K.get_graph\(...\) is part of Keras 2's TensorFlow backend.*"
                                         r"lamina runs eagerly"):
        K.get_graph()
    with pytest.raises(ValueError, match=r"K.tf.float32 is part of Keras 2's TensorFlow backend"):
        K.tf.float32
    with pytest.raises(AttributeError, match=r"no attribute 'batch_dott'. Did you mean 'batch_dot'\?"):
        K.batch_dott
    with pytest.raises(TypeError, match="K.eval cannot evaluate the symbolic tensor"):
        K.eval(layers.Input((2,)))


def test_backend_function_nodes_save_and_load(tmp_path):
    a, b = layers.Input((3,)), layers.Input((3,))
    out = K.mean(K.concatenate([a, K.square(b)], axis=-1), axis=-1, keepdims=True)
    model = lamina.Model([a, b], out)
    x = [A[:, 0], B[:, 0]]
    model.save(tmp_path / "m.keras")
    loaded = lamina.models.load_model(tmp_path / "m.keras")
    want = np.concatenate([A[:, 0], B[:, 0] ** 2], -1).mean(-1, keepdims=True)
    _check(loaded.predict(x, verbose=0), want, "loaded")


@pytest.mark.parametrize("module", ["lamina.backend.legacy", "lamina.backend.legacy.graph",
                                    "lamina.backend.legacy.variables", "lamina.layers.core.backend_function"])
def test_docstring_examples(module):
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(module), optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0


def test_a_keras2_style_transfer_program_lowers_its_loss():
    """The pattern of Keras 2's neural style transfer: variables and a placeholder joined into a
    batch, a conv net called on it, Gram matrices, K.gradients and K.function, descent steps.

    The images and the conv kernel are drawn here by NumPy, so the program is the same under
    every backend and in any test order (a kernel from each backend's own initializer RNG, and
    images from the module's shared generator, made the loss fall to 0.52-0.67x in some draws)."""
    draw = np.random.default_rng(0)
    h = w = 8
    base = K.variable(draw.random((1, h, w, 3)))
    style = K.variable(draw.random((1, h, w, 3)))
    combination = K.placeholder((1, h, w, 3))
    batch = K.concatenate([base, style, combination], axis=0)
    inp = layers.Input((h, w, 3))
    kernel = draw.uniform(-0.38, 0.38, (3, 3, 3, 4)).astype("float32")  # glorot_uniform's range
    conv = layers.Conv2D(4, 3, padding="same", activation="relu", name="block1",
                         kernel_initializer=lamina.initializers.Constant(kernel))(inp)
    features = lamina.Model(inp, conv)(batch)

    def gram_matrix(x):
        flat = K.batch_flatten(K.permute_dimensions(x, (2, 0, 1)))
        return K.dot(flat, K.transpose(flat))

    style_loss = K.sum(K.square(gram_matrix(features[1]) - gram_matrix(features[2]))) / (4.0 * 16 * (h * w) ** 2)
    content_loss = K.sum(K.square(features[2] - features[0]))
    tv = K.sum(K.pow(K.square(combination[:, :-1, :-1, :] - combination[:, 1:, :-1, :]) + 1e-3, 1.25))
    loss = K.variable(0.0) + 0.025 * content_loss + style_loss + 1e-4 * tv
    grads = K.gradients(loss, combination)
    f = K.function([combination], [loss] + grads)
    img = draw.random((1, h, w, 3))
    first, g = f([img])
    # K.gradients against central differences of the loss, on the pixels it moves most.
    for i in np.argsort(-np.abs(g).ravel())[:4]:
        step = np.zeros(img.size)
        step[i] = 1e-2
        step = step.reshape(img.shape)
        numeric = (f([img + step])[0] - f([img - step])[0]) / 2e-2
        assert numeric == pytest.approx(g.ravel()[i], rel=2e-2)
    for _ in range(20):
        value, g = f([img])
        img = img - 0.5 * g
    assert value < 0.5 * first


def test_number_first_arithmetic_on_symbolic_tensors_as_in_a_keras2_vae_loss(tmp_path):
    z_mean, z_log_var = layers.Input((2,)), layers.Input((2,))
    kl = -0.5 * K.sum(1 + z_log_var - K.square(z_mean) - K.exp(z_log_var), axis=-1)
    others = [2 - z_mean, 2 / z_mean, 2 ** z_mean, np.float32(3) * z_mean]
    model = lamina.Model([z_mean, z_log_var], [kl] + others)
    m, v = np.array([[1.0, 2.0]], "float32"), np.array([[0.5, -1.0]], "float32")
    want = [-0.5 * (1 + v - m ** 2 - np.exp(v)).sum(-1), 2 - m, 2 / m, 2 ** m, 3 * m]
    for got, ref in zip(model([m, v]), want):
        _check(got, ref, "number-first op")
    model.save(tmp_path / "ops.keras")
    for got, ref in zip(lamina.models.load_model(tmp_path / "ops.keras")([m, v]), want):
        _check(got, ref, "number-first op, reloaded")
