"""set_random_seed: one call to make a run reproducible."""

from __future__ import annotations

import random

import numpy as np


def set_random_seed(seed: int) -> None:
    """Seeds Python's ``random``, NumPy's global generator and the backend (torch).

    Call it once at the start of a script so weight initialisation, dropout and data shuffling
    are the same on every run: NumPy's global state feeds the host generator that shuffles the
    data (``host_rng``), Python's ``random`` the default seed of ``SeedGenerator(seed=None)``, and
    the backend's generator the random layers built with ``seed=None``.

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


def host_rng() -> np.random.Generator:
    """A NumPy ``Generator`` for host-side randomness (shuffling the data each epoch).

    It is seeded from NumPy's global state, so ``set_random_seed`` (or ``np.random.seed``) makes
    the order of the batches reproducible, as in Keras.

    Example:

    >>> np.random.seed(0); a = host_rng().permutation(4); np.random.seed(0)
    >>> bool((a == host_rng().permutation(4)).all())
    True
    """
    return np.random.default_rng(np.random.randint(0, 2**32, dtype=np.uint64))
