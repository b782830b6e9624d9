"""Turn what users pass to fit/evaluate/predict into batches of backend tensors.

Arrays (NumPy, backend tensors, lists/dicts of them) are converted to tensors ONCE and sliced
per batch on the device; shuffling gathers with one index tensor per batch. Python iterables
(generators, ``PyDataset``/``Sequence``, torch ``DataLoader``) are consumed batch by batch.
"""

from __future__ import annotations

import math

import numpy as np

from lamina import backend, ops
from lamina.layers.keras_tensor import flatten, map_structure
from lamina.utils.rng_utils import host_rng


def _is_array(x):
    return isinstance(x, np.ndarray) or ops.is_tensor(x) or hasattr(x, "__array__") and not isinstance(x, (list, tuple, dict))


def _is_array_struct(x):
    if x is None:
        return True
    if isinstance(x, dict):
        return all(_is_array_struct(v) for v in x.values())
    if isinstance(x, (list, tuple)):
        if x and all(isinstance(v, (int, float)) for v in x):
            return True  # a plain list of numbers: one array
        return all(_is_array(v) or isinstance(v, (list, tuple)) and _is_array_struct(v) for v in x)
    return _is_array(x)


def _n(x):
    return x.shape[0]


def _is_number_list(x):
    """True for a (nested) Python list/tuple whose leaves are all numbers or bools."""
    if isinstance(x, (list, tuple)):
        return len(x) > 0 and all(_is_number_list(v) for v in x)
    return isinstance(x, (int, float, bool, np.number, np.bool_))


def lists_to_arrays(x, what="x"):
    """Nested Python lists of numbers become NumPy arrays (``np.asarray``); a list of arrays
    stays a list (several inputs). Ragged lists are refused with the fix to apply."""
    if isinstance(x, dict):
        return {k: lists_to_arrays(v, what) for k, v in x.items()}
    if not isinstance(x, (list, tuple)):
        return x
    if _is_number_list(x):
        try:
            return np.asarray(x)
        except ValueError:
            lengths = sorted({len(v) for v in x if isinstance(v, (list, tuple))})
            raise ValueError(
                f"{what} is a ragged Python list: its rows have different lengths {lengths[:5]}"
                f"{'...' if len(lengths) > 5 else ''}, so it is not one array. Pad the sequences to "
                "one length first, e.g. lamina.utils.pad_sequences(sequences, maxlen=...)."
            ) from None
    return type(x)(lists_to_arrays(v, what) for v in x)


def _to_batchable(a, convert=None):
    """A tensor (made by ``convert``), or for string data (NumPy str/bytes/object arrays) the
    NumPy array itself: the string layers (TextVectorization, StringLookup, Hashing) read it on
    the host."""
    if isinstance(a, np.ndarray) and a.dtype.kind in "USO":
        return a
    return (convert or ops.convert_to_tensor)(a)


class ArrayData:
    """In-memory arrays, batched on the device."""

    def __init__(self, x, y=None, sample_weight=None, batch_size=32, shuffle=False,
                 class_weight=None, steps=None, host=False):
        x, y = lists_to_arrays(x, "x"), lists_to_arrays(y, "y")
        sample_weight = lists_to_arrays(sample_weight, "sample_weight")
        # host=True (the fit/evaluate/predict loops): kept in host memory, moved per batch.
        self.host = host
        conv = self._convert = backend.data.host_tensor if host else ops.convert_to_tensor
        self.x = map_structure(lambda a: _to_batchable(a, conv), x)
        self.y = map_structure(conv, y) if y is not None else None
        self.sw = map_structure(conv, sample_weight) if sample_weight is not None else None
        lengths = {}
        for name, s in (("x", self.x), ("y", self.y), ("sample_weight", self.sw)):
            if s is not None:
                lengths[name] = sorted({_n(t) for t in flatten(s)})
        all_n = sorted({n for ns in lengths.values() for n in ns})
        if len(all_n) > 1:
            detail = ", ".join(f"{k}: {v if len(v) > 1 else v[0]}" for k, v in lengths.items())
            raise ValueError(
                f"Data cardinality is ambiguous: the arrays have different numbers of samples "
                f"({detail}). x and y must have the same first dimension (one label per sample); "
                "check that you passed matching arrays."
            )
        self.n = all_n[0] if all_n else 0
        if self.n == 0:
            raise ValueError("The data passed is empty (0 samples).")
        self.apply_class_weight(class_weight)
        self.batch_size = int(batch_size or 32)
        self.shuffle = shuffle
        self.steps = steps if steps is not None else math.ceil(self.n / self.batch_size)

    def __len__(self):
        return self.steps

    def epoch(self, start=0):
        """The batches of one epoch from batch ``start`` on (the order is drawn now, in full)."""
        perm = self._convert(host_rng().permutation(self.n)) if self.shuffle else None
        return self._batches(perm, start)

    def first_batch(self):
        """The first batch in storage order (no random draw)."""
        return next(self._batches(None, 0))

    def _batches(self, perm, step):
        n, bs = self.n, self.batch_size
        while step < self.steps:
            start = (step * bs) % n if self.steps * bs > n else step * bs
            stop = min(start + bs, n)
            if perm is not None:
                idx = perm[start:stop]

                def sl(t, idx=idx):
                    return backend.data.take_rows(t, idx)
            else:
                def sl(t, start=start, stop=stop):
                    return t[start:stop]
            yield (map_structure(sl, self.x),
                   map_structure(sl, self.y) if self.y is not None else None,
                   map_structure(sl, self.sw) if self.sw is not None else None)
            step += 1

    def apply_class_weight(self, class_weight) -> None:
        """Fold ``class_weight`` into the sample weights (after a validation split, so that
        validation losses stay unweighted as in Keras)."""
        if class_weight is not None:
            self.sw = _apply_class_weight(self.y, self.sw, class_weight)

    def split(self, validation_split):
        """(train, validation) views: the LAST fraction of the samples, before any shuffling."""
        if not 0.0 < validation_split < 1.0:
            raise ValueError(f"validation_split must be in (0, 1), received {validation_split}.")
        k = int(self.n * (1.0 - validation_split))
        if k == 0 or k == self.n:
            raise ValueError(
                f"validation_split={validation_split} leaves no training or no validation samples "
                f"out of {self.n}. Use a different fraction or pass validation_data."
            )

        def head(t):
            return t[:k]

        def tail(t):
            return t[k:]

        def part(f):
            return ArrayData(map_structure(f, self.x), map_structure(f, self.y) if self.y is not None else None,
                             map_structure(f, self.sw) if self.sw is not None else None,
                             self.batch_size, self.shuffle, host=self.host)

        return part(head), part(tail)


