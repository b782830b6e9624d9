"""The backend-neutral half of a train/test step.

What a step means does not depend on the engine: the total loss (compiled loss, weight
regularization, activity and ``add_loss`` losses), the weight constraints after an update, the
running loss, the compiled metrics and the logs. A backend's ``Steps`` (``backend.trainer``)
supplies only what does: the gradient of the loss, applying the update, compiling, plus
``build(first_batch)`` and ``sync()``. Nothing here reads a value back to the host except
``logs()``, which callbacks and the progress bar call when they need numbers.
"""

from __future__ import annotations

from lamina import ops


class StepLogic:
    """Loss, constraints, tracking and metrics of one model's steps (kept by its ``Steps``).

    Args:
        model: the compiled model.
    """

    def __init__(self, model):
        self.model = model
        self._flat = None
        self._reg = []
        self._constrained = []
        self.reset_metrics()

    def begin(self) -> None:
        """Start of fit()/evaluate(): the layer list is read again, the loss checks reset."""
        self._flat = None
        loss = self.model._compile_loss
        if loss is not None and hasattr(loss, "reset_check"):
            loss.reset_check()

    def _layers(self):
        if self._flat is None:
            flat = self.model._flatten_layers()
            self._reg = [(v, r) for l in flat for v, r in l._regularized]
            self._constrained = [(v, c) for l in flat for v, c in l._constraints]
            self._flat = flat
        return self._flat

    # -------------------------------------------------------------- the loss
    def total_loss(self, y, y_pred, sample_weight):
        """Compiled loss + regularization penalties + this forward pass's added losses."""
        loss = self.model._compile_loss(y, y_pred, sample_weight)
        flat = self._layers()
        for v, r in self._reg:
            if v.trainable:
                loss = loss + r(v.value)
        for l in flat:
            if l._call_losses:
                for x in l._current_call_losses():
                    loss = loss + ops.sum(x) if ops.is_tensor(x) else loss + x
        return loss

    def apply_constraints(self) -> None:
        """Project constrained weights back after an update (``kernel_constraint``...)."""
        for v, c in self._constrained:
            v.assign(c(v.value))

    # -------------------------------------------------------------- tracking
    def reset_metrics(self) -> None:
        self._loss_sum = None
        self._count = 0
        self._per_output = {}
        cm = getattr(self.model, "_compile_metrics", None)
        if cm is not None:
            cm.reset_state()

    def track(self, loss, x, y, y_pred, sample_weight) -> None:
        """Accumulate the batch's loss (sample-weighted by batch size) and update the metrics;
        call it outside the gradient tape with detached predictions."""
        n = _batch_size(x)
        v = ops.stop_gradient(loss) * n
        self._loss_sum = v if self._loss_sum is None else self._loss_sum + v
        per_output = getattr(self.model._compile_loss, "per_output", None)
        if per_output:
            acc = self._per_output
            for k, t in per_output.items():
                t = t * n
                acc[k] = t if k not in acc else acc[k] + t
        self._count += n
        cm = self.model._compile_metrics
        if cm is not None:
            cm.update_state(y, y_pred, sample_weight)

    def running_loss(self):
        """``(loss sum, {output: sum}, sample count)`` of the batches tracked since the last
        reset, or None: what a mid-epoch backup saves."""
        if self._loss_sum is None:
            return None
        return self._loss_sum, dict(self._per_output), self._count

    def set_running_loss(self, loss_sum, per_output, count) -> None:
        """Put back what :meth:`running_loss` returned (resuming a backup taken mid-epoch)."""
        self._loss_sum = ops.convert_to_tensor(loss_sum)
        self._per_output = {k: ops.convert_to_tensor(v) for k, v in per_output.items()}
        self._count = int(count)

    def logs(self) -> dict:
        """The running loss and metric results as Python floats (reads the device)."""
        out = {}
        if self._loss_sum is not None:
            out["loss"] = float(self._loss_sum) / max(self._count, 1)
            for k, v in self._per_output.items():
                out[k] = float(v) / max(self._count, 1)
        cm = self.model._compile_metrics
        if cm is not None:
            for k, v in cm.result().items():
                out[k] = float(v)
        return out


def _batch_size(x):
    while isinstance(x, (list, tuple)):
        x = x[0]
    if isinstance(x, dict):
        return _batch_size(next(iter(x.values())))
    return x.shape[0]
