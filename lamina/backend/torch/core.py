"""Backend-wide state for torch: device choice and CPU numerics settings."""

from __future__ import annotations

import contextlib
import os
import sys

import torch

from lamina.backend.torch.ops import core as _ops_core


def device_name() -> str:
    return str(_ops_core.DEVICE)


def _torch_device(name) -> torch.device:
    if isinstance(name, torch.device):
        return name
    if not isinstance(name, str):
        raise TypeError(f"lamina.device() expects a device name such as 'cpu' or 'cuda:0', received {name!r}.")
    kind, _, index = name.lower().partition(":")
    kind = {"gpu": "cuda"}.get(kind, kind)  # Keras 3 spells CUDA devices 'gpu:0'
    try:
        return torch.device(f"{kind}:{index}" if index else kind)
    except RuntimeError:
        raise ValueError(
            f"lamina.device({name!r}): unknown device. Use 'cpu', 'cuda', 'cuda:1' or 'gpu:1'."
        ) from None


def set_device(name) -> None:
    """Make ``name`` lamina's device: where new tensors, variables and optimizer state go."""
    dev = _torch_device(name)
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(f"lamina.device({str(name)!r}): CUDA is not available in this torch build/machine. Use 'cpu'.")
    # Modules bind DEVICE at import (``from ... import DEVICE`` keeps the hot paths free of a
    # lookup), so every lamina module holding it is rebound.
    for mod_name, mod in list(sys.modules.items()):
        if mod_name.startswith("lamina") and isinstance(getattr(mod, "DEVICE", None), torch.device):
            mod.DEVICE = dev


@contextlib.contextmanager
def device_scope(name):
    """Within the scope lamina creates tensors and weights on ``name`` (Keras 3's ``keras.device``).

    Example:

    >>> import lamina
    >>> with lamina.device("cpu"):
    ...     w = lamina.ops.zeros((2,))
    >>> str(w.device)
    'cpu'
    """
    old = _ops_core.DEVICE
    set_device(name)
    try:
        yield
    finally:
        set_device(old)


def tf32_enabled() -> bool:
    """Whether float32 matmuls/convolutions on CUDA may use TensorFloat-32 inside lamina's loops.

    Off by default, for parity with Keras on CPU and float32 results; enable with
    ``enable_tensor_float_32_execution(True)`` or ``LAMINA_TF32=1`` (faster on Ampere and later,
    ~1e-3 relative precision in matmuls).
    """
    return _TF32[0]


_TF32 = [os.environ.get("LAMINA_TF32", "0").lower() in ("1", "true", "yes")]


def enable_tensor_float_32_execution(enabled: bool) -> None:
    """Let CUDA float32 matmuls and convolutions in fit/evaluate/predict use TF32 (TF's name)."""
    _TF32[0] = bool(enabled)


def clear_caches() -> None:
    from lamina.backend.torch.ops.conv import clear_kernel_cache

    clear_kernel_cache()
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
    if _ops_core.DEVICE.type == "cuda":
        with _tf32_policy(_TF32[0]):
            yield
    elif flush_denormal and _ops_core.DEVICE.type == "cpu":
        torch.set_flush_denormal(True)
        try:
            yield
        finally:
            torch.set_flush_denormal(False)
    else:
        yield


@contextlib.contextmanager
def _tf32_policy(enabled):
    matmul, cudnn = torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32
    torch.backends.cuda.matmul.allow_tf32 = enabled
    torch.backends.cudnn.allow_tf32 = enabled
    try:
        yield
    finally:
        torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32 = matmul, cudnn


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
