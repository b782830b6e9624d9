"""Keras 2 module path ``keras.utils.layer_utils``, deprecated.

``print_summary(model)`` is ``model.summary()``; ``count_params(weights)`` counts the scalars in a
list of weights (``model.count_params()`` for a whole model).
"""

from lamina.utils.legacy_module import reexport

__getattr__, __dir__ = reexport("lamina.utils.layer_utils", {
    "print_summary": "lamina.utils.summary_utils",
    "count_params": "lamina.utils.legacy_helpers",
    "get_source_inputs": "lamina.utils.legacy_helpers",
})
