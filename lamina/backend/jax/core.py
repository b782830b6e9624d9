"""Backend-wide helpers for JAX: device name and the scopes the one training loop opens."""

from __future__ import annotations

import contextlib

import jax


def device_name() -> str:
    return str(jax.devices()[0])


def clear_caches() -> None:
    jax.clear_caches()


@contextlib.contextmanager
def compute_scope(flush_denormal: bool = True):
    """Scope of a fit/evaluate/predict call (XLA already flushes denormals on CPU)."""
    yield


def no_grad():
    """JAX records no tape: gradients exist only where ``jax.grad`` asks for them."""
    return contextlib.nullcontext()


def enable_grad():
    return contextlib.nullcontext()
