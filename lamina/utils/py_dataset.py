"""PyDataset (Keras 3) and its Keras 2 name Sequence: a dataset of batches you index."""

from __future__ import annotations


class PyDataset:
    """Base class for datasets that produce whole batches by index.

    Subclass it and define ``__len__`` (the number of batches per epoch) and
    ``__getitem__(index)`` returning one batch: ``(x, y)``, ``(x, y, sample_weight)``, or ``x``
    alone for ``predict``. ``on_epoch_end`` runs after every epoch (shuffle there). Pass the
    object to ``fit``/``evaluate``/``predict`` without ``batch_size``. Keras 2 code that
    subclasses ``Sequence`` and never calls ``super().__init__()`` keeps working.

    Args:
        workers: how many workers may load batches in parallel. Default 1.
        use_multiprocessing: use processes rather than threads for the workers.
        max_queue_size: how many batches may wait, loaded ahead. Default 10.

    Example:

    >>> import numpy as np
    >>> class Batches(PyDataset):
    ...     def __init__(self, x, y, batch_size=32, **kwargs):
    ...         super().__init__(**kwargs)
    ...         self.x, self.y, self.batch_size = x, y, batch_size
    ...     def __len__(self):
    ...         return -(-len(self.x) // self.batch_size)
    ...     def __getitem__(self, i):
    ...         s = slice(i * self.batch_size, (i + 1) * self.batch_size)
    ...         return self.x[s], self.y[s]
    >>> data = Batches(np.zeros((70, 3)), np.zeros(70), batch_size=32)
    >>> len(data), data[2][0].shape
    (3, (6, 3))
    """

    # Class-level defaults so subclasses that skip super().__init__() (Keras 2 style) still work.
    workers = 1
    use_multiprocessing = False
    max_queue_size = 10

    def __init__(self, workers=1, use_multiprocessing=False, max_queue_size=10):
        self.workers = workers
        self.use_multiprocessing = use_multiprocessing
        self.max_queue_size = max_queue_size

    def __getitem__(self, index):
        raise NotImplementedError(
            f"{type(self).__name__} must define __getitem__(self, index) returning one batch, "
            "e.g. (x_batch, y_batch)."
        )

    def __len__(self):
        raise NotImplementedError(
            f"{type(self).__name__} must define __len__(self) returning the number of batches "
            "in an epoch."
        )

    @property
    def num_batches(self):
        """The number of batches per epoch (``len(self)``)."""
        return len(self)

    def __iter__(self):
        for index in range(len(self)):
            yield self[index]

    def on_epoch_begin(self):
        """Called at the start of every epoch."""

    def on_epoch_end(self):
        """Called at the end of every epoch; override it to shuffle."""


#: The Keras 2 name of :class:`PyDataset`.
Sequence = PyDataset
