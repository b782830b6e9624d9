"""What the ``*_dataset_from_directory`` loaders share: indexing a folder, labels, the split; and ``split_dataset``.

The indexing follows Keras's documented rules so that the same folder and seed give the same
files, labels and split as Keras: class folders sorted alphanumerically (hidden ones skipped),
files sorted within each folder, one global shuffle with ``np.random.RandomState(seed)``, and the
validation subset taken as the LAST ``int(validation_split * n)`` files of that order.
"""

from __future__ import annotations

import math
import os
import random

import numpy as np

from lamina.errors import suggest
from lamina.utils.dataset import Dataset, default_workers, parallel_map
from lamina.utils.io_utils import print_msg

__all__ = ["split_dataset"]

LABEL_MODES = ("int", "categorical", "binary", None)


def check_arguments(what, labels, label_mode, class_names, validation_split, subset, shuffle, seed):
    """Keras's argument rules for the directory loaders, with lamina's messages."""
    if labels not in ("inferred", None) and not isinstance(labels, (list, tuple, np.ndarray)):
        raise ValueError(
            f"{what}: labels must be 'inferred', None, or a list of integer labels (one per file, in "
            f"the sorted order of the files); received labels={labels!r}."
        )
    if labels not in ("inferred", None) and class_names:
        raise ValueError(f"{what}: class_names can only be passed with labels='inferred'.")
    if label_mode not in LABEL_MODES:
        raise ValueError(
            f"{what}: label_mode must be 'int', 'categorical', 'binary' or None; received "
            f"{label_mode!r}.{suggest(str(label_mode), ('int', 'categorical', 'binary'))}"
        )
    if validation_split is not None and validation_split != 0 and not 0 < validation_split < 1:
        raise ValueError(f"{what}: validation_split must be between 0 and 1; received {validation_split!r}.")
    if bool(validation_split) != bool(subset):
        raise ValueError(
            f"{what}: pass validation_split and subset together (subset='training', 'validation' or "
            f"'both'); received validation_split={validation_split!r}, subset={subset!r}."
        )
    if subset not in ("training", "validation", "both", None):
        raise ValueError(
            f"{what}: subset must be 'training', 'validation' or 'both'; received {subset!r}."
            f"{suggest(str(subset), ('training', 'validation', 'both'))}"
        )
    if validation_split and shuffle and seed is None:
        raise ValueError(
            f"{what}: with validation_split and shuffle=True, pass a seed (the same for the training and "
            "the validation call) so that the two subsets do not overlap."
        )


def _valid_files(directory, follow_links, formats):
    for root, _, files in sorted(os.walk(directory, followlinks=follow_links), key=lambda w: w[0]):
        for fname in sorted(files):
            if fname.lower().endswith(formats):
                yield os.path.join(root, fname)


def index_directory(directory, labels, formats, class_names=None, shuffle=True, seed=None, follow_links=False,
                    verbose=True, what="index_directory"):
    """``(file_paths, labels, class_names)`` of a folder, in Keras's order (see the module docstring)."""
    directory = os.fspath(directory)
    if not os.path.isdir(directory):
        raise ValueError(f"{what}: directory '{directory}' does not exist or is not a folder.")
    if labels == "inferred":
        subdirs = [d for d in sorted(os.listdir(directory))
                   if os.path.isdir(os.path.join(directory, d)) and not d.startswith(".")]
        if class_names is not None:
            missing = [c for c in class_names if c not in subdirs]
            if missing:
                raise ValueError(
                    f"{what}: class_names {missing} are not subfolders of '{directory}'. The subfolders "
                    f"are {subdirs}; class_names must be some of them (in the order you want the labels)."
                )
            subdirs = list(class_names)
    else:
        if class_names is not None:
            raise ValueError(f"{what}: class_names can only be passed with labels='inferred'.")
        subdirs = [""]
    paths, found_labels = [], []
    for index, subdir in enumerate(subdirs):
        files = list(_valid_files(os.path.join(directory, subdir), follow_links, formats))
        paths += files
        found_labels += [index] * len(files)
    if labels == "inferred":
        labels = np.asarray(found_labels, dtype="int32")
        class_names = subdirs
    elif labels is None:
        class_names = None
    else:
        if len(labels) != len(paths):
            raise ValueError(
                f"{what}: labels has {len(labels)} entries but '{directory}' holds {len(paths)} files of "
                f"the formats {formats}; pass one label per file, in the sorted order of the file paths."
            )
        class_names = [str(label) for label in sorted(set(labels))]
        labels = np.asarray(labels)
    if verbose:
        print_msg(f"Found {len(paths)} files" + ("." if class_names is None else f" belonging to {len(class_names)} classes."))
    if shuffle:
        if seed is None:
            seed = np.random.randint(1e6)
        np.random.RandomState(seed).shuffle(paths)
        if labels is not None:
            np.random.RandomState(seed).shuffle(labels)
    return paths, labels, class_names


