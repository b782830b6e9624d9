"""Native modules under JAX: there are none to wrap (``TorchModuleWrapper`` is torch-only)."""

from __future__ import annotations


def is_native_module(value) -> bool:
    return False


def _torch_only(*args, **kwargs):
    raise NotImplementedError(
        "TorchModuleWrapper wraps a torch.nn.Module and needs the torch backend. Unset "
        "LAMINA_BACKEND (or set it to 'torch') to use it."
    )


prepare = module_variables = set_requires_grad = serialize_module = deserialize_module = _torch_only
