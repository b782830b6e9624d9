"""Kernels of ``lamina.ops.image`` under JAX (most are not written yet)."""

from __future__ import annotations

from lamina.backend.jax.ops._names import IMAGE as _NAMES
from lamina.backend.jax.ops._stubs import fill as _fill

_fill(globals(), "image", _NAMES, [])
