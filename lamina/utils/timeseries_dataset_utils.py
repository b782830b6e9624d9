"""``timeseries_dataset_from_array``: sliding windows over an array, batched lazily."""

from __future__ import annotations

import math

import numpy as np

from lamina.utils.dataset import Dataset

__all__ = ["timeseries_dataset_from_array"]


def timeseries_dataset_from_array(data, targets, sequence_length, sequence_stride=1, sampling_rate=1,
                                  batch_size=128, shuffle=False, seed=None, start_index=None, end_index=None,
                                  format="tf"):
    """A Dataset of sliding windows over ``data`` (and their targets), as Keras builds them.

    Window ``i`` starts at ``start_index + i * sequence_stride`` and takes ``sequence_length`` steps
    ``sampling_rate`` apart; its target is ``targets[start_index + i * sequence_stride]``. The windows
    are gathered per batch from ``data`` (nothing is copied ahead).

    Args:
        data: array (or list) of shape ``(timesteps, ...)``.
        targets: one target per timestep (e.g. ``data`` shifted), or None for windows only.
        sequence_length: steps per window.
        sequence_stride: steps between the starts of consecutive windows.
        sampling_rate: steps between two samples of a window.
        batch_size: windows per batch (128); None yields single windows.
        shuffle: shuffle the windows (a new order each pass, from ``seed``).
        seed: the shuffle's seed.
        start_index, end_index: only ``data[start_index:end_index]`` is used.
        format: accepted for Keras compatibility (``'tf'`` or ``'grain'``).

    Returns:
        A ``lamina.utils.Dataset`` of ``(windows, targets)`` or ``windows`` batches.

    Example:

    >>> ds = timeseries_dataset_from_array(np.arange(10), np.arange(10), sequence_length=3, batch_size=4)
    >>> x, y = next(iter(ds))
    >>> x.tolist(), y.tolist()
    ([[0, 1, 2], [1, 2, 3], [2, 3, 4], [3, 4, 5]], [0, 1, 2, 3])
    """
    what = "timeseries_dataset_from_array"
    data = np.asarray(data)
    n = len(data)
    for name, value, low in (("sampling_rate", sampling_rate, 1), ("sequence_stride", sequence_stride, 1),
                             ("sequence_length", sequence_length, 1)):
        if not isinstance(value, (int, np.integer)) or value < low:
            raise ValueError(f"{what}: {name} must be a positive integer; received {value!r}.")
    for name, value in (("sampling_rate", sampling_rate), ("sequence_stride", sequence_stride)):
        if value >= n:
            raise ValueError(f"{what}: {name} must be lower than the length of the data ({n}); received {value}.")
    if start_index is not None and not 0 <= start_index < n:
        raise ValueError(f"{what}: start_index must be in [0, {n}); received {start_index}.")
    if end_index is not None and not (0 < end_index < n and (start_index is None or end_index > start_index)):
        raise ValueError(f"{what}: end_index must be in ({start_index or 0}, {n}); received {end_index}.")
    if format not in ("tf", "grain"):
        raise ValueError(f"{what}: format must be 'tf' or 'grain'; received {format!r}.")
    start = start_index or 0
    end = end_index if end_index is not None else n
    count = end - start - (sequence_length - 1) * sampling_rate
    if targets is not None:
        targets = np.asarray(targets)
        count = min(count, len(targets))  # Keras's rule
    starts = np.arange(0, max(count, 0), sequence_stride) + start
    offsets = np.arange(sequence_length) * sampling_rate
    rng = np.random.default_rng(seed)

    def windows(index):
        x = data[starts[index][..., None] + offsets]
        return x if targets is None else (x, targets[starts[index]])

    def passes(step):
        order = rng.permutation(len(starts)) if shuffle else np.arange(len(starts))
        for i in range(0, len(order), step):
            yield windows(order[i:i + step])

    if batch_size is None:
        def singles():
            order = rng.permutation(len(starts)) if shuffle else np.arange(len(starts))
            for i in order:
                yield windows(i)
        return Dataset(singles, len(starts))
    return Dataset(lambda: passes(batch_size), math.ceil(len(starts) / batch_size), batched=True)
