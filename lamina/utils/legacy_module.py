"""Keras 1/2 module paths kept as shims: each name resolves lazily to its modern object and warns.

``reexport("lamina.utils.generic_utils", {"Progbar": "lamina.utils"})`` returns the module-level
``__getattr__`` and ``__dir__`` of the old module: ``from lamina.utils.generic_utils import Progbar``
gives ``lamina.utils.Progbar`` and warns that the modern spelling is
``from lamina.utils import Progbar``. Names are resolved when first used, so an old module costs
nothing at import time and never imports a modern module that does not need to exist yet.
"""

from __future__ import annotations

import importlib


def reexport(old_module: str, names: dict, fallback: str | None = None):
    """Module ``__getattr__``/``__dir__`` re-exporting ``names`` (old name -> modern module or
    ``'module:attribute'``); other names are looked up in ``fallback`` when given.

    Args:
        old_module: the old module's dotted name, for the messages.
        names: maps each old name to where it lives now: ``'lamina.utils'`` (same name) or
            ``'lamina.saving:custom_object_scope'`` (renamed).
        fallback: a modern module whose every public name the old module also offers.

    Example:
        >>> __getattr__, __dir__ = reexport("lamina.engine.training", {"Model": "lamina.models"})
    """

    def __getattr__(name):
        if name.startswith("__"):
            raise AttributeError(name)
        target = names.get(name)
        if target is None and fallback is not None:
            target = fallback
        if target is None:
            raise AttributeError(
                f"module '{old_module}' has no attribute '{name}'. The Keras 2 names lamina keeps "
                f"there are: {', '.join(sorted(names))}."
            )
        module, _, attr = target.partition(":")
        attr = attr or name
        try:
            value = getattr(importlib.import_module(module), attr)
        except AttributeError:
            raise AttributeError(
                f"module '{old_module}' has no attribute '{name}' (and {module} has no '{attr}')."
            ) from None
        from lamina.errors import deprecated

        modern = f"from {module} import {attr}" if attr == name else f"{module}.{attr}"
        deprecated(f"from {old_module} import {name}", modern)
        return value

    def __dir__():
        extra = dir(importlib.import_module(fallback)) if fallback else []
        return sorted(set(names) | {n for n in extra if not n.startswith("_")})

    return __getattr__, __dir__
