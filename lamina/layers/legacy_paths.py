"""Keras 1/2 module paths (``keras.layers.core``, ``keras.layers.recurrent``...) as shims.

``from lamina.layers.core import Dense`` works and warns that the modern spelling is
``from lamina.layers import Dense``.
"""

from __future__ import annotations


def module_getattr(old_module: str):
    def __getattr__(name):
        import lamina.layers as layers
        from lamina.errors import deprecated

        if name.startswith("__"):
            raise AttributeError(name)
        try:
            value = getattr(layers, name)
        except AttributeError:
            raise AttributeError(
                f"module '{old_module}' has no attribute '{name}' (and neither has lamina.layers)."
            ) from None
        deprecated(f"from {old_module} import {name}", f"from lamina.layers import {name}")
        return value

    return __getattr__
