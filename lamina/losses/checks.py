"""One-time checks that targets fit a built-in loss (run when a compiled loss is built).

A wrong target shape is the commonest first mistake (integer labels given to
categorical_crossentropy, labels of shape (N,) against (N, C) outputs...) and NumPy-style
broadcasting turns it into a silently wrong loss. These checks turn it into an error that
names both shapes and the fix. They compare shapes only, so they cost nothing per step.
"""

from __future__ import annotations

SAME_SHAPE = "same_shape"
CATEGORICAL = "categorical"
SPARSE = "sparse"


def mark(kind: str):
    """Decorator recording which target layout a built-in loss function expects."""

    def deco(fn):
        fn._lamina_target_kind = kind
        return fn

    return deco


def target_kind(loss):
    """The target layout a loss expects (SAME_SHAPE, CATEGORICAL, SPARSE), or None if unknown."""
    fn = getattr(loss, "fn", loss)
    return getattr(fn, "_lamina_target_kind", None)


def _shape(x):
    return tuple(int(d) for d in x.shape)


def _where(output_name):
    return f" for output '{output_name}'" if output_name else ""


def categorical_mismatch(y_true_shape, y_pred_shape, loss_name="categorical_crossentropy", output_name=None):
    """The ValueError for targets whose shape differs from a categorical loss's predictions."""
    y_true_shape, y_pred_shape = tuple(y_true_shape), tuple(y_pred_shape)
    n_classes = y_pred_shape[-1] if y_pred_shape else None
    looks_sparse = (y_true_shape == y_pred_shape[:-1]) or (
        len(y_true_shape) == len(y_pred_shape) and y_true_shape[-1:] == (1,)
        and y_true_shape[:-1] == y_pred_shape[:-1]
    )
    if looks_sparse and n_classes and n_classes > 1:
        return ValueError(
            f"Loss '{loss_name}'{_where(output_name)} expects one-hot targets with the same shape "
            f"as the predictions {y_pred_shape}, but received targets of shape {y_true_shape}: "
            f"these look like integer class labels. Either use "
            f"loss='sparse_categorical_crossentropy' (which takes integer labels), or one-hot "
            f"encode the labels with lamina.utils.to_categorical(y, num_classes={n_classes})."
        )
    return ValueError(
        f"Loss '{loss_name}'{_where(output_name)} needs targets and predictions of the same shape; "
        f"received y_true.shape={y_true_shape} and y_pred.shape={y_pred_shape}. Make the targets "
        f"one-hot vectors of length {n_classes} (lamina.utils.to_categorical)."
    )


def sparse_mismatch(y_true_shape, y_pred_shape, loss_name="sparse_categorical_crossentropy", output_name=None):
    """The ValueError for integer-label targets that do not fit the predictions."""
    y_true_shape, y_pred_shape = tuple(y_true_shape), tuple(y_pred_shape)
    if y_true_shape == y_pred_shape and y_pred_shape and y_pred_shape[-1] > 1:
        return ValueError(
            f"Loss '{loss_name}'{_where(output_name)} expects integer class labels of shape "
            f"{y_pred_shape[:-1]} (or {y_pred_shape[:-1] + (1,)}), but received targets of shape "
            f"{y_true_shape}, the shape of the predictions: these look one-hot encoded. Use "
            f"loss='categorical_crossentropy' for one-hot targets, or pass the labels as "
            f"integers (y.argmax(axis=-1))."
        )
    return ValueError(
        f"Loss '{loss_name}'{_where(output_name)} expects integer class labels of shape "
        f"{y_pred_shape[:-1]} for predictions of shape {y_pred_shape}; received "
        f"y_true.shape={y_true_shape}."
    )


def check_targets(loss, y_true, y_pred, output_name=None) -> None:
    """Raise a ValueError if ``y_true`` cannot be the target of the built-in ``loss``.

    Unknown (user) losses are not checked.
    """
    kind = target_kind(loss)
    if kind is None or not hasattr(y_true, "shape") or not hasattr(y_pred, "shape"):
        return
    name = getattr(loss, "name", None) or getattr(loss, "__name__", "loss")
    t, p = _shape(y_true), _shape(y_pred)
    if kind == CATEGORICAL:
        if p and p[-1] == 1:
            raise ValueError(
                f"Loss '{name}'{_where(output_name)} was given predictions of shape {p} with a "
                f"single class: categorical cross-entropy over one class is always 0, so nothing "
                f"would train. For two classes use one sigmoid unit with "
                f"loss='binary_crossentropy', or give the last layer one unit per class."
            )
        if t != p:
            raise categorical_mismatch(t, p, name, output_name)
    elif kind == SPARSE:
        if not (t == p[:-1] or t == p[:-1] + (1,)):
            raise sparse_mismatch(t, p, name, output_name)
    else:
        if len(t) == len(p) + 1 and t[-1:] == (1,):
            t = t[:-1]
        elif len(p) == len(t) + 1 and p[-1:] == (1,):
            p = p[:-1]
        if t != p:
            raise ValueError(
                f"Loss '{name}'{_where(output_name)} needs targets with the shape of the "
                f"predictions; received y_true.shape={_shape(y_true)} and "
                f"y_pred.shape={_shape(y_pred)}, which would broadcast into a wrong loss. "
                f"Reshape the targets to {_shape(y_pred)}, or change the model's last layer to "
                f"produce {_shape(y_true)[1:]} per sample."
            )
