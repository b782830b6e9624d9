"""pad_sequences: make a list of variable-length sequences into one array."""

from __future__ import annotations

import numpy as np


def pad_sequences(sequences, maxlen=None, dtype="int32", padding="pre", truncating="pre", value=0.0):
    """Pads (or truncates) sequences to the same length and stacks them into a 2D+ array.

    Sequences shorter than ``maxlen`` are filled with ``value``, at the start (``'pre'``, the
    default) or the end (``'post'``); longer ones lose items at the start (``truncating='pre'``)
    or the end (``'post'``). Items may themselves be arrays of equal shape.

    Args:
        sequences: a list of sequences (lists or arrays).
        maxlen: the output length; the longest sequence's length when None.
        dtype: dtype of the result. Default ``'int32'`` (use ``object`` for strings).
        padding: ``'pre'`` or ``'post'``: where to add ``value``.
        truncating: ``'pre'`` or ``'post'``: where to cut long sequences.
        value: the padding value. Default 0.

    Returns:
        An array of shape ``(len(sequences), maxlen) + item_shape``.

    Example:

    >>> pad_sequences([[1, 2, 3], [4], [5, 6]])
    array([[1, 2, 3],
           [0, 0, 4],
           [0, 5, 6]], dtype=int32)
    >>> pad_sequences([[1, 2, 3], [4]], maxlen=2, padding="post", truncating="post")
    array([[1, 2],
           [4, 0]], dtype=int32)
    """
    for name, choice in (("padding", padding), ("truncating", truncating)):
        if choice not in ("pre", "post"):
            raise ValueError(f"pad_sequences: {name} must be 'pre' or 'post'; received {choice!r}.")
    if not hasattr(sequences, "__len__"):
        raise ValueError(
            f"pad_sequences expects a list of sequences; received {type(sequences).__name__}."
        )
    lengths = []
    item_shape = ()
    found_item = False
    for i, seq in enumerate(sequences):
        try:
            lengths.append(len(seq))
        except TypeError:
            raise ValueError(
                f"pad_sequences expects a list of sequences, but item {i} is {seq!r} (no length). "
                "Wrap single values in lists."
            ) from None
        if not found_item and len(seq):
            item_shape = np.asarray(seq).shape[1:]
            found_item = True
    if maxlen is None:
        maxlen = max(lengths, default=0)
    is_text = np.issubdtype(dtype, np.str_) or np.issubdtype(dtype, np.bytes_)
    if isinstance(value, str) and dtype is not object and not is_text:
        raise ValueError(
            f"pad_sequences: a string padding value {value!r} does not fit dtype={dtype!r}. "
            "Use dtype=object for variable-length strings."
        )
    out = np.full((len(lengths), maxlen) + item_shape, value, dtype=dtype)
    if maxlen == 0:
        return out
    for i, seq in enumerate(sequences):
        if not lengths[i]:
            continue
        kept = seq[-maxlen:] if truncating == "pre" else seq[:maxlen]
        kept = np.asarray(kept, dtype=dtype)
        if kept.shape[1:] != item_shape:
            raise ValueError(
                f"pad_sequences: the items of sequence {i} have shape {kept.shape[1:]}, but earlier "
                f"items have shape {item_shape}; all items must have the same shape."
            )
        if padding == "post":
            out[i, : len(kept)] = kept
        else:
            out[i, maxlen - len(kept):] = kept
    return out
