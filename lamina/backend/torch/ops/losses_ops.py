"""Fused loss kernels for the torch backend (Keras numerics: probabilities clipped to
[epsilon, 1 - epsilon] when they are not logits).

Each function returns the per-element (binary) or per-sample (categorical) loss, unreduced.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

__all__ = [
    "binary_crossentropy_probs",
    "categorical_crossentropy_logits",
    "categorical_crossentropy_probs",
    "sparse_categorical_crossentropy_probs",
    "divide_no_nan",
    "state_add",
    "state_assign",
    "binary_crossentropy_mean",
    "categorical_crossentropy_mean",
    "sparse_categorical_crossentropy_logits_mean",
    "mean_squared_error_mean",
    "mean_absolute_error_mean",
]


def binary_crossentropy_probs(target, output, epsilon=1e-7):
    """-(y log p + (1 - y) log(1 - p)) with p clipped to [eps, 1 - eps] (one fused kernel)."""
    output = torch.clamp(output, epsilon, 1.0 - epsilon)
    if output.is_cuda and torch.is_autocast_enabled():
        # F.binary_cross_entropy refuses to run under autocast; same formula, unfused.
        output = output.float()
        target = target.float()
        return -(target * torch.log(output) + (1.0 - target) * torch.log(1.0 - output))
    return F.binary_cross_entropy(output, target, reduction="none")


def categorical_crossentropy_logits(target, logits, axis=-1):
    """-sum(y * log_softmax(logits)) over ``axis``."""
    return -torch.sum(target * torch.log_softmax(logits, dim=axis), dim=axis)


def categorical_crossentropy_probs(target, output, epsilon=1e-7, axis=-1):
    """-sum(y * log(clip(p / sum(p)))) over ``axis``, as Keras computes it for probabilities."""
    output = output / torch.sum(output, dim=axis, keepdim=True)
    output = torch.clamp(output, epsilon, 1.0 - epsilon)
    return -torch.sum(target * torch.log(output), dim=axis)


def sparse_categorical_crossentropy_probs(target, output, epsilon=1e-7, axis=-1):
    """-log(clip(p[target] / sum(p))): Keras's value, computed only at the target class."""
    if axis != -1 and axis != output.dim() - 1:
        output = torch.movedim(output, axis, -1)
    index = target.long().unsqueeze(-1)
    picked = torch.gather(output, -1, index).squeeze(-1)
    total = torch.sum(output, dim=-1)
    return -torch.log(torch.clamp(picked / total, epsilon, 1.0 - epsilon))


def divide_no_nan(x1, x2):
    """x1 / x2, and 0 where x2 == 0."""
    zero = x2 == 0
    return torch.where(zero, 0.0, x1 / torch.where(zero, 1.0, x2))


def state_add(state, value, alpha=None):
    """Add ``value`` (times ``alpha``) into the state tensor in place, outside autograd."""
    if isinstance(value, torch.Tensor):
        value = value.detach()
    if alpha is None:
        return state.add_(value)
    return state.add_(value, alpha=alpha)


def state_assign(state, value):
    """Overwrite the state tensor in place (a number fills it)."""
    if isinstance(value, torch.Tensor):
        return state.copy_(value.detach())
    return state.fill_(value)


# ---------------------------------------------------------------- fused batch means
# The mean over every loss element in one kernel where torch has one: what
# reduction='sum_over_batch_size' without sample weights computes (all rows are the same size,
# so the mean of per-sample means is the global mean).


def binary_crossentropy_mean(target, output, from_logits=False, epsilon=1e-7):
    if from_logits:
        return F.binary_cross_entropy_with_logits(output, target)
    output = torch.clamp(output, epsilon, 1.0 - epsilon)
    if output.is_cuda and torch.is_autocast_enabled():
        return torch.mean(binary_crossentropy_probs(target, output, epsilon))
    return F.binary_cross_entropy(output, target)


def categorical_crossentropy_mean(target, output, from_logits=False, epsilon=1e-7, axis=-1):
    if from_logits:
        log_prob = torch.log_softmax(output, dim=axis)
    else:
        output = output / torch.sum(output, dim=axis, keepdim=True)
        log_prob = torch.log(torch.clamp(output, epsilon, 1.0 - epsilon))
    n = output.numel() // output.shape[axis]
    return torch.sum(target * log_prob) / -n


def sparse_categorical_crossentropy_logits_mean(target, logits, axis=-1):
    if logits.dim() > 2 and axis % logits.dim() != 1:
        logits = torch.movedim(logits, axis, 1)  # cross_entropy wants classes on axis 1
    return F.cross_entropy(logits, target.long())


def mean_squared_error_mean(target, output):
    return F.mse_loss(output, target)


def mean_absolute_error_mean(target, output):
    return F.l1_loss(output, target)
