"""to_categorical and normalize: NumPy helpers for labels and vectors."""

from __future__ import annotations

import numpy as np


def to_categorical(y, num_classes=None, dtype="float32"):
    """One-hot encodes integer class labels.

    A label ``k`` becomes a vector of ``num_classes`` zeros with a 1 at index ``k``; the class axis
    is added last. A trailing axis of size 1 (a column of labels, shape ``(N, 1)``) is dropped
    first, as in Keras. A single integer gives a vector of shape ``(num_classes,)``.

    Args:
        y: integer labels from 0 to ``num_classes - 1``: an int, a list or an array (floats
            holding whole numbers are accepted).
        num_classes: number of classes; ``max(y) + 1`` when None.
        dtype: dtype of the result. Default ``'float32'``.

    Returns:
        A NumPy array of shape ``y.shape + (num_classes,)`` (a tensor if ``y`` is a tensor).

    Example:

    >>> to_categorical([0, 2, 1], num_classes=3)
    array([[1., 0., 0.],
           [0., 0., 1.],
           [0., 1., 0.]], dtype=float32)
    >>> to_categorical(3, 5)
    array([0., 0., 0., 1., 0.], dtype=float32)
    """
    from lamina import ops

    if ops.is_tensor(y):
        return ops.convert_to_tensor(to_categorical(ops.convert_to_numpy(y), num_classes, dtype))
    labels = _integer_labels(y)
    shape = labels.shape
    if len(shape) > 1 and shape[-1] == 1:
        shape = shape[:-1]
    flat = labels.reshape(-1)
    if num_classes is None:
        if flat.size == 0:
            raise ValueError(
                "to_categorical received no labels and num_classes=None; pass num_classes= so "
                "the width of the one-hot vectors is known."
            )
        num_classes = int(flat.max()) + 1
    is_int = isinstance(num_classes, (int, np.integer)) and not isinstance(num_classes, bool)
    if not is_int or num_classes < 1:
        raise ValueError(
            f"to_categorical: num_classes must be a positive integer; received {num_classes!r}."
        )
    num_classes = int(num_classes)
    bad = flat[(flat < 0) | (flat >= num_classes)]
    if bad.size:
        raise ValueError(
            f"to_categorical: label {int(bad[0])} is out of range for num_classes={num_classes} "
            f"(labels must be in 0..{num_classes - 1}; {bad.size} label(s) are outside). Pass "
            "num_classes=max(label)+1, or map the labels to 0..num_classes-1 first."
        )
    out = np.zeros((flat.size, num_classes), dtype=dtype)
    out[np.arange(flat.size), flat] = 1
    return out.reshape(shape + (num_classes,))


def _integer_labels(y) -> np.ndarray:
    arr = np.asarray(y)
    if arr.dtype.kind in "iub":
        return arr.astype(np.int64)
    if arr.dtype.kind == "f":
        as_int = arr.astype(np.int64)
        if not np.array_equal(as_int, arr):
            bad = arr[as_int != arr].reshape(-1)[0]
            raise ValueError(
                f"to_categorical expects integer class labels; received the non-integer value "
                f"{bad.item()!r}. Round or map the labels to integers 0..num_classes-1 first."
            )
        return as_int
    raise ValueError(
        f"to_categorical expects integer class labels; received an array of dtype {arr.dtype}. "
        "Map the labels to integers first, e.g. "
        "classes, y = numpy.unique(labels, return_inverse=True)."
    )


def normalize(x, axis=-1, order=2):
    """Divides ``x`` by its ``order``-norm along ``axis`` (zero vectors are left as they are).

    Args:
        x: a NumPy array (or a tensor, which gives a tensor).
        axis: the axis along which to normalize. Default -1.
        order: the norm order, e.g. 2 for the Euclidean norm or 1 for the sum of absolute values.

    Returns:
        A normalized copy of ``x``.

    Example:

    >>> normalize(np.array([[3.0, 4.0], [0.0, 0.0]]))
    array([[0.6, 0.8],
           [0. , 0. ]])
    """
    from lamina import ops

    if ops.is_tensor(x):
        norm = ops.norm(x, ord=order, axis=axis, keepdims=True)
        norm = ops.where(ops.equal(norm, 0), ops.ones_like(norm), norm)
        return x / norm
    x = np.asarray(x)
    norm = np.linalg.norm(x, ord=order, axis=axis, keepdims=True)
    norm[norm == 0] = 1
    return x / norm
