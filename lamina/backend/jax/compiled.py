"""``compile(jit_compile=...)`` under JAX: the steps are always compiled with ``jax.jit``."""

from __future__ import annotations

_CHOICES = (True, False, "auto")


def resolve(jit_compile, run_eagerly=False) -> bool:
    """``compile()``'s ``jit_compile`` as a yes/no. lamina's own JAX steps are jitted in every
    case; a model's own ``train_step``/``test_step``/``predict_step`` runs un-jitted with
    ``jit_compile=False`` or ``run_eagerly=True``, as in Keras 3."""
    if not any(jit_compile is c or jit_compile == c and isinstance(jit_compile, str) for c in _CHOICES):
        raise ValueError(
            f"compile(jit_compile={jit_compile!r}): expected True, False or 'auto'."
        )
    return not run_eagerly and jit_compile is not False
