"""Custom objects: ``@register_keras_serializable``, ``custom_object_scope``, ``get_custom_objects``.

A saved config names each object by ``class_name`` and, for user objects, ``registered_name``
(``"package>Name"``). Loading finds user classes here: the ``custom_objects`` argument first,
then the innermost ``custom_object_scope``, then the global registry.
"""

from __future__ import annotations

import contextlib
import inspect
import threading

# registered name ("package>Name", or a plain name added by hand) -> object
_GLOBAL_CUSTOM_OBJECTS: dict = {}
# id(object) -> registered name
_GLOBAL_CUSTOM_NAMES: dict = {}


class _ScopeStack(threading.local):
    def __init__(self):
        self.stack = []


_SCOPES = _ScopeStack()


def register_keras_serializable(package: str = "Custom", name: str | None = None):
    """Decorator that registers a class or function so saved models find it by name.

    The object is saved with ``registered_name = f"{package}>{name}"`` and found again by
    ``load_model`` without passing ``custom_objects``. Registering the same name again
    replaces the previous object (re-running a notebook cell is not an error).

    Args:
        package: namespace of the name (default ``"Custom"``).
        name: the name to register under; the class or function's ``__name__`` by default.

    Example:
        >>> import lamina
        >>> @lamina.saving.register_keras_serializable(package="demo")
        ... class Twice(lamina.layers.Layer):
        ...     def call(self, x):
        ...         return x * 2
        >>> lamina.saving.get_registered_name(Twice)
        'demo>Twice'
    """
    if not isinstance(package, str) or ">" in package:
        raise ValueError(
            f"register_keras_serializable: package must be a string without '>', received {package!r}."
        )

    def decorator(obj):
        serialized = name if name is not None else getattr(obj, "__name__", None)
        if not serialized:
            raise ValueError(
                f"register_keras_serializable: cannot find a name for {obj!r}; pass name='...'."
            )
        if inspect.isclass(obj) and not hasattr(obj, "get_config"):
            raise ValueError(
                f"Cannot register {obj.__name__}: a class must implement get_config() to be "
                "saved and loaded. Add get_config() returning its constructor arguments."
            )
        registered = f"{package}>{serialized}"
        _GLOBAL_CUSTOM_OBJECTS[registered] = obj
        _GLOBAL_CUSTOM_NAMES[id(obj)] = registered
        return obj

    return decorator


register_serializable = register_keras_serializable


def get_custom_objects() -> dict:
    """The global registry (registered name -> object). It may be edited directly, Keras 2
    style: ``get_custom_objects()["MyLayer"] = MyLayer``."""
    return _GLOBAL_CUSTOM_OBJECTS


def get_registered_name(obj) -> str:
    """The name ``obj`` is saved under: its registered name, else its ``__name__``."""
    name = _GLOBAL_CUSTOM_NAMES.get(id(obj))
    if name is not None:
        return name
    return getattr(obj, "__name__", type(obj).__name__)


def get_registered_object(name, custom_objects=None, module_objects=None):
    """The object registered as ``name`` (a registered name or a plain class name), or None.

    Looked up in ``custom_objects``, the active ``custom_object_scope``s (innermost first),
    the global registry (by registered name, then by plain name), then ``module_objects``.
    """
    if name is None:
        return None
    for table in _search_tables(custom_objects):
        if name in table:
            return table[name]
    if ">" not in str(name):
        for registered, obj in _GLOBAL_CUSTOM_OBJECTS.items():
            if registered.split(">")[-1] == name:
                return obj
    if module_objects and name in module_objects:
        return module_objects[name]
    return None


def registered_names(custom_objects=None) -> list:
    """Every name a custom object can currently be found under (for error suggestions)."""
    out = []
    for table in _search_tables(custom_objects):
        out.extend(str(k).split(">")[-1] for k in table)
    return out


def _search_tables(custom_objects):
    tables = []
    if custom_objects:
        tables.append(custom_objects)
    tables.extend(reversed(_SCOPES.stack))
    tables.append(_GLOBAL_CUSTOM_OBJECTS)
    return tables


@contextlib.contextmanager
def custom_object_scope(*scopes):
    """Within this ``with`` block, loading finds the objects in the given dicts by name.

    Example:
        >>> import lamina
        >>> with lamina.saving.custom_object_scope({"MyLayer": lamina.layers.Dense}):
        ...     lamina.saving.get_registered_object("MyLayer") is lamina.layers.Dense
        True
    """
    merged = {}
    for s in scopes:
        if s:
            if not isinstance(s, dict):
                raise TypeError(
                    f"custom_object_scope() takes dicts mapping names to objects; received {s!r}."
                )
            merged.update(s)
    _SCOPES.stack.append(merged)
    try:
        yield merged
    finally:
        _SCOPES.stack.pop()


CustomObjectScope = custom_object_scope
