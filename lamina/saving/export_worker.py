"""The child process of an ONNX export made through another backend (``python -m`` this module).

A backend without an ONNX exporter of its own (JAX: Keras 3 goes through TensorFlow there)
saves the model to a temporary ``.keras`` file and runs this module under
``LAMINA_BACKEND=torch``: it loads the file in safe mode (no code from the file runs, no custom
object can be named) and calls ``model.export`` with the options given as JSON. It prints one
JSON line, ``{"ok": true}`` or ``{"ok": false, "stage": "load"|"export", "error": ...}``, and
exits 0 or 1.

Usage: ``python -m lamina.saving.export_worker MODEL.keras OUT.onnx '{"dynamo": false}'``
"""

from __future__ import annotations

import json
import sys


def _signature(specs):
    from lamina.layers.keras_tensor import KerasTensor

    if specs is None:
        return None
    return [KerasTensor(tuple(shape), dtype=dtype, name=name) for name, shape, dtype in specs]


def main(argv) -> int:
    model_path, onnx_path, options = argv[0], argv[1], json.loads(argv[2])
    stage = "load"
    try:
        import lamina

        model = lamina.models.load_model(model_path, compile=False, safe_mode=True)
        stage = "export"
        options["input_signature"] = _signature(options.get("input_signature"))
        model.export(onnx_path, format="onnx", **options)
    except Exception as e:  # noqa: BLE001 - reported to the parent, which raises it
        print(json.dumps({"ok": False, "stage": stage, "error": f"{type(e).__name__}: {e}"}))
        return 1
    print(json.dumps({"ok": True}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
