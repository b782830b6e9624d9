"""ONNX export under JAX (``model.export('m.onnx')``), made by the torch backend's exporter.

Keras 3 exports a JAX model through jax2tf and tf2onnx, that is through TensorFlow, which lamina
does not depend on. lamina depends on torch, whose ``torch.onnx`` already exports every lamina
model (lamina/backend/torch/export.py), so under JAX the model is saved to a temporary ``.keras``
file and a child process, ``LAMINA_BACKEND=torch python -m lamina.saving.export_worker``, loads
it in safe mode and exports it with the same arguments (``input_signature``, ``opset_version``,
``dynamo``, ``verbose``). The weights travel in the file, so the ONNX graph computes what the
JAX model computes; the batch dimension is dynamic as under torch. No code is read from a file
(the child loads in safe mode and runs only lamina's own module) and the temporary folder is
removed whatever happens.

A model that the child cannot recreate by name (your own layer classes, registered functions,
Lambda layers) fails with a message saying how to export it from a torch-backend process that
imports those objects.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile


def export_onnx(model, filepath, input_signature=None, opset_version=None, verbose=False, dynamo=None):
    """Write ``model`` as an ONNX graph to ``filepath`` (see the module docstring).

    Args:
        input_signature: shapes (None for dynamic dims) of the inputs when the model does not
            know them, e.g. ``[lamina.KerasTensor((None, 784))]``.
        opset_version: ONNX opset (torch's default when None).
        verbose: print the exporter's messages.
        dynamo: True: only the torch.export-based exporter; False: only the TorchScript one;
            None: the first, falling back to the second.
    """
    specs = _specs(input_signature)
    _build(model, specs)
    options = {"input_signature": specs, "opset_version": opset_version, "verbose": bool(verbose),
               "dynamo": dynamo}
    with tempfile.TemporaryDirectory(prefix="lamina-onnx-") as folder:
        saved = os.path.join(folder, "model.keras")
        try:
            model.save(saved)
        except Exception as e:  # noqa: BLE001 - reported with the way out
            raise _not_recreatable(model, f"saving it failed ({type(e).__name__}: {str(e).rstrip('.')})") from e
        report, output = _run_worker(saved, os.fspath(filepath), options)
    if verbose and output:
        print(output, file=sys.stderr)
    if report.get("ok"):
        return
    if report.get("stage") == "load":
        raise _not_recreatable(model, f"loading it failed ({report['error'].rstrip('.')})")
    raise RuntimeError(
        f"ONNX export of model '{model.name}' (made under the JAX backend by torch.onnx in a "
        f"LAMINA_BACKEND=torch child process) failed: {report.get('error') or output[-2000:]}"
    )


def _specs(input_signature):
    """[[name, shape, dtype]] of ``input_signature`` (KerasTensors, shapes), JSON-ready."""
    if input_signature is None:
        return None
    specs = input_signature if isinstance(input_signature, (list, tuple)) and input_signature and \
        not isinstance(input_signature[0], (int, type(None))) else [input_signature]
    out = []
    for i, s in enumerate(specs):
        shape = [None if d is None else int(d) for d in getattr(s, "shape", s)]
        out.append([getattr(s, "name", None) or f"input_{i}", shape, str(getattr(s, "dtype", None) or "float32")])
    return out


def _build(model, specs):
    """Build ``model`` on zeros of ``specs`` (unknown sizes: 2) when it is not built yet."""
    if model.built and _has_inputs(model):
        return
    if specs is None:
        if model.built:
            return
        raise ValueError(
            f"Cannot export model '{model.name}': it has not been built, so its input shape is "
            "unknown. Build it first (call it on data, or give the first layer an input_shape), or "
            "pass input_signature=[lamina.KerasTensor((None, 784))] to export()."
        )
    from lamina import ops

    xs = [ops.zeros(tuple(2 if d is None else d for d in shape), dtype=dtype) for _, shape, dtype in specs]
    model(xs[0] if len(xs) == 1 else xs, training=False)


def _has_inputs(model) -> bool:
    try:
        return bool(model.inputs)
    except (AttributeError, ValueError):
        return False


def _run_worker(saved, target, options):
    """Run the torch-backend child on ``saved``; its JSON report and its other output."""
    import lamina

    root = os.path.dirname(os.path.dirname(os.path.abspath(lamina.__file__)))
    env = dict(os.environ, LAMINA_BACKEND="torch")
    env["PYTHONPATH"] = root + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    proc = subprocess.run(
        [sys.executable, "-m", "lamina.saving.export_worker", saved, target, json.dumps(options)],
        env=env, capture_output=True, text=True, check=False)
    report, rest = {}, []
    for line in proc.stdout.splitlines():
        if line.startswith("{") and '"ok"' in line:
            try:
                report = json.loads(line)
                continue
            except ValueError:
                pass
        rest.append(line)
    output = "\n".join(rest + proc.stderr.splitlines()).strip()
    if not report:
        report = {"ok": False, "stage": "start",
                  "error": f"the child process exited with code {proc.returncode}: {output[-2000:]}"}
    return report, output


def _not_recreatable(model, why):
    return ValueError(
        f"Cannot export model '{model.name}' to ONNX under the JAX backend: lamina exports it with "
        "the torch backend's exporter, in a child process that recreates the model from a "
        f"temporary .keras file by class and function names, and {why}. A model holding your own "
        "objects (custom layer classes, registered functions, Lambda layers) cannot be recreated "
        "there. Save it (model.save('m.keras')) and export it from a process run with "
        "LAMINA_BACKEND=torch that imports those objects: "
        "lamina.models.load_model('m.keras', custom_objects={...}).export('m.onnx') (with "
        "safe_mode=False for the Lambda layers of a file you trust)."
    )
