"""The Callback base class: hooks into fit/evaluate/predict."""

from __future__ import annotations

import types


class Callback:
    """Base class of every callback: override the hooks you need.

    ``fit()``, ``evaluate()`` and ``predict()`` call the hooks at fixed points of their loops.
    ``self.model`` is the model being trained (set by ``set_model``) and ``self.params`` holds
    the loop's settings (``{'verbose', 'epochs', 'steps'}``, set by ``set_params``).

    Batch-end hooks receive ``logs``, a dict of Python floats (running averages of the loss and
    metrics over the epoch so far). Producing them costs a device synchronisation, so lamina only
    computes them when some callback overrides a batch-end hook. A callback that sets the class
    attribute ``accepts_lazy_logs = True`` instead receives a zero-argument callable returning
    that dict, and should call it only when it really needs the values (the progress bar does).

    ``on_batch_begin`` / ``on_batch_end`` are the Keras 1 names of the train-batch hooks: the
    default ``on_train_batch_begin/end`` call them, so old callbacks keep working.

    Example:

    ```python
    class PrintLoss(lamina.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            print(epoch, logs["loss"])

    model.fit(x, y, epochs=3, callbacks=[PrintLoss()])
    ```
    """

    #: Whether batch-end hooks take a zero-argument callable instead of a logs dict.
    accepts_lazy_logs = False
    model = None
    params = types.MappingProxyType({})

    def __init__(self):
        self.model = None
        self.params = {}

    def set_params(self, params):
        """Store the loop's settings (``verbose``, ``epochs``, ``steps``) in ``self.params``."""
        self.params = params

    def set_model(self, model):
        """Store the model the callbacks are used with in ``self.model``."""
        self.model = model

    # Keras 1 aliases of the train-batch hooks.
    def on_batch_begin(self, batch, logs=None):
        """Keras 1 name of ``on_train_batch_begin`` (called by its default implementation)."""

    def on_batch_end(self, batch, logs=None):
        """Keras 1 name of ``on_train_batch_end`` (called by its default implementation)."""

    def on_epoch_begin(self, epoch, logs=None):
        """Called at the start of epoch ``epoch`` (0-based) during ``fit``."""

    def on_epoch_end(self, epoch, logs=None):
        """Called at the end of an epoch; ``logs`` has the epoch's metrics and ``val_`` entries."""

    def on_train_batch_begin(self, batch, logs=None):
        """Called before training step ``batch`` (0-based within the epoch)."""
        self.on_batch_begin(batch, logs)

    def on_train_batch_end(self, batch, logs=None):
        """Called after training step ``batch``; ``logs`` holds running loss/metric averages."""
        self.on_batch_end(batch, logs)

    def on_test_batch_begin(self, batch, logs=None):
        """Called before evaluation step ``batch`` (in ``evaluate`` and fit's validation)."""

    def on_test_batch_end(self, batch, logs=None):
        """Called after evaluation step ``batch``."""

    def on_predict_batch_begin(self, batch, logs=None):
        """Called before prediction step ``batch``."""

    def on_predict_batch_end(self, batch, logs=None):
        """Called after prediction step ``batch``; ``logs`` is ``{'outputs': ...}``."""

    def on_train_begin(self, logs=None):
        """Called once at the start of ``fit``."""

    def on_train_end(self, logs=None):
        """Called once at the end of ``fit`` (also after an early stop)."""

    def on_test_begin(self, logs=None):
        """Called at the start of ``evaluate`` or of fit's validation pass."""

    def on_test_end(self, logs=None):
        """Called at the end of ``evaluate`` or of fit's validation pass, with its results."""

    def on_predict_begin(self, logs=None):
        """Called at the start of ``predict``."""

    def on_predict_end(self, logs=None):
        """Called at the end of ``predict``."""


def overrides(callback, *hook_names: str) -> bool:
    """True if ``callback`` replaces any of the named hooks of :class:`Callback`.

    A hook counts as replaced when the class redefines it or an instance attribute holds a
    function (as :class:`LambdaCallback` does).
    """
    for name in hook_names:
        method = getattr(callback, name, None)
        if getattr(method, "__func__", None) is not getattr(Callback, name):
            return True
    return False
