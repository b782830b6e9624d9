"""The numeric engine behind lamina, and the Keras ``backend`` module (the seeds' ``K``).

Only ``lamina/backend/<name>/`` imports torch or jax. ``REGISTRY`` maps a backend name to its
package; the configured one is loaded and checked against ``lamina/backend/contract.py``. The
rest of lamina uses ``lamina.ops`` and the contract exported here:

- ``ops``: the op set (re-exported as ``lamina.ops``);
- ``LayerBase``: the class every Layer derives from (a torch.nn.Module under torch);
- ``Variable``: the Keras-style handle on a layer weight;
- ``trainer``: compiled train/test/predict steps for the one loop in ``lamina.training``.
"""

from __future__ import annotations

import importlib as _importlib

from lamina import config as _config
from lamina.backend import contract
from lamina.backend.stateless_scope import StatelessScope  # noqa: F401
from lamina.config import (  # noqa: F401  (the Keras backend API)
    epsilon,
    floatx,
    image_data_format,
    set_epsilon,
    set_floatx,
    set_image_data_format,
)

# The registry: backend name -> the package that implements the contract.
REGISTRY = {"torch": "lamina.backend.torch", "jax": "lamina.backend.jax"}
_name = _config.backend()
if _name not in REGISTRY:
    raise ImportError(
        f"LAMINA_BACKEND={_name} was requested, but the {_name} backend is not part of this "
        f"lamina version yet (available: {sorted(REGISTRY)}). Unset LAMINA_BACKEND (or set it "
        "to 'torch') to use the PyTorch backend."
    )
_package = REGISTRY[_name]
try:
    _importlib.import_module(f"{_package}.ops")
except ModuleNotFoundError as _e:
    if _e.name not in ("jax", "jaxlib", "torch"):
        raise
    raise ImportError(
        f"LAMINA_BACKEND={_name} needs the {_e.name} package, which is not installed. Install it "
        f"with `pip install lamina[{_name}]` (or `pip install {_e.name}`), or unset LAMINA_BACKEND."
    ) from None
contract.check(_name, _package, contract.EAGER)
ops = _importlib.import_module(f"{_package}.ops")
random = _importlib.import_module(f"{_package}.random")
_core = _importlib.import_module(f"{_package}.core")
_layer = _importlib.import_module(f"{_package}.layer")
_masks = _importlib.import_module(f"{_package}.masks")

Tensor = ops.Tensor
compute_scope = _core.compute_scope
device_scope = _core.device_scope
enable_tensor_float_32_execution = _core.enable_tensor_float_32_execution
no_grad = _core.no_grad
LayerBase = _layer.LayerBase
Parameter = _layer.Parameter
Variable = _layer.Variable
inference_scope = _layer.inference_scope
zeros_spec = _layer.zeros_spec
run_on_zeros = _layer.run_on_zeros
reparametrized = _layer.reparametrized
set_mask = _masks.set_mask
get_mask = _masks.get_mask


def backend() -> str:
    """The name of the backend in use ('torch' or 'jax')."""
    return _name


_LAZY = ("trainer", "optimizers", "export", "module_wrapper", "data", "distributed", "data_parallel", "compiled",
         "tensorboard")


def __getattr__(name):
    # The trainer, optimizer kernels, exporter, torch-module wrapper and torch-Dataset adapter of
    # the chosen backend load on first use.
    if name in _LAZY:
        module = _importlib.import_module(f"{_package}.{name}")
        globals()[name] = module
        return module
    if name.startswith("_") or name == "legacy":
        raise AttributeError(f"module 'lamina.backend' has no attribute '{name}'")
    # Keras 2's K.mean, K.function...: lamina/backend/legacy, loaded on first use
    return _importlib.import_module("lamina.backend.legacy").lookup(name)


def clear_session(free_memory: bool = True) -> None:
    """Reset lamina's global state: automatic layer names start again from 'dense', 'dense_1'.

    With ``free_memory`` (Keras 3's argument, default True) it also frees what old models left
    behind: Python's garbage collector runs, and the backend drops its caches (under JAX every
    compiled XLA program, eager ops included, which then compile again on next use; under torch
    the inference copies of conv kernels and, on a GPU, the CUDA cache). Pass
    ``free_memory=False`` in a short loop where only the names should start again.
    """
    from lamina.utils import naming

    naming.reset_uids()
    if free_memory:
        import gc

        gc.collect()
        _core.clear_caches()


def learning_phase() -> int:
    """Keras 1/2: 0 for inference, 1 for training. lamina passes ``training=`` to calls instead;
    outside a training call this is 0."""
    from lamina.errors import deprecated

    deprecated("K.learning_phase()", "the training=True/False argument of a layer or model call")
    from lamina.layers import layer as _layer

    return 1 if _layer.current_training() else 0


_NO_SESSION = ("nothing (lamina runs eagerly and has no TensorFlow session; to reset lamina's "
               "state call lamina.backend.clear_session())")


def set_session(session=None) -> None:
    """Keras 1/2 (TensorFlow): make ``session`` the one Keras uses. lamina has no sessions, so this
    only warns; device and thread settings belong to PyTorch (``torch.set_num_threads``, ``.to()``)."""
    from lamina.errors import deprecated

    deprecated("K.set_session(session)", _NO_SESSION)
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
    """Seed the backend's global generator (what random ops with ``seed=None`` draw from)."""
    random.set_seed(seed)
