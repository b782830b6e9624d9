"""``Dataset``: a lazy, re-iterable stream of NumPy elements or batches, the ``tf.data`` subset tutorials use.

What ``image_dataset_from_directory`` and friends return without TensorFlow. Each ``iter()`` starts
a new pass (an epoch); nothing is computed before. Loading can run in background threads
(``map(fn, num_parallel_calls=...)``, the directory loaders' ``workers``) and ``prefetch(n)``
keeps ``n`` elements ready in a background thread while the model trains. ``fit``, ``evaluate``
and ``predict`` take a batched Dataset directly; ``to_torch()`` wraps it in a torch ``DataLoader``.
"""

from __future__ import annotations

import collections
import math
import os
import queue
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np

__all__ = ["AUTOTUNE", "Dataset"]

AUTOTUNE = -1
INFINITE = -1
UNKNOWN = -2


def default_workers():
    """Threads used for ``AUTOTUNE``: the CPU count, at most 8."""
    return max(1, min(8, os.cpu_count() or 1))


def _stack(elements):
    """Stacks a list of same-structure elements (arrays, numbers, strings, tuples, dicts) into a batch."""
    first = elements[0]
    if isinstance(first, tuple):
        return tuple(_stack([e[i] for e in elements]) for i in range(len(first)))
    if isinstance(first, dict):
        return {k: _stack([e[k] for e in elements]) for k in first}
    if isinstance(first, (str, bytes)):
        out = np.empty(len(elements), dtype=object)
        out[:] = elements
        return out
    try:
        return np.stack([np.asarray(e) for e in elements])
    except ValueError:
        shapes = sorted({np.shape(e) for e in elements})
        raise ValueError(
            f"Dataset.batch: the elements have different shapes {shapes[:4]} and cannot be stacked. "
            "Resize or pad them to one shape first (e.g. in .map), or batch them one at a time."
        ) from None


def _unstack(batch):
    """The elements of a batch (inverse of ``_stack``)."""
    for i in range(len(_leaves(batch)[0])):
        yield _index(batch, i)


def _index(batch, i):
    if isinstance(batch, tuple):
        return tuple(_index(b, i) for b in batch)
    if isinstance(batch, dict):
        return {k: _index(v, i) for k, v in batch.items()}
    return batch[i]


def _call(fn, element):
    return fn(*element) if isinstance(element, tuple) else fn(element)


def parallel_map(fn, iterable, workers, lookahead=None):
    """``map(fn, iterable)`` in order, computed by ``workers`` threads up to ``lookahead`` items ahead."""
    if workers <= 1:
        yield from map(fn, iterable)
        return
    lookahead = lookahead or 4 * workers
    pool = ThreadPoolExecutor(workers, thread_name_prefix="lamina-data")
    pending = collections.deque()
    try:
        for item in iterable:
            pending.append(pool.submit(fn, item))
            if len(pending) >= lookahead:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    finally:
        for future in pending:
            future.cancel()
        pool.shutdown(wait=False, cancel_futures=True)


class _Failure:
    def __init__(self, error):
        self.error = error


_END = object()


def _prefetched(make_iter, size):
    """Iterates ``make_iter()`` in a background thread, keeping up to ``size`` items ready."""
    ready = queue.Queue(maxsize=max(1, size))
    stop = threading.Event()

    def produce():
        try:
            for item in make_iter():
                while not stop.is_set():
                    try:
                        ready.put(item, timeout=0.05)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            ready.put(_END)
        except BaseException as e:  # noqa: BLE001 - handed to the consumer, raised there
            ready.put(_Failure(e))

    thread = threading.Thread(target=produce, daemon=True, name="lamina-prefetch")
    thread.start()
    try:
        while True:
            item = ready.get()
            if item is _END:
                return
            if isinstance(item, _Failure):
                raise item.error
            yield item
    finally:
        stop.set()


