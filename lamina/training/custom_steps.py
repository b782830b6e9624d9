"""User-overridable steps: Keras 3's ``train_step``/``test_step``/``predict_step`` contract.

A model that overrides ``train_step``, ``test_step``, ``predict_step``, ``compute_loss`` or
``compute_metrics`` (or is compiled without a loss, training on ``add_loss`` terms) runs those
methods eagerly, one call per batch, inside the one loop of ``lamina.training.trainer``. Every
other model keeps the backend's compiled steps. The contract is Keras 3's:

- each step receives ``data``: ``x`` alone when there are no targets, else ``(x, y)`` or
  ``(x, y, sample_weight)`` (``lamina.utils.unpack_x_y_sample_weight`` takes it apart);
- ``train_step``/``test_step`` return a dict of logs (values may be tensors, or nested dicts
  that are flattened); the last batch's dict is the epoch's logs;
- ``predict_step`` returns the batch's outputs; ``predict`` concatenates them along axis 0;
- before each epoch and each ``evaluate``, every metric in ``model.metrics`` is reset.
"""

from __future__ import annotations

import numpy as np

from lamina import backend, ops

_OVERRIDABLE = ("train_step", "test_step", "predict_step", "compute_loss", "compute_metrics")


def pack_x_y_sample_weight(x, y=None, sample_weight=None):
    """Keras's batch structure: ``x`` alone, ``(x, y)`` or ``(x, y, sample_weight)``.

    Example:
        >>> pack_x_y_sample_weight([1], [2])
        ([1], [2])
    """
    if y is None:
        return (x,) if isinstance(x, tuple) else x
    if sample_weight is None:
        return (x, y)
    return (x, y, sample_weight)


def unpack_x_y_sample_weight(data):
    """``(x, y, sample_weight)`` from a batch as ``train_step`` receives it (missing parts are None).

    Example:
        >>> unpack_x_y_sample_weight(([1], [2]))
        ([1], [2], None)
    """
    if isinstance(data, list):
        data = tuple(data)
    if not isinstance(data, tuple):
        return data, None, None
    if len(data) == 1:
        return data[0], None, None
    if len(data) == 2:
        return data[0], data[1], None
    if len(data) == 3:
        return data
    raise ValueError(
        f"A batch must be x, (x,), (x, y) or (x, y, sample_weight); received a tuple of {len(data)} "
        "elements. Pack several inputs as one tuple or list: ((x1, x2), y)."
    )


def uses_custom_steps(model) -> bool:
    """True when the model's steps must run its own (Python) methods rather than the backend's."""
    from lamina.training.trainer import Trainer

    cls = type(model)
    if any(getattr(cls, n) is not getattr(Trainer, n) for n in _OVERRIDABLE):
        return True
    return model._compile_loss is None and model.compiled


def _is_tensor_like(v):
    return ops.is_tensor(v) or isinstance(v, np.ndarray)


def pythonify_logs(logs) -> dict:
    """Flatten nested dicts of logs and read every value back as a Python float."""
    out = {}
    if not isinstance(logs, dict):
        if logs is None:
            return out
        raise TypeError(
            f"train_step()/test_step() must return a dict of logs, such as "
            f"{{'loss': loss}}; it returned {type(logs).__name__}."
        )
    for k, v in logs.items():
        if isinstance(v, dict):
            out.update(pythonify_logs(v))
        elif _is_tensor_like(v):
            a = np.asarray(ops.convert_to_numpy(v)) if ops.is_tensor(v) else v
            out[k] = float(a) if a.size == 1 else a
        else:
            out[k] = v
    return out


class CustomSteps:
    """Steps that call the model's own ``train_step``/``test_step``/``predict_step`` per batch.

    Same interface as the backend's ``Steps``, so the loop does not change; a step that the
    model does not override and that the backend can run (``predict``) is delegated to it.
    """

    def __init__(self, model, fallback):
        self.model = model
        self._fallback = fallback
        self._logs = None
        cls = type(model)
        from lamina.training.trainer import Trainer

        self._own_predict = cls.predict_step is not Trainer.predict_step

    def begin_fit(self):
        self._check_compiled_for_fit()

    def _check_compiled_for_fit(self):
        model = self.model
        if model.optimizer is None:
            from lamina.errors import NotCompiledError

            raise NotCompiledError(
                f"Model '{model.name}' has no optimizer: call model.compile(optimizer=...) first "
                "(an overridden compile() must call super().compile(...))."
            )

    def end_fit(self):
        pass

    def begin_evaluate(self):
        pass

    def reset_metrics(self):
        self._logs = None
        self.model.reset_metrics()

    def train(self, x, y, sw):
        self._logs = self.model.train_step(pack_x_y_sample_weight(x, y, sw))

    def test(self, x, y, sw):
        with backend.no_grad():
            self._logs = self.model.test_step(pack_x_y_sample_weight(x, y, sw))

    def predict(self, x):
        if not self._own_predict:
            return self._fallback.predict(x)
        with backend.no_grad():
            return self.model.predict_step(pack_x_y_sample_weight(x))

    def logs(self) -> dict:
        model = self.model
        logs = self._logs
        if isinstance(logs, dict):
            # Keras: when the step returned exactly the metrics' keys, report the metrics.
            current = model.get_metrics_result()
            if set(_flat_keys(current)) == set(_flat_keys(logs)):
                logs = current
        return pythonify_logs(logs)


def _flat_keys(logs):
    out = []
    for k, v in logs.items():
        out.extend(_flat_keys(v) if isinstance(v, dict) else [k])
    return out
