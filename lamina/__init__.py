"""lamina: Keras-style deep learning on PyTorch (default) and JAX.

``import lamina as keras`` makes Keras tutorials run.
"""

from lamina import config, errors  # noqa: F401
from lamina import backend  # noqa: F401
from lamina import ops  # noqa: F401
from lamina import random  # noqa: F401
from lamina import activations, constraints, initializers, regularizers  # noqa: F401
from lamina import layers  # noqa: F401
from lamina.layers import Input, InputSpec, KerasTensor, Layer  # noqa: F401
from lamina import models  # noqa: F401
from lamina import callbacks, datasets, losses, metrics, optimizers, preprocessing, saving, utils  # noqa: F401
from lamina.models import Model, Sequential  # noqa: F401
from lamina import wrappers  # noqa: F401  (scikit-learn is imported only when a wrapper is used)
from lamina import distribution  # noqa: F401
from lamina.backend import device_scope as device  # noqa: F401  (Keras 3's keras.device)

__version__ = "0.1.0"

__all__ = [
    "Input", "InputSpec", "KerasTensor", "Layer", "Model", "Sequential",
    "activations", "backend", "config", "constraints", "errors", "initializers", "layers",
    "models", "ops", "random", "regularizers", "callbacks", "datasets", "losses", "metrics", "optimizers", "preprocessing", "saving", "utils",
]
__all__ += ["wrappers"]
__all__ += ["distribution", "device"]
