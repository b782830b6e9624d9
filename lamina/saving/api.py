"""The saving entry points behind ``model.save``, ``load_model``, ``save_weights``... .

Formats by file name (saving) and by content (loading):

- ``.keras``: Keras 3's zip archive (config + weights + optimizer state);
- ``.weights.h5``: Keras 3's weights file;
- ``.h5`` / ``.hdf5``: the legacy HDF5 layout (whole model with ``save``, weights with
  ``save_weights``; Keras 3 refuses the latter, lamina writes what Keras 1/2 wrote);
- ``.onnx`` through ``model.export``.

Loading reads files written by lamina, Keras 3, Keras 2 (tf.keras) and Keras 1. Saving is
atomic: the target is replaced only once the new file is complete.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import zipfile

from lamina.errors import FileFormatError, UnsafeLoadError, WeightsMismatchError
from lamina.saving import file_io, keras_archive, legacy_config, legacy_h5, weights_loading, weights_store
from lamina.saving.lambda_serialization import safe_mode_scope
from lamina.saving.serialization_lib import deserialize_keras_object, serialize_keras_object


def _kind_from_name(filepath, save_format=None):
    name = os.fspath(filepath).lower()
    if save_format is not None:
        fmt = str(save_format).lower()
        if fmt in ("h5", "hdf5"):
            return "h5"
        if fmt == "keras":
            return "keras"
        if fmt in ("tf", "savedmodel", "saved_model"):
            raise ValueError(
                "save_format='tf' (TensorFlow SavedModel) is not supported by lamina. Save with "
                "a '.keras' name (the whole model) or export with model.export('model.onnx').")
        raise ValueError(f"Unknown save_format {save_format!r}; use 'keras' or 'h5'.")
    if name.endswith(".weights.h5"):
        return "weights.h5"
    if name.endswith(".keras"):
        return "keras"
    if name.endswith((".h5", ".hdf5", ".he5", ".hdf")):
        return "h5"
    if name.endswith(".onnx"):
        return "onnx"
    if name.endswith(".json"):
        return "json"
    return None


# =============================================================================================
# whole models
# =============================================================================================
def save_model(model, filepath, overwrite=True, include_optimizer=True, save_format=None, **kwargs):
    """Save architecture, weights, compile settings and optimizer state to one file.

    Args:
        model: the model.
        filepath: ``'name.keras'`` (Keras 3 archive, recommended) or ``'name.h5'`` (legacy).
        overwrite: replace an existing file (default True); False raises ``FileExistsError``.
        include_optimizer: also store the optimizer state, so training resumes exactly.
        save_format: Keras 2 spelling; ``'h5'`` or ``'keras'``.

    Example:
        >>> import lamina, tempfile, os
        >>> m = lamina.Sequential([lamina.Input((3,)), lamina.layers.Dense(2)])
        >>> path = os.path.join(tempfile.mkdtemp(), "m.keras")
        >>> m.save(path)
        >>> lamina.models.load_model(path).output_shape
        (None, 2)
    """
    kwargs.pop("signatures", None)
    kwargs.pop("options", None)
    if kwargs:
        raise TypeError(
            f"save_model() got unexpected arguments {sorted(kwargs)}. It takes filepath, "
            "overwrite, include_optimizer and save_format.")
    kind = _kind_from_name(filepath, save_format)
    if kind == "weights.h5" and save_format is None:
        kind = "h5"
    if kind not in ("keras", "h5"):
        raise ValueError(
            f"Cannot save model to '{filepath}': the name must end in '.keras' (Keras 3 archive, "
            "recommended) or '.h5' (legacy HDF5). For weights only use "
            "model.save_weights('name.weights.h5'); to deploy use model.export('name.onnx').")
    filepath = file_io.prepare_target(filepath, overwrite)
    if kind == "keras":
        keras_archive.save_model(model, filepath, include_optimizer=include_optimizer)
    else:
        legacy_h5.save_model(model, filepath, include_optimizer=include_optimizer)


# What damaged or crafted file content makes Python, NumPy, h5py or a constructor raise.
_CONTENT_ERRORS = (ValueError, TypeError, KeyError, IndexError, AttributeError, RuntimeError,
                   ArithmeticError, MemoryError, EOFError, zipfile.BadZipFile, UnicodeError,
                   AssertionError, LookupError, NotImplementedError)


@contextlib.contextmanager
def _file_errors(filepath, what="its model config cannot be loaded"):
    """Report every problem found inside a file as a lamina error naming the file:
    ``UnsafeLoadError`` (refused), ``WeightsMismatchError`` or ``FileFormatError``."""
    try:
        yield
    except UnsafeLoadError as e:
        raise e.with_path(filepath) from e.__cause__
    except FileFormatError as e:
        if e.path:
            raise
        raise FileFormatError(filepath, e.problem, e.fix) from e.__cause__
    except (WeightsMismatchError, FileNotFoundError):
        raise
    except RecursionError as e:
        raise FileFormatError(filepath, "its content nests too deeply to be read; the file is "
                              "damaged or crafted.") from e
    except OSError as e:
        raise FileFormatError(filepath, f"it cannot be read ({e}); the file is truncated or corrupt.") from e
    except _CONTENT_ERRORS as e:
        raise FileFormatError(filepath, f"{what}: {type(e).__name__}: {e}") from e


def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):
    """Load a model saved with ``model.save`` by lamina or Keras (3, 2 or 1).

    Args:
        filepath: a ``.keras`` archive or a legacy ``.h5`` whole-model file.
        custom_objects: dict of your own classes/functions used by the model, by name.
        compile: also restore compile settings and the optimizer state.
        safe_mode: refuse to run Python bytecode stored in the file (Lambda layers); pass
            False only for files you trust.

    Raises:
        lamina.errors.FileFormatError: the file is corrupt, truncated, not a model, or names
            a class that cannot be found.
    """
    filepath = os.fspath(filepath)
    kind = file_io.sniff(filepath)
    if kind == "missing":
        raise FileNotFoundError(f"No file or folder found at '{filepath}'.")
    if kind == "dir":
        raise FileFormatError(
            filepath, "it is a folder (a TensorFlow SavedModel?), which lamina cannot load.",
            "Load a '.keras' or '.h5' file; in Keras, save one with model.save('name.keras').")
    with safe_mode_scope(safe_mode), _file_errors(filepath):
        if kind == "zip":
            return keras_archive.load_model(filepath, custom_objects, compile, safe_mode)
        if kind == "hdf5":
            import h5py

            with h5py.File(filepath, "r") as f:
                return legacy_h5.load_model(f, filepath, custom_objects, compile, safe_mode)
    what = {"empty": "it is empty", "json": "it is a JSON file, not a saved model (for a config "
            "from model.to_json() use lamina.models.model_from_json)"}.get(
        kind, "it is neither a .keras archive (zip) nor an HDF5 file")
    raise FileFormatError(filepath, f"{what}.", "Pass a file written by model.save().")


def model_to_json(model, **kwargs) -> str:
    """The model's config as a JSON string (``json.dumps`` keyword arguments accepted)."""
    return json.dumps(serialize_keras_object(model), **kwargs)


