"""Unique automatic names, Keras style: 'dense', 'dense_1', 'dense_2', ..."""

from __future__ import annotations

import collections
import re

_uids: collections.Counter = collections.Counter()


def to_snake_case(name: str) -> str:
    """Keras's rule: ``Conv2D`` -> ``conv2d``, ``LSTMCell`` -> ``lstm_cell``, ``Dense`` -> ``dense``."""
    name = re.sub(r"\W+", "", name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()


def get_uid(prefix: str) -> int:
    _uids[prefix] += 1
    return _uids[prefix]


def auto_name(prefix: str) -> str:
    n = get_uid(prefix)
    return prefix if n == 1 else f"{prefix}_{n - 1}"


def reset_uids() -> None:
    _uids.clear()
