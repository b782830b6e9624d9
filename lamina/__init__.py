"""lamina: Keras-style deep learning on PyTorch (default) and JAX.

``import lamina as keras`` makes Keras tutorials run.
"""

from lamina import config, errors  # noqa: F401
from lamina import backend  # noqa: F401
from lamina import ops  # noqa: F401

__version__ = "0.1.0"
