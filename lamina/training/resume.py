"""fit()'s two hooks for ``BackupAndRestore``: where a resumed run starts, and its first epoch.

A backup taken at the end of an epoch is put back before the next epoch begins. A backup taken
inside an epoch (``save_freq=<int>``) is put back after the callbacks' ``on_epoch_begin`` (so a
learning-rate schedule is not applied twice): the generators' state at the start of that epoch
first, so the data are shuffled into the same order, then the batches already done are skipped, and
finally the weights, optimizer, running metrics and random generators are put back as they were.
"""

from __future__ import annotations

import itertools

from lamina import backend


def _backups(cbs):
    from lamina.callbacks.backup_and_restore import BackupAndRestore

    return [c for c in cbs.callbacks if isinstance(c, BackupAndRestore)]


def begin_backups(model, cbs):
    """Called once after ``on_train_begin``: returns the loaded backup to resume from, or None.

    Backup callbacks are moved to the end of the list so that their saves see the other
    callbacks' state after this epoch's (or batch's) updates.
    """
    backups = _backups(cbs)
    if not backups:
        return None
    for b in backups:
        cbs.callbacks.remove(b)
        cbs.callbacks.append(b)
        b._callbacks = cbs.callbacks
    cbs._refresh()
    state = backups[0]._loaded
    if state is not None and state.step == 0:
        state.restore_model(model)
        state.restore_callbacks(cbs.callbacks)
        state.restore_random()
    return state


def epoch_batches(model, data, cbs, state):
    """(batches, index of the first) for one epoch; ``state`` is the backup to resume from
    on the first epoch of a resumed run, else None."""
    if state is None or state.step == 0:
        return data.epoch(), 0
    state.restore_epoch_start()
    batches = data.epoch(start=state.step)
    # Start the epoch's iterator now, while the generators are as at the epoch's start: a
    # DataLoader draws its order when iterated. Then skip to the saved batch.
    first = next(batches, None)
    if first is not None:
        batches = itertools.chain([first], batches)
    elif hasattr(data, "first_batch"):  # the backup came after the epoch's last batch
        first = data.first_batch()
    state.restore_model(model)
    state.restore_callbacks(cbs.callbacks)
    if first is not None:  # the metrics are built on the device, from a batch put there
        first = next(iter(backend.data.device_batches([first])))
    state.restore_metrics(model, first)
    state.restore_random()
    for b in _backups(cbs):
        b._epoch_start = state.epoch_start()
    return batches, state.step
