"""Backend-wide state for torch: device choice and CPU numerics settings."""

from __future__ import annotations

import contextlib

import torch

from lamina.backend.torch.ops.core import DEVICE


def device_name() -> str:
    return str(DEVICE)


def clear_caches() -> None:
    if torch.cuda.is_available():
        torch.cuda.empty_cache()


@contextlib.contextmanager
def compute_scope(flush_denormal: bool = True):
    """Scope of a fit/evaluate/predict call.

    On CPU, optimizer state (RMSprop/Adam second moments) decays into denormal floats, which
    x86 processes ~100x slower; plain torch slows epoch after epoch because of it. XLA and
    TensorFlow flush denormals to zero; lamina does too, for the duration of its own loops only,
    and then restores torch's default (torch offers no getter, so the default, off, is restored).
    """
    if flush_denormal and DEVICE.type == "cpu":
        torch.set_flush_denormal(True)
        try:
            yield
        finally:
            torch.set_flush_denormal(False)
    else:
        yield


def no_grad():
    return torch.no_grad()


def enable_grad():
    """Record operations for autograd inside the scope (also within an outer ``no_grad``)."""
    return torch.enable_grad()


def watch(x):
    """``x`` as a tensor that autograd differentiates with respect to (floating tensors only).

    A tensor already part of a recorded graph is returned as is, so gradients still flow past it
    to what it was computed from; any other floating tensor becomes a fresh leaf (the caller's
    own tensor is never modified).
    """
    if not isinstance(x, torch.Tensor) or not x.is_floating_point() or x.requires_grad:
        return x
    return x.detach().requires_grad_(True)


def gradients(loss, targets):
    """The gradients of ``sum(loss)`` with respect to each tensor of ``targets``.

    A target that ``loss`` does not depend on (or that autograd does not track) gets zeros, the
    value TensorFlow's ``tf.gradients`` sums to. The graph is kept, so several calls may
    differentiate the same loss.
    """
    tracked = [i for i, t in enumerate(targets) if isinstance(t, torch.Tensor) and t.requires_grad]
    grads = [None] * len(targets)
    if tracked and loss.requires_grad:
        found = torch.autograd.grad(loss.sum(), [targets[i] for i in tracked], retain_graph=True,
                                    allow_unused=True)
        for i, g in zip(tracked, found):
            grads[i] = g
    return [torch.zeros_like(t) if g is None else g for t, g in zip(targets, grads)]
