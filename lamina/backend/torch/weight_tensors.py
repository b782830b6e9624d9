"""The tensors a torch layer stores its weights in, speaking Keras 3's Variable API.

Under torch, ``layer.kernel`` is the module's own storage: a :class:`Parameter` (trainable
weight) or a :class:`Buffer` (non-trainable weight, e.g. ``moving_mean``), so the forward pass
reads a plain tensor attribute and torch sees ordinary parameters and buffers. Keras 3 code also
calls the Variable API on that attribute between calls (``layer.kernel.assign_add(delta)``,
``print(layer.kernel.path)``); these classes answer it by delegating to the layer's ``Variable``
handle for the weight (the one in ``layer.weights``), stamped on the tensor when the handle is
made. Arithmetic, indexing and every torch function see a plain tensor: both classes keep torch's
``__torch_function__`` disabled, as ``nn.Parameter`` does, so an op costs what it costs on
``torch.Tensor``.
"""

from __future__ import annotations

from collections import OrderedDict

import torch

from lamina.backend.torch.ops.core import convert_to_tensor

_HANDLE = "_lamina_variable"


class _VariableAPI:
    """Keras 3's Variable API on a weight tensor (mixed into :class:`Parameter` and :class:`Buffer`)."""

    def _handle(self):
        return self.__dict__.get(_HANDLE)

    @property
    def path(self) -> str | None:
        """The weight's path, ``'<layer name>/<weight name>'`` (None for a tensor that is no
        layer's weight, e.g. one copied on its own)."""
        h = self._handle()
        return h.path if h is not None else None

    @property
    def name(self) -> str | None:  # shadows torch's autograd debug name, which is None here
        """The weight's name ('kernel')."""
        h = self._handle()
        return h.name if h is not None else None

    @property
    def trainable(self) -> bool:
        """Whether training updates the weight; setting it moves the weight between
        ``layer.trainable_weights`` and ``layer.non_trainable_weights``."""
        h = self._handle()
        return h.trainable if h is not None else bool(self.requires_grad)

    @trainable.setter
    def trainable(self, flag: bool) -> None:
        h = self._handle()
        if h is not None:
            h.trainable = flag
        elif isinstance(self, torch.nn.Parameter):
            self.requires_grad_(bool(flag))

    @property
    def value(self) -> torch.Tensor:
        return self

    def numpy(self):  # noqa: D102  (torch's numpy() refuses tensors that need grad)
        # A copy, never a view: later in-place updates must not change arrays already handed out.
        return self.detach().cpu().numpy().copy()

    def _update(self, method, value, in_place):
        """Apply ``method`` ('assign', 'assign_add', 'assign_sub') through the layer's Variable
        (StatelessScope-aware), or, for a weight that is no Variable's value, ``in_place`` on
        the converted value under no_grad."""
        h = self._handle()
        if h is not None and h.value is self:
            getattr(h, method)(value)
            return self
        with torch.no_grad():
            in_place(convert_to_tensor(value, self.dtype))
        return self

    def assign(self, value):
        """Set the value in place."""
        return self._update("assign", value, lambda v: self.copy_(v.reshape(self.shape)))

    def assign_add(self, value):
        """Add ``value`` in place."""
        return self._update("assign_add", value, self.add_)

    def assign_sub(self, value):
        """Subtract ``value`` in place."""
        return self._update("assign_sub", value, self.sub_)

    def _copy_handle(self, result, memo):
        # Inside a deepcopy of the owning layer the handle is copied with it (the memo already
        # holds the new layer); a tensor copied on its own is no layer's weight.
        h = self._handle()
        if h is not None and id(h._owner) in memo:
            import copy

            result.__dict__[_HANDLE] = copy.deepcopy(h, memo)
        return result


class Parameter(_VariableAPI, torch.nn.Parameter):
    """A trainable weight: an ``nn.Parameter`` that also speaks the Keras Variable API."""

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        result = torch.nn.Parameter.__deepcopy__(self, memo)
        return self._copy_handle(result, memo)

    def __reduce_ex__(self, proto):
        # Pickled as torch pickles a Parameter without state: the handle belongs to the layer.
        return torch._utils._rebuild_parameter, (self.data, self.requires_grad, OrderedDict())


class Buffer(_VariableAPI, torch.Tensor):
    """A non-trainable weight (a module buffer) that also speaks the Keras Variable API."""

    __torch_function__ = torch._C._disabled_torch_function_impl

    @staticmethod
    def of(tensor: torch.Tensor) -> "Buffer":
        """``tensor``'s storage as a Buffer (no copy)."""
        return torch.Tensor._make_subclass(Buffer, tensor.detach(), False)

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        result = Buffer.of(self.detach().clone(memory_format=torch.preserve_format))
        memo[id(self)] = result
        return self._copy_handle(result, memo)

    def __reduce_ex__(self, proto):
        # Saved as a plain tensor (torch.load(weights_only=True) accepts it; the handle is the
        # layer's, not the tensor's).
        return torch.Tensor.__reduce_ex__(self.as_subclass(torch.Tensor), proto)


def stamp(tensor, variable) -> None:
    """Let ``tensor`` (a layer's Parameter or Buffer) answer for ``variable``."""
    if isinstance(tensor, _VariableAPI):
        tensor.__dict__[_HANDLE] = variable
