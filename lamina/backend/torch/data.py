"""lamina Datasets as torch DataLoaders, and torch Datasets given to fit batched with batch_size.

A map-style ``torch.utils.data.Dataset`` yields single samples, so lamina batches it with a
``DataLoader`` (``batch_size``, default 32; shuffled each epoch by ``fit(shuffle=True)``), never
one sample at a time. An ``IterableDataset`` may yield samples or whole batches, which lamina
cannot tell apart, so it is refused with the fix. A ``DataLoader`` is used as it is.
"""

from __future__ import annotations

import torch
from torch.utils.data import DataLoader, Dataset, IterableDataset


class _Batches(torch.utils.data.IterableDataset):
    def __init__(self, dataset):
        super().__init__()
        self.dataset = dataset

    def __iter__(self):
        return iter(self.dataset)

    def __len__(self):
        return len(self.dataset)


def to_data_loader(dataset, pin_memory=False):
    """A ``torch.utils.data.DataLoader`` yielding the Dataset's batches as tensors (strings stay arrays)."""
    return torch.utils.data.DataLoader(_Batches(dataset), batch_size=None, num_workers=0, pin_memory=pin_memory)


def batch_dataset(x, batch_size, shuffle, what):
    """A DataLoader over ``x`` if it is a torch Dataset, else None."""
    if isinstance(x, IterableDataset):
        raise ValueError(
            f"{what}() received a torch IterableDataset ({type(x).__name__}); lamina cannot tell "
            "whether it yields single samples or whole batches. Wrap it in a DataLoader: "
            "torch.utils.data.DataLoader(dataset, batch_size=32) if it yields samples, or "
            "DataLoader(dataset, batch_size=None) if it yields batches."
        )
    if not isinstance(x, Dataset):
        return None
    if batch_size is not None and (isinstance(batch_size, bool) or not isinstance(batch_size, int)
                                   or batch_size <= 0):
        raise ValueError(f"batch_size must be a positive integer, received {batch_size!r}.")
    # The shuffle order comes from torch's global generator, which set_random_seed seeds.
    return DataLoader(x, batch_size=batch_size or 32, shuffle=bool(shuffle))
