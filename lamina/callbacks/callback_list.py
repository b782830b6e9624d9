"""CallbackList: calls every hook on every callback, computing batch logs only when needed."""

from __future__ import annotations

from lamina.callbacks.callback import Callback, overrides
from lamina.callbacks.history import History
from lamina.callbacks.progbar_logger import ProgbarLogger

# For each batch hook of the list: the hook names whose override makes a callback take part.
_BATCH_HOOKS = {
    "on_train_batch_begin": ("on_train_batch_begin", "on_batch_begin"),
    "on_train_batch_end": ("on_train_batch_end", "on_batch_end"),
    "on_test_batch_begin": ("on_test_batch_begin",),
    "on_test_batch_end": ("on_test_batch_end",),
    "on_predict_batch_begin": ("on_predict_batch_begin",),
    "on_predict_batch_end": ("on_predict_batch_end",),
}


class _Once:
    """Calls a zero-argument logs function at most once and remembers the dict."""

    __slots__ = ("fn", "value")

    def __init__(self, fn):
        self.fn = fn
        self.value = None

    def __call__(self):
        if self.fn is not None:
            value = self.fn()
            self.value = {} if value is None else value
            self.fn = None
        return self.value


class _Const:
    __slots__ = ("value",)

    def __init__(self, value):
        self.value = {} if value is None else value

    def __call__(self):
        return self.value


