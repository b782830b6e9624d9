"""Model export under JAX: not available yet (ONNX export is the torch backend's)."""

from __future__ import annotations


def _torch_only(*args, **kwargs):
    raise NotImplementedError(
        "Exporting a model (ONNX) uses torch.onnx and needs the torch backend. Save the model "
        "(model.save('m.keras')), load it under LAMINA_BACKEND=torch and export it there."
    )


def __getattr__(name):
    if name.startswith("_"):
        raise AttributeError(name)
    return _torch_only
