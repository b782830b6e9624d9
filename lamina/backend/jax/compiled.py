"""``compile(jit_compile=...)`` under JAX: the steps are always compiled with ``jax.jit``."""

from __future__ import annotations

_CHOICES = (True, False, "auto")


def resolve(jit_compile, run_eagerly=False) -> bool:
    """``compile()``'s ``jit_compile`` as a yes/no. The JAX steps are jitted in every case; with
    ``run_eagerly=True`` they still are (an eager JAX step is not written yet)."""
    if not any(jit_compile is c or jit_compile == c and isinstance(jit_compile, str) for c in _CHOICES):
        raise ValueError(
            f"compile(jit_compile={jit_compile!r}): expected True, False or 'auto'."
        )
    return True
