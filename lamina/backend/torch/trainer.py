"""The torch backend's train/test/predict steps for the one loop in lamina.training.

Per step: forward, loss, ``backward()``, one fused optimizer update, and metric updates that
stay on the device. Nothing here reads a value back to the host; ``logs()`` does, when asked.
"""

from __future__ import annotations

import torch

from lamina.backend.torch.ops.core import DEVICE


class Steps:
    """Compiled steps for one model (rebuilt by ``compile()``)."""

    def __init__(self, model):
        self.model = model
        self._params = None
        self._loss_sum = None
        self._count = 0
        self._flat = None
        self._per_output = {}
        self._autocast = False

    # -------------------------------------------------------------- bookkeeping
    def begin_fit(self):
        self._params = None
        self._flat = None
        self._autocast = outer_autocast(self.model.name)
        if self.model._compile_loss is not None and hasattr(self.model._compile_loss, "reset_check"):
            self.model._compile_loss.reset_check()

    def end_fit(self):
        opt = self.model.optimizer
        if self._params is not None and hasattr(opt, "finalize_variable_values"):
            opt.finalize_variable_values(self._params)

    def begin_evaluate(self):
        if self.model._compile_loss is not None and hasattr(self.model._compile_loss, "reset_check"):
            self.model._compile_loss.reset_check()

    def reset_metrics(self):
        self._loss_sum = None
        self._count = 0
        self._per_output = {}
        cm = self.model._compile_metrics
        if cm is not None:
            cm.reset_state()

    def _layers(self):
        if self._flat is None:
            flat = self.model._flatten_layers()
            self._flat = flat
            self._reg = [(v, r) for l in flat for v, r in l._regularized]
            self._constrained = [(v, c) for l in flat for v, c in l._constraints]
        return self._flat

    def _extra_losses(self, loss):
        for v, r in self._reg:
            if v.trainable:
                loss = loss + r(v.value)
        for l in self._flat:
            if l._call_losses:
                for x in l._call_losses:
                    loss = loss + torch.sum(x) if torch.is_tensor(x) else loss + x
        return loss

    def _track(self, loss, x):
        n = _batch_size(x)
        with torch.no_grad():
            v = loss.detach() * n
            self._loss_sum = v if self._loss_sum is None else self._loss_sum + v
            per_output = getattr(self.model._compile_loss, "per_output", None)
            if per_output:
                acc = self._per_output
                for k, t in per_output.items():
                    t = t * n
                    acc[k] = t if k not in acc else acc[k] + t
        self._count += n

    # -------------------------------------------------------------- steps
    def train(self, x, y, sw):
        model = self.model
        y_pred = model(x, training=True)
        self._layers()
        loss = model._compile_loss(y, y_pred, sw)
        loss = self._extra_losses(loss)
        params = self._params
        if params is None:
            handles = model.trainable_weights
            params = self._params = [v.value for v in handles]
            if not params:
                raise ValueError(
                    f"Model '{model.name}' has no trainable weights, so fit() has nothing to train. "
                    "Check that the layers are trainable (layer.trainable = True)."
                )
            if not getattr(model.optimizer, "built", False):
                model.optimizer.build(params, paths=[v.path for v in handles])
        for p in params:
            p.grad = None
        loss.backward()
        with torch.no_grad():
            model.optimizer.apply([p.grad for p in params], params)
            for v, c in self._constrained:
                t = v.value
                t.copy_(c(t))
            if self._autocast:  # its cached low-precision copies of the weights are now stale
                torch.clear_autocast_cache()
            self._track(loss, x)
            cm = model._compile_metrics
            if cm is not None:
                cm.update_state(y, _detach(y_pred), sw)

    def test(self, x, y, sw):
        model = self.model
        with torch.no_grad():
            y_pred = model(x, training=False)
            if model._compile_loss is not None:
                self._layers()
                loss = self._extra_losses(model._compile_loss(y, y_pred, sw))
                self._track(loss, x)
            cm = model._compile_metrics
            if cm is not None:
                cm.update_state(y, y_pred, sw)

    def predict(self, x):
        with torch.no_grad():
            return self.model(x, training=False)

    def logs(self) -> dict:
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


def outer_autocast(model_name) -> bool:
    """Whether ``fit`` runs inside ``torch.autocast`` for lamina's device (bfloat16 only)."""
    device_type = DEVICE.type
    if not torch.is_autocast_enabled(device_type):
        return False
    dtype = torch.get_autocast_dtype(device_type)
    if dtype == torch.float16:
        raise ValueError(
            f"Model '{model_name}': fit() was called inside torch.autocast(dtype=torch.float16). "
            "float16 training needs loss scaling (torch.amp.GradScaler), which lamina's fit does "
            "not do, and lamina has no mixed-precision policies ('mixed_float16') yet. Use "
            f"torch.autocast('{device_type}', dtype=torch.bfloat16) around fit(), or train the "
            "whole model in one dtype: model.to(torch.bfloat16) / model.to(torch.float16)."
        )
    return True


def _batch_size(x):
    while isinstance(x, (list, tuple)):
        x = x[0]
    if isinstance(x, dict):
        return _batch_size(next(iter(x.values())))
    return x.shape[0]


def _detach(y):
    if isinstance(y, torch.Tensor):
        return y.detach()
    if isinstance(y, (list, tuple)):
        return type(y)(_detach(v) for v in y)
    if isinstance(y, dict):
        return {k: _detach(v) for k, v in y.items()}
    return y
