"""Processes and devices under JAX: one process (multi-process training is written for torch
only so far); the launcher's ``RANK``/``WORLD_SIZE`` are read as under torch, so that only
rank 0 prints and writes files."""

from __future__ import annotations

import os

_KINDS = {"cpu": "cpu", "gpu": "gpu", "cuda": "gpu", "tpu": "tpu"}


def local_devices(device_type=None) -> list:
    """This process's devices as Keras 3's JAX backend spells them ('cpu:0', 'gpu:0', ...)."""
    import jax

    if device_type is None:
        return [f"{d.platform.lower()}:{d.id}" for d in jax.local_devices()]
    kind = _KINDS.get(str(device_type).lower())
    if kind is None or kind == "tpu":
        raise ValueError(f"list_devices(device_type={device_type!r}): expected 'cpu', 'gpu' or 'cuda'.")
    try:
        return [f"{kind}:{d.id}" for d in jax.local_devices(backend=kind)]
    except RuntimeError:  # no such platform in this process
        return []


def env_world_size() -> int:
    """``WORLD_SIZE`` from the environment (a launcher such as torchrun sets it), 1 when absent."""
    return int(os.environ.get("WORLD_SIZE", "1") or 1)


def world_size() -> int:
    return env_world_size()


def rank() -> int:
    return int(os.environ.get("RANK", "0") or 0)


def barrier() -> None:
    return None


def initialize(address=None, num_processes=None, process_id=None, timeout=None) -> None:
    """One process needs nothing; several are not supported under JAX yet."""
    if (num_processes or env_world_size()) > 1 or address is not None:
        raise NotImplementedError(
            "lamina's multi-process training runs on the torch backend only (not yet on JAX): "
            "launch with LAMINA_BACKEND=torch under torchrun.")
