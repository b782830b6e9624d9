"""Keras 2 module path ``keras.utils.vis_utils``: ``plot_model`` and ``model_to_dot``, deprecated."""

from lamina.utils.legacy_module import reexport

__getattr__, __dir__ = reexport("lamina.utils.vis_utils", {
    "plot_model": "lamina.utils",
    "model_to_dot": "lamina.utils",
})
