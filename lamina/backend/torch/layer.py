"""The nn.Module bridge: under torch a lamina Layer IS a ``torch.nn.Module``.

Weights live where a torch user expects them: trainable weights are ``nn.Parameter``s,
non-trainable state (BatchNorm statistics...) are buffers, sub-layers are child modules, so
``.to()``, ``state_dict()``, ``parameters()`` and ``.train()/.eval()`` mean what they always do.
The Keras-style ``Variable`` is a handle that reads the module's own storage by name, so it
stays valid across ``.to(device)``.
"""

from __future__ import annotations

import contextlib
import functools

import torch

from lamina.backend.torch.ops.core import DEVICE, convert_to_tensor, to_torch_dtype
from lamina.backend.torch.variables import Variable  # noqa: F401  (re-exported)
from lamina.backend.torch.weight_tensors import Buffer, Parameter, stamp

Tensor = torch.Tensor


class LayerBase(torch.nn.Module):
    """What the backend contributes to ``lamina.layers.Layer``."""

    # Integer and bool inputs are cast to the compute dtype (False: Embedding, Lambda, models...).
    _casts_integer_inputs = True

    def _backend_init(self) -> None:
        torch.nn.Module.__init__(self)
        # Keras semantics: a layer called outside fit() runs in inference mode unless training=True
        # is passed. torch users who call .train() get training behaviour, as they expect.
        self.training = False

    def forward(self, *args, **kwargs):
        return self.call(*args, **kwargs)

    # ------------------------------------------------------------ weights storage
    def _create_weight(self, attr: str, value: torch.Tensor, trainable: bool) -> torch.Tensor:
        value = value.to(DEVICE)
        if trainable:
            p = Parameter(value, requires_grad=bool(self.trainable))
            self.register_parameter(attr, p)
            return p
        value = Buffer.of(value)
        self.register_buffer(attr, value)
        return value

    def _apply(self, fn, recurse=True):
        # .to(dtype/device), .double()...: torch replaces buffers by fn(buffer), a plain tensor;
        # the layer's non-trainable weights stay Buffers, answering for their Variable.
        out = torch.nn.Module._apply(self, fn, recurse)
        for v in self.__dict__.get("_own_weights", ()):
            t = self._buffers.get(v._attr)
            if t is not None and type(t) is not Buffer:
                self._buffers[v._attr] = t = Buffer.of(t)
                stamp(t, v)
        return out

    def _rename_weight(self, old: str, new: str) -> None:
        for store in (self._parameters, self._buffers):
            if old in store:
                store[new] = store.pop(old)
                return

    def _has_weight(self, attr: str) -> bool:
        return attr in self._parameters or attr in self._buffers

    def _weight_tensor(self, attr: str) -> torch.Tensor:
        t = self._parameters.get(attr)
        return t if t is not None else self._buffers[attr]

    def _find_own_weight(self, value):
        """The Variable handle whose storage is ``value`` (identity), or None."""
        specs = self.__dict__.get("_own_weights")
        if not specs or not isinstance(value, torch.Tensor):
            return None
        for v in specs:
            if self._weight_tensor(v._attr) is value:
                return v
        return None

    def __setattr__(self, name, value):
        # `self.w = self.add_weight(...)`: move the registration to the attribute name, so the
        # weight is stored once (state_dict key 'w'), as a parameter or a buffer as it was made.
        if isinstance(value, torch.Tensor):
            v = self._find_own_weight(value)
            if v is not None:
                if v._attr != name:
                    # A placeholder (`self.w = None` in __init__) must not shadow the weight.
                    self.__dict__.pop(name, None)
                    self._rename_weight(v._attr, name)
                    v._attr = name
                return
        elif isinstance(value, (list, tuple)) and value and all(
            isinstance(x, torch.nn.Module) for x in value
        ):
            # A list of layers is registered as a ModuleList (state_dict keys 'blocks.0.kernel').
            value = torch.nn.ModuleList(_wrap_native(x) for x in value)
        elif isinstance(value, torch.nn.ModuleList):
            value = torch.nn.ModuleList(_wrap_native(x) for x in value)
        elif isinstance(value, torch.nn.Module) and not isinstance(value, LayerBase):
            value = _wrap_native(value)
        torch.nn.Module.__setattr__(self, name, value)

    def _child_layers(self):
        out = []
        for m in self._modules.values():
            if isinstance(m, torch.nn.ModuleList):
                out.extend(x for x in m if isinstance(x, LayerBase))
            elif isinstance(m, LayerBase):
                out.append(m)
        return out

    def _set_requires_grad(self, flag: bool) -> None:
        for v in self.__dict__.get("_own_weights", ()):
            t = self._parameters.get(v._attr)
            if t is not None:
                t.requires_grad_(flag and v._trainable)

    @property
    def _dtype(self) -> str:
        return self.__dict__["_dtype_name"]

    @_dtype.setter
    def _dtype(self, name: str) -> None:
        # Also caches the torch dtype inputs are cast to, for Layer.__call__'s one-line check.
        self.__dict__["_dtype_name"] = name
        self.__dict__["_cast_to"] = float_dtype(name) or None

    def _autocast_input(self, x):
        """``x`` cast to the layer's float compute dtype (Keras's autocast), ints/bools too."""
        return autocast_input(self, x)

    # model.to(torch.float64) / .double() / .half() / .bfloat16(): the layers compute in it too.
    def to(self, *args, **kwargs):
        out = torch.nn.Module.to(self, *args, **kwargs)
        set_compute_dtype(self, torch._C._nn._parse_to(*args, **kwargs)[1])
        return out

    def double(self):
        return self.to(torch.float64)

    def float(self):
        return self.to(torch.float32)

    def half(self):
        return self.to(torch.float16)

    def bfloat16(self):
        return self.to(torch.bfloat16)

    _amp = None  # mixed precision: a torch dtype to autocast call() to, False to turn autocast off

    def _set_mixed_compute(self, policy) -> None:
        """A 'mixed_*' policy runs call() under torch.autocast for its compute dtype; an explicit
        plain float policy (a float32 layer in a mixed model) runs it with autocast off."""
        self.__dict__["_amp"] = float_dtype(policy.compute_dtype) if policy.is_mixed else False

    def _module_call(self, *args, **kwargs):
        # torch's own Module.__call__ runs only where a hook needs it (forward, backward or global).
        hooked = (self._forward_hooks or self._forward_pre_hooks or self._backward_hooks
                  or self._backward_pre_hooks or _GFH or _GFPH or _GBH or _GBPH)
        call = functools.partial(torch.nn.Module.__call__, self) if hooked else self.call
        amp = self._amp
        if amp is not None and (amp is not False or torch.is_autocast_enabled(DEVICE.type)):
            with torch.autocast(DEVICE.type, dtype=amp or None, enabled=amp is not False):
                return call(*args, **kwargs)
        return call(*args, **kwargs)


