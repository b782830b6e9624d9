"""Convolution, pooling and resampling ops for the torch backend, in Keras layouts, without copies.

Keras tensors are channels_last (N, *spatial, C) and kernels are (*kernel, in, out). torch wants
(N, C, *spatial) and (out, in, *kernel). Both conversions are *views* here: an NHWC tensor seen
through ``permute(0, 3, 1, 2)`` is an NCHW-shaped tensor with channels_last strides, which torch's
convolution and pooling kernels consume natively (and answer in the same memory format, so the
inverse permute is again a free view). No op in this file copies a tensor to change its layout.

Padding follows Keras exactly: ``'same'`` splits the total padding TF-style (the extra row or
column goes at the end); symmetric padding is passed to torch, asymmetric padding is done with one
explicit pad in the tensor's own layout (or, for pooling with stride > 1, with torch's
``ceil_mode``, which needs no copy). ``'causal'`` (1D) pads on the left only.
"""

from __future__ import annotations

import weakref

import torch
import torch.nn.functional as F

from lamina import config

_CONV = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}
_CONV_T = {1: F.conv_transpose1d, 2: F.conv_transpose2d, 3: F.conv_transpose3d}
_MAX_POOL = {1: F.max_pool1d, 2: F.max_pool2d, 3: F.max_pool3d}
_AVG_POOL = {1: F.avg_pool1d, 2: F.avg_pool2d, 3: F.avg_pool3d}
# channels_last tensor -> torch (N, C, *spatial) view, and back.
_TO_TORCH = {1: (0, 2, 1), 2: (0, 3, 1, 2), 3: (0, 4, 1, 2, 3)}
_FROM_TORCH = {1: (0, 2, 1), 2: (0, 2, 3, 1), 3: (0, 2, 3, 4, 1)}
# Keras kernel (*k, a, b) -> torch (b, a, *k): conv (in, out) -> (out, in); transpose (out, in) -> (in, out).
_KERNEL = {1: (2, 1, 0), 2: (3, 2, 0, 1), 3: (4, 3, 0, 1, 2)}

__all__ = ["conv", "conv_transpose", "depthwise_conv", "separable_conv", "max_pool", "average_pool", "upsample"]


def _tuple(value, rank):
    if isinstance(value, int):
        return (value,) * rank
    return tuple(value)


def _check_rank(x, rank, what):
    if x.dim() != rank + 2:
        raise ValueError(
            f"{what} expects a {rank + 2}-D input (batch, {rank} spatial dims, channels), "
            f"received shape {tuple(x.shape)}."
        )


