"""Normalization, attention and noise ops for the torch backend (Keras numerics).

Layouts follow Keras: ``axis`` names the feature axis (channels_last by default); attention
tensors are (batch, heads, length, depth) as torch's ``scaled_dot_product_attention`` expects.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

__all__ = [
    "batch_norm_inference",
    "batch_norm_train",
    "batch_norm_train_masked",
    "layer_norm",
    "variance_scaling_norm",
    "rms_norm",
    "group_norm",
    "l2_normalize",
    "masked_softmax",
    "dot_product_attention",
    "causal_mask",
    "sliding_window_mask",
    "normal_like",
    "bernoulli_like",
    "prelu",
]

_LARGE_NEGATIVE = -1e9
_LARGE_NEGATIVE_F16 = -3e4


def _large_negative(dtype):
    return _LARGE_NEGATIVE_F16 if dtype == torch.float16 else _LARGE_NEGATIVE


def _channels_second(x, axis):
    """A view of ``x`` with the feature axis at position 1 (torch's layout) and the inverse."""
    nd = x.dim()
    axis = axis % nd
    if axis == 1:
        return x, lambda y: y
    if axis == nd - 1:
        # Features last (NHWC, (batch, steps, features)): every other axis is reduced, so a
        # (rows, features) view needs no copy and torch's kernel handles it directly.
        shape = x.shape
        return x.reshape(-1, shape[-1]), lambda y: y.reshape(shape)
    return x.movedim(axis, 1), lambda y: y.movedim(1, axis)


def batch_norm_inference(x, mean, variance, gamma, beta, axis, epsilon):
    """(x - mean) / sqrt(variance + epsilon) * gamma + beta with per-feature statistics."""
    xc, back = _channels_second(x, axis)
    return back(F.batch_norm(xc, mean, variance, gamma, beta, False, 0.0, epsilon))


def batch_norm_train(x, gamma, beta, moving_mean, moving_variance, axis, momentum, epsilon):
    """Normalise with the batch's statistics; return ``(y, new_moving_mean, new_moving_variance)``
    without touching the moving statistics given, as Keras computes them:
    ``moving = momentum * moving + (1 - momentum) * batch`` with the *biased* batch variance.

    torch's fused kernel updates the running statistics it is given in place, with the unbiased
    variance: it gets copies, and the variance is corrected on the (features,) vector afterwards,
    which costs nothing per element. Under ``torch.func`` transforms the moments are computed
    with plain ops instead (the fused kernel's in-place update cannot be traced there).
    """
    xc, back = _channels_second(x, axis)
    n = xc.numel() // xc.shape[1]
    if n <= 1 or not moving_variance.is_floating_point() or _in_functorch():
        mean, var = _moments(xc, [d for d in range(xc.dim()) if d != 1])
        new_mean, new_var = _new_moving(moving_mean, moving_variance, mean, var, momentum)
        shape = [1] * xc.dim()
        shape[1] = -1
        out = (xc - mean.reshape(shape)) * torch.rsqrt(var.reshape(shape) + epsilon)
        if gamma is not None:
            out = out * gamma.reshape(shape)
        if beta is not None:
            out = out + beta.reshape(shape)
        return back(out), new_mean, new_var
    # torch's kernel updates the statistics it is given in place and saves them for backward:
    # give it copies ((features,) vectors).
    run_mean, run_var = moving_mean.clone(), moving_variance.clone()
    out = F.batch_norm(xc, run_mean, run_var, gamma, beta, True, 1.0 - momentum, epsilon)
    with torch.no_grad():
        # torch added (1 - momentum) * var * n / (n - 1); Keras adds (1 - momentum) * var.
        kept = moving_variance * momentum
        new_var = (run_var - kept) * ((n - 1) / n) + kept
    return back(out), run_mean, new_var


def _in_functorch() -> bool:
    return torch._C._functorch.peek_interpreter_stack() is not None


def _moments(x, dims):
    var, mean = torch.var_mean(x, dim=dims, correction=0)
    return mean, var


def _new_moving(moving_mean, moving_variance, mean, var, momentum):
    mean, var = mean.detach().to(moving_mean.dtype), var.detach().to(moving_variance.dtype)
    return (moving_mean * momentum + mean * (1.0 - momentum),
            moving_variance * momentum + var * (1.0 - momentum))


def batch_norm_train_masked(x, mask, gamma, beta, moving_mean, moving_variance, axis, momentum,
                            epsilon, count_epsilon=1e-7):
    """Batch normalisation whose statistics use only positions where ``mask`` (x.ndim - 1
    dimensions, broadcast over the last axis) is true, as Keras does; returns ``(y, new_moving_mean, new_moving_variance)``."""
    nd = x.dim()
    axis = axis % nd
    dims = [d for d in range(nd) if d != axis]
    m = mask.unsqueeze(-1).to(torch.bool).expand(x.shape)
    w = m.to(x.dtype)
    count = torch.sum(w, dim=dims, keepdim=True)
    mean = torch.sum(x * w, dim=dims, keepdim=True) / (count + count_epsilon)
    diff = torch.where(m, x - mean, torch.zeros((), dtype=x.dtype, device=x.device))
    var = torch.sum(diff * diff, dim=dims, keepdim=True) / (count + count_epsilon)
    new_mean, new_var = _new_moving(moving_mean, moving_variance, mean.reshape(-1), var.reshape(-1), momentum)
    shape = [1] * nd
    shape[axis] = -1
    inv = torch.rsqrt(var + epsilon)
    if gamma is not None:
        inv = inv * gamma.reshape(shape)
    out = (x - mean) * inv
    if beta is not None:
        out = out + beta.reshape(shape)
    return out, new_mean, new_var


def layer_norm(x, gamma, beta, axes, epsilon):
    """Normalise over ``axes`` (sorted, non-negative); gamma/beta have those axes' sizes."""
    nd = x.dim()
    if list(axes) == list(range(nd - len(axes), nd)):
        return F.layer_norm(x, tuple(x.shape[a] for a in axes), gamma, beta, epsilon)
    var, mean = torch.var_mean(x, dim=list(axes), keepdim=True, correction=0)
    shape = [x.shape[a] if a in axes else 1 for a in range(nd)]
    inv = torch.rsqrt(var + epsilon)
    if gamma is not None:
        inv = inv * gamma.reshape(shape)
    out = (x - mean) * inv
    if beta is not None:
        out = out + beta.reshape(shape)
    return out


def variance_scaling_norm(x, gamma, axes, epsilon):
    """Keras's deprecated ``LayerNormalization(rms_scaling=True)``: x / sqrt(var + eps) * gamma."""
    nd = x.dim()
    var = torch.var(x, dim=list(axes), keepdim=True, correction=0)
    out = x * torch.rsqrt(var + epsilon)
    if gamma is not None:
        out = out * gamma.reshape([x.shape[a] if a in axes else 1 for a in range(nd)])
    return out


def rms_norm(x, scale, axes, epsilon):
    """x / sqrt(mean(x^2) + eps) * scale over ``axes`` (sorted, non-negative)."""
    nd = x.dim()
    if list(axes) == list(range(nd - len(axes), nd)):
        return F.rms_norm(x, tuple(x.shape[a] for a in axes), scale, epsilon)
    out = x * torch.rsqrt(torch.mean(x * x, dim=list(axes), keepdim=True) + epsilon)
    return out * scale.reshape([x.shape[a] if a in axes else 1 for a in range(nd)])


def group_norm(x, groups, gamma, beta, axis, epsilon):
    """Normalise each of ``groups`` groups of features over the group and all non-batch axes."""
    if (gamma is None) != (beta is None):
        # torch's group_norm backward fails ("tensor does not have a device") when only one of
        # weight/bias is given: pass the missing one as its identity value.
        if gamma is None:
            gamma = torch.ones_like(beta)
        else:
            beta = torch.zeros_like(gamma)
    nd = x.dim()
    axis = axis % nd
    if axis == 1:
        return F.group_norm(x, groups, gamma, beta, epsilon)
    if axis != nd - 1:
        return group_norm(x.movedim(axis, -1), groups, gamma, beta, -1, epsilon).movedim(-1, axis)
    shape = x.shape
    if _in_functorch():  # vmap cannot query the channels_last layout used below
        flat = x.reshape(shape[0], -1, shape[-1]).movedim(-1, 1).contiguous()
        return F.group_norm(flat, groups, gamma, beta, epsilon).movedim(1, -1).reshape(shape)
    # Features last: a (batch, features, positions, 1) view of the data is torch's channels_last
    # layout, which its group_norm kernel reads without a copy.
    view = x.reshape(shape[0], -1, 1, shape[-1]).permute(0, 3, 1, 2)
    if not x.requires_grad and torch.is_grad_enabled() and any(
            p is not None and p.requires_grad for p in (gamma, beta)):
        # torch's channels_last group_norm backward segfaults when only gamma/beta need a
        # gradient (a GroupNormalization first in a model): give it the contiguous layout.
        view = view.contiguous()
    out = F.group_norm(view, groups, gamma, beta, epsilon)
    return out.permute(0, 2, 3, 1).reshape(shape)


def l2_normalize(x, axis=-1, epsilon=1e-12):
    """x / max(||x||, epsilon) along ``axis``, computed as x * min(rsqrt(sum x^2), 1/epsilon)."""
    axis = tuple(axis) if isinstance(axis, (list, tuple)) else axis
    inv = torch.rsqrt(torch.sum(x * x, dim=axis, keepdim=True))
    return x * torch.clamp_max(inv, 1.0 / epsilon)


def masked_softmax(x, mask, axis=-1):
    """Softmax where ``mask`` (broadcastable, True/>0.5 = keep) is false gets probability 0.

    Masked logits are replaced by a large negative number before the softmax and the masked
    outputs are zeroed after it, so a fully masked row gives zeros (Keras 3 semantics).
    """
    if mask.dtype != torch.bool:
        mask = mask > 0.5
    keep = mask
    x = x.masked_fill(~keep, _large_negative(x.dtype))
    out = _softmax(x, axis)
    return out.masked_fill(~keep, 0.0)


def _softmax(x, axis):
    if isinstance(axis, (tuple, list)):
        if len(axis) == 1:
            return torch.softmax(x, dim=axis[0])
        return torch.exp(x - torch.logsumexp(x, dim=tuple(axis), keepdim=True))
    return torch.softmax(x, dim=axis)


def dot_product_attention(query, key, value, mask=None, is_causal=False, scale=None, dropout_rate=0.0,
                          zero_empty_rows=False):
    """softmax(q k^T * scale [masked]) v for (batch, heads, length, depth) tensors, fused by torch.

    ``mask`` is boolean, broadcastable to (batch, heads, q_length, kv_length), True = attend.
    Masked scores get a large negative bias (Keras's fused path), so a query row with nothing to
    attend to averages all values; ``zero_empty_rows=True`` gives zeros there instead, as
    Keras's explicit masked softmax does.
    """
    if mask is None:
        return F.scaled_dot_product_attention(query, key, value, dropout_p=dropout_rate,
                                              is_causal=is_causal, scale=scale)
    if mask.dtype != torch.bool:
        mask = mask > 0.5
    if is_causal:
        lq, lk = query.shape[-2], key.shape[-2]
        mask = mask & torch.ones(lq, lk, dtype=torch.bool, device=query.device).tril()
    bias = torch.zeros(mask.shape, dtype=query.dtype, device=query.device)
    bias.masked_fill_(~mask, _large_negative(query.dtype))
    out = F.scaled_dot_product_attention(query, key, value, attn_mask=bias, dropout_p=dropout_rate,
                                         scale=scale)
    if zero_empty_rows:
        out = out.masked_fill(~mask.any(dim=-1, keepdim=True), 0.0)
    return out


def causal_mask(q_length, kv_length, like=None):
    """(1, q_length, kv_length) boolean lower-triangular mask: query i sees keys j <= i."""
    device = like.device if like is not None else None
    return torch.ones(q_length, kv_length, dtype=torch.bool, device=device).tril().unsqueeze(0)


def sliding_window_mask(q_length, kv_length, window, like=None):
    """(1, q_length, kv_length) boolean mask: |i - j| < window."""
    device = like.device if like is not None else None
    i = torch.arange(q_length, device=device).reshape(q_length, 1)
    j = torch.arange(kv_length, device=device).reshape(1, kv_length)
    return (torch.abs(i - j) < window).unsqueeze(0)


def normal_like(x, mean=0.0, stddev=1.0):
    """Gaussian noise with the shape, dtype and device of ``x``."""
    return torch.randn_like(x).mul_(stddev).add_(mean)


def bernoulli_like(x, keep_prob, shape=None):
    """A 0/1 mask (dtype and device of ``x``) with P(1) = keep_prob, of ``shape`` (default x's)."""
    shape = tuple(x.shape) if shape is None else tuple(shape)
    return torch.empty(shape, dtype=x.dtype, device=x.device).bernoulli_(keep_prob)


def prelu(x, alpha):
    """x if x > 0 else alpha * x, with ``alpha`` broadcast against x."""
    return torch.where(x > 0, x, alpha * x)
