"""CIFAR-10: 60,000 32x32 colour images in 10 classes (downloaded once, then cached)."""

from __future__ import annotations

from lamina.datasets._cifar import load_archive

ORIGIN = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
FILE_HASH = "6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce"
CLASS_NAMES = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")


def load_data():
    """Loads CIFAR-10: 50,000 training and 10,000 test images in 10 classes.

    The 163 MB archive is downloaded from the authors' site into ``~/.lamina/datasets/`` the first
    time, verified (sha256), extracted, and its pickled batches read with a restricted unpickler that
    accepts only arrays, numbers and plain containers (a tampered file cannot run code). Labels:
    airplane, automobile, bird, cat, deer, dog, frog, horse, ship, truck (``CLASS_NAMES``).

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: uint8 images of shape ``(50000, 32, 32, 3)`` and
        ``(10000, 32, 32, 3)`` (channels first if image_data_format() is ``'channels_first'``),
        uint8 labels of shape ``(50000, 1)`` and ``(10000, 1)``.

    Example:
        >>> (x_train, y_train), _ = load_data()  # doctest: +SKIP
        >>> x_train.shape, y_train.shape  # doctest: +SKIP
        ((50000, 32, 32, 3), (50000, 1))
    """
    batches = [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]
    return load_archive(ORIGIN, FILE_HASH, "cifar-10-batches-py-target", "cifar-10-batches-py", batches, "labels")
