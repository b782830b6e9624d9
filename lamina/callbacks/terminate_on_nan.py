"""TerminateOnNaN: stop training as soon as the loss becomes NaN or infinite."""

from __future__ import annotations

import math

from lamina.callbacks.callback import Callback
from lamina.utils.io_utils import print_msg


class TerminateOnNaN(Callback):
    """Stops ``fit`` at the first training batch whose loss is NaN or infinite.

    It prints which epoch and batch produced the bad loss and sets ``model.stop_training``, so
    the epoch ends and ``on_train_end`` still runs; with ``raise_error=True`` it raises a
    RuntimeError instead. It reads the loss after every batch, which costs one device
    synchronisation per step.

    Args:
        raise_error: raise a RuntimeError instead of stopping gracefully. Default False.

    Example:

    ```python
    model.fit(x, y, callbacks=[lamina.callbacks.TerminateOnNaN()])
    ```
    """

    def __init__(self, raise_error: bool = False):
        super().__init__()
        self.raise_error = raise_error
        self._epoch = 0

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def on_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is None:
            return
        loss = float(loss)
        if math.isfinite(loss):
            return
        where = f"epoch {self._epoch + 1}, batch {batch}"
        if self.raise_error:
            raise RuntimeError(
                f"TerminateOnNaN: the loss became {loss} at {where}; stopping training. Lower "
                "the learning rate, check the inputs for NaN/inf, or clip gradients (clipnorm=)."
            )
        print_msg(f"TerminateOnNaN: invalid loss ({loss}) at {where}; terminating training.")
        self.model.stop_training = True
