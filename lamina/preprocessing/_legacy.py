"""The warning every Keras 1/2 preprocessing utility gives: Keras 3 removed it; here it works."""

from __future__ import annotations

import warnings

from lamina.errors import LaminaDeprecationWarning


def removed_in_keras3(name: str, replacement: str, stacklevel: int = 3) -> None:
    """Warn that ``name`` is a Keras 1/2 utility Keras 3 dropped, naming what Keras 3 offers instead.

    Args:
        name: the utility, e.g. ``'lamina.preprocessing.text.Tokenizer'``.
        replacement: the Keras 3 way, e.g. ``'keras.layers.TextVectorization'``.
        stacklevel: as for ``warnings.warn``; the default points at the caller's caller.
    """
    warnings.warn(
        f"`{name}` is a Keras 1/2 utility that Keras 3 removed (Keras 3 offers {replacement}). "
        "lamina keeps it working for old programs; it is deprecated and gets no new features.",
        LaminaDeprecationWarning,
        stacklevel=stacklevel,
    )
