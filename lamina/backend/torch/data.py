"""lamina Datasets as torch DataLoaders."""

from __future__ import annotations

import torch


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
