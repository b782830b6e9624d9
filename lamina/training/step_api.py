"""The methods a Keras 3 model subclass overrides to customize fit/evaluate/predict.

``train_step``, ``test_step``, ``predict_step``, ``compute_loss``, ``compute_metrics`` and the
``metrics`` property behave as in Keras 3 (keras/src/trainers/trainer.py and the torch
trainer): the defaults here are what fit runs when a model overrides only some of them. A model
that overrides none runs the backend's compiled steps instead (same numbers, less Python).
"""

from __future__ import annotations

import functools
import inspect

from lamina import backend, ops
from lamina.training.custom_steps import unpack_x_y_sample_weight


class StepAPI:
    """Mixin of Trainer: the per-batch steps and the metric bookkeeping that users override.

    Example (Keras's "Customizing what happens in fit()" with the torch backend):
        >>> import lamina, numpy as np
        >>> class CustomModel(lamina.Model):
        ...     def train_step(self, data):
        ...         x, y = data
        ...         self.zero_grad()
        ...         y_pred = self(x, training=True)
        ...         loss = self.compute_loss(y=y, y_pred=y_pred)
        ...         loss.backward()
        ...         weights = self.trainable_weights
        ...         self.optimizer.apply([v.value.grad for v in weights], weights)
        ...         for m in self.metrics:
        ...             m.update_state(loss) if m.name == "loss" else m.update_state(y, y_pred)
        ...         return {m.name: m.result() for m in self.metrics}
        >>> inputs = lamina.Input((3,))
        >>> model = CustomModel(inputs, lamina.layers.Dense(1)(inputs))
        >>> model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
        >>> sorted(model.fit(np.ones((8, 3)), np.ones((8, 1)), verbose=0).history)
        ['loss', 'mae']
    """

    # ------------------------------------------------------------------ metrics
    @property
    def metrics(self) -> list:
        """Keras 3's order: the loss tracker, the compiled metrics (one object), metrics set as
        attributes of the model, then those of its (non-model) layers."""
        from lamina.training.trainer import Trainer

        out = []
        if self.compiled:
            out.append(self._loss_tracker)
            cm = self._compile_metrics
            if cm is not None and (cm._user_metrics or cm._user_weighted):
                out.append(cm)
        out.extend(_attribute_metrics(self))
        for layer in self._flatten_layers(include_self=False):
            if not isinstance(layer, Trainer):
                out.extend(_attribute_metrics(layer))
        seen, unique = set(), []
        for m in out:
            if id(m) not in seen:
                seen.add(id(m))
                unique.append(m)
        return unique

    @property
    def metrics_variables(self) -> list:
        """The variables of every metric in ``self.metrics``, in order (Keras 3)."""
        return [v for m in self.metrics for v in m.variables]

    @property
    def _loss_tracker(self):
        tracker = self.__dict__.get("_loss_tracker_metric")
        if tracker is None:
            from lamina.metrics import Mean

            tracker = self.__dict__["_loss_tracker_metric"] = Mean(name="loss")
        return tracker

    def reset_metrics(self) -> None:
        """Reset every metric in ``self.metrics`` (fit calls this before each epoch)."""
        for m in self.metrics:
            m.reset_state()

    def get_metrics_result(self) -> dict:
        """``{name: result}`` for every metric in ``self.metrics`` (dict results are merged)."""
        out = {}
        for m in self.metrics:
            r = m.result()
            if isinstance(r, dict):
                out.update(r)
            else:
                out[m.name] = r
        return out

    @property
    def compiled_loss(self):
        """Keras 2's ``self.compiled_loss(y, y_pred, sample_weight, regularization_losses=...)``."""
        from lamina.errors import deprecated

        deprecated("self.compiled_loss(y, y_pred)", "self.compute_loss(x, y, y_pred, sample_weight)")
        return _CompiledLoss(self)

    @property
    def compiled_metrics(self):
        """Keras 2's ``self.compiled_metrics.update_state(y, y_pred, sample_weight)``."""
        from lamina.errors import deprecated

        deprecated("self.compiled_metrics.update_state(y, y_pred)",
                   "self.compute_metrics(x, y, y_pred, sample_weight)")
        return self._compile_metrics

    # ------------------------------------------------------------------ loss & metrics
    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        """The total loss of one batch: the compiled loss plus every ``self.losses`` term
        (``add_loss`` calls, activity and weight regularizers)."""
        losses = []
        if self._compile_loss is not None:
            losses.append(self._compile_loss(y, y_pred, sample_weight))
        for term in self.losses:
            term = ops.convert_to_tensor(term)
            if not ops.is_float_dtype(term.dtype):
                term = ops.cast(term, "float32")
            losses.append(ops.sum(term))
        if not losses:
            raise ValueError(
                f"model.fit() on model '{self.name}' needs a loss: call model.compile(..., "
                "loss='mse') (or the loss that fits your targets), or add one with "
                "self.add_loss(...) in call()."
            )
        total = losses[0]
        for term in losses[1:]:
            total = total + term
        return total

    def _compute_loss_compat(self, x, y, y_pred, sample_weight, training):
        # compute_loss gained `training` in Keras 3.3; older overrides do not take it.
        if _takes_training(type(self).compute_loss):
            return self.compute_loss(x, y, y_pred, sample_weight, training=training)
        return self.compute_loss(x, y, y_pred, sample_weight)

    def compute_metrics(self, x, y, y_pred, sample_weight=None) -> dict:
        """Update the compiled metrics with one batch; returns ``get_metrics_result()``."""
        cm = self._compile_metrics
        if cm is not None and (cm._user_metrics or cm._user_weighted):
            cm.update_state(y, y_pred, sample_weight)
        return self.get_metrics_result()

    # ------------------------------------------------------------------ steps
    def train_step(self, data) -> dict:
        """One training step on one batch ``data``; returns the logs (``{'loss': ...}``)."""
        x, y, sample_weight = unpack_x_y_sample_weight(data)
        y_pred = self(x, training=True)
        loss = self._compute_loss_compat(x, y, y_pred, sample_weight, training=True)
        self._loss_tracker.update_state(loss, sample_weight=_batch_size(x))
        weights = self.trainable_weights
        if not weights:
            raise ValueError(
                f"Model '{self.name}' has no trainable weights, so fit() has nothing to train. "
                "Check that the layers are trainable (layer.trainable = True)."
            )
        backend.trainer.apply_loss_gradients(self.optimizer.scale_loss(loss), weights, self.optimizer)
        return self.compute_metrics(x, y, _stop(y_pred), sample_weight=sample_weight)

    def test_step(self, data) -> dict:
        """One evaluation step on one batch ``data``; returns the logs."""
        x, y, sample_weight = unpack_x_y_sample_weight(data)
        y_pred = self(x, training=False)
        if self._compile_loss is not None or self.losses or _overrides(self, "compute_loss"):
            loss = self._compute_loss_compat(x, y, y_pred, sample_weight, training=False)
            self._loss_tracker.update_state(loss, sample_weight=_batch_size(x))
        return self.compute_metrics(x, y, y_pred, sample_weight=sample_weight)

    def predict_step(self, data):
        """The model's outputs for one batch ``data`` (predict concatenates them)."""
        x, _, _ = unpack_x_y_sample_weight(data)
        return self(x, training=False)


