"""EarlyStopping: stop training when a monitored quantity stops improving."""

from __future__ import annotations

from lamina.callbacks.monitor_callback import MonitorCallback
from lamina.utils.io_utils import print_msg


class EarlyStopping(MonitorCallback):
    """Stops ``fit`` once ``monitor`` has not improved for ``patience`` epochs.

    Each epoch, the monitored value counts as an improvement when it beats the best so far by
    more than ``min_delta`` (lower is better in ``'min'`` mode, higher in ``'max'``). After
    ``patience`` epochs without improvement, ``model.stop_training`` is set. With a ``baseline``,
    the wait counter is only reset by values that also beat the baseline.

    Args:
        monitor: the log name to watch. Default ``'val_loss'``.
        min_delta: the smallest change that counts as an improvement. Default 0.
        patience: epochs without improvement before stopping. Default 0.
        verbose: 1 prints a message when stopping and when restoring weights.
        mode: ``'auto'``, ``'min'`` or ``'max'`` (see :class:`MonitorCallback`).
        baseline: a value the monitored quantity must beat to count as progress.
        restore_best_weights: at the end of training, put back the weights of the best epoch
            (``model.get_weights()`` / ``model.set_weights()``).
        start_from_epoch: epochs to let pass before monitoring starts (warm-up).

    Example:

    ```python
    stop = lamina.callbacks.EarlyStopping(monitor="val_loss", patience=3,
                                          restore_best_weights=True)
    model.fit(x, y, validation_split=0.2, epochs=100, callbacks=[stop])
    ```
    """

    def __init__(
        self,
        monitor="val_loss",
        min_delta=0,
        patience=0,
        verbose=0,
        mode="auto",
        baseline=None,
        restore_best_weights=False,
        start_from_epoch=0,
    ):
        super().__init__(monitor, mode, baseline=baseline, min_delta=min_delta)
        self.patience = patience
        self.verbose = verbose
        self.restore_best_weights = restore_best_weights
        self.start_from_epoch = start_from_epoch
        self.wait = 0
        self.stopped_epoch = 0
        self.best_epoch = 0
        self.best_weights = None

    def on_train_begin(self, logs=None):
        self.wait = 0
        self.stopped_epoch = 0
        self.best = None
        self.best_epoch = 0
        self.best_weights = None

    def on_epoch_end(self, epoch, logs=None):
        current = self._monitor_value(logs, "early stopping")
        if current is None or epoch < self.start_from_epoch:
            return
        if self.restore_best_weights and self.best_weights is None:
            self.best_weights = self.model.get_weights()  # so something can always be restored
            self.best_epoch = epoch
        self.wait += 1
        if self._is_improvement(current, self.best):
            self.best = current
            self.best_epoch = epoch
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            if self.baseline is None or self._is_improvement(current, self.baseline):
                self.wait = 0
            return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs=None):
        if self.stopped_epoch > 0 and self.verbose > 0:
            print_msg(f"Epoch {self.stopped_epoch + 1}: early stopping")
        if self.restore_best_weights and self.best_weights is not None:
            if self.verbose > 0:
                print_msg(
                    f"Restoring model weights from the end of the best epoch: {self.best_epoch + 1}."
                )
            self.model.set_weights(self.best_weights)
