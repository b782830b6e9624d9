"""Placeholders for public ops the JAX backend does not implement yet."""

from __future__ import annotations


def not_implemented(module: str, name: str):
    """A function that raises a NotImplementedError naming the op and the way out."""

    def op(*args, **kwargs):
        raise NotImplementedError(
            f"lamina.ops.{module}.{name} is not implemented by the JAX backend yet. Use the torch "
            "backend (unset LAMINA_BACKEND) for it, or write it with jax.numpy in "
            f"lamina/backend/jax/ops/{module}_ops.py."
        )

    op.__name__ = name
    op.__qualname__ = name
    op._lamina_not_implemented = True
    return op


def fill(namespace: dict, module: str, names, sources, aliases=None) -> None:
    """Bind every name of ``names`` not yet in ``namespace``: from the first of ``sources`` that has
    it (through ``aliases``), else to a not-implemented placeholder."""
    aliases = aliases or {}
    for name in names:
        if name in namespace:
            continue
        target = aliases.get(name, name)
        for src in sources:
            f = getattr(src, target, None)
            if f is not None and callable(f):
                namespace[name] = f
                break
        else:
            namespace[name] = not_implemented(module, name)
