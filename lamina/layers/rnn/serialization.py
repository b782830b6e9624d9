"""Config of a layer held by another layer (an RNN's cell, a wrapper's layer)."""

from __future__ import annotations

from lamina.errors import unknown_identifier


def serialize_layer(layer) -> dict:
    """``{"module", "class_name", "config", "registered_name"}``, the Keras 3 form."""
    return {"module": "keras.layers", "class_name": type(layer).__name__,
            "config": layer.get_config(), "registered_name": None}


def deserialize_layer(config, custom_objects=None):
    """A layer from its serialized form (Keras 2 or 3 dialect); layer instances pass through."""
    import lamina.layers as layers
    from lamina.layers.layer import Layer

    if isinstance(config, Layer) or not isinstance(config, dict):
        return config
    central = getattr(layers, "deserialize", None)
    if callable(central):
        return central(config, custom_objects=custom_objects) if custom_objects else central(config)
    name = config.get("class_name")
    cls = (custom_objects or {}).get(name) or getattr(layers, str(name), None)
    if not (isinstance(cls, type) and issubclass(cls, Layer)):
        known = [n for n in dir(layers) if isinstance(getattr(layers, n), type)
                 and issubclass(getattr(layers, n), Layer)]
        raise unknown_identifier("layer", name, known)
    return cls.from_config(dict(config.get("config", {})))
