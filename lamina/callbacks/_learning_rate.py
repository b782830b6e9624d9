"""Reading and setting ``model.optimizer.learning_rate`` as a Python float."""

from __future__ import annotations


def _optimizer(callback):
    model = callback.model
    optimizer = getattr(model, "optimizer", None)
    if optimizer is None or not hasattr(optimizer, "learning_rate"):
        raise ValueError(
            f"{type(callback).__name__} changes model.optimizer.learning_rate, but the model "
            f"{type(model).__name__} has no optimizer with a learning_rate. Call "
            "model.compile(optimizer=...) before fit()."
        )
    return optimizer


def get_learning_rate(callback) -> float:
    optimizer = _optimizer(callback)
    try:
        return float(optimizer.learning_rate)
    except (TypeError, ValueError):
        raise TypeError(
            f"{type(callback).__name__} needs a constant learning rate it can read and set, but "
            f"the optimizer's learning_rate is {optimizer.learning_rate!r}. Use a float "
            "learning_rate with this callback, or the schedule alone."
        ) from None


def set_learning_rate(callback, value: float) -> None:
    _optimizer(callback).learning_rate = float(value)
