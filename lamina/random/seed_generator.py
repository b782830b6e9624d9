"""SeedGenerator: random state held in a variable, so seeded randomness is explicit and
reproducible."""

from __future__ import annotations

import random as _py_random

import numpy as np

from lamina import backend
from lamina.utils import naming


class SeedGenerator:
    """A source of seeds for random ops, with its state in a non-trainable variable.

    An int ``seed=`` makes a random op stateless: the same int gives the same numbers on every
    call. To get new numbers on each call while staying reproducible, pass a ``SeedGenerator``:
    each ``next()`` returns the current state (two 32-bit words, ``[seed, counter]``) and moves the
    counter on by one through ``state.assign``. A layer that draws random numbers keeps one
    (``self.seed_generator = SeedGenerator(seed)``); its state appears in
    ``layer.non_trainable_variables`` (not in ``layer.weights``, as in Keras).

    Args:
        seed: an int; None draws one from Python's ``random`` (so ``set_random_seed`` makes it
            reproducible, as in Keras).
        name: the name of the generator (default 'seed_generator', 'seed_generator_1', ...).

    Example:
        >>> import lamina
        >>> gen = SeedGenerator(seed=42)
        >>> a = lamina.random.normal((2,), seed=gen)
        >>> b = lamina.random.normal((2,), seed=gen)
        >>> bool((a != b).all()), bool((a == lamina.random.normal((2,), seed=42)).all())
        (True, True)
    """

    def __init__(self, seed=None, name=None, **kwargs):
        if kwargs:
            raise ValueError(
                f"SeedGenerator: unrecognized keyword arguments {kwargs}. "
                "It accepts only seed= and name=."
            )
        self._initial_seed = seed
        if seed is None:
            seed = _py_random.randint(1, int(1e9))
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
            raise ValueError(
                f"SeedGenerator: argument `seed` must be an integer; received seed={seed!r} of type "
                f"{type(seed).__name__}. Pass an int such as SeedGenerator(seed=1337)."
            )
        self.name = name or naming.auto_name("seed_generator")
        self.state = backend.Variable(
            backend.random.seed_state(int(seed)), shape=(2,), dtype=backend.random.SEED_DTYPE,
            trainable=False, name="seed_generator_state",
        )
        self.state._path = f"{self.name}/seed_generator_state"

    def next(self, ordered=True):
        """The current seed state (a new tensor), after which the state moves on by one."""
        state = self.state.value
        out = state + 0  # a new tensor: the state itself moves on below
        self.state.assign(backend.random.next_seed_state(state))
        return out

    def get_config(self) -> dict:
        return {"seed": self._initial_seed, "name": self.name}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self) -> str:
        return f"<SeedGenerator name={self.name!r} seed={self._initial_seed!r}>"


def draw_seed(seed):
    """The seed state for a random op's ``seed=`` argument, or None for the backend's global
    generator (``seed=None``)."""
    if seed is None:
        return None
    if isinstance(seed, SeedGenerator):
        return seed.next()
    if isinstance(seed, (int, np.integer)) and not isinstance(seed, bool):
        return backend.random.seed_state(int(seed))
    raise ValueError(
        f"Argument `seed` must be an int, a lamina.random.SeedGenerator or None; received "
        f"seed={seed!r} of type {type(seed).__name__}. Example: seed=42, or "
        "seed=lamina.random.SeedGenerator(42) for new numbers on each call."
    )