def same_padding(size: int, kernel: int, stride: int, dilation: int = 1) -> tuple:
    """Keras/TF 'same' padding of one spatial axis: (before, after), the extra one after."""
    k = (kernel - 1) * dilation + 1
    out = -(-size // stride)
    total = max(0, (out - 1) * stride + k - size)
    return total // 2, total - total // 2


_PADS: dict = {}


def _pads(x, rank, channels_last, kernel, strides, dilation, padding):
    """Per-axis (before, after) padding for ``padding`` ('valid', 'same', 'causal'); memoised per
    input shape, so a training step pays one dict lookup."""
    if padding == "valid":
        return None
    key = (x.shape, rank, channels_last, tuple(kernel), strides, dilation, padding)
    pads = _PADS.get(key)
    if pads is None:
        first = 1 if channels_last else 2
        if padding == "causal":
            pads = [((kernel[i] - 1) * dilation[i], 0) for i in range(rank)]
        else:
            pads = [same_padding(x.shape[first + i], kernel[i], strides[i], dilation[i]) for i in range(rank)]
        if len(_PADS) > 1024:
            _PADS.clear()
        _PADS[key] = pads
    return pads


def _explicit_pad(x, pads, channels_last, value=0.0):
    """Pad the spatial axes of ``x`` in its own layout (one copy)."""
    flat = [0, 0] if channels_last else []
    for before, after in reversed(pads):
        flat.extend((before, after))
    return F.pad(x, flat, value=value)


def _padded_input(x, pads, channels_last):
    """(input, torch padding): symmetric padding goes to torch, asymmetric is applied here."""
    if pads is None:
        return x, 0
    if all(b == a for b, a in pads):
        return x, [b for b, _ in pads]
    return _explicit_pad(x, pads, channels_last), 0


# Inference-time copies of kernels in the layout oneDNN/cuDNN want for channels-last inputs, keyed
# by the kernel tensor and valid while its version (bumped by every in-place update) and storage
# are unchanged. Without it torch reorders the permuted Keras (HWIO) view on every call: for
# ResNet50 inference that is ~9% of the time. Never used when autograd must see the permute.
# A copy costs as much memory as its kernel, so it lives only as long as it can serve: it goes
# with its kernel (weak reference), at the kernel's next training use (the weights are about to
# change), when the kernel was updated (replaced by a fresh copy), and on clear_kernel_cache()
# (``lamina.backend.clear_session()``).
_KERNEL_CACHE: dict = {}  # id(kernel) -> (weak reference, (version, storage, device), copy)
_FORMAT = {2: torch.channels_last, 3: torch.channels_last_3d}


def _torch_kernel(kernel, rank, channels_last):
    w = kernel.permute(_KERNEL[rank])
    if not channels_last or rank not in _FORMAT:
        return w
    if kernel.requires_grad and torch.is_grad_enabled():
        if _KERNEL_CACHE:  # training: the copy would only hold memory until it goes stale
            _KERNEL_CACHE.pop(id(kernel), None)
        return w
    key = (kernel._version, kernel.data_ptr(), kernel.device)
    hit = _KERNEL_CACHE.get(id(kernel))
    if hit is not None and hit[0]() is kernel and hit[1] == key:
        return hit[2]
    _KERNEL_CACHE.pop(id(kernel), None)  # a stale copy goes before its replacement is made
    w = w.contiguous(memory_format=_FORMAT[rank])
    try:
        ref = weakref.ref(kernel, lambda _, k=id(kernel): _KERNEL_CACHE.pop(k, None))
    except TypeError:  # a tensor that refuses weak references: no cache
        return w
    _KERNEL_CACHE[id(kernel)] = (ref, key, w)
    return w


def clear_kernel_cache() -> None:
    """Drop every cached inference copy of a convolution kernel."""
    _KERNEL_CACHE.clear()


def kernel_cache_bytes() -> int:
    """Bytes held by cached inference copies of convolution kernels."""
    return sum(c.numel() * c.element_size() for _, _, c in list(_KERNEL_CACHE.values()))


def conv(inputs, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1, groups=None,
         bias=None):
    """N-D convolution (cross-correlation) with a Keras kernel (*kernel_size, in // groups, out).

    Args:
        inputs: (batch, *spatial, channels) for channels_last, else (batch, channels, *spatial).
        kernel: Keras layout, e.g. HWIO for 2D. Not copied: torch sees a permuted view.
        strides, dilation_rate: int or one int per spatial axis.
        padding: 'valid', 'same' (TF-style split) or 'causal' (1D: left only).
        data_format: 'channels_last' / 'channels_first' (None: the global default).
        groups: None infers in_channels // kernel_in_channels (as Keras).
        bias: optional (out,) vector, fused into the torch convolution.
    """
    rank = kernel.dim() - 2
    _check_rank(inputs, rank, f"conv with a {rank}-D kernel")
    channels_last = (data_format or config.image_data_format()) == "channels_last"
    strides = _tuple(strides, rank)
    dilation = _tuple(dilation_rate, rank)
    pads = _pads(inputs, rank, channels_last, kernel.shape[:rank], strides, dilation, padding)
    x, tpad = _padded_input(inputs, pads, channels_last)
    if groups is None:
        groups = x.shape[-1 if channels_last else 1] // kernel.shape[-2]
    w = _torch_kernel(kernel, rank, channels_last)
    if channels_last:
        y = _CONV[rank](x.permute(_TO_TORCH[rank]), w, bias, strides, tpad, dilation, groups)
        return y.permute(_FROM_TORCH[rank])
    return _CONV[rank](x, w, bias, strides, tpad, dilation, groups)


def depthwise_conv(inputs, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1,
                   bias=None):
    """Depthwise convolution with a Keras kernel (*kernel_size, in, depth_multiplier).

    Output channel ``c * depth_multiplier + m`` is input channel c convolved with kernel[..., c, m].
    """
    rank = kernel.dim() - 2
    in_ch, mult = kernel.shape[-2], kernel.shape[-1]
    flat = kernel.reshape(tuple(kernel.shape[:rank]) + (1, in_ch * mult))
    return conv(inputs, flat, strides, padding, data_format, dilation_rate, in_ch, bias)


def separable_conv(inputs, depthwise_kernel, pointwise_kernel, strides=1, padding="valid",
                   data_format=None, dilation_rate=1, bias=None):
    """Depthwise convolution followed by a 1x1 (pointwise) convolution, as Keras."""
    y = depthwise_conv(inputs, depthwise_kernel, strides, padding, data_format, dilation_rate)
    return conv(y, pointwise_kernel, 1, "valid", data_format, 1, 1, bias)


def _conv_transpose_crops(kernel, stride, padding, output_padding=None, dilation=1):
    """Keras's transposed-convolution geometry on one axis, as (crop_before, crop_after) of the
    full output ``(size - 1) * stride + k_eff`` (negative: extend with zeros)."""
    k = (kernel - 1) * dilation + 1
    if padding == "valid":
        extra = max(k, stride) - k if output_padding is None else output_padding
        before, after = k - 1, k - 1 + extra
    else:
        if output_padding is None:
            total = stride + k - 2
        else:
            total = k + k % 2 - 2 + output_padding
        before = min(total // 2 + total % 2, k - 1)
        after = total - before
    return k - 1 - before, k - 1 - after


def conv_transpose(inputs, kernel, strides=1, padding="valid", output_padding=None, data_format=None,
                   dilation_rate=1, bias=None):
    """Transposed convolution with a Keras kernel (*kernel_size, out, in), Keras output geometry.

    For 'same' the output is ``input * stride``; for 'valid' it is
    ``(input - 1) * stride + max(k_eff, stride)``; ``output_padding`` adds rows at the end.
    """
    rank = kernel.dim() - 2
    _check_rank(inputs, rank, f"conv_transpose with a {rank}-D kernel")
    channels_last = (data_format or config.image_data_format()) == "channels_last"
    strides = _tuple(strides, rank)
    dilation = _tuple(dilation_rate, rank)
    outpad = (None,) * rank if output_padding is None else _tuple(output_padding, rank)
    # torch's symmetric padding crops its full output on both sides; the rest is cropped (or
    # zero-extended) here. torch's output_padding is never used: on one CPU thread its backward
    # can corrupt the heap (Conv2DTranspose(kernel_size=1, strides=2, padding='same')), and Keras's
    # torch backend avoids it the same way.
    tpad, rest = [], []
    for i in range(rank):
        cb, ca = _conv_transpose_crops(kernel.shape[i], strides[i], padding, outpad[i], dilation[i])
        p = max(0, min(cb, ca))
        tpad.append(p)
        rest.append((cb - p, ca - p))
    extend = any(b < 0 or a < 0 for b, a in rest)
    x = inputs.permute(_TO_TORCH[rank]) if channels_last else inputs
    y = _CONV_T[rank](x, kernel.permute(_KERNEL[rank]), None if extend else bias, strides, tpad,
                      0, 1, dilation)
    if extend:  # zeros beyond what torch's output_padding can add (then the bias, as Keras)
        flat = []
        for b, a in reversed(rest):
            flat.extend((-b, -a))
        y = F.pad(y, flat)
        if bias is not None:
            y = y + bias.reshape((1, -1) + (1,) * rank)
    else:  # crop TF-style (e.g. k=3, s=2, 'same' drops the last row/column): a view, no copy
        for i, (b, a) in enumerate(rest):
            if b or a:
                y = y.narrow(2 + i, b, y.shape[2 + i] - b - a)
    return y.permute(_FROM_TORCH[rank]) if channels_last else y


def _pool(inputs, pool_size, strides, padding, data_format, fn, fill):
    """Shared pooling driver: (output, explicit pads or None). Symmetric 'same' padding goes to
    torch; TF's one extra pad at the end is torch's ceil_mode (a partial last window) when the
    axis has stride > 1; otherwise the input is padded explicitly with ``fill``."""
    rank = inputs.dim() - 2
    channels_last = (data_format or config.image_data_format()) == "channels_last"
    pool_size = _tuple(pool_size, rank)
    strides = pool_size if strides is None else _tuple(strides, rank)
    pads = _pads(inputs, rank, channels_last, pool_size, strides, (1,) * rank, padding)
    x, tpad, ceil, explicit = inputs, 0, False, None
    if pads is not None:
        if all(b == a or s > 1 for (b, a), s in zip(pads, strides)):
            tpad, ceil = [b for b, _ in pads], any(b != a for b, a in pads)
        else:
            x, explicit = _explicit_pad(inputs, pads, channels_last, fill), pads
    if channels_last:
        y = fn(x.permute(_TO_TORCH[rank]), pool_size, strides, tpad, ceil).permute(_FROM_TORCH[rank])
    else:
        y = fn(x, pool_size, strides, tpad, ceil)
    return y, explicit, (rank, channels_last, pool_size, strides)


def max_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    """Max pooling; 'same' pads TF-style (padding never wins the max)."""
    fn = _MAX_POOL[inputs.dim() - 2]
    y, _, _ = _pool(inputs, pool_size, strides, padding, data_format,
                    lambda x, k, s, p, ceil: fn(x, k, s, p, 1, ceil), float("-inf"))
    return y


_COUNT_CACHE: dict = {}


def _window_counts(sizes, pool_size, strides, pads, rank, channels_last, like):
    """pool volume / (number of real, unpadded elements) of every 'same' window, broadcastable
    to the output."""
    key = (tuple(sizes), pool_size, strides, tuple(pads), channels_last, like.dtype, like.device)
    scale = _COUNT_CACHE.get(key)
    if scale is None:
        scale = torch.ones((), dtype=torch.float64)
        for i in range(rank):
            (before, _), n, k, s = pads[i], sizes[i], pool_size[i], strides[i]
            out = -(-n // s)
            starts = torch.arange(out, dtype=torch.float64) * s - before
            counts = torch.minimum(starts + k, torch.tensor(float(n))) - torch.clamp_min(starts, 0.0)
            shape = [1] * rank
            shape[i] = out
            scale = scale * (k / counts).reshape(shape)
        shape = ((1,) + tuple(scale.shape) + (1,)) if channels_last else ((1, 1) + tuple(scale.shape))
        scale = scale.reshape(shape).to(dtype=like.dtype, device=like.device)
        if len(_COUNT_CACHE) > 256:
            _COUNT_CACHE.clear()
        _COUNT_CACHE[key] = scale
    return scale


def average_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    """Average pooling; with 'same', padded positions are excluded from each window's count
    (Keras/TF semantics), so a border window averages only the real inputs it covers."""
    fn = _AVG_POOL[inputs.dim() - 2]
    y, pads, (rank, channels_last, pool_size, strides) = _pool(
        inputs, pool_size, strides, padding, data_format,
        lambda x, k, s, p, ceil: fn(x, k, s, p, ceil, False), 0.0)
    if pads is None:
        return y
    first = 1 if channels_last else 2
    sizes = inputs.shape[first:first + rank]
    return y * _window_counts(sizes, pool_size, strides, pads, rank, channels_last, inputs)


def upsample(inputs, size, data_format=None, interpolation="nearest"):
    """Repeat each spatial element ``size`` times per axis ('nearest'), or resize by ``size`` with
    half-pixel 'bilinear' / 'bicubic' interpolation (torch's align_corners=False, as Keras)."""
    rank = inputs.dim() - 2
    channels_last = (data_format or config.image_data_format()) == "channels_last"
    size = _tuple(size, rank)
    first = 1 if channels_last else 2
    if interpolation == "nearest":
        shape = list(inputs.shape)
        view, big = list(shape), list(shape)
        for i in reversed(range(rank)):
            a = first + i
            view.insert(a + 1, 1)
            big.insert(a + 1, size[i])
        y = inputs.reshape(view).expand(big)
        out = list(shape)
        for i in range(rank):
            out[first + i] *= size[i]
        return y.reshape(out)
    spatial = [inputs.shape[first + i] * size[i] for i in range(rank)]
    x = inputs.permute(_TO_TORCH[rank]) if channels_last else inputs
    y = F.interpolate(x, size=spatial, mode=interpolation, align_corners=False)
    return y.permute(_FROM_TORCH[rank]) if channels_last else y
