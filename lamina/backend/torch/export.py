"""ONNX export of a lamina model under torch (``model.export('m.onnx')``).

The model runs in inference mode inside a small wrapper module that takes one tensor per model
input and returns a tuple of outputs; the batch dimension (and any other unknown dimension) is
dynamic. ``torch.onnx``'s ``torch.export``-based exporter is used, falling back to the older
TorchScript exporter when it cannot trace the model.
"""

from __future__ import annotations

import contextlib
import io
import warnings

import torch

from lamina.backend.torch.ops.core import DEVICE, to_torch_dtype


class _Inference(torch.nn.Module):
    def __init__(self, model, structure, names):
        super().__init__()
        self.model = model
        self._structure = structure
        self._names = names

    def forward(self, *xs):
        if self._structure == "dict":
            inputs = dict(zip(self._names, xs))
        elif self._structure == "list":
            inputs = list(xs)
        else:
            inputs = xs[0]
        out = self.model(inputs, training=False)
        if isinstance(out, dict):
            return tuple(out.values())
        if isinstance(out, (list, tuple)):
            return tuple(out)
        return out


def _signature(model, input_signature):
    """[(name, shape, dtype)] of the inputs, and their structure ('single'/'list'/'dict')."""
    if input_signature is not None:
        specs = input_signature if isinstance(input_signature, (list, tuple)) else [input_signature]
        out = []
        for i, s in enumerate(specs):
            shape = getattr(s, "shape", s)
            dtype = getattr(s, "dtype", "float32")
            out.append((getattr(s, "name", None) or f"input_{i}", tuple(shape), str(dtype)))
        return out, "single" if len(out) == 1 else "list"
    try:
        inputs = model.inputs
    except (AttributeError, ValueError) as e:
        raise ValueError(
            f"Cannot export model '{model.name}': its input shape is unknown ({e}). Build it "
            "first (call it on data, or give the first layer an input_shape), or pass "
            "input_signature=[lamina.KerasTensor((None, 784))] to export()."
        ) from None
    struct = getattr(model, "_input_struct", None)
    structure = "dict" if isinstance(struct, dict) else ("list" if len(inputs) > 1 else "single")
    names = list(struct) if isinstance(struct, dict) else [
        t.name or f"input_{i}" for i, t in enumerate(inputs)]
    return [(n, tuple(t.shape), t.dtype) for n, t in zip(names, inputs)], structure


def export_onnx(model, filepath, input_signature=None, opset_version=None, verbose=False, dynamo=None):
    """Write ``model`` as an ONNX graph to ``filepath``.

    Args:
        input_signature: shapes (None for dynamic dims) of the inputs when the model does not
            know them, e.g. ``[lamina.KerasTensor((None, 784))]``.
        opset_version: ONNX opset (torch's default when None).
        dynamo: True: only the torch.export-based exporter; False: only the TorchScript one;
            None: the first, falling back to the second.
    """
    specs, structure = _signature(model, input_signature)
    names = _unique([n for n, _, _ in specs])
    try:
        out_names = _unique(list(model.output_names))
    except (AttributeError, ValueError):
        out_names = None
    batch = torch.export.Dim("batch")
    examples, dynamic_shapes, dynamic_axes = [], [], {}
    for (name, shape, dtype), uname in zip(specs, names):
        dims = {}
        concrete = []
        for j, d in enumerate(shape):
            if d is None:
                dims[j] = batch if j == 0 else torch.export.Dim(f"{uname}_dim{j}")
                concrete.append(2 if j == 0 else 3)
            else:
                concrete.append(int(d))
        examples.append(torch.zeros(tuple(concrete), dtype=to_torch_dtype(dtype), device=DEVICE))
        dynamic_shapes.append(dims or None)
        dynamic_axes[uname] = {j: ("batch" if j == 0 else f"{uname}_dim{j}") for j in dims}
    wrapper = _Inference(model, structure, [n for n, _, _ in specs]).eval()
    was_training = model.training
    model.eval()
    kwargs = {"input_names": names, "opset_version": opset_version}
    if out_names:
        kwargs["output_names"] = out_names
    errors = []
    try:
        with torch.no_grad():
            wrapper(*examples)  # builds a lazily-built model before tracing, checks it runs
        if dynamo in (None, True):
            try:
                with _quiet(verbose):
                    torch.onnx.export(wrapper, tuple(examples), filepath, dynamo=True,
                                      dynamic_shapes=tuple(dynamic_shapes), optimize=False,
                                      verbose=verbose, **kwargs)
                return
            except Exception as e:  # noqa: BLE001 - fall back to the TorchScript exporter
                errors.append(f"torch.export-based exporter: {type(e).__name__}: {e}")
                if dynamo is True:
                    raise
        with _quiet(verbose):
            axes = dict(dynamic_axes)
            for n in out_names or []:
                axes[n] = {0: "batch"}
            torch.onnx.export(wrapper, tuple(examples), filepath, dynamo=False,
                              dynamic_axes=axes, verbose=verbose, **kwargs)
    except Exception as e:
        raise RuntimeError(
            f"ONNX export of model '{model.name}' failed: {type(e).__name__}: {e}"
            + (f" (earlier: {errors[0][:300]})" if errors else "")
            + ". Layers that use Python control flow depending on tensor values cannot be exported."
        ) from e
    finally:
        model.train(was_training)


def _unique(names):
    seen, out = {}, []
    for n in names:
        n = str(n)
        if n in seen:
            seen[n] += 1
            n = f"{n}_{seen[n]}"
        else:
            seen[n] = 0
        out.append(n)
    return out


@contextlib.contextmanager
def _quiet(verbose):
    if verbose:
        yield
        return
    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore")
        yield
