"""The torch backend's half of the train/test/predict steps for the one loop in lamina.training.

What a step means (total loss, constraints, loss tracking, metrics, logs) is backend-neutral and
lives in ``lamina.training.step_logic``; this file supplies what is torch's: the gradients
(``backward()``), the fused optimizer update, ``no_grad``, and ``build``/``sync``. Per step
nothing is read back to the host; ``logs()`` does, when asked.
"""

from __future__ import annotations

import torch

from lamina.backend.torch.ops.core import DEVICE


class Steps:
    """Steps for one model (rebuilt by ``compile()``).

    Args:
        model: the compiled model.
        logic: its ``lamina.training.step_logic.StepLogic`` (core hands it in, so the backend
            never imports the training package).
    """

    def __init__(self, model, logic):
        self.model = model
        self.logic = logic
        self._params = None
        self._autocast = False
        self._forward, self._test_forward, self._predict = self._eager_forward, self._eager_test, self._eager_predict
        if getattr(model, "_jit_compile", False):  # compile(jit_compile=True): compiled.py
            from lamina.backend.torch.compiled import compile_fn

            self._forward = compile_fn(self._eager_forward, prepare=logic._layers)
            self._test_forward = compile_fn(self._eager_test, prepare=logic._layers)
            self._predict = compile_fn(self._eager_predict)

    # -------------------------------------------------------------- bookkeeping
    def begin_fit(self):
        self._params = None
        self.logic.begin()
        self._autocast = outer_autocast(self.model.name)
        if self.model._compile_loss is not None and hasattr(self.model._compile_loss, "reset_check"):
            self.model._compile_loss.reset_check()

    def end_fit(self):
        opt = self.model.optimizer
        if self._params is not None and hasattr(opt, "finalize_variable_values"):
            opt.finalize_variable_values(self._params)

    def begin_evaluate(self):
        self.logic.begin()

    def reset_metrics(self):
        self.logic.reset_metrics()

    def logs(self) -> dict:
        return self.logic.logs()

    def build(self, first_batch=None):
        """Before the first update: the trainable tensors and the optimizer's state."""
        model = self.model
        handles = model.trainable_weights
        params = [v.value for v in handles]
        if not params:
            raise ValueError(
                f"Model '{model.name}' has no trainable weights, so fit() has nothing to train. "
                "Check that the layers are trainable (layer.trainable = True)."
            )
        if not getattr(model.optimizer, "built", False):
            model.optimizer.build(params, paths=[v.path for v in handles])
        self._params = params
        return params

    def sync(self):
        """Write state back to the variables: under torch it never left them (updates are in place)."""

    # -------------------------------------------------------------- steps
    def _eager_forward(self, x, y, sw):
        y_pred = self.model(x, training=True)
        return self.logic.total_loss(y, y_pred, sw), y_pred

    def _eager_test(self, x, y, sw):
        y_pred = self.model(x, training=False)
        return self.logic.total_loss(y, y_pred, sw), y_pred

    def _eager_predict(self, x):
        return self.model(x, training=False)

    def _backward(self, loss):  # data parallelism weighs each rank's loss (data_parallel.py)
        loss.backward()

    def _gradients(self, params):  # ... and sums the gradients over the ranks
        return [p.grad for p in params]

    def train(self, x, y, sw):
        model, logic = self.model, self.logic
        loss, y_pred = self._forward(x, y, sw)
        params = self._params
        if params is None:
            params = self.build()
        for p in params:
            p.grad = None
        self._backward(model.optimizer.scale_loss(loss))  # loss_scale_factor / LossScaleOptimizer
        with torch.no_grad():
            model.optimizer.apply(self._gradients(params), params)
            if logic._constrained:
                logic.apply_constraints()
            if self._autocast:  # its cached low-precision copies of the weights are now stale
                torch.clear_autocast_cache()
            logic.track(loss, x, y, _detach(y_pred), sw)

    def test(self, x, y, sw):
        model, logic = self.model, self.logic
        with torch.no_grad():
            if model._compile_loss is not None:
                loss, y_pred = self._test_forward(x, y, sw)
                logic.track(loss, x, y, y_pred, sw)
            else:
                y_pred = self._predict(x)
                if model._compile_metrics is not None:
                    model._compile_metrics.update_state(y, y_pred, sw)

    def predict(self, x):
        with torch.no_grad():
            return self._predict(x)


def outer_autocast(model_name) -> bool:
    """Whether ``fit`` runs inside ``torch.autocast`` for lamina's device (bfloat16 only)."""
    device_type = DEVICE.type
    if not torch.is_autocast_enabled(device_type):
        return False
    dtype = torch.get_autocast_dtype(device_type)
    if dtype == torch.float16:
        raise ValueError(
            f"Model '{model_name}': fit() was called inside torch.autocast(dtype=torch.float16). "
            "float16 training needs loss scaling (torch.amp.GradScaler), which lamina "
            "does not do around an outer autocast. Use the 'mixed_float16' policy instead "
            "(lamina.mixed_precision.set_global_policy('mixed_float16') before building the "
            "model: compile() then adds a LossScaleOptimizer), or torch.autocast("
            f"'{device_type}', dtype=torch.bfloat16) around fit()."
        )
    return True


def _detach(y):
    if isinstance(y, torch.Tensor):
        return y.detach()
    if isinstance(y, (list, tuple)):
        return type(y)(_detach(v) for v in y)
    if isinstance(y, dict):
        return {k: _detach(v) for k, v in y.items()}
    return y


def apply_loss_gradients(loss, variables, optimizer):
    """Backpropagate ``loss`` to ``variables`` (lamina Variables) and let ``optimizer`` apply the
    gradients: the eager step of a model whose ``train_step`` runs in Python."""
    params = [v.value for v in variables]
    grads = torch.autograd.grad(loss, params, allow_unused=True)
    with torch.no_grad():
        optimizer.apply(list(grads), variables)


def custom_steps(custom):
    """The model's own train/test/predict steps: under torch they run as written (eagerly)."""
    return custom
