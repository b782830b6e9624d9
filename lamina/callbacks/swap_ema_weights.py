"""SwapEMAWeights: evaluate and predict with the optimizer's moving-average weights."""

from __future__ import annotations

from lamina.callbacks.callback import Callback


class SwapEMAWeights(Callback):
    """Puts the optimizer's exponential moving average of the weights into the model for
    evaluation and prediction, and the trained weights back afterwards (Keras 3 semantics).

    Needs an optimizer created with ``use_ema=True`` (a ``LossScaleOptimizer``'s inner optimizer
    counts). With ``swap_on_epoch=True`` the averages are also swapped in at the end of every
    epoch, so callbacks that run then (``ModelCheckpoint``) see them, and swapped back at the
    start of the next epoch. Unlike Keras 3.15, whose ``on_predict_end`` never swaps back,
    ``predict`` leaves the trained weights in the model.

    Args:
        swap_on_epoch: also swap at epoch ends (default False).

    Example:

    ```python
    model.compile(optimizer=lamina.optimizers.SGD(use_ema=True), loss="mse")
    model.fit(x, y, validation_data=(xv, yv), callbacks=[lamina.callbacks.SwapEMAWeights()])
    ```
    """

    def __init__(self, swap_on_epoch=False):
        super().__init__()
        self.swap_on_epoch = swap_on_epoch
        self._ema_weights_in_model = False

    def _optimizer(self):
        optimizer = self.model.optimizer
        optimizer = getattr(optimizer, "inner_optimizer", optimizer)
        if not getattr(optimizer, "use_ema", False):
            raise ValueError(
                "SwapEMAWeights needs an optimizer with moving averages: create it with "
                f"use_ema=True (received {type(optimizer).__name__} with use_ema="
                f"{getattr(optimizer, 'use_ema', None)})."
            )
        return optimizer

    def _swap(self):
        optimizer = self._optimizer()
        if not optimizer.built:
            return False
        kernels, variables, averages = optimizer._kernels, optimizer._trainable_variables, optimizer._averages
        with kernels.no_grad():
            held = kernels.make_slots(variables)
            kernels.copy(held, variables)
            kernels.copy(variables, averages)
            kernels.copy(averages, held)
        return True

    def _finalize(self):
        optimizer = self._optimizer()
        with optimizer._kernels.no_grad():
            optimizer._kernels.copy(optimizer._averages, optimizer._trainable_variables)

    def on_train_begin(self, logs=None):
        self._optimizer()  # the use_ema check, before the first epoch

    def on_epoch_begin(self, epoch, logs=None):
        if self.swap_on_epoch and self._ema_weights_in_model:
            self._swap()
            self._ema_weights_in_model = False

    def on_epoch_end(self, epoch, logs=None):
        if self.swap_on_epoch and not self._ema_weights_in_model and self._swap():
            self._ema_weights_in_model = True
            if epoch == self.params.get("epochs", 0) - 1:
                self._finalize()  # the averages stay in the model after fit

    def on_test_begin(self, logs=None):
        if not self._ema_weights_in_model and self._swap():
            self._ema_weights_in_model = True

    def on_test_end(self, logs=None):
        if self._ema_weights_in_model:
            self._swap()
            self._ema_weights_in_model = False

    on_predict_begin = on_test_begin
    on_predict_end = on_test_end