@contextlib.contextmanager
def reparametrized(layer, mapping):
    """Within the block, the weights of ``layer`` (and its sub-layers) named in ``mapping``
    (pairs ``(Variable, tensor)``) read as the given tensors, by swapping the module attributes
    as ``torch.func.functional_call`` does; the originals come back on exit."""
    prefixes = {id(m): p for p, m in layer.named_modules(remove_duplicate=False)}
    values = {}
    for var, value in mapping:
        owner = var._owner
        if owner is None or id(owner) not in prefixes:
            continue  # a free variable (seed state): the StatelessScope serves it
        p = prefixes[id(owner)]
        values[f"{p}.{var._attr}" if p else var._attr] = value
    with torch.nn.utils.stateless._reparametrize_module(layer, values, tie_weights=True, strict=False):
        yield


from lamina.backend.torch.autocast import autocast_input, float_dtype, set_compute_dtype  # noqa: E402


def _wrap_native(module):
    """A plain torch module becomes a TorchModuleWrapper, so fit trains it (as Keras 3 does)."""
    if isinstance(module, LayerBase):
        return module
    from lamina.layers.core.torch_module_wrapper import TorchModuleWrapper

    return TorchModuleWrapper(module)


# torch's registries of global module hooks (register_module_forward_hook...): dicts that torch
# mutates in place and never rebinds, so references taken once stay current.
_GFH = torch.nn.modules.module._global_forward_hooks
_GFPH = torch.nn.modules.module._global_forward_pre_hooks
_GBH = torch.nn.modules.module._global_backward_hooks
_GBPH = torch.nn.modules.module._global_backward_pre_hooks



def make_tensor(value, dtype=None):
    return convert_to_tensor(value, dtype)


def initial_value(initializer, shape, dtype):
    out = initializer(tuple(shape), dtype=dtype)
    t = convert_to_tensor(out, to_torch_dtype(dtype))
    return t.reshape(tuple(shape)) if tuple(t.shape) != tuple(shape) else t


def zeros_spec(shape, dtype):
    """A concrete stand-in for a symbolic input: zeros of ``shape`` (None dims filled in)."""
    return torch.zeros(tuple(shape), dtype=to_torch_dtype(dtype), device=DEVICE)


def run_on_zeros(run):
    """``run(zeros_spec)``: a symbolic call's stand-in run on zero tensors."""
    return run(zeros_spec)


def inference_scope():
    return torch.no_grad()
