"""Names Keras 1/2 had in ``keras.preprocessing`` and Keras 3 removed: accessing one explains why."""

from __future__ import annotations


def removed_names_getattr(module: str, removed: dict):
    """A module ``__getattr__`` that raises ImportError (with the replacement) for ``removed`` names.

    ImportError, not AttributeError: ``from m import X`` would replace an AttributeError's
    message with a bare "cannot import name", and the old tutorial's author would lose the advice.
    """

    def __getattr__(name):
        if name in removed:
            raise ImportError(
                f"{module}.{name} is a Keras 1/2 utility that Keras 3 removed, and lamina does not "
                f"provide it. {removed[name]}"
            )
        raise AttributeError(f"module '{module}' has no attribute '{name}'")

    return __getattr__
