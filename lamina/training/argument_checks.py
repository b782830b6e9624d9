"""Checks of what users pass to fit/evaluate/predict, run once before any step.

Each turns a mistake that would otherwise train nothing, cycle the data silently, or crash deep
inside the backend (``index 5 is out of bounds``) into a ValueError/TypeError naming the
argument, the value received, the value expected and the fix.
"""

from __future__ import annotations

import numbers

import numpy as np

from lamina import ops


def _is_int(value) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def check_batch_size(batch_size, what):
    if batch_size is not None and (not _is_int(batch_size) or batch_size <= 0):
        raise ValueError(
            f"{what}(batch_size={batch_size!r}): batch_size must be a positive integer (or None "
            "for the default of 32).")


def check_steps(steps, name, what):
    if steps is not None and (not _is_int(steps) or steps <= 0):
        raise ValueError(f"{what}({name}={steps!r}): {name} must be a positive integer, or None "
                         "to go through the data once.")


def check_epochs(epochs, initial_epoch):
    """``epochs`` is the index of the last epoch (not a count), as in Keras."""
    if not _is_int(epochs) or epochs < 0:
        raise ValueError(f"fit(epochs={epochs!r}): epochs must be an integer >= 1, the number of "
                         "passes over the data.")
    if not _is_int(initial_epoch) or initial_epoch < 0:
        raise ValueError(f"fit(initial_epoch={initial_epoch!r}): initial_epoch must be an integer "
                         ">= 0 (the epoch to resume from).")
    if initial_epoch >= epochs:
        raise ValueError(
            f"fit(epochs={epochs}, initial_epoch={initial_epoch}) would train nothing: epochs is the "
            "index of the final epoch, not a number of extra epochs. To train N more epochs after "
            f"epoch {initial_epoch}, pass epochs={initial_epoch} + N (e.g. "
            f"epochs={initial_epoch + 1}).")


def check_class_weight(class_weight):
    if class_weight is None:
        return
    if not isinstance(class_weight, dict):
        raise TypeError(
            f"fit(class_weight=...) must be a dict mapping class index to weight, e.g. "
            f"{{0: 1.0, 1: 5.0}}; received a {type(class_weight).__name__} ({str(class_weight)[:60]}). "
            "For a list of weights pass dict(enumerate(weights)).")
    for k, w in class_weight.items():
        if not _is_int(k) and not (isinstance(k, str) and k.lstrip("-").isdigit()):
            raise ValueError(f"fit(class_weight=...): the key {k!r} is not a class index; keys are "
                             "integer class indices (0, 1, ...).")
        if not isinstance(w, numbers.Real) or isinstance(w, bool) or not np.isfinite(w) or w < 0:
            raise ValueError(f"fit(class_weight=...): the weight {w!r} of class {k!r} must be a "
                             "finite number >= 0.")


def check_input_keys(model, x, what):
    """A dict of inputs must be keyed by the model's input names."""
    if not isinstance(x, dict):
        return
    try:
        inputs = model.inputs
    except (AttributeError, ValueError):
        return
    names = [getattr(getattr(t, "_keras_history", (None,))[0], "name", None) for t in inputs]
    names += [getattr(t, "name", None) for t in inputs]
    names = [n for n in names if n]
    if not names:
        return
    wanted = list(dict.fromkeys(names))
    unknown = [k for k in x if k not in wanted]
    if unknown or len(x) != len(inputs):
        from lamina.errors import suggest

        hint = "".join(suggest(k, wanted) for k in unknown[:1])
        raise ValueError(
            f"{what}() received a dict of inputs with keys {sorted(map(str, x))}, but model "
            f"'{model.name}' has {len(inputs)} input(s) named {wanted[:len(inputs)]}.{hint} Key the "
            "dict by input name, or pass the array itself for a single-input model.")


