"""set_random_seed: one call to make a run reproducible."""

from __future__ import annotations

import random

import numpy as np


def set_random_seed(seed: int) -> None:
    """Seeds Python's ``random``, NumPy's global generator and the backend (torch).

    Call it once at the start of a script so weight initialisation, dropout and data shuffling
    are the same on every run.

    Args:
        seed: an integer from 0 to 2**32 - 1.

    Example:

    >>> set_random_seed(42)
    >>> a = np.random.rand(); set_random_seed(42); a == np.random.rand()
    True
    """
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(
            f"set_random_seed expects an integer seed; received {seed!r} of type "
            f"{type(seed).__name__}."
        )
    seed = int(seed)
    if not 0 <= seed < 2**32:
        raise ValueError(f"set_random_seed: seed must be in 0..2**32-1; received {seed}.")
    from lamina import backend

    random.seed(seed)
    np.random.seed(seed)
    backend.set_seed(seed)
