"""TimeseriesGenerator: windows of a time series as batches (Keras 1/2; Keras 3 removed it)."""

from __future__ import annotations

import numpy as np

from lamina.preprocessing._legacy import removed_in_keras3
from lamina.utils.py_dataset import PyDataset


class TimeseriesGenerator(PyDataset):
    """Batches of ``(window of past steps, target)`` pairs cut from one time series.

    Sample ``k`` ends just before row ``r = start_index + length + k * stride``: its window is
    ``data[r - length : r : sampling_rate]`` and its target ``targets[r]``. Rows run up to
    ``end_index`` (inclusive). It is a ``PyDataset``, so ``model.fit(generator)`` takes it.

    Args:
        data: an array (or list) of time steps, time on axis 0.
        targets: one target per time step (same length as ``data``).
        length: how many steps back a window reaches.
        sampling_rate: keep every ``sampling_rate``-th step of a window.
        stride: steps between the ends of consecutive windows.
        start_index, end_index: the rows used as window ends are from ``start_index + length``
            to ``end_index`` (the last row by default).
        shuffle: draw window ends at random (with replacement, NumPy's global generator)
            instead of in order.
        reverse: windows in reverse chronological order.
        batch_size: windows per batch.

    Example:
        >>> import warnings
        >>> with warnings.catch_warnings():
        ...     warnings.simplefilter("ignore")
        ...     gen = TimeseriesGenerator(np.arange(10), np.arange(10), length=3, batch_size=2)
        >>> len(gen), gen[0]
        (4, (array([[0, 1, 2],
               [1, 2, 3]]), array([3, 4])))
    """

    def __init__(self, data, targets, length, sampling_rate=1, stride=1, start_index=0,
                 end_index=None, shuffle=False, reverse=False, batch_size=128, **kwargs):
        removed_in_keras3("lamina.preprocessing.sequence.TimeseriesGenerator",
                          "keras.utils.timeseries_dataset_from_array, in lamina too")
        super().__init__(**kwargs)
        if len(data) != len(targets):
            raise ValueError(
                f"TimeseriesGenerator: data and targets must have the same length (one target per "
                f"time step); received {len(data)} and {len(targets)}."
            )
        for name, value in (("length", length), ("sampling_rate", sampling_rate), ("stride", stride),
                            ("batch_size", batch_size)):
            if int(value) < 1:
                raise ValueError(f"TimeseriesGenerator: {name} must be a positive integer; received {value!r}.")
        self.data = data
        self.targets = targets
        self.length = int(length)
        self.sampling_rate = int(sampling_rate)
        self.stride = int(stride)
        self.start_index = int(start_index) + self.length
        self.end_index = len(data) - 1 if end_index is None else int(end_index)
        self.shuffle = shuffle
        self.reverse = reverse
        self.batch_size = int(batch_size)
        if self.start_index > self.end_index:
            raise ValueError(
                f"TimeseriesGenerator: start_index + length = {self.start_index} is past "
                f"end_index = {self.end_index}, so no window fits. Use a shorter length or more data."
            )

    def __len__(self):
        span = self.batch_size * self.stride
        return (self.end_index - self.start_index + span) // span

    def __getitem__(self, index):
        if self.shuffle:
            rows = np.random.randint(self.start_index, self.end_index + 1, size=self.batch_size)
        else:
            if not -len(self) <= index < len(self):
                raise IndexError(f"TimeseriesGenerator has {len(self)} batches; index {index} is out of range.")
            index %= len(self)
            first = self.start_index + self.batch_size * self.stride * index
            rows = np.arange(first, min(first + self.batch_size * self.stride, self.end_index + 1),
                             self.stride)
        samples = np.array([self.data[r - self.length:r:self.sampling_rate] for r in rows])
        targets = np.array([self.targets[r] for r in rows])
        if self.reverse:
            samples = samples[:, ::-1, ...]
        return samples, targets