def model_from_json(json_string, custom_objects=None):
    """A new model (fresh weights) from ``model.to_json()`` output, lamina's or Keras's."""
    try:
        config = json.loads(json_string)
    except RecursionError:
        raise ValueError("model_from_json() received JSON nested too deeply to be a model "
                         "config.") from None
    except ValueError as e:
        raise ValueError(f"model_from_json() received text that is not valid JSON ({e}).") from None
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(
            "model_from_json() expects the JSON of a model config ({'class_name': ..., 'config': "
            f"...}}), received {str(json_string)[:80]!r}.")
    from lamina.saving.safe_names import check_depth

    check_depth(config)
    config = legacy_config.normalize_model_config(config)
    compile_config = config.pop("compile_config", None)
    with safe_mode_scope(True):
        model = deserialize_keras_object(config, custom_objects, kind="model")
    if compile_config:
        from lamina.saving.model_config import compile_from_config

        compile_from_config(model, compile_config, custom_objects)
    return model


def clone_model(model, input_tensors=None, clone_function=None):
    """A new model with the same architecture and freshly initialised weights.

    Args:
        model: a Sequential, functional or subclassed (with get_config) model.
        input_tensors: optional symbolic inputs (``lamina.Input``) for the clone.
        clone_function: optional ``f(layer) -> new layer``; by default each layer is rebuilt
            from its config.
    """
    from lamina.layers.core.input_layer import InputLayer
    from lamina.models import Functional, Sequential
    from lamina.saving import functional_config

    def default_clone(layer):
        return type(layer).from_config(layer.get_config())

    fn = clone_function or default_clone
    if isinstance(model, Sequential):
        layers = [fn(l) for l in model.layers]
        clone = Sequential(name=model.name)
        if input_tensors is not None:
            clone.add(input_tensors if not isinstance(input_tensors, (list, tuple)) else input_tensors[0])
        elif model._input_layer is not None:
            clone.add(InputLayer.from_config(model._input_layer.get_config()))
        for layer in layers:
            clone.add(layer)
        return clone
    if isinstance(model, Functional):
        by_name = {l.name: l for l in model.operations}

        def make(layer_config):
            original = by_name[layer_config.get("name") or layer_config["config"]["name"]]
            if isinstance(original, InputLayer):
                return InputLayer.from_config(original.get_config())
            return fn(original)

        return functional_config.functional_from_config(type(model), model.get_config(), make_layer=make,
                                                   input_tensors=input_tensors)
    return deserialize_keras_object(serialize_keras_object(model))


