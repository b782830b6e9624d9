"""CIFAR-100: 60,000 32x32 colour images in 100 classes grouped in 20 (downloaded once, then cached)."""

from __future__ import annotations

from lamina.datasets._cifar import load_archive
from lamina.errors import suggest

ORIGIN = "https://www.cs.toronto.edu/~kriz/cifar-100-python.tar.gz"
FILE_HASH = "85cd44d02ba6437773c5bbd22e183051d648de2e7d6b014e1ef29b855ba677a7"


def load_data(label_mode="fine"):
    """Loads CIFAR-100: 50,000 training and 10,000 test images.

    Downloaded, verified and read like ``cifar10.load_data`` (restricted unpickler).

    Args:
        label_mode: ``'fine'`` (100 classes, default) or ``'coarse'`` (the 20 superclasses).

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: uint8 images of shape ``(50000, 32, 32, 3)`` and
        ``(10000, 32, 32, 3)``, uint8 labels of shape ``(50000, 1)`` and ``(10000, 1)``.

    Example:
        >>> (x_train, y_train), _ = load_data(label_mode="coarse")  # doctest: +SKIP
        >>> int(y_train.max())  # doctest: +SKIP
        19
    """
    if label_mode not in ("fine", "coarse"):
        raise ValueError(
            f"cifar100.load_data: label_mode must be 'fine' or 'coarse'; received {label_mode!r}."
            f"{suggest(str(label_mode), ('fine', 'coarse'))}"
        )
    return load_archive(ORIGIN, FILE_HASH, "cifar-100-python-target", "cifar-100-python", ["train", "test"],
                        f"{label_mode}_labels")
