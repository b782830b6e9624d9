"""State a compiled JAX step holds that is not yet written back, and the hooks that write it back
when anything else reads or writes it.

A JAX train step is a pure function: its new state (weights, optimizer slots, the global seed
state, metric values) comes back as arrays, which ``trainer.Steps`` keeps as the input of the
next step rather than writing it into the Variables after every batch (the next step donates
those buffers, so a write-back would cost a copy per step). Such state is *pending*: the
objects that hold it on the host (the Variables, the optimizer's Slots and scalar handles, the
global seed state) are registered here with the function that writes the pending values into
them.

Every host-side access goes through :func:`touch` (or :func:`touch_rng`): ``Variable.value`` and
``assign``, a ``Slot``'s value, ``optimizer.variables[i].numpy()``/``assign``, the global seed
state. When the object is registered, its owner writes everything it holds back first (and
forgets it), so the read sees the state the last step produced, and a write lands in the
Variable that the next step loads again. Nothing is read back to the host when nobody looks:
with no access between steps the state stays on the device, as under torch. The owner running
a step is exempt (:func:`running`): its own trace reads the registered objects.
"""

from __future__ import annotations

# id(host object) -> the bound method that writes its owner's pending values back
_owner: dict = {}
# the flush methods that have something registered (a handful: usually one model's steps)
_holders: dict = {}
# the flush method of the global seed state's owner (one at a time: loading a step's state reads it)
_rng_owner = [None]
# the Steps whose step is running now (its own reads must not write its inputs back)
_busy = [None]


def touch(obj) -> None:
    """Write back the pending state that includes ``obj`` (call before reading or writing it)."""
    flush = _owner.get(id(obj))
    if flush is not None and flush.__self__ is not _busy[0]:
        flush()


def touch_rng() -> None:
    """Write back a pending global seed state (before the host reads or sets it)."""
    flush = _rng_owner[0]
    if flush is not None and flush.__self__ is not _busy[0]:
        flush()


def register(objects, flush) -> None:
    """Note that ``flush`` (a bound method) writes the pending values of ``objects`` back."""
    _owner.update(dict.fromkeys(map(id, objects), flush))
    _holders[flush] = True


def register_rng(flush) -> None:
    _rng_owner[0] = flush
    _holders[flush] = True


def release(objects, flush) -> None:
    """Forget the registrations of ``objects`` that still point at ``flush`` (and the seed's)."""
    for key in map(id, objects):
        if _owner.get(key) == flush:
            del _owner[key]
    if _rng_owner[0] == flush:
        _rng_owner[0] = None
    _holders.pop(flush, None)


class running:
    """``with running(steps):`` while ``steps`` runs a step, accesses to its own registered
    objects do not flush it (its inputs are the pending values, donated to the step)."""

    __slots__ = ("_steps", "_prev")

    def __init__(self, steps):
        self._steps = steps

    def __enter__(self):
        self._prev = _busy[0]
        _busy[0] = self._steps

    def __exit__(self, *exc):
        _busy[0] = self._prev
        return False


def flush_others(owner) -> None:
    """Write back what every other owner holds: called when ``owner`` loads its state, so that
    at most one model's steps hold pending state at a time (a model trained once with
    ``train_on_batch`` and dropped is not kept alive by its registrations)."""
    for flush in [f for f in _holders if f.__self__ is not owner]:
        flush()
