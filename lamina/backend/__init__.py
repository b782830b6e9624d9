"""The numeric engine behind lamina, and the Keras ``backend`` module (the seeds' ``K``).

Only ``lamina/backend/<name>/`` imports torch or jax. The rest of lamina uses ``lamina.ops``
and the contract exported here:

- ``ops``: the op set (re-exported as ``lamina.ops``);
- ``LayerBase``: the class every Layer derives from (a torch.nn.Module under torch);
- ``Variable``: the Keras-style handle on a layer weight;
- ``trainer``: compiled train/test/predict steps for the one loop in ``lamina.training``.
"""

from __future__ import annotations

from lamina import config as _config
from lamina.config import (  # noqa: F401  (the Keras backend API)
    epsilon,
    floatx,
    image_data_format,
    set_epsilon,
    set_floatx,
    set_image_data_format,
)

_name = _config.backend()
if _name == "torch":
    from lamina.backend.torch import ops  # noqa: F401
    from lamina.backend.torch import random  # noqa: F401
    from lamina.backend.torch import core as _core
elif _name == "jax":
    raise ImportError(
        "LAMINA_BACKEND=jax was requested, but the JAX backend is not part of this lamina "
        "version yet. Unset LAMINA_BACKEND (or set it to 'torch') to use the PyTorch backend."
    )

Tensor = ops.Tensor


def backend() -> str:
    """The name of the backend in use ('torch')."""
    return _name


def __getattr__(name):
    # The trainer and optimizer kernels load on first use.
    if name == "trainer":
        from lamina.backend.torch import trainer

        return trainer
    if name == "module_wrapper":  # plain torch.nn.Modules as lamina layers
        from lamina.backend.torch import module_wrapper

        return module_wrapper
    if name == "data":  # torch Datasets given to fit
        from lamina.backend.torch import data

        return data
    if name == "optimizers":
        from lamina.backend.torch import optimizers

        return optimizers
    raise AttributeError(f"module 'lamina.backend' has no attribute '{name}'")


def clear_session() -> None:
    """Reset lamina's global state: automatic layer names start again from 'dense', 'dense_1'."""
    from lamina.utils import naming

    naming.reset_uids()
    _core.clear_caches()


def learning_phase() -> int:
    """Keras 1/2: 0 for inference, 1 for training. lamina passes ``training=`` to calls instead;
    outside a training call this is 0."""
    from lamina.errors import deprecated

    deprecated("K.learning_phase()", "the training=True/False argument of a layer or model call")
    from lamina.layers import layer as _layer

    return 1 if _layer.current_training() else 0


def set_learning_phase(value: int) -> None:
    raise ValueError(
        "K.set_learning_phase() was removed in Keras 2.4+ and lamina does not support it: "
        "pass training=True or training=False when calling a model or layer instead."
    )


_NO_SESSION = ("nothing (lamina runs eagerly and has no TensorFlow session; to reset lamina's "
               "state call lamina.backend.clear_session())")


def set_session(session=None) -> None:
    """Keras 1/2 (TensorFlow): make ``session`` the one Keras uses. lamina has no sessions, so this
    only warns; device and thread settings belong to PyTorch (``torch.set_num_threads``, ``.to()``)."""
    from lamina.errors import deprecated

    deprecated("K.set_session(session)", _NO_SESSION)
    return None


def get_session():
    """Keras 1/2 (TensorFlow): the session Keras uses. lamina has no sessions: warns, returns None."""
    from lamina.errors import deprecated

    deprecated("K.get_session()", _NO_SESSION)
    return None


def int_shape(x) -> tuple:
    """The static shape of a tensor or symbolic tensor, as a tuple (Keras 2's K.int_shape)."""
    return tuple(x.shape)


def is_keras_tensor(x) -> bool:
    from lamina.layers.keras_tensor import KerasTensor

    return isinstance(x, KerasTensor)


def get_uid(prefix: str = "") -> int:
    from lamina.utils import naming

    return naming.get_uid(prefix)


def set_seed(seed: int) -> None:
    ops.set_seed(seed)


from lamina.backend.torch.core import compute_scope, no_grad  # noqa: E402,F401
from lamina.backend.torch.layer import (  # noqa: E402,F401
    LayerBase,
    Parameter,
    Variable,
    inference_scope,
    zeros_spec,
)
