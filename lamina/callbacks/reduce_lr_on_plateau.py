"""ReduceLROnPlateau: lower the learning rate when a metric stops improving."""

from __future__ import annotations

import numpy as np

from lamina.callbacks._learning_rate import get_learning_rate, set_learning_rate
from lamina.callbacks.monitor_callback import MonitorCallback
from lamina.errors import deprecated
from lamina.utils.io_utils import print_msg


class ReduceLROnPlateau(MonitorCallback):
    """Multiplies the learning rate by ``factor`` after ``patience`` epochs without improvement.

    After a reduction, ``cooldown`` epochs pass before waiting starts again, and the learning
    rate never goes below ``min_lr``. The current learning rate is added to the epoch logs as
    ``'learning_rate'`` (so it appears in ``History``).

    Args:
        monitor: the log name to watch. Default ``'val_loss'``.
        factor: multiplier applied to the learning rate, below 1. Default 0.1.
        patience: epochs without improvement before reducing. Default 10.
        verbose: 1 prints a message at each reduction.
        mode: ``'auto'``, ``'min'`` or ``'max'`` (see :class:`MonitorCallback`).
        min_delta: the smallest change that counts as an improvement. Default 1e-4.
        cooldown: epochs to wait after a reduction before counting again. Default 0.
        min_lr: lower bound on the learning rate. Default 0.
        epsilon: Keras 2 name of ``min_delta`` (deprecated).

    Example:

    ```python
    reduce = lamina.callbacks.ReduceLROnPlateau(monitor="val_loss", factor=0.2, patience=5,
                                                min_lr=1e-5)
    model.fit(x, y, validation_split=0.2, callbacks=[reduce])
    ```
    """

    def __init__(
        self,
        monitor="val_loss",
        factor=0.1,
        patience=10,
        verbose=0,
        mode="auto",
        min_delta=1e-4,
        cooldown=0,
        min_lr=0.0,
        epsilon=None,
    ):
        if epsilon is not None:
            deprecated("ReduceLROnPlateau(epsilon=...)", "ReduceLROnPlateau(min_delta=...)")
            min_delta = epsilon
        super().__init__(monitor, mode, min_delta=min_delta)
        if factor >= 1.0:
            raise ValueError(
                f"ReduceLROnPlateau received factor={factor}; the factor multiplies the learning "
                "rate and must be below 1.0 (e.g. 0.1 or 0.5)."
            )
        self.factor = factor
        self.patience = patience
        self.verbose = verbose
        self.cooldown = cooldown
        self.min_lr = min_lr
        self.cooldown_counter = 0
        self.wait = 0

    def on_train_begin(self, logs=None):
        self.best = None
        self.cooldown_counter = 0
        self.wait = 0

    def in_cooldown(self) -> bool:
        return self.cooldown_counter > 0

    def on_epoch_end(self, epoch, logs=None):
        logs = {} if logs is None else logs
        logs["learning_rate"] = get_learning_rate(self)
        current = self._monitor_value(logs, "learning rate reduction")
        if current is None:
            return
        if self.in_cooldown():
            self.cooldown_counter -= 1
            self.wait = 0
        if self._is_improvement(current, self.best):
            self.best = current
            self.wait = 0
            return
        if self.in_cooldown():
            return
        self.wait += 1
        if self.wait < self.patience:
            return
        old_lr = get_learning_rate(self)
        if old_lr > np.float32(self.min_lr):
            new_lr = max(old_lr * self.factor, self.min_lr)
            set_learning_rate(self, new_lr)
            if self.verbose > 0:
                print_msg(f"Epoch {epoch + 1}: ReduceLROnPlateau reducing learning rate to {new_lr}.")
            self.cooldown_counter = self.cooldown
            self.wait = 0
