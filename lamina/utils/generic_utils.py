"""Keras 2 module path ``keras.utils.generic_utils``, deprecated.

``Progbar`` lives in ``lamina.utils``; the custom-object scope and (de)serialization helpers in
``lamina.saving``.
"""

from lamina.utils.legacy_module import reexport

__getattr__, __dir__ = reexport("lamina.utils.generic_utils", {
    "Progbar": "lamina.utils",
    "CustomObjectScope": "lamina.saving",
    "custom_object_scope": "lamina.saving",
    "get_custom_objects": "lamina.saving",
    "serialize_keras_object": "lamina.saving",
    "deserialize_keras_object": "lamina.saving",
    "to_list": "lamina.utils.legacy_helpers",
})