class IterableData:
    """Batches produced by Python: generators, PyDataset/Sequence, torch DataLoader, lists of batches."""

    def __init__(self, source, steps=None):
        self.source = source
        n = None
        if hasattr(source, "__len__") and (not hasattr(source, "__next__") or hasattr(source, "on_epoch_end")):  # Keras 2 iterators have both
            try:
                n = len(source)
            except TypeError:
                n = None
        self.steps = steps if steps is not None else n

    def __len__(self):
        return self.steps

    def epoch(self, start=0):
        """The batches of one epoch, from batch ``start`` on: an indexed ``PyDataset`` seeks
        there; from other sources the first ``start`` batches are read and dropped."""
        src = self.source
        count = 0
        if hasattr(src, "__getitem__") and hasattr(src, "__len__") and not isinstance(src, (list, tuple)) and hasattr(src, "on_epoch_end"):
            it = (src[i] for i in range(start, len(src)))
            count = start
        elif hasattr(src, "__next__"):
            it = src  # a generator: continue where the last epoch stopped
        else:
            it = iter(src)
        for _ in range(start - count):  # a resumed epoch: the batches already trained on
            next(it, None)
        count = start
        for batch in it:
            yield _unpack(batch)
            count += 1
            if self.steps is not None and count >= self.steps:
                break
        if hasattr(src, "on_epoch_end"):
            src.on_epoch_end()


def _unpack(batch):
    # Host tensors: the loop moves each batch to the device (one ahead, pinned; under data
    # parallelism only this rank's rows), as it moves array batches.
    conv = backend.data.host_tensor
    if isinstance(batch, dict) or not isinstance(batch, (tuple, list)):
        return map_structure(conv, batch), None, None
    if len(batch) == 1:
        return map_structure(conv, batch[0]), None, None
    if len(batch) == 2:
        return map_structure(conv, batch[0]), map_structure(conv, batch[1]), None
    if len(batch) == 3:
        x, y, sw = batch
        return (map_structure(conv, x), map_structure(conv, y),
                map_structure(conv, sw) if sw is not None else None)
    raise ValueError(
        f"A data generator must yield (x,), (x, y) or (x, y, sample_weight); it yielded a "
        f"{type(batch).__name__} of length {len(batch)}."
    )


def make_data(x, y=None, sample_weight=None, batch_size=None, shuffle=False, class_weight=None,
              steps=None, what="fit"):
    """The right adapter for ``x`` (and ``y``)."""
    if x is None:
        raise ValueError(f"{what}() needs input data x.")
    x = lists_to_arrays(x, "x")
    if _is_array_struct(x):
        if batch_size is not None and (not isinstance(batch_size, int) or batch_size <= 0):
            raise ValueError(f"batch_size must be a positive integer, received {batch_size!r}.")
        return ArrayData(x, y, sample_weight, batch_size or 32, shuffle, class_weight, steps, host=True)
    if getattr(x, "is_batched", True) is False:  # a lamina Dataset of single samples
        raise ValueError(f"{what}() received a Dataset of single samples; batch it first: dataset.batch(32).")
    if getattr(x, "is_batched", False) and x.cardinality() == -1:
        x = iter(x)  # an endless Dataset (repeat()) continues across epochs, as Keras does with steps_per_epoch
    loader = backend.data.batch_dataset(x, batch_size, shuffle and what == "fit", what)
    if loader is not None:
        x = loader  # a torch Dataset yields single samples: batched with batch_size
    if y is not None:
        raise ValueError(
            f"{what}(x, y): when x is a generator or dataset it must yield (inputs, targets) itself; "
            "do not pass y separately."
        )
    return IterableData(x, steps=steps)  # generators batch themselves; batch_size is ignored


def _apply_class_weight(y, sw, class_weight):
    from lamina.training.argument_checks import check_class_weight

    check_class_weight(class_weight)
    if isinstance(y, (list, tuple, dict)):
        raise ValueError("class_weight is only supported for models with a single output; use sample_weight.")
    yn = ops.convert_to_numpy(y)
    if yn.ndim > 1 and yn.shape[-1] > 1:
        labels = yn.argmax(axis=-1)
    else:
        labels = yn.reshape(yn.shape[0], -1)[:, 0].round().astype(int)
    weights = np.ones(len(labels), dtype="float32")
    for cls, w in class_weight.items():
        weights[labels == int(cls)] = w
    if sw is not None:
        weights = weights * ops.convert_to_numpy(sw).reshape(len(labels))
    return ops.convert_to_tensor(weights)
