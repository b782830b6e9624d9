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
