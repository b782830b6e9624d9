"""MonitorCallback: the shared 'is this value an improvement?' logic of EarlyStopping & co."""

from __future__ import annotations

from lamina.callbacks.callback import Callback

# Metric names (without 'val_') that improve by going up when mode='auto'.
_HIGHER_IS_BETTER = (
    "acc", "auc", "precision", "recall", "f1", "fbeta", "fmeasure", "iou", "r2",
    "cosine_similarity", "top_k", "specificity", "sensitivity",
)


class MonitorCallback(Callback):
    """Base of callbacks that watch one logged quantity (``monitor``) for improvement.

    Args:
        monitor: the log name to watch, e.g. ``'val_loss'`` or ``'val_accuracy'``.
        mode: ``'min'``, ``'max'`` or ``'auto'``. ``'auto'`` asks the model's metric for its
            direction when it has one, else infers ``'max'`` for names such as accuracy, AUC,
            precision, recall, F1 and IoU, and ``'min'`` for everything else (losses, errors).
        baseline: a reference value the monitored quantity must beat, or None.
        min_delta: the smallest change that counts as an improvement (absolute value).
    """

    def __init__(self, monitor="val_loss", mode="auto", baseline=None, min_delta=0):
        super().__init__()
        if mode not in ("auto", "min", "max"):
            raise ValueError(
                f"{type(self).__name__} received mode={mode!r}; expected 'auto', 'min' or 'max'."
            )
        self.monitor = monitor
        self.mode = mode
        self.baseline = baseline
        self.min_delta = abs(min_delta)
        self.best = None
        self._higher_is_better = None

    def _direction_is_up(self) -> bool:
        if self.mode != "auto":
            return self.mode == "max"
        name = self.monitor[4:] if self.monitor.startswith("val_") else self.monitor
        for metric in getattr(self.model, "metrics", None) or ():
            direction = getattr(metric, "_direction", None)
            if getattr(metric, "name", None) == name and direction in ("up", "down"):
                return direction == "up"
        if name == "loss" or name.endswith("_loss"):
            return False
        return any(hint in name for hint in _HIGHER_IS_BETTER)

    def _is_improvement(self, value, reference) -> bool:
        """True if ``value`` beats ``reference`` (None: always) by more than ``min_delta``."""
        if reference is None:
            return True
        if self._higher_is_better is None:
            self._higher_is_better = self._direction_is_up()
        if self._higher_is_better:
            return value - self.min_delta > reference
        return value + self.min_delta < reference

    def _monitor_value(self, logs, what: str):
        """``logs[monitor]``; a ValueError listing the available names if it is missing (None
        while a 'val_' name waits for a validation epoch that fit has scheduled)."""
        value = (logs or {}).get(self.monitor)
        if value is None:
            check_monitor(self, self.monitor, logs, what)
        return value


def check_monitor(callback, monitor, logs, what):
    """Raise the ValueError for a ``monitor`` name that is not in the epoch's ``logs`` (a typo,
    or a 'val_' name without validation data). Returns quietly when ``monitor`` is a 'val_'
    name and this epoch ran no validation although fit has some (``validation_freq``)."""
    logs = logs or {}
    if monitor in logs:
        return
    model = getattr(callback, "model", None)
    if str(monitor).startswith("val_") and not any(str(k).startswith("val_") for k in logs) \
            and getattr(model, "_fit_validates", False):
        return
    from lamina.errors import suggest

    available = ", ".join(repr(k) for k in logs) or "none"
    raise ValueError(
        f"{type(callback).__name__}: {what} is conditioned on monitor={monitor!r}, which is not "
        f"among the logged values at the end of the epoch: {available}.{suggest(monitor, list(logs))} "
        "Pass monitor= one of those (a 'val_' name needs validation_data or validation_split "
        "in fit()).")
