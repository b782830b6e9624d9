"""Activation and neural-network ops for the torch backend (Keras conventions)."""

from __future__ import annotations

import torch
import torch.nn.functional as F

relu = torch.relu
sigmoid = torch.sigmoid
tanh = torch.tanh
softplus = F.softplus
softsign = F.softsign
silu = F.silu
swish = F.silu
selu = torch.selu
exponential = torch.exp
log_sigmoid = F.logsigmoid
relu6 = F.relu6
mish = F.mish


def relu_with(x, negative_slope=0.0, max_value=None, threshold=0.0):
    """Keras's general ReLU: slope below threshold, identity above, optionally capped."""
    if negative_slope == 0.0 and threshold == 0.0 and max_value is not None:
        return F.hardtanh(x, 0.0, float(max_value))  # ReLU6 & co.: one pass (relu + clamp_max took two)
    if negative_slope == 0.0 and threshold == 0.0:
        out = torch.relu(x)
    else:
        out = torch.where(x >= threshold, x, negative_slope * (x - threshold))
        if negative_slope == 0.0:
            out = torch.where(x >= threshold, x, torch.zeros_like(x))
    if max_value is not None:
        out = torch.clamp_max(out, max_value)
    return out


def elu(x, alpha=1.0):
    return F.elu(x, alpha=alpha)


def celu(x, alpha=1.0):
    return F.celu(x, alpha=alpha)


def leaky_relu(x, negative_slope=0.2):
    return F.leaky_relu(x, negative_slope)


def gelu(x, approximate=True):
    return F.gelu(x, approximate="tanh" if approximate else "none")


def hard_sigmoid(x):
    """Keras 3: relu6(x + 3) / 6."""
    return F.hardsigmoid(x)


def hard_silu(x):
    return F.hardswish(x)


def softmax(x, axis=-1):
    if isinstance(axis, (tuple, list)):
        m = torch.amax(x, dim=tuple(axis), keepdim=True)
        e = torch.exp(x - m)
        return e / torch.sum(e, dim=tuple(axis), keepdim=True)
    return torch.softmax(x, dim=axis)


def log_softmax(x, axis=-1):
    return torch.log_softmax(x, dim=axis)


def dropout(x, rate, noise_shape=None):
    """Inverted dropout: zero with probability ``rate``, scale the rest by 1 / (1 - rate)."""
    if noise_shape is None:
        return F.dropout(x, rate, training=True)
    keep = 1.0 - rate
    shape = tuple(x.shape[i] if d is None else d for i, d in enumerate(noise_shape))
    mask = torch.empty(shape, dtype=x.dtype, device=x.device).bernoulli_(keep)
    return x * mask / keep


def sparse_categorical_crossentropy_logits(target, logits, axis=-1):
    """Per-sample -log softmax(logits)[target]; fused in torch."""
    if axis != -1 and axis != logits.dim() - 1:
        logits = torch.movedim(logits, axis, -1)
    flat = logits.reshape(-1, logits.shape[-1])
    out = F.cross_entropy(flat, target.reshape(-1).long(), reduction="none")
    return out.reshape(logits.shape[:-1])


def binary_crossentropy_logits(target, logits):
    return F.binary_cross_entropy_with_logits(logits, target, reduction="none")