# =============================================================================================
# weights
# =============================================================================================
def save_weights(model, filepath, overwrite=True, save_format=None, max_shard_size=None, **kwargs):
    """Save only the weights (and the optimizer state, for ``.weights.h5``).

    ``'name.weights.h5'`` writes Keras 3's layout; ``'name.h5'`` writes the legacy layout
    Keras 1/2 wrote (Keras 3 refuses that name; lamina keeps the old scripts working).
    """
    kwargs.pop("options", None)
    if kwargs:
        raise TypeError(f"save_weights() got unexpected arguments {sorted(kwargs)}.")
    if max_shard_size is not None:
        raise NotImplementedError(
            "save_weights(max_shard_size=...) (sharded weights) is not supported by lamina yet; "
            "save to a single 'name.weights.h5' file.")
    kind = _kind_from_name(filepath, save_format)
    if kind == "keras":
        raise ValueError(
            f"save_weights('{filepath}'): a '.keras' file holds a whole model; use "
            "model.save(path) for it, or a 'name.weights.h5' name for weights only.")
    if kind not in ("weights.h5", "h5"):
        raise ValueError(
            f"Cannot save weights to '{filepath}': the name must end in '.weights.h5' (Keras 3 "
            "layout) or '.h5' (legacy layout). TensorFlow checkpoints are not supported.")
    filepath = file_io.prepare_target(filepath, overwrite)
    if kind == "h5":
        legacy_h5.save_weights(model, filepath)
        return
    import h5py

    with file_io.atomic_write(filepath) as tmp:
        with h5py.File(tmp, "w") as h5:
            weights_store.save_weights_to_h5(model, h5, include_optimizer=True)


