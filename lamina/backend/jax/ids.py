"""Host checks of the integer ids a compiled step gathers by (Embedding lookups).

Inside ``jax.jit`` an out-of-range id cannot raise: ``jnp.take`` would clamp it to the last row
(lamina fills the row with NaN instead, so the mistake shows). The compiled train/test/predict
steps therefore learn, while they are traced, which of their input arrays reach an embedding
lookup unchanged (``watching`` + ``note``), and the loop checks those arrays on the host before
each step, where they are concrete NumPy batches (a min and a max: microseconds). A bad batch is
then run eagerly, which raises the same lamina error, naming the layer, as under torch.

Ids computed inside the step (a cast from float inputs, a hashing layer) are not traced back to
an input and are not checked; a user's own ``jax.jit`` gets the NaN rows.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager

import jax
import numpy as np

_LOCAL = threading.local()


@contextmanager
def watching(x, found: list):
    """While a step is traced: record in ``found`` (leaf index, input_dim) for every lookup whose
    ids are one of the leaves of ``x`` as given."""
    prev = getattr(_LOCAL, "watch", None)
    _LOCAL.watch = ({id(a): i for i, a in enumerate(jax.tree_util.tree_leaves(x))}, found)
    try:
        yield found
    finally:
        _LOCAL.watch = prev


def note(ids, n: int) -> None:
    """Called by the lookup with traced ``ids`` and the table size ``n``."""
    watch = getattr(_LOCAL, "watch", None)
    if watch is not None:
        i = watch[0].get(id(ids))
        if i is not None and (i, n) not in watch[1]:
            watch[1].append((i, n))


def out_of_range(x, checks) -> bool:
    """Whether a concrete batch ``x`` has an id outside [0, n) at a checked leaf."""
    leaves = jax.tree_util.tree_leaves(x)
    for i, n in checks:
        a = np.asarray(leaves[i])
        if a.size and (a.min() < 0 or a.max() >= n):
            return True
    return False
