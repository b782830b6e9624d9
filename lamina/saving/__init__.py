"""lamina.saving: whole models (.keras, .h5), weights (.weights.h5, .h5), configs (JSON), ONNX.

Files written by lamina load in Keras 3, and files written by Keras 3, Keras 2 (tf.keras) and
Keras 1 load in lamina. Saves are atomic; loading never unpickles, and runs no code stored in a
file unless ``safe_mode=False`` is passed.
"""

from lamina.saving.api import (
    clone_model,
    export,
    load_model,
    load_weights,
    model_from_json,
    model_to_json,
    save_model,
    save_weights,
)
from lamina.saving.object_registration import (
    CustomObjectScope,
    custom_object_scope,
    get_custom_objects,
    get_registered_name,
    get_registered_object,
    register_keras_serializable,
    register_serializable,
)
from lamina.saving.serialization_lib import (
    deserialize_keras_object,
    deserialize_layer,
    serialize_keras_object,
    serialize_layer,
)

__all__ = [
    "CustomObjectScope", "clone_model", "custom_object_scope", "deserialize_keras_object",
    "export", "get_custom_objects", "get_registered_name", "get_registered_object", "load_model",
    "load_weights", "model_from_json", "model_to_json", "register_keras_serializable",
    "register_serializable", "save_model", "save_weights", "serialize_keras_object",
    "serialize_layer", "deserialize_layer",
]