def _single_loss(model):
    loss = getattr(getattr(model, "_compile_loss", None), "_user_loss", None)
    if isinstance(loss, (list, tuple)) and len(loss) == 1:
        loss = loss[0]
    if loss is None or isinstance(loss, (list, tuple)) or (isinstance(loss, dict) and "class_name" not in loss):
        return None
    from lamina import losses

    try:
        return losses.get(loss)
    except (ValueError, TypeError):
        return None


def check_targets_given(model, x_is_arrays, y, what):
    """``fit(x, None)`` with arrays and a built-in loss has nothing to compare outputs with."""
    if y is not None or not x_is_arrays:
        return
    from lamina.losses.checks import target_kind

    loss = _single_loss(model)
    if loss is not None and target_kind(loss) is not None:
        name = getattr(loss, "name", None) or getattr(loss, "__name__", "loss")
        raise ValueError(
            f"{what}() received inputs x but no targets y, and the loss '{name}' compares the "
            f"model's outputs with targets. Pass them: model.{what}(x, y, ...), or a generator / "
            "dataset that yields (x, y) pairs.")


def check_sparse_labels(model, y):
    """Integer labels of a sparse categorical loss must lie in [0, number of classes)."""
    if y is None or isinstance(y, (list, tuple, dict)):
        return
    from lamina.losses.checks import SPARSE, target_kind

    loss = _single_loss(model)
    if loss is None or target_kind(loss) != SPARSE:
        return
    try:
        outputs = model.outputs
        n_classes = outputs[0].shape[-1] if len(outputs) == 1 else None
    except (AttributeError, ValueError, IndexError, TypeError):
        return
    if not n_classes:
        return
    labels = np.asarray(ops.convert_to_numpy(y))
    if labels.size == 0 or labels.dtype.kind not in "iuf":
        return
    lo, hi = labels.min(), labels.max()
    if lo < 0 or hi >= n_classes:
        bad = lo if lo < 0 else hi
        name = getattr(loss, "name", None) or getattr(loss, "__name__", "loss")
        raise ValueError(
            f"Loss '{name}' received the label {bad:g}, but model '{model.name}' outputs "
            f"{n_classes} classes, so labels must be integers in [0, {n_classes - 1}]. Give the last "
            f"layer as many units as there are classes (max label + 1 = {int(hi) + 1}), or re-map "
            "the labels to 0..n-1.")


def _is_arrays(x):
    from lamina.training.data_adapter import _is_array_struct

    return x is not None and _is_array_struct(x)


def check_fit_arguments(model, x, y, batch_size, epochs, initial_epoch, class_weight, steps_per_epoch):
    """Everything ``fit`` can check before touching the data."""
    check_batch_size(batch_size, "fit")
    check_epochs(epochs, initial_epoch)
    check_steps(steps_per_epoch, "steps_per_epoch", "fit")
    check_class_weight(class_weight)
    check_input_keys(model, x, "fit")
    check_targets_given(model, _is_arrays(x), y, "fit")


def check_eval_arguments(model, x, y, batch_size, steps, what):
    """Everything ``evaluate`` / ``predict`` can check before touching the data."""
    check_batch_size(batch_size, what)
    check_steps(steps, "steps", what)
    check_input_keys(model, x, what)
    if what == "evaluate":
        check_targets_given(model, _is_arrays(x), y, what)


def check_data(model, data, steps, what):
    """Checks that need the adapted data: steps against its size, label ranges."""
    from lamina.training.data_adapter import ArrayData

    if not isinstance(data, ArrayData):
        return
    name = "steps_per_epoch" if what == "fit" else "steps"
    if steps is not None and steps > -(-data.n // data.batch_size):
        raise ValueError(
            f"{what}({name}={steps}) asks for more batches than the data holds: {data.n} samples "
            f"in batches of {data.batch_size} give {-(-data.n // data.batch_size)} step(s). Pass "
            f"{name} <= {-(-data.n // data.batch_size)} (or None), or a smaller batch_size.")
    if what != "predict":
        check_sparse_labels(model, data.y)
