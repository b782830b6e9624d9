"""``text_dataset_from_directory``: a folder of class subfolders of ``.txt`` files as a lazy Dataset."""

from __future__ import annotations

import numpy as np

from lamina.utils import dataset_utils

__all__ = ["text_dataset_from_directory"]


def _strings(texts):
    out = np.empty(len(texts), dtype=object)
    out[:] = texts
    return out


def text_dataset_from_directory(directory, labels="inferred", label_mode="int", class_names=None, batch_size=32,
                                max_length=None, shuffle=True, seed=None, validation_split=None, subset=None,
                                follow_links=False, format="tf", verbose=True, encoding="utf-8", workers=None):
    """Loads a folder of ``.txt`` files, one subfolder per class, as a Dataset of ``(texts, labels)`` batches.

    Files, labels, class names and the validation split follow Keras's rules (see
    ``image_dataset_from_directory``). The texts are read lazily in background threads and come as
    NumPy object arrays of Python ``str`` (TensorFlow gives bytes), ready for TextVectorization.

    Args:
        directory: the folder.
        labels: ``'inferred'``, None, or a list of integer labels in the sorted order of the files.
        label_mode: ``'int'``, ``'categorical'``, ``'binary'`` or None.
        class_names: with ``labels='inferred'``, the subfolders to use, in label order.
        batch_size: texts per batch (32); None yields single texts.
        max_length: keep at most this many characters of each text.
        shuffle: shuffle the files (globally with ``seed``, then each epoch).
        seed: the shuffle's seed; required with ``validation_split``.
        validation_split: fraction kept for validation (the last files after the shuffle).
        subset: ``'training'``, ``'validation'`` or ``'both'``.
        follow_links: follow symbolic links to folders.
        format: accepted for Keras compatibility (``'tf'`` or ``'grain'``).
        verbose: print how many files and classes were found.
        encoding: the files' text encoding (lamina's addition; undecodable bytes are replaced).
        workers: reading threads (lamina's addition).

    Returns:
        A ``lamina.utils.Dataset`` with ``class_names`` and ``file_paths``; ``[train, validation]`` for
        ``subset='both'``.

    Example:

    >>> train = text_dataset_from_directory("aclImdb/train", batch_size=32)  # doctest: +SKIP
    >>> texts, labels = next(iter(train))  # doctest: +SKIP
    """
    what = "text_dataset_from_directory"

    def load(path):
        with open(path, encoding=encoding, errors="replace") as f:
            text = f.read()
        return text[:max_length] if max_length is not None else text

    return dataset_utils.directory_dataset(what, directory, (".txt",), load, labels, label_mode, class_names,
                                           batch_size, shuffle, seed, validation_split, subset, follow_links,
                                           verbose, workers, collate=_strings, format=format)