def load_weights(model, filepath, skip_mismatch=False, by_name=False, **kwargs):
    """Load weights saved by ``save_weights`` / ``save`` (lamina or Keras, any version).

    Args:
        skip_mismatch: load what fits and warn about the rest, instead of raising.
        by_name: (legacy .h5 files) match layers by name instead of by order.

    Raises:
        lamina.errors.WeightsMismatchError: listing every missing, unexpected and wrongly
            shaped weight (nothing is loaded).
        lamina.errors.FileFormatError: the file is corrupt or holds no weights.
    """
    kwargs.pop("options", None)
    if kwargs:
        raise TypeError(f"load_weights() got unexpected arguments {sorted(kwargs)}.")
    filepath = os.fspath(filepath)
    kind = file_io.sniff(filepath)
    if kind == "missing":
        raise FileNotFoundError(f"No weights file found at '{filepath}'.")
    unbuilt = [l.name for l in model._flatten_layers() if not l.built]
    if unbuilt and not model.built:
        raise ValueError(
            f"Cannot load weights into model '{model.name}': it is not built yet, so it has no "
            "weights to fill. Give the first layer an input_shape (or start with lamina.Input), "
            "or call the model on a batch of data, then load the weights.")
    if by_name and kind == "zip":
        raise ValueError("by_name=True applies to legacy '.h5' weight files only.")
    source = f"'{filepath}'"
    with _file_errors(filepath, "its weights cannot be loaded"):
        _load_weights_file(model, filepath, kind, source, by_name, skip_mismatch)


def _load_weights_file(model, filepath, kind, source, by_name, skip_mismatch):
    try:
        if kind == "zip":
            with keras_archive.open_archive(filepath) as zf:
                keras_archive.load_weights_from_archive(model, zf, filepath, skip_mismatch)
            return
        if kind != "hdf5":
            raise FileFormatError(filepath, "it is not a weights file (neither HDF5 nor a .keras zip).",
                                  "Pass a file written by model.save_weights() or model.save().")
        import h5py

        with h5py.File(filepath, "r") as f:
            if file_io.has_attribute(f, "layer_names") or "model_weights" in f:
                keras_version = file_io.decode(f.attrs["keras_version"]) if "keras_version" in f.attrs else None
                legacy_h5.load_weights_group(model, f, by_name, skip_mismatch, source,
                                             keras_version=keras_version)
            elif "layers" in f or "vars" in f or "optimizer" in f or "_layer_checkpoint_dependencies" in f:
                if by_name:
                    raise ValueError(
                        "by_name=True applies to legacy '.h5' weight files; this is a Keras 3 "
                        "'.weights.h5' file, whose weights are found by layer position.")
                weights_loading.load_weights_from_h5(model, f, skip_mismatch=skip_mismatch, source=source)
            else:
                raise FileFormatError(filepath, "this HDF5 file holds no Keras weights (neither "
                                      "the legacy 'layer_names' layout nor Keras 3's 'layers/').")
    except OSError as e:
        raise FileFormatError(filepath, f"it cannot be read ({e}); the file is truncated or corrupt.") from e


# =============================================================================================
# export
# =============================================================================================
def export(model, filepath, format="onnx", **kwargs):
    """Export the model for inference: ``format='onnx'`` writes an ONNX graph (batch size
    dynamic), checked with onnxruntime in lamina's tests.

    Args:
        filepath: destination, e.g. ``'model.onnx'``.
        format: only ``'onnx'`` is supported.
        input_signature / opset_version / verbose: passed on to the backend exporter.
    """
    fmt = str(format).lower()
    if fmt != "onnx":
        raise ValueError(
            f"export(format={format!r}) is not supported: lamina exports ONNX "
            "(model.export('model.onnx')). TensorFlow SavedModel and TFLite need TensorFlow.")
    from lamina import backend

    exporter = importlib.import_module(f"lamina.backend.{backend.backend()}.export")
    filepath = file_io.prepare_target(filepath, overwrite=True)
    with file_io.atomic_write(filepath) as tmp:
        exporter.export_onnx(model, tmp, **kwargs)
    return filepath
