"""The ``keras.ops.nn`` kernels for the torch backend: activations, conv/pool, normalization,
losses, CTC and attention, with Keras 3's signatures and numerics."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from lamina import config
from lamina.backend.common import ctc_beam_search
import sys as _sys

import lamina.backend.torch.ops.conv  # noqa: F401  (the module; its name is shadowed by the conv function)
from lamina.backend.torch.ops import losses_ops as _losses
from lamina.backend.torch.ops import nn as _nn
from lamina.backend.torch.ops._convert import Tensor, _t, promote, to_float
from lamina.backend.torch.ops.core import to_torch_dtype

_conv = _sys.modules["lamina.backend.torch.ops.conv"]


def _act(name, fn, doc, keep_int=False):
    def op(x):
        x = x if isinstance(x, Tensor) else _t(x)
        if keep_int and x.dtype != torch.bool:  # relu and relu6 keep integer dtypes, as Keras
            return fn(x)
        return fn(x if x.is_floating_point() else to_float(x))
    op.__name__ = op.__qualname__ = name
    op.__doc__ = doc
    return op


def _relu(x):
    return torch.relu(x)


def _relu6(x):
    return torch.clamp(x, 0, 6)


_ACTS = {
    "relu": (_relu, "max(x, 0)."),
    "relu6": (_relu6, "min(max(x, 0), 6)."),
    "sigmoid": (torch.sigmoid, "1 / (1 + exp(-x))."),
    "softplus": (F.softplus, "log(1 + exp(x))."),
    "softsign": (F.softsign, "x / (1 + |x|)."),
    "silu": (F.silu, "x * sigmoid(x)."),
    "swish": (F.silu, "x * sigmoid(x) (an alias of silu)."),
    "log_sigmoid": (F.logsigmoid, "log(sigmoid(x)), computed stably."),
    "selu": (torch.selu, "Scaled ELU with the self-normalizing constants."),
    "hard_sigmoid": (F.hardsigmoid, "relu6(x + 3) / 6."),
    "hard_silu": (F.hardswish, "x * hard_sigmoid(x)."),
    "hard_swish": (F.hardswish, "x * hard_sigmoid(x) (an alias of hard_silu)."),
    "hard_tanh": (F.hardtanh, "clip(x, -1, 1)."),
    "tanh_shrink": (lambda x: x - torch.tanh(x), "x - tanh(x)."),
    "sparse_plus": (lambda x: torch.where(x <= -1, torch.zeros_like(x),
                                          torch.where(x >= 1, x, (x + 1) ** 2 / 4)),
                    "0 for x <= -1, x for x >= 1, (x + 1)^2 / 4 between."),
    "sparse_sigmoid": (lambda x: torch.clamp((x + 1) / 2, 0, 1), "clip((x + 1) / 2, 0, 1)."),
}
for _n, (_f, _d) in _ACTS.items():
    globals()[_n] = _act(_n, _f, _d, keep_int=_n in ("relu", "relu6"))
del _n, _f, _d


def elu(x, alpha=1.0):
    return F.elu(to_float(_t(x)), alpha=alpha)


def celu(x, alpha=1.0):
    return F.celu(to_float(_t(x)), alpha=alpha)


def leaky_relu(x, negative_slope=0.2):
    return F.leaky_relu(to_float(_t(x)), negative_slope)


def gelu(x, approximate=True):
    return F.gelu(to_float(_t(x)), approximate="tanh" if approximate else "none")


def glu(x, axis=-1):
    return F.glu(to_float(_t(x)), dim=axis)


def hard_shrink(x, threshold=0.5):
    return F.hardshrink(to_float(_t(x)), threshold)


def soft_shrink(x, threshold=0.5):
    return F.softshrink(to_float(_t(x)), threshold)


def squareplus(x, b=4):
    x = to_float(_t(x))
    return (x + torch.sqrt(x * x + b)) / 2


def threshold(x, threshold, default_value):
    x = _t(x)
    return torch.where(x > threshold, x, torch.as_tensor(default_value, dtype=x.dtype, device=x.device))


def softmax(x, axis=-1):
    x = to_float(_t(x))
    return _nn.softmax(x, axis if axis is not None else tuple(range(x.dim())))


def log_softmax(x, axis=-1):
    x = to_float(_t(x))
    if isinstance(axis, (tuple, list)) or axis is None:
        axes = tuple(range(x.dim())) if axis is None else tuple(axis)
        return x - torch.logsumexp(x, dim=axes, keepdim=True)
    return torch.log_softmax(x, dim=axis)


def sparsemax(x, axis=-1):
    """Euclidean projection of ``x`` onto the probability simplex (Martins & Astudillo, 2016)."""
    x = to_float(_t(x))
    z = torch.movedim(x, axis, -1)
    srt = torch.sort(z, dim=-1, descending=True).values
    k = torch.arange(1, z.shape[-1] + 1, dtype=z.dtype, device=z.device)
    cums = srt.cumsum(-1)
    support = (1 + k * srt) > cums
    k_z = support.sum(-1, keepdim=True)
    tau = (torch.gather(cums, -1, k_z - 1) - 1) / k_z.to(z.dtype)
    return torch.movedim(torch.clamp(z - tau, min=0), -1, axis)


def polar(abs_, angle):
    a, t = promote(_t(abs_), _t(angle), floating=True)
    return torch.polar(a, t)


# ---------------------------------------------------------------- conv and pooling
def conv(inputs, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1):
    x, k = promote(_t(inputs), _t(kernel), floating=True)
    return _conv.conv(x, k, strides, padding, data_format, dilation_rate)


def depthwise_conv(inputs, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1):
    x, k = promote(_t(inputs), _t(kernel), floating=True)
    return _conv.depthwise_conv(x, k, strides, padding, data_format, dilation_rate)


def separable_conv(inputs, depthwise_kernel, pointwise_kernel, strides=1, padding="valid", data_format=None,
                   dilation_rate=1):
    x, d, p = promote(_t(inputs), _t(depthwise_kernel), _t(pointwise_kernel), floating=True)
    return _conv.separable_conv(x, d, p, strides, padding, data_format, dilation_rate)


def conv_transpose(inputs, kernel, strides=1, padding="valid", output_padding=None, data_format=None,
                   dilation_rate=1):
    x, k = promote(_t(inputs), _t(kernel), floating=True)
    return _conv.conv_transpose(x, k, strides, padding, output_padding, data_format, dilation_rate)


def max_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    return _conv.max_pool(_t(inputs), pool_size, strides, padding, data_format)


def average_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    return _conv.average_pool(to_float(_t(inputs)), pool_size, strides, padding, data_format)


def _adaptive(fns, inputs, output_size, data_format):
    x = to_float(_t(inputs))
    rank = x.dim() - 2
    channels_last = (data_format or config.image_data_format()) == "channels_last"
    if isinstance(output_size, int):
        output_size = (output_size,) * rank
    if channels_last:
        x = torch.movedim(x, -1, 1)
    y = fns[rank](x, tuple(output_size))
    return torch.movedim(y, 1, -1) if channels_last else y


def adaptive_average_pool(inputs, output_size, data_format=None):
    return _adaptive({1: F.adaptive_avg_pool1d, 2: F.adaptive_avg_pool2d, 3: F.adaptive_avg_pool3d},
                     inputs, output_size, data_format)


def adaptive_max_pool(inputs, output_size, data_format=None):
    return _adaptive({1: F.adaptive_max_pool1d, 2: F.adaptive_max_pool2d, 3: F.adaptive_max_pool3d},
                     inputs, output_size, data_format)


def _nchw(x, data_format):
    return x.permute(0, 3, 1, 2) if data_format == "channels_last" else x


def _nhwc(x, data_format):
    return x.permute(0, 2, 3, 1) if data_format == "channels_last" else x


def depth_to_space(x, block_size, data_format="channels_last"):
    x = _t(x)
    # TF/Keras order: the block index is the outer part of the channel index (DCR)
    n, c, h, w = _nchw(x, data_format).shape
    y = _nchw(x, data_format).reshape(n, block_size, block_size, c // block_size ** 2, h, w)
    y = y.permute(0, 3, 4, 1, 5, 2).reshape(n, c // block_size ** 2, h * block_size, w * block_size)
    return _nhwc(y, data_format)


def space_to_depth(x, block_size, data_format="channels_last"):
    x = _t(x)
    n, c, h, w = _nchw(x, data_format).shape
    y = _nchw(x, data_format).reshape(n, c, h // block_size, block_size, w // block_size, block_size)
    y = y.permute(0, 3, 5, 1, 2, 4).reshape(n, c * block_size ** 2, h // block_size, w // block_size)
    return _nhwc(y, data_format)


def unfold(x, kernel_size, dilation=1, padding=0, stride=1):
    return F.unfold(to_float(_t(x)), kernel_size, dilation=dilation, padding=padding, stride=stride)


def fold(x, output_size, kernel_size, dilation=1, padding=0, stride=1):
    return F.fold(to_float(_t(x)), output_size, kernel_size, dilation=dilation, padding=padding, stride=stride)


# ---------------------------------------------------------------- encodings
def one_hot(x, num_classes, axis=-1, dtype=None, sparse=False):
    if sparse:
        raise ValueError("one_hot(sparse=True) is not supported by the torch backend; pass sparse=False.")
    x = _t(x).long()
    valid = (x >= 0) & (x < num_classes)
    out = F.one_hot(torch.where(valid, x, torch.zeros_like(x)), num_classes) * valid.unsqueeze(-1)
    out = out.to(to_torch_dtype(dtype or config.floatx()))
    return torch.movedim(out, -1, axis) if axis != -1 else out


def multi_hot(inputs, num_classes=None, axis=-1, dtype=None, sparse=False, **kwargs):
    num_classes = kwargs.pop("num_tokens", num_classes)
    x = _t(inputs)
    batched = x.dim() > 1
    if not batched:
        x = x.unsqueeze(0)
    out = one_hot(x, num_classes, axis=-1, dtype=dtype, sparse=sparse).amax(dim=1)
    if axis != -1:
        out = torch.movedim(out, -1, axis)
    return out if batched else out[0]


# ---------------------------------------------------------------- normalization
def moments(x, axes, keepdims=False, synchronized=False):
    x = _t(x)
    work = x.float() if x.dtype in (torch.float16, torch.bfloat16) else to_float(x)
    axes = tuple(axes) if isinstance(axes, (list, tuple)) else (axes,)
    mean = work.mean(dim=axes, keepdim=True)
    variance = (work - mean).square().mean(dim=axes, keepdim=True)
    if not keepdims:
        mean, variance = mean.squeeze(axes), variance.squeeze(axes)
    out_dtype = x.dtype if x.is_floating_point() else work.dtype
    return mean.to(out_dtype), variance.to(out_dtype)


def batch_normalization(x, mean, variance, axis, offset=None, scale=None, epsilon=1e-3):
    x = to_float(_t(x))
    shape = [1] * x.dim()
    shape[axis] = x.shape[axis]

    def bc(v):
        return None if v is None else _t(v).to(x.dtype).reshape(shape)

    inv = torch.rsqrt(bc(variance) + epsilon)
    if scale is not None:
        inv = inv * bc(scale)
    out = (x - bc(mean)) * inv
    return out + bc(offset) if offset is not None else out


def layer_normalization(x, gamma=None, beta=None, axis=-1, epsilon=None, **kwargs):
    x = to_float(_t(x))
    epsilon = config.epsilon() if epsilon is None else epsilon
    axes = (axis,) if isinstance(axis, int) else tuple(axis)
    mean = x.mean(dim=axes, keepdim=True)
    var = (x - mean).square().mean(dim=axes, keepdim=True)
    out = (x - mean) * torch.rsqrt(var + epsilon)
    shape = [x.shape[a] if a in {d % x.dim() for d in axes} else 1 for a in range(x.dim())]  # gamma of axes' sizes
    if gamma is not None:
        out = out * _t(gamma).to(x.dtype).reshape(shape)
    if beta is not None:
        out = out + _t(beta).to(x.dtype).reshape(shape)
    return out


def rms_normalization(x, scale=None, axis=-1, epsilon=None):
    x = to_float(_t(x))
    epsilon = config.epsilon() if epsilon is None else epsilon
    out = x * torch.rsqrt(x.square().mean(dim=axis, keepdim=True) + epsilon)
    return out * _t(scale).to(x.dtype) if scale is not None else out


def normalize(x, axis=-1, order=2, epsilon=None):
    x = to_float(_t(x))
    epsilon = config.epsilon() if epsilon is None else epsilon
    n = torch.linalg.vector_norm(x, ord=order, dim=axis, keepdim=True)
    return x / torch.clamp(n, min=epsilon)


def psnr(x1, x2, max_val):
    a, b = promote(_t(x1), _t(x2), floating=True)
    mse = torch.mean((a - b) ** 2)
    return 20 * torch.log10(torch.as_tensor(max_val, dtype=a.dtype, device=a.device)) - 10 * torch.log10(mse)


# ---------------------------------------------------------------- losses
def binary_crossentropy(target, output, from_logits=False):
    t, o = promote(_t(target), _t(output), floating=True)
    if from_logits:
        return F.binary_cross_entropy_with_logits(o, t, reduction="none")
    return _losses.binary_crossentropy_probs(t, o, config.epsilon())


def categorical_crossentropy(target, output, from_logits=False, axis=-1):
    t, o = promote(_t(target), _t(output), floating=True)
    if from_logits:
        return _losses.categorical_crossentropy_logits(t, o, axis)
    return _losses.categorical_crossentropy_probs(t, o, config.epsilon(), axis)


def sparse_categorical_crossentropy(target, output, from_logits=False, axis=-1):
    t, o = _t(target), to_float(_t(output))
    if from_logits:
        return _nn.sparse_categorical_crossentropy_logits(t, o, axis)
    return _losses.sparse_categorical_crossentropy_probs(t, o, config.epsilon(), axis)


def ctc_loss(target, output, target_length, output_length, mask_index=0):
    """CTC negative log-likelihood per sample; ``output`` holds (batch, time, classes) logits."""
    output = to_float(_t(output))
    log_probs = torch.log_softmax(output, dim=-1).transpose(0, 1)
    return F.ctc_loss(log_probs, _t(target).long(), _t(output_length).long(), _t(target_length).long(),
                      blank=mask_index, reduction="none", zero_infinity=False)


def ctc_decode(inputs, sequence_lengths, strategy="greedy", beam_width=100, top_paths=1, merge_repeated=True,
               mask_index=0):
    """CTC decoding. Greedy: (decoded (1, batch, time) int32 padded with -1, scores (batch, 1)).
    Beam search (on the host, ``backend/common/ctc_beam_search.py``): (decoded (top_paths, batch,
    time), log probabilities (batch, top_paths))."""
    if strategy == "beam_search":
        x = to_float(_t(inputs)).detach()
        paths, scores = ctc_beam_search.beam_search(
            x.cpu().numpy(), _t(sequence_lengths).detach().cpu().numpy(), beam_width, top_paths, mask_index)
        return torch.from_numpy(paths).to(x.device), torch.from_numpy(scores).to(x.device)
    ctc_beam_search.check_strategy(strategy)
    x = to_float(_t(inputs))
    lengths = _t(sequence_lengths).long()
    best, ids = x.max(dim=-1)
    t = torch.arange(x.shape[1], device=x.device)
    valid = t[None, :] < lengths[:, None]
    keep = valid & (ids != mask_index)
    if merge_repeated:
        prev = torch.cat([torch.full_like(ids[:, :1], -1), ids[:, :-1]], dim=1)
        keep = keep & (ids != prev)
    scores = -(best * valid).sum(dim=1, keepdim=True)  # minus the summed best scores, as Keras
    out = torch.full_like(ids, -1)
    for b in range(ids.shape[0]):
        seq = ids[b][keep[b]]
        out[b, :seq.shape[0]] = seq
    return out.unsqueeze(0).to(torch.int32), scores


# ---------------------------------------------------------------- attention
def dot_product_attention(query, key, value, bias=None, mask=None, scale=None, is_causal=False,
                          flash_attention=None, attn_logits_soft_cap=None):
    """softmax(q k^T * scale + bias [masked]) v on (batch, length, heads, depth) tensors (Keras layout)."""
    q, k, v = promote(_t(query), _t(key), _t(value), floating=True)
    q, k, v = q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2)
    scale = 1.0 / math.sqrt(q.shape[-1]) if scale is None else scale
    if bias is None and attn_logits_soft_cap is None:
        m = None if mask is None else _t(mask).bool()
        out = F.scaled_dot_product_attention(q, k, v, attn_mask=m, is_causal=is_causal and m is None,
                                             scale=scale) if not (is_causal and m is not None) else None
        if out is not None:
            return out.transpose(1, 2)
    logits = torch.matmul(q, k.transpose(-1, -2)) * scale
    if bias is not None:
        logits = logits + _t(bias).to(logits.dtype)
    if attn_logits_soft_cap is not None:
        logits = attn_logits_soft_cap * torch.tanh(logits / attn_logits_soft_cap)
    allowed = None if mask is None else _t(mask).bool()
    if is_causal:
        causal = torch.ones(q.shape[-2], k.shape[-2], dtype=torch.bool, device=q.device).tril()
        allowed = causal if allowed is None else allowed & causal
    if allowed is not None:
        logits = logits.masked_fill(~allowed, torch.finfo(logits.dtype).min)
    return torch.matmul(torch.softmax(logits, dim=-1), v).transpose(1, 2)
