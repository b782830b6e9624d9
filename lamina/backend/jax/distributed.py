"""Multi-process training under JAX: not written yet (one process, one device)."""

from __future__ import annotations


def local_devices():
    import jax

    return [str(d) for d in jax.local_devices()]


def env_world_size() -> int:
    return 1


def world_size() -> int:
    return 1


def rank() -> int:
    return 0


def barrier() -> None:
    return None


def initialize(*args, **kwargs):
    raise NotImplementedError("lamina's distributed training runs on the torch backend only (not yet on JAX).")