class Dataset:
    """A re-iterable stream of NumPy elements (or batches); ``tf.data.Dataset``'s everyday methods.

    Build one with ``Dataset.from_tensor_slices`` or get one from ``image_dataset_from_directory``,
    ``text_dataset_from_directory``, ``audio_dataset_from_directory``,
    ``timeseries_dataset_from_array`` or ``split_dataset``. Each pass (``for batch in ds``) runs the
    pipeline again from the start: shuffles draw a new order, maps run again. ``class_names`` and
    ``file_paths`` are kept through ``map``/``batch``/``shuffle``/... so tutorials can read them.

    Args:
        make_iter: a callable that returns a fresh iterator over the elements.
        length: the number of elements (batches, once batched) per pass, or None if unknown.
        batched: whether the elements are batches (``fit`` needs batches).
        class_names: the class names, if the data came from a labelled folder.
        file_paths: the files, in the order before any per-pass shuffle.

    Example:

    >>> ds = Dataset.from_tensor_slices((np.arange(10.0), np.arange(10) % 2)).batch(4)
    >>> [x.shape for x, y in ds]
    [(4,), (4,), (2,)]
    >>> len(ds), len(ds.unbatch().map(lambda x, y: x * 2).take(3))
    (3, 3)
    """

    def __init__(self, make_iter, length=None, batched=False, class_names=None, file_paths=None):
        self._make_iter = make_iter
        self._length = length
        self.is_batched = batched
        self.class_names = class_names
        self.file_paths = file_paths

    # ------------------------------------------------------------------ sources
    @classmethod
    def from_tensor_slices(cls, data):
        """Elements are the slices of ``data`` (an array, or a tuple/dict of arrays) along the first axis."""
        arrays = _to_arrays(data)  # a list is one array, as in tf.data
        lengths = {len(a) for a in _leaves(arrays)}
        if len(lengths) != 1:
            raise ValueError(
                f"Dataset.from_tensor_slices: the arrays have different lengths {sorted(lengths)}; they "
                "must all have the same first dimension (one entry per sample)."
            )
        n = lengths.pop()
        return cls(lambda: (_index(arrays, i) for i in range(n)), n)

    def _derive(self, make_iter, length, batched=None):
        return Dataset(make_iter, length, self.is_batched if batched is None else batched,
                       self.class_names, self.file_paths)

    # ------------------------------------------------------------------ iteration
    def __iter__(self):
        return iter(self._make_iter())

    def as_numpy_iterator(self):
        """An iterator over the elements (they already are NumPy arrays)."""
        return iter(self)

    def __len__(self):
        if self._length is None or self._length < 0:
            raise TypeError(
                f"This Dataset's length is {'infinite' if self._length == INFINITE else 'unknown'} "
                "(after filter-like steps or repeat()); pass steps_per_epoch to fit."
            )
        return self._length

    def cardinality(self):
        """The number of elements, ``-1`` (INFINITE) after ``repeat()``, ``-2`` (UNKNOWN) if unknown."""
        return UNKNOWN if self._length is None else self._length

    # ------------------------------------------------------------------ transformations
    def map(self, map_func, num_parallel_calls=None, deterministic=None, name=None):
        """Applies ``map_func`` to each element (``map_func(*element)`` for tuples, as tf.data does).

        Args:
            map_func: a function of the element's parts; it may return a tuple (e.g. ``(x, y)``).
            num_parallel_calls: threads that run it (``AUTOTUNE``: the CPU count, at most 8);
                None runs it in the consuming thread. Order is always kept.
            deterministic: accepted for tf.data compatibility; the order is always deterministic.
            name: unused (tf.data compatibility).
        """
        workers = default_workers() if num_parallel_calls == AUTOTUNE else int(num_parallel_calls or 1)
        return self._derive(lambda: parallel_map(lambda e: _call(map_func, e), self, workers), self._length)

    def batch(self, batch_size, drop_remainder=False, num_parallel_calls=None, deterministic=None, name=None):
        """Groups consecutive elements into batches of ``batch_size`` (stacked arrays)."""
        if not isinstance(batch_size, (int, np.integer)) or isinstance(batch_size, bool) or batch_size <= 0:
            raise ValueError(f"Dataset.batch: batch_size must be a positive integer; received {batch_size!r}.")

        def batches():
            group = []
            for element in self:
                group.append(element)
                if len(group) == batch_size:
                    yield _stack(group)
                    group = []
            if group and not drop_remainder:
                yield _stack(group)

        n = self._length
        length = n if n is None or n < 0 else (n // batch_size if drop_remainder else math.ceil(n / batch_size))
        return self._derive(batches, length, batched=True)

    def unbatch(self, name=None):
        """Splits every batch back into its elements."""
        if not self.is_batched:
            raise ValueError("Dataset.unbatch: this Dataset is not batched; its elements are single samples.")
        length = None
        return self._derive(lambda: (e for batch in self for e in _unstack(batch)), length, batched=False)

    def shuffle(self, buffer_size, seed=None, reshuffle_each_iteration=True, name=None):
        """Shuffles the elements with a buffer of ``buffer_size`` (tf.data's algorithm; a new order each pass)."""
        if buffer_size is None or buffer_size < 1:
            raise ValueError(f"Dataset.shuffle: buffer_size must be at least 1; received {buffer_size!r}.")
        master = np.random.default_rng(seed)
        first_seed = int(master.integers(2**63))

        def shuffled():
            rng = np.random.default_rng(int(master.integers(2**63)) if reshuffle_each_iteration else first_seed)
            buffer = []
            for element in self:
                if len(buffer) < buffer_size:
                    buffer.append(element)
                    continue
                i = int(rng.integers(buffer_size))
                yield buffer[i]
                buffer[i] = element
            rng.shuffle(buffer)
            yield from buffer

        return self._derive(shuffled, self._length)

    def take(self, count, name=None):
        """The first ``count`` elements (all of them if ``count`` is -1)."""
        if count < 0:
            return self
        length = count if self._length is None or self._length < 0 else min(count, self._length)
        return self._derive(lambda: (e for _, e in zip(range(count), self)), length)

    def skip(self, count, name=None):
        """All but the first ``count`` elements."""
        import itertools

        length = None if self._length is None or self._length < 0 else max(0, self._length - count)
        return self._derive(lambda: itertools.islice(self, count, None), length)

    def repeat(self, count=None, name=None):
        """Repeats the passes ``count`` times (forever if None or -1)."""
        forever = count is None or count < 0

        def repeated():
            done = 0
            while forever or done < count:
                yield from self
                done += 1

        length = INFINITE if forever else (None if self._length is None else self._length * count)
        return self._derive(repeated, length)

    def prefetch(self, buffer_size=AUTOTUNE, name=None):
        """Computes up to ``buffer_size`` elements ahead in a background thread (``AUTOTUNE``: 2)."""
        size = 2 if buffer_size in (None, AUTOTUNE) else int(buffer_size)
        return self._derive(lambda: _prefetched(self.__iter__, size), self._length)

    def cache(self, filename="", name=None):
        """Keeps the elements of the first complete pass in memory (``filename`` is not supported)."""
        if filename:
            raise ValueError("Dataset.cache: caching to a file is not supported; call cache() to keep it in memory.")
        store = []
        complete = []

        def cached():
            if complete:
                yield from store
                return
            store.clear()
            for element in self:
                store.append(element)
                yield element
            complete.append(True)

        return self._derive(cached, self._length)

    def to_torch(self, pin_memory=False):
        """A torch ``DataLoader`` over this Dataset's batches (NumPy arrays become tensors).

        The loading already runs in this Dataset's threads; the DataLoader adds no workers.
        """
        from lamina.backend.torch.data import to_data_loader

        return to_data_loader(self, pin_memory=pin_memory)

    def __repr__(self):
        n = "unknown" if self._length is None else "infinite" if self._length == INFINITE else self._length
        kind = "batches" if self.is_batched else "elements"
        return f"<lamina Dataset: {n} {kind}>"


def _leaves(data):
    if isinstance(data, tuple):
        return [leaf for d in data for leaf in _leaves(d)]
    if isinstance(data, dict):
        return [leaf for d in data.values() for leaf in _leaves(d)]
    return [data]


def _to_arrays(data):
    if isinstance(data, tuple):
        return tuple(_to_arrays(d) for d in data)
    if isinstance(data, dict):
        return {k: _to_arrays(v) for k, v in data.items()}
    return np.asarray(data)
