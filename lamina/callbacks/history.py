"""History: the per-epoch record that ``fit()`` returns."""

from __future__ import annotations

from lamina.callbacks.callback import Callback


class History(Callback):
    """Records the epoch-end logs of ``fit``; ``fit`` returns this object.

    ``history.history`` maps each log name (``'loss'``, ``'accuracy'``, ``'val_loss'``, ...) to a
    list with one float per epoch; ``history.epoch`` lists the epoch indices (0-based) and
    ``history.params`` the loop's settings. It is added to every ``fit`` automatically and set as
    ``model.history``.

    Example:

    ```python
    history = model.fit(x, y, epochs=3, validation_split=0.2)
    history.history["val_loss"]   # [0.61, 0.48, 0.41]
    ```
    """

    def __init__(self):
        super().__init__()
        self.history: dict[str, list] = {}
        self.epoch: list[int] = []

    def on_train_begin(self, logs=None):
        self.epoch = []

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        for name, value in (logs or {}).items():
            self.history.setdefault(name, []).append(value)
        if self.model is not None:
            self.model.history = self

    def plot(self, **kwargs):
        """Draw the loss and metric curves (train and validation); see
        :func:`lamina.utils.plot_history` for the arguments. Returns the matplotlib Figure."""
        from lamina.utils.history_plot import plot_history

        return plot_history(self, **kwargs)