def split_subset(paths, labels, validation_split, subset, verbose=True):
    """The training (all but the last ``int(split * n)``) or validation (those last) part."""
    if not validation_split:
        return paths, labels
    n_val = int(validation_split * len(paths))
    if subset == "training":
        if verbose:
            print_msg(f"Using {len(paths) - n_val} files for training.")
        keep = slice(0, len(paths) - n_val)
    else:
        if verbose:
            print_msg(f"Using {n_val} files for validation.")
        keep = slice(len(paths) - n_val, len(paths))
    return paths[keep], (labels[keep] if labels is not None else None)


def encode_labels(labels, label_mode, num_classes):
    """int labels as Keras returns them: int32, one-hot float32, or float32 of shape (n, 1) for binary."""
    labels = np.asarray(labels)
    if label_mode == "binary":
        return labels.astype("float32")[:, None]
    if label_mode == "categorical":
        return np.eye(num_classes, dtype="float32")[labels.astype("int64")]
    return labels.astype("int32") if labels.dtype.kind in "iu" else labels


def files_dataset(paths, labels, label_mode, num_classes, load, batch_size, shuffle, seed, workers, class_names,
                  collate=None):
    """A Dataset that loads ``load(path)`` lazily in ``workers`` threads, batched, reshuffled each pass."""
    workers = default_workers() if workers is None else max(1, int(workers))
    targets = encode_labels(labels, label_mode, num_classes) if label_mode and labels is not None else None
    n = len(paths)
    rng = np.random.default_rng(seed)

    def elements():
        order = rng.permutation(n) if shuffle else range(n)
        lookahead = 4 * workers + (batch_size or 1)
        images = parallel_map(lambda i: load(paths[i]), order, workers, lookahead)
        if targets is None:
            yield from images
        else:
            for i, image in zip(order, images):
                yield image, targets[i]

    if batch_size is None:
        return Dataset(elements, n, batched=False, class_names=class_names, file_paths=list(paths))

    def batches():
        group = []
        for element in elements():
            group.append(element)
            if len(group) == batch_size:
                yield _collate(group, collate)
                group = []
        if group:
            yield _collate(group, collate)

    return Dataset(batches, math.ceil(n / batch_size), batched=True, class_names=class_names, file_paths=list(paths))


def _collate(group, collate):
    if collate is None:
        from lamina.utils.dataset import _stack

        return _stack(group)
    if isinstance(group[0], tuple):
        return collate([g[0] for g in group]), np.stack([g[1] for g in group])
    return collate(group)


def directory_dataset(what, directory, formats, load, labels, label_mode, class_names, batch_size, shuffle, seed,
                      validation_split, subset, follow_links, verbose, workers, collate=None, format="tf"):
    """The body every ``*_dataset_from_directory`` shares: check, index, split, build lazy Datasets."""
    if format not in ("tf", "grain"):
        raise ValueError(f"{what}: format must be 'tf' or 'grain'; received {format!r}.")
    check_arguments(what, labels, label_mode, class_names, validation_split, subset, shuffle, seed)
    if labels is None or label_mode is None:
        labels, label_mode = None, None
    if seed is None:
        seed = np.random.randint(1e6)
    paths, labels, class_names = index_directory(directory, labels, formats, class_names, shuffle, seed,
                                                 follow_links, verbose, what)
    if label_mode == "binary" and len(class_names) != 2:
        raise ValueError(
            f"{what}: label_mode='binary' needs exactly 2 classes; found {len(class_names)}: {class_names}. "
            "Use label_mode='int' or 'categorical' for more classes."
        )

    def build(p, lab, training):
        return files_dataset(p, lab, label_mode, len(class_names or ()), load, batch_size, shuffle and training,
                             seed, workers, class_names, collate)

    return make_subsets(what, paths, labels, validation_split, subset, build, verbose)


