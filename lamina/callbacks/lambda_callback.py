"""LambdaCallback: a callback made of plain functions."""

from __future__ import annotations

from lamina import errors
from lamina.callbacks.callback import Callback

_HOOKS = tuple(
    name for name in vars(Callback) if name.startswith("on_") and callable(getattr(Callback, name))
)


class LambdaCallback(Callback):
    """A callback whose hooks are the functions you pass.

    Epoch hooks are called as ``f(epoch, logs)``, batch hooks as ``f(batch, logs)`` and the
    begin/end hooks of a run as ``f(logs)``. Any hook of :class:`Callback` can be given by
    keyword, including the Keras 1 names ``on_batch_begin`` / ``on_batch_end``.

    Args:
        on_epoch_begin, on_epoch_end, on_train_begin, on_train_end, on_train_batch_begin,
        on_train_batch_end: the functions to call (or None).
        **kwargs: other hooks, e.g. ``on_test_end=...`` or ``on_batch_end=...``.

    Example:

    ```python
    print_loss = lamina.callbacks.LambdaCallback(
        on_epoch_end=lambda epoch, logs: print(epoch, logs["loss"]))
    model.fit(x, y, callbacks=[print_loss])
    ```
    """

    def __init__(
        self,
        on_epoch_begin=None,
        on_epoch_end=None,
        on_train_begin=None,
        on_train_end=None,
        on_train_batch_begin=None,
        on_train_batch_end=None,
        **kwargs,
    ):
        super().__init__()
        hooks = dict(
            on_epoch_begin=on_epoch_begin,
            on_epoch_end=on_epoch_end,
            on_train_begin=on_train_begin,
            on_train_end=on_train_end,
            on_train_batch_begin=on_train_batch_begin,
            on_train_batch_end=on_train_batch_end,
        )
        for name, fn in kwargs.items():
            if name not in _HOOKS:
                raise TypeError(
                    f"LambdaCallback got an unexpected keyword argument '{name}'."
                    f"{errors.suggest(name, _HOOKS)} Hooks: {', '.join(_HOOKS)}."
                )
            hooks[name] = fn
        for name, fn in hooks.items():
            if fn is None:
                continue
            if not callable(fn):
                raise TypeError(f"LambdaCallback({name}=...) must be a function; received {fn!r}.")
            setattr(self, name, fn)  # an instance attribute replaces the method
