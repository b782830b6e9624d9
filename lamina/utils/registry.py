"""Name -> object lookup shared by initializers, activations, regularizers, constraints, ..."""

from __future__ import annotations

from lamina.errors import unknown_identifier


def lookup(kind: str, identifier, table: dict, *, instantiate: bool):
    """Resolve a string (or a Keras config dict) through ``table``; errors suggest the nearest name."""
    if isinstance(identifier, dict):
        name = identifier.get("class_name")
        cfg = identifier.get("config", {}) or {}
        obj = table.get(name) or table.get(str(name).lower())
        if obj is None:
            raise unknown_identifier(kind, name, table)
        return obj.from_config(cfg) if hasattr(obj, "from_config") else obj(**cfg)
    key = identifier if identifier in table else str(identifier).lower()
    if key not in table:
        raise unknown_identifier(kind, identifier, table)
    obj = table[key]
    return obj() if instantiate and isinstance(obj, type) else obj
