"""Reading CIFAR's pickled batches safely (restricted unpickler, after the archive's hash check)."""

from __future__ import annotations

import os

import numpy as np

from lamina import config
from lamina.datasets._download import fetch
from lamina.datasets._safe_pickle import load_pickle


def load_batch(fpath, label_key="labels"):
    """One CIFAR batch file: ``(data, labels)``, data uint8 of shape (N, 3, 32, 32)."""
    d = {k.decode("utf8") if isinstance(k, bytes) else k: v for k, v in load_pickle(fpath).items()}
    data = np.asarray(d["data"], dtype=np.uint8)
    return data.reshape(data.shape[0], 3, 32, 32), np.asarray(d[label_key])


def load_archive(origin, file_hash, folder, inner, batches, label_key):
    """Downloads and extracts a CIFAR archive, reads ``batches`` (train files, test file)."""
    root = os.path.join(fetch(origin, file_hash, fname=folder, extract=True), inner)
    parts = [load_batch(os.path.join(root, name), label_key) for name in batches]
    train, test = parts[:-1], parts[-1]
    x_train = np.concatenate([x for x, _ in train]).astype(np.uint8)
    y_train = np.concatenate([y for _, y in train]).astype(np.uint8).reshape(-1, 1)
    x_test, y_test = test[0].astype(np.uint8), test[1].astype(np.uint8).reshape(-1, 1)
    if config.image_data_format() == "channels_last":
        x_train, x_test = x_train.transpose(0, 2, 3, 1), x_test.transpose(0, 2, 3, 1)
    return (x_train, y_train), (x_test, y_test)
