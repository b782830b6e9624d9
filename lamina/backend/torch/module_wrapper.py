"""The torch side of ``lamina.layers.TorchModuleWrapper``: a plain ``torch.nn.Module``'s state
seen as lamina weights.

Each entry of the module's ``state_dict`` (parameters, then persistent buffers such as
BatchNorm statistics) gets a ``ModuleVariable`` handle: trainable if it is a parameter that
requires grad. The handles read the module's own storage, so ``fit`` trains the module's
parameters in place, ``summary()`` counts them and the weight files save and load them.
"""

from __future__ import annotations

import base64
import io

import torch

from lamina.backend.torch.variables import Variable
from lamina.backend.torch.ops.core import DEVICE


def is_native_module(value) -> bool:
    """True for a ``torch.nn.Module`` that is not a lamina layer."""
    from lamina.backend.torch.layer import LayerBase

    return isinstance(value, torch.nn.Module) and not isinstance(value, LayerBase)


class ModuleVariable(Variable):
    """A weight of a wrapped torch module: ``path`` is ``'<wrapper name>/<state_dict key>'``."""

    __slots__ = ("_layer",)

    @classmethod
    def of_module(cls, layer, owner, attr: str, key: str, trainable: bool) -> "ModuleVariable":
        v = cls._of_layer(owner, attr, key, trainable)  # owner: the submodule holding the tensor
        v._layer = layer
        return v

    @property
    def path(self) -> str:
        return f"{self._layer.name}/{self.name}"

    @property
    def trainable(self) -> bool:
        return self._trainable

    @trainable.setter
    def trainable(self, flag: bool) -> None:  # the wrapper, not the submodule, says trainable
        self._trainable = bool(flag)
        set_requires_grad([self], self._layer.trainable)


def prepare(module, owner_name: str):
    """Check that ``module`` can be wrapped and move it to lamina's device."""
    if not isinstance(module, torch.nn.Module):
        raise TypeError(
            f"TorchModuleWrapper '{owner_name}' expects a torch.nn.Module, received "
            f"{module!r} of type {type(module).__name__}."
        )
    lazy = getattr(torch.nn.modules.lazy, "LazyModuleMixin", ())
    if isinstance(module, lazy) and module.has_uninitialized_params():
        raise ValueError(
            f"TorchModuleWrapper '{owner_name}' received {type(module).__name__}, a lazy module "
            "whose parameters are not created yet. Call it once on a sample batch before wrapping "
            "it, or use a module with explicit sizes."
        )
    return module.to(DEVICE)


def module_variables(layer, module) -> list:
    """``ModuleVariable`` handles on every state_dict entry of ``module`` (each tensor once)."""
    out, seen = [], set()
    for key, tensor in module.state_dict(keep_vars=True).items():
        if id(tensor) in seen:  # tied weights appear under several keys
            continue
        seen.add(id(tensor))
        prefix, _, attr = key.rpartition(".")
        owner = module.get_submodule(prefix) if prefix else module
        trainable = isinstance(tensor, torch.nn.Parameter) and tensor.requires_grad
        out.append(ModuleVariable.of_module(layer, owner, attr, key, trainable))
    return out


def set_requires_grad(variables, flag: bool) -> None:
    for v in variables:
        t = v.value
        if isinstance(t, torch.nn.Parameter):
            t.requires_grad_(flag and v._trainable)


def serialize_module(module) -> str:
    """The whole module as base64 text (``torch.save``'s pickle), as Keras 3 stores it."""
    buffer = io.BytesIO()
    torch.save(module, buffer)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def deserialize_module(text: str):
    """The module ``serialize_module`` wrote. Unpickling runs code: callers check safe_mode."""
    return torch.load(io.BytesIO(base64.b64decode(text.encode("ascii"))), weights_only=False,
                      map_location=DEVICE)