def make_subsets(what, paths, labels, validation_split, subset, build, verbose):
    """``build(paths, labels, is_training)`` for one subset, or ``[train, validation]`` for ``'both'``."""
    if subset == "both":
        out = []
        for part in ("training", "validation"):
            p, lab = split_subset(paths, labels, validation_split, part, verbose)
            if not p:
                raise ValueError(f"{what}: no {part} files left after validation_split={validation_split}.")
            out.append(build(p, lab, part == "training"))
        return out
    p, lab = split_subset(paths, labels, validation_split, subset, verbose)
    if not p:
        raise ValueError(f"{what}: no files found (or none left in the {subset} subset).")
    return build(p, lab, True)


# ---------------------------------------------------------------------------- split_dataset
def _sizes(left_size, right_size, total):
    for name, size in (("left_size", left_size), ("right_size", right_size)):
        if size is not None and (isinstance(size, bool) or not isinstance(size, (int, float, np.integer, np.floating))):
            raise TypeError(f"split_dataset: {name} must be an int, a float or None; received {size!r}.")
        if isinstance(size, (float, np.floating)) and not 0 < size < 1:
            raise ValueError(f"split_dataset: a float {name} must be in (0, 1); received {size}.")
        if isinstance(size, (int, np.integer)) and not 0 < size < total:
            raise ValueError(f"split_dataset: an int {name} must be in (0, {total}) for {total} samples; received {size}.")
    if left_size is None and right_size is None:
        left_size = 0.5  # Keras's default

    def count(size):
        return None if size is None else round(size * total) if isinstance(size, (float, np.floating)) else int(size)

    left, right = count(left_size), count(right_size)
    left = total - right if left is None else left
    right = total - left if right is None else right
    if left + right > total or left == 0 or right == 0:
        raise ValueError(
            f"split_dataset: left_size={left_size} and right_size={right_size} give {left} + {right} samples "
            f"out of {total}; both parts need at least one sample and together at most {total}."
        )
    return left, right


def split_dataset(dataset, left_size=None, right_size=None, shuffle=False, seed=None):
    """Splits a dataset into two: ``(left, right)`` lamina Datasets of single samples.

    The samples are taken in order (after an optional shuffle with Python's ``random.Random(seed)``,
    Keras's rule), the first ``left_size`` go left and the last ``right_size`` go right. A batched
    Dataset is split sample by sample and both parts are batched again with its batch size.

    Args:
        dataset: an array, a tuple/list of arrays of the same length, a dict of arrays, or a Dataset.
        left_size: a fraction in (0, 1) or a number of samples; the rest of the data if None
            (half when both sizes are None).
        right_size: same, for the right part.
        shuffle: shuffle the samples before splitting.
        seed: the shuffle's seed.

    Returns:
        ``(left, right)``.

    Example:

    >>> left, right = split_dataset(np.arange(10), left_size=0.8)
    >>> len(left), [int(v) for v in right]
    (8, [8, 9])
    """
    batch_size = None
    if isinstance(dataset, Dataset):
        if dataset.is_batched:
            first = next(iter(dataset), None)
            batch_size = len(_first_leaf(first)) if first is not None else None
            dataset = dataset.unbatch()
        samples = list(dataset)
        if not samples:
            raise ValueError("split_dataset: the dataset is empty.")
        from lamina.utils.dataset import _stack

        data = _stack(samples)
    elif isinstance(dataset, (list, tuple)):
        data = tuple(np.asarray(d) for d in dataset)
    elif isinstance(dataset, dict):
        data = {k: np.asarray(v) for k, v in dataset.items()}
    else:
        data = np.asarray(dataset)
    total = len(_first_leaf(data))
    order = list(range(total))
    if shuffle:
        random.Random(np.random.randint(1e6) if seed is None else seed).shuffle(order)
    left, right = _sizes(left_size, right_size, total)

    def part(idx):
        idx = np.asarray(idx, dtype=np.int64)
        ds = Dataset.from_tensor_slices(_take(data, idx))
        return ds.batch(batch_size) if batch_size else ds

    return part(order[:left]), part(order[total - right:])


def _first_leaf(data):
    while isinstance(data, (tuple, dict)):
        data = data[0] if isinstance(data, tuple) else next(iter(data.values()))
    return data


def _take(data, idx):
    if isinstance(data, tuple):
        return tuple(_take(d, idx) for d in data)
    if isinstance(data, dict):
        return {k: _take(v, idx) for k, v in data.items()}
    return data[idx]

