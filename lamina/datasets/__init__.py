"""Data sets: the bundled digits (no download), and Keras's downloadable ones.

``digits`` ships with lamina. ``mnist``, ``fashion_mnist``, ``cifar10``, ``cifar100``, ``imdb``,
``reuters``, ``boston_housing`` and ``california_housing`` are downloaded on first use into
``~/.lamina/datasets`` (``$LAMINA_HOME``) from Keras's sources and verified against known hashes.
"""

from lamina.datasets import (
    boston_housing,
    california_housing,
    cifar10,
    cifar100,
    digits,
    fashion_mnist,
    imdb,
    mnist,
    reuters,
)

__all__ = ["boston_housing", "california_housing", "cifar10", "cifar100", "digits", "fashion_mnist", "imdb",
           "mnist", "reuters"]
