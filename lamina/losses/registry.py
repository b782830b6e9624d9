"""Name lookup and Keras-format (de)serialization shared by lamina.losses and lamina.metrics.

Serialized objects use the Keras 3 layout, so .keras files stay readable by Keras:
``{"module": "keras.losses", "class_name": "MeanSquaredError", "config": {...},
"registered_name": None}``, and for plain functions ``{"module": "builtins", "class_name":
"function", "config": "mean_squared_error", "registered_name": "function"}``. Keras 2
configs (``{"class_name": ..., "config": ...}`` without a module) are read too.
"""

from __future__ import annotations

import inspect

from lamina import errors


class Registry:
    """The string identifiers of one kind of object ('loss', 'metric')."""

    def __init__(self, kind: str, module: str, base: type):
        self.kind = kind
        self.module = module  # Keras module name written into configs
        self.base = base
        self.names: dict = {}

    def add(self, obj, *names) -> None:
        for name in names or (obj.__name__,):
            self.names[name] = obj

    def lookup(self, name: str, custom_objects=None):
        if custom_objects and name in custom_objects:
            return custom_objects[name]
        try:
            return self.names[name]
        except KeyError:
            raise errors.unknown_identifier(self.kind, name, self.names) from None

    def serialize(self, obj):
        if obj is None or isinstance(obj, str):
            return obj
        if isinstance(obj, self.base):
            cls = type(obj)
            builtin = self.names.get(cls.__name__) is cls
            return {
                "module": self.module if builtin else cls.__module__,
                "class_name": cls.__name__,
                "config": obj.get_config(),
                "registered_name": None if builtin else cls.__name__,
            }
        if inspect.isfunction(obj):
            return {"module": "builtins", "class_name": "function", "config": obj.__name__,
                    "registered_name": "function"}
        raise TypeError(
            f"Cannot serialize {obj!r} as a {self.kind}: expected a {self.base.__name__} "
            f"instance, a {self.kind} function or a string name."
        )

    def deserialize(self, config, custom_objects=None):
        if config is None:
            return None
        if isinstance(config, str):
            obj = self.lookup(config, custom_objects)
            return obj() if inspect.isclass(obj) else obj
        if not isinstance(config, dict) or "class_name" not in config:
            raise ValueError(
                f"Cannot deserialize a {self.kind} from {config!r}: expected a name or a dict "
                f"with 'class_name' and 'config' keys, as {self.module}.serialize writes."
            )
        class_name = config["class_name"]
        inner = config.get("config", {})
        if class_name == "function":
            return self.lookup(inner, custom_objects)
        name = config.get("registered_name") or class_name
        if custom_objects and name in custom_objects:
            cls = custom_objects[name]
        else:
            cls = self.lookup(class_name, custom_objects)
        if not inspect.isclass(cls):
            return cls
        return cls.from_config(dict(inner or {}))
