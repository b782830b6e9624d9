"""Python functions in configs (``Lambda`` layers): Keras's ``__lambda__`` form, and safe mode.

A lambda is stored as base64 of its ``marshal``-ed bytecode (Python-version specific), as
Keras 3 stores it. Loading one runs code taken from the file, so it is refused unless the
caller says the file is trusted with ``safe_mode=False``. Named functions are stored by name
and found again among registered objects, ``custom_objects`` and lamina's own functions.
"""

from __future__ import annotations

import base64
import binascii
import builtins
import contextlib
import marshal
import threading
import types

from lamina.errors import UnsafeLoadError


class _SafeMode(threading.local):
    def __init__(self):
        self.value = None  # None: not set by any enclosing load (counts as safe)


_SAFE_MODE = _SafeMode()


@contextlib.contextmanager
def safe_mode_scope(safe_mode=True):
    """Set the safe mode seen by ``deserialize_function`` (and ``Lambda.from_config``) inside.

    Inside a safe scope the mode can never be lowered: a nested ``safe_mode=False`` (a file
    that makes lamina load another file, say) stays safe.
    """
    prev = _SAFE_MODE.value
    if prev is not True:
        _SAFE_MODE.value = None if safe_mode is None else bool(safe_mode)
    try:
        yield
    finally:
        _SAFE_MODE.value = prev


def in_safe_mode() -> bool:
    """True unless an enclosing load passed ``safe_mode=False``."""
    return _SAFE_MODE.value is not False


def serialize_function(fn):
    """A function as it appears in a config.

    A lambda (or any function without a findable name, e.g. a nested function) becomes
    ``{"class_name": "__lambda__", "config": {"code", "defaults", "closure"}}``; a named
    module-level function becomes ``{"module", "class_name": "function", "config": name,
    "registered_name"}``.

    Example:
        >>> serialize_function(lambda x: x + 1)["class_name"]
        '__lambda__'
    """
    if not callable(fn):
        raise TypeError(f"serialize_function() expects a function, received {fn!r}.")
    from lamina.saving.object_registration import _GLOBAL_CUSTOM_NAMES

    if isinstance(fn, types.FunctionType) and (fn.__name__ == "<lambda>" or "<locals>" in fn.__qualname__) \
            and id(fn) not in _GLOBAL_CUSTOM_NAMES:
        code = base64.b64encode(marshal.dumps(fn.__code__)).decode("ascii")
        closure = None
        if fn.__closure__:
            closure = [c.cell_contents for c in fn.__closure__]
        return {"class_name": "__lambda__",
                "config": {"code": code, "defaults": list(fn.__defaults__) if fn.__defaults__ else None,
                           "closure": closure}}
    from lamina.saving.serialization_lib import serialize_keras_object

    return serialize_keras_object(fn)


def deserialize_function(config, safe_mode=None, custom_objects=None):
    """Rebuild a function from ``serialize_function``'s output (or a Keras 1/2 Lambda config).

    Args:
        config: the ``__lambda__`` dict, a Keras 2 ``[code, defaults, closure]`` list, a
            function dict, or a function name.
        safe_mode: False allows running bytecode from the file; True refuses it; None uses
            the enclosing ``load_model(safe_mode=...)`` (refusing when there is none).
        custom_objects: names -> objects, searched for named functions (and made available
            to a lambda's globals).

    Raises:
        lamina.errors.UnsafeLoadError: the config holds bytecode and safe mode is on.
    """
    if callable(config):
        return config
    if isinstance(config, dict) and config.get("class_name") == "__lambda__":
        inner = config.get("config") or {}
        return _load_bytecode(inner.get("code"), inner.get("defaults"), inner.get("closure"),
                              safe_mode, custom_objects)
    if isinstance(config, (list, tuple)) and len(config) == 3 and isinstance(config[0], str):
        return _load_bytecode(config[0], config[1], config[2], safe_mode, custom_objects)  # Keras 2
    from lamina.saving.serialization_lib import deserialize_keras_object

    fn = deserialize_keras_object(config, custom_objects=custom_objects, safe_mode=safe_mode,
                                  kind="function")
    if not callable(fn):
        raise ValueError(
            f"Could not find the function {config!r} of a Lambda layer. Pass it in "
            "custom_objects={'name': function} or register it with "
            "@lamina.saving.register_keras_serializable()."
        )
    return fn


def _load_bytecode(code, defaults, closure, safe_mode, custom_objects):
    # An enclosing safe load wins over any safe_mode=False requested inside it.
    unsafe_allowed = _SAFE_MODE.value is not True and (
        safe_mode is False or (safe_mode is None and _SAFE_MODE.value is False))
    if not unsafe_allowed:
        raise UnsafeLoadError(
            "This config holds a Python lambda stored as bytecode (a Lambda layer); loading it "
            "would run code from the file, so lamina refuses by default. If you trust the file, "
            "pass safe_mode=False: lamina.models.load_model(path, safe_mode=False) (or "
            "Lambda.from_config(config, safe_mode=False)). Better: give the function a name, "
            "register it with @lamina.saving.register_keras_serializable() and save again."
        )
    try:
        raw = base64.b64decode(code.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, AttributeError):
        raw = str(code).encode("raw_unicode_escape")  # Keras 1 stored raw bytes as text
    try:
        fn_code = marshal.loads(raw)
    except (ValueError, EOFError, TypeError) as e:
        raise ValueError(
            f"The Lambda bytecode in this config cannot be read ({e}). It is specific to the "
            "Python version that saved it; load the file with that Python version, or rebuild "
            "the Lambda layer in code and load only the weights."
        ) from None
    cells = None
    if closure:
        cells = tuple(types.CellType(v) for v in closure)
    return types.FunctionType(fn_code, _lambda_globals(custom_objects), name=fn_code.co_name,
                              argdefs=tuple(defaults) if defaults else None, closure=cells)


def _lambda_globals(custom_objects):
    import numpy as np

    import lamina

    g = {"__builtins__": builtins, "lamina": lamina, "keras": lamina, "ops": lamina.ops,
         "K": lamina.backend, "backend": lamina.backend, "np": np, "numpy": np}
    if custom_objects:
        g.update(custom_objects)
    return g
