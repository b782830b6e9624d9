"""LearningRateScheduler: set the learning rate at the start of each epoch from a function."""

from __future__ import annotations

import inspect
import numbers

from lamina.callbacks._learning_rate import get_learning_rate, set_learning_rate
from lamina.callbacks.callback import Callback
from lamina.utils.io_utils import print_msg


class LearningRateScheduler(Callback):
    """Calls ``schedule(epoch, lr)`` before each epoch and sets the learning rate it returns.

    ``epoch`` is 0-based and ``lr`` is the current learning rate (a float). A Keras 1 style
    ``schedule(epoch)`` with a single argument also works. The learning rate is added to the
    epoch logs as ``'learning_rate'``.

    Args:
        schedule: a function ``(epoch, lr) -> new_lr`` (or ``epoch -> new_lr``).
        verbose: 1 prints the new learning rate at each epoch.

    Example:

    ```python
    def schedule(epoch, lr):
        return lr if epoch < 10 else lr * 0.9

    model.fit(x, y, epochs=20, callbacks=[lamina.callbacks.LearningRateScheduler(schedule)])
    ```
    """

    def __init__(self, schedule, verbose=0):
        super().__init__()
        if not callable(schedule):
            raise TypeError(
                f"LearningRateScheduler needs a function schedule(epoch, lr) -> float; received "
                f"{schedule!r}."
            )
        self.schedule = schedule
        self.verbose = verbose
        self._takes_lr = _accepts_two_args(schedule)

    def on_epoch_begin(self, epoch, logs=None):
        if self._takes_lr:
            lr = self.schedule(epoch, get_learning_rate(self))
        else:
            lr = self.schedule(epoch)
        if isinstance(lr, bool) or not isinstance(lr, numbers.Real) and not _is_scalar_array(lr):
            raise ValueError(
                f"The schedule given to LearningRateScheduler must return a float; at epoch "
                f"{epoch} it returned {lr!r} of type {type(lr).__name__}."
            )
        lr = float(lr)
        set_learning_rate(self, lr)
        if self.verbose > 0:
            print_msg(f"Epoch {epoch + 1}: LearningRateScheduler setting learning rate to {lr}.")

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs["learning_rate"] = get_learning_rate(self)


def _accepts_two_args(fn) -> bool:
    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):  # some builtins have no signature: use the modern form
        return True
    positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    return len(positional) >= 2 or any(p.kind == p.VAR_POSITIONAL for p in params)


def _is_scalar_array(x) -> bool:
    return getattr(x, "shape", None) == () and hasattr(x, "dtype")
