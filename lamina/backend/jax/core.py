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


@contextlib.contextmanager
def device_scope(name):
    """Within the scope new arrays are placed on device ``name`` ('cpu', 'gpu:0', ...)."""
    kind, _, index = str(name).lower().partition(":")
    kind = {"cuda": "gpu"}.get(kind, kind)
    with jax.default_device(jax.devices(kind)[int(index or 0)]):
        yield


def enable_tensor_float_32_execution(enabled: bool) -> None:
    """TF32 is a CUDA matmul setting; XLA's precision on CPU is not affected."""
    jax.config.update("jax_default_matmul_precision", "tensorfloat32" if enabled else "float32")


def grad(fn, args):
    """The gradient of the scalar ``fn(*args)`` with respect to ``args`` (a tuple of pytrees)."""
    return jax.grad(lambda a: fn(*a))(tuple(args))


def gradients(loss, targets):
    """Keras 2's ``K.gradients`` on eager arrays: impossible without a tape; says what works."""
    raise NotImplementedError(
        "K.gradients(loss, variables) on arrays that were already computed cannot work under the "
        "JAX backend, which records no gradient tape. Call it on symbolic tensors (model.output, "
        "layer outputs, K.placeholder) and evaluate it with K.function, or use jax.grad on a "
        "function of the values (model.stateless_call)."
    )
