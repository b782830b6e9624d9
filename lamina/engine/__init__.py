"""Keras 2 package ``keras.engine`` (and its modules topology, training, base_layer, input_layer,
sequential, network): deprecated paths to ``lamina.layers`` and ``lamina.models`` objects."""

from lamina.utils.legacy_module import reexport

ENGINE_NAMES = {
    "Layer": "lamina.layers", "InputSpec": "lamina.layers", "Input": "lamina.layers",
    "InputLayer": "lamina.layers", "Model": "lamina.models", "Sequential": "lamina.models",
    "Network": "lamina.models:Model", "Container": "lamina.models:Model",
    "Functional": "lamina.models", "get_source_inputs": "lamina.utils.legacy_helpers",
}

__getattr__, __dir__ = reexport("lamina.engine", ENGINE_NAMES)