class _CompiledLoss:
    def __init__(self, model):
        self._model = model

    def __call__(self, y_true, y_pred, sample_weight=None, regularization_losses=None):
        model = self._model
        if model._compile_loss is None:
            raise ValueError(
                f"self.compiled_loss on model '{model.name}' needs model.compile(..., loss=...)."
            )
        loss = model._compile_loss(y_true, y_pred, sample_weight)
        for term in regularization_losses or ():
            loss = loss + ops.sum(ops.convert_to_tensor(term))
        # Keras 2's compiled loss also tracks the 'loss' metric.
        model._loss_tracker.update_state(ops.stop_gradient(loss), sample_weight=_batch_size(y_pred))
        return loss


def _attribute_metrics(layer) -> list:
    from lamina.metrics import Metric

    return [v for k, v in vars(layer).items() if isinstance(v, Metric) and k != "_loss_tracker_metric"]


def _batch_size(x):
    from lamina.layers.keras_tensor import flatten

    for t in flatten(x):
        if t is not None and hasattr(t, "shape") and len(t.shape):
            return t.shape[0]
    return 1


def _stop(y):
    from lamina.layers.keras_tensor import map_structure

    return map_structure(lambda t: ops.stop_gradient(t) if ops.is_tensor(t) else t, y)


def _overrides(model, name) -> bool:
    return getattr(type(model), name) is not getattr(StepAPI, name)


@functools.lru_cache(maxsize=None)
def _takes_training(fn) -> bool:
    params = inspect.signature(fn).parameters
    return "training" in params or any(p.kind is p.VAR_KEYWORD for p in params.values())