class CallbackList(Callback):
    """Holds the callbacks of one fit/evaluate/predict call and calls each hook on each of them.

    Batch-end hooks accept ``logs`` either as a dict or as a zero-argument callable returning the
    dict. The callable is called at most once per batch, and only if a callback needs the values:
    one that overrides a batch-end hook (``on_train_batch_end``, ``on_batch_end``, ...) gets the
    dict, one with ``accepts_lazy_logs = True`` (the progress bar) gets a memoised callable that it
    calls only when it redraws. Callbacks that do not override a batch hook are not called for
    it at all, so a step costs nearly nothing when nobody listens.

    Args:
        callbacks: list of :class:`Callback` instances (or None).
        add_history: append a :class:`History` unless the list already has one.
        add_progbar: append a :class:`ProgbarLogger` unless the list already has one.
        model: the model; every callback's ``set_model`` is called with it and, when there is a
            History, ``model.history`` is set to it.
        **params: the loop's settings (``verbose``, ``epochs``, ``steps``) for ``set_params``.

    Example:

    ```python
    cbs = CallbackList([EarlyStopping()], add_history=True, add_progbar=True, model=model,
                       verbose=1, epochs=10, steps=len(batches))
    cbs.on_train_begin()
    for epoch in range(10):
        cbs.on_epoch_begin(epoch)
        for step, batch in enumerate(batches):
            cbs.on_train_batch_begin(step)
            train_step(batch)
            cbs.on_train_batch_end(step, read_running_metrics)  # a callable: synced only if needed
        cbs.on_epoch_end(epoch, epoch_logs)
        if model.stop_training:
            break
    cbs.on_train_end(epoch_logs)
    ```
    """

    def __init__(self, callbacks=None, add_history=False, add_progbar=False, model=None, **params):
        super().__init__()
        self.callbacks = _flatten(callbacks)
        if any(getattr(c, "_chief_only", False) for c in self.callbacks) and not _chief():
            self.callbacks = [c for c in self.callbacks if not getattr(c, "_chief_only", False)]
        self._history = next((c for c in self.callbacks if isinstance(c, History)), None)
        self._progbar = next((c for c in self.callbacks if isinstance(c, ProgbarLogger)), None)
        if self._history is None and add_history:
            self._history = History()
            self.callbacks.append(self._history)
        if self._progbar is None and add_progbar:
            self._progbar = ProgbarLogger()
            self.callbacks.append(self._progbar)
        self._dispatch: dict = {}
        self._refresh()
        if model is not None:
            self.set_model(model)
        if params:
            self.set_params(params)

    # -- configuration -----------------------------------------------------------------------

    def append(self, callback) -> None:
        """Add one more callback (it gets the list's model and params)."""
        self.callbacks.extend(_flatten([callback]))
        if self.model is not None:
            callback.set_model(self.model)
        if self.params:
            callback.set_params(self.params)
        self._refresh()

    def __iter__(self):
        return iter(self.callbacks)

    def set_params(self, params):
        self.params = params
        for cb in self.callbacks:
            cb.set_params(params)

    def set_model(self, model):
        self.model = model
        if self._history is not None:
            model.history = self._history
        for cb in self.callbacks:
            cb.set_model(model)

    def _refresh(self) -> None:
        """Work out, once, which callbacks take part in each batch hook and how."""
        self._dispatch = {
            hook: [
                (getattr(cb, hook), bool(getattr(cb, "accepts_lazy_logs", False)))
                for cb in self.callbacks
                if overrides(cb, *names)
            ]
            for hook, names in _BATCH_HOOKS.items()
        }

    def _needs(self, hook: str) -> bool:
        return any(not lazy for _, lazy in self._dispatch[hook])

    @property
    def needs_batch_logs(self) -> bool:
        """True if some callback reads the train-batch logs at every step (a sync per step)."""
        return self._needs("on_train_batch_end")

    @property
    def needs_test_batch_logs(self) -> bool:
        """True if some callback reads the test-batch logs at every step."""
        return self._needs("on_test_batch_end")

    @property
    def needs_predict_batch_logs(self) -> bool:
        """True if some callback reads the predict-batch outputs at every step."""
        return self._needs("on_predict_batch_end")

    # -- batch hooks (hot path) --------------------------------------------------------------

    def _batch_begin(self, hook: str, batch, logs) -> None:
        for fn, _ in self._dispatch[hook]:
            fn(batch, logs)

    def _batch_end(self, hook: str, batch, logs) -> None:
        consumers = self._dispatch[hook]
        if not consumers:
            return
        get = _Once(logs) if callable(logs) else _Const(logs)
        for fn, lazy in consumers:
            fn(batch, get if lazy else get())

    def on_train_batch_begin(self, batch, logs=None):
        self._batch_begin("on_train_batch_begin", batch, logs)

    def on_train_batch_end(self, batch, logs=None):
        self._batch_end("on_train_batch_end", batch, logs)

    # Keras 1 names, called on the list itself: same as the train-batch hooks.
    def on_batch_begin(self, batch, logs=None):
        self._batch_begin("on_train_batch_begin", batch, logs)

    def on_batch_end(self, batch, logs=None):
        self._batch_end("on_train_batch_end", batch, logs)

    def on_test_batch_begin(self, batch, logs=None):
        self._batch_begin("on_test_batch_begin", batch, logs)

    def on_test_batch_end(self, batch, logs=None):
        self._batch_end("on_test_batch_end", batch, logs)

    def on_predict_batch_begin(self, batch, logs=None):
        self._batch_begin("on_predict_batch_begin", batch, logs)

    def on_predict_batch_end(self, batch, logs=None):
        self._batch_end("on_predict_batch_end", batch, logs)

    # -- epoch and run hooks -----------------------------------------------------------------

    def _each(self, hook: str, *args) -> None:
        for cb in self.callbacks:
            getattr(cb, hook)(*args)

    def on_epoch_begin(self, epoch, logs=None):
        self._each("on_epoch_begin", epoch, {} if logs is None else logs)

    def on_epoch_end(self, epoch, logs=None):
        self._each("on_epoch_end", epoch, {} if logs is None else logs)

    def on_train_begin(self, logs=None):
        self._refresh()  # the user may have edited ``callbacks`` or a callback's hooks
        self._each("on_train_begin", {} if logs is None else logs)

    def on_train_end(self, logs=None):
        self._each("on_train_end", {} if logs is None else logs)

    def on_test_begin(self, logs=None):
        self._each("on_test_begin", {} if logs is None else logs)

    def on_test_end(self, logs=None):
        self._each("on_test_end", {} if logs is None else logs)

    def on_predict_begin(self, logs=None):
        self._refresh()
        self._each("on_predict_begin", {} if logs is None else logs)

    def on_predict_end(self, logs=None):
        self._each("on_predict_end", {} if logs is None else logs)


def _flatten(callbacks) -> list:
    """The callbacks as a flat list, each checked to be a Callback instance."""
    if callbacks is None:
        return []
    if isinstance(callbacks, Callback):
        callbacks = [callbacks]
    out = []
    for cb in callbacks:
        if isinstance(cb, (list, tuple)):
            out.extend(_flatten(cb))
        elif isinstance(cb, Callback):
            out.append(cb)
        elif isinstance(cb, type) and issubclass(cb, Callback):
            raise TypeError(
                f"callbacks must hold Callback instances, but got the class {cb.__name__} itself. "
                f"Create an instance: {cb.__name__}(...)."
            )
        else:
            raise TypeError(
                f"callbacks must be a list of lamina.callbacks.Callback instances; got {cb!r} "
                f"of type {type(cb).__name__}. Subclass lamina.callbacks.Callback, or wrap "
                "functions in lamina.callbacks.LambdaCallback."
            )
    return out


def _chief() -> bool:
    from lamina.distribution import is_chief

    return is_chief()
