"""The legacy HDF5 formats: whole models (``model.save('m.h5')``) and weights (``save_weights('w.h5')``).

Layout (identical in Keras 1, 2 and 3; see shared/reference/keras-formats.md 2.2/2.3)::

    / attrs: keras_version, backend, model_config (JSON), training_config (JSON, if compiled)
    model_weights/  attrs: layer_names, backend, keras_version
      <layer name>/ attrs: weight_names          # datasets at those (possibly nested) names
      top_level_model_weights/
    optimizer_weights/  attrs: weight_names

A weights-only file has the ``model_weights`` layout at its root. Weights are matched to the
model's layers that have weights, in order (or by layer name with ``by_name=True``); within a
layer they are in "legacy order": trainable weights, then non-trainable ones.
"""

from __future__ import annotations

import json
import warnings

import numpy as np

from lamina import backend
from lamina.errors import FileFormatError, UnsafeLoadError, LaminaWarning, WeightsMismatchError
from lamina.saving import file_io, h5_reader, legacy_config
from lamina.saving.file_io import KERAS_VERSION, decode, load_attributes, save_attributes


def legacy_weights(layer):
    """A layer's weights in legacy order: all trainable, then all non-trainable."""
    return list(layer.trainable_weights) + list(layer.non_trainable_weights)


def _top_layers(model):
    from lamina.saving.functional_config import ordered_layers

    return ordered_layers(model)


def _weight_names(layer, weights):
    return _unique([f"{layer.name}/{w.name}" if getattr(w, "_owner", None) in (layer, None)
                    else f"{layer.name}/{w.path}" for w in weights])


def _unique(names):
    """HDF5 dataset names, each used once: repeats get '_1', '_2'... (two LSTMs' cells share
    the path 'lstm_cell/kernel', and so do their optimizer slots)."""
    out, seen = [], set()
    for name in names:
        base, i = name, 0
        while name in seen:
            i += 1
            name = f"{base}_{i}"
        seen.add(name)
        out.append(name)
    return out


# =============================================================================================
# save
# =============================================================================================
def write_weights_group(group, model):
    """The ``model_weights`` layout into ``group`` (a File for weights-only files)."""
    layers = _top_layers(model)
    save_attributes(group, "layer_names", [l.name for l in layers])
    group.attrs["backend"] = backend.backend()
    group.attrs["keras_version"] = KERAS_VERSION
    for layer in layers:
        _write_layer(group.create_group(layer.name), layer, legacy_weights(layer))
    own = [v for v in model.__dict__.get("_own_weights", [])]
    top = group.require_group("top_level_model_weights")
    _write_layer(top, model, own)


def _write_layer(g, layer, weights):
    names = _weight_names(layer, weights)
    save_attributes(g, "weight_names", names)
    for name, w in zip(names, weights):
        h5_reader.write_dataset(g, name, np.asarray(w.numpy()))


def save_weights(model, filepath):
    import h5py

    with file_io.atomic_write(filepath) as tmp:
        with h5py.File(tmp, "w") as f:
            write_weights_group(f, model)
            f.attrs["lamina_version"] = file_io.lamina_version()


def save_model(model, filepath, include_optimizer=True):
    import h5py

    from lamina.saving.serialization_lib import serialize_keras_object

    config = serialize_keras_object(model)
    model_config = {"class_name": config["class_name"], "config": config["config"]}
    with file_io.atomic_write(filepath) as tmp:
        with h5py.File(tmp, "w") as f:
            f.attrs["keras_version"] = KERAS_VERSION
            f.attrs["backend"] = backend.backend()
            f.attrs["lamina_version"] = file_io.lamina_version()
            f.attrs["model_config"] = json.dumps(model_config)
            compile_config = config.get("compile_config")
            if compile_config:
                training = {k: v for k, v in compile_config.items() if k != "optimizer"}
                opt = compile_config.get("optimizer")
                if opt is not None:
                    training["optimizer_config"] = {"class_name": opt["class_name"], "config": opt["config"]}
                f.attrs["training_config"] = json.dumps(training)
            write_weights_group(f.create_group("model_weights"), model)
            opt = getattr(model, "optimizer", None)
            if include_optimizer and opt is not None and hasattr(opt, "variables"):
                handles = list(opt.variables)
                if handles:
                    g = f.create_group("optimizer_weights")
                    names = _unique([h.path for h in handles])
                    save_attributes(g, "weight_names", names)
                    for name, h in zip(names, handles):
                        h5_reader.write_dataset(g, name, np.asarray(h.numpy()))


# =============================================================================================
# load
# =============================================================================================
def load_weights_group(model, group, by_name=False, skip_mismatch=False, source="the file",
                       keras_version=None, original_backend=None):
    """Load the ``model_weights`` layout (from ``group``) into ``model``."""
    path = source.strip("'") if source != "the file" else ""
    if not file_io.has_attribute(group, "layer_names") and "model_weights" in group:
        group = h5_reader.get(group, "model_weights")
    if not file_io.has_attribute(group, "layer_names"):
        raise FileFormatError(
            path, "this HDF5 file holds no Keras weights (no 'layer_names' attribute and no "
            "'model_weights' group).",
            "Pass a file written by model.save_weights() or model.save().")
    if keras_version is None:
        keras_version = decode(group.attrs.get("keras_version", "1"))
    if original_backend is None:
        original_backend = decode(group.attrs.get("backend", ""))
    file_layers = []
    for name in load_attributes(group, "layer_names"):
        g = h5_reader.get(group, name)
        if g is None or not hasattr(g, "keys"):
            raise FileFormatError(path, f"layer_names lists '{name}' but the file has no such group.")
        arrays = _lazy(g, path)
        if arrays:
            file_layers.append((name, arrays))
    layers = _top_layers(model)
    problems, plan = [], []
    if by_name:
        index = {l.name: l for l in layers}
        pairs = [(index[n], n, a) for n, a in file_layers if n in index]
    else:
        weighted = [l for l in layers if legacy_weights(l)]
        if len(weighted) != len(file_layers):
            extra_file = [n for n, _ in file_layers[len(weighted):]]
            extra_model = [l.name for l in weighted[len(file_layers):]]
            problems.append(
                f"the file has {len(file_layers)} layers with weights {[n for n, _ in file_layers]}, "
                f"the model has {len(weighted)} {[l.name for l in weighted]}"
                + (f"; unexpected (no layer left to load them into): {extra_file}" if extra_file else "")
                + (f"; missing (no weights in the file): {extra_model}" if extra_model else ""))
        pairs = [(l, n, a) for l, (n, a) in zip(weighted, file_layers)]
    for layer, fname, arrays in pairs:
        weights = legacy_weights(layer)
        layer_problems = []
        if _size(arrays) != _size(weights):  # checked before any data is read
            layer_problems.append(
                f"layer '{layer.name}' ({type(layer).__name__}) has weights "
                f"{[(w.path, tuple(w.shape)) for w in weights]}, the file's '{fname}' holds "
                f"{[tuple(a.shape) for a in arrays]}")
            problems.extend(layer_problems)
            continue
        arrays = _convert_old(layer, [a.read() for a in arrays], keras_version, original_backend)
        if len(arrays) != len(weights):
            layer_problems.append(
                f"layer '{layer.name}' ({type(layer).__name__}) has {len(weights)} weights "
                f"{[(w.path, w.shape) for w in weights]}, the file's '{fname}' has {len(arrays)} "
                f"{[tuple(a.shape) for a in arrays]}")
        else:
            for w, a in zip(weights, arrays):
                if tuple(a.shape) != tuple(w.shape):
                    layer_problems.append(
                        f"wrong shape: '{w.path}' is {tuple(w.shape)} in the model but the file's "
                        f"'{fname}' holds {tuple(a.shape)}")
        if layer_problems:
            problems.extend(layer_problems)
        else:
            plan.append((weights, arrays))
    if "top_level_model_weights" in group:
        g = h5_reader.get(group, "top_level_model_weights")
        arrays = _lazy(g, path) if hasattr(g, "keys") else []
        own = list(model.__dict__.get("_own_weights", []))
        if arrays or own:
            if len(arrays) != len(own) or any(tuple(a.shape) != tuple(w.shape) for w, a in zip(own, arrays)):
                problems.append(f"the model's own weights {[(w.name, w.shape) for w in own]} do not "
                                f"match top_level_model_weights {[tuple(a.shape) for a in arrays]}")
            else:
                plan.append((own, [a.read(a.shape) for a in arrays]))
    if problems and not skip_mismatch:
        raise WeightsMismatchError(
            f"The weights in {source} do not fit model '{model.name}'", problems,
            "Nothing was loaded. Check that the model is built like the saved one; pass "
            "by_name=True to load layers by name, or skip_mismatch=True to load what fits.")
    if problems:
        warnings.warn(
            f"Loading weights from {source} into model '{model.name}': skipped mismatched layers:\n"
            + "\n".join(f"  - {p}" for p in problems), LaminaWarning, stacklevel=3)
    for weights, arrays in plan:
        for w, a in zip(weights, arrays):
            w.assign(a)


def _lazy(group, source):
    """The datasets a legacy group's ``weight_names`` list, checked but not read."""
    out = []
    for n in load_attributes(group, "weight_names"):
        ds = h5_reader.get(group, n)
        if ds is None:
            raise FileFormatError(source, f"weight_names of '{group.name}' lists '{n}' but the "
                                  "file has no such dataset.")
        out.append(h5_reader.LazyArray(ds, source))
    return out


def _size(arrays):
    return sum(int(np.prod(tuple(a.shape), dtype=np.int64)) for a in arrays)


def _convert_old(layer, arrays, keras_version, original_backend):
    """Keras 1 weight layouts (reference 2.3): per-gate LSTM/GRU arrays, Theano conv kernels."""
    kind = type(layer).__name__
    if kind in ("LSTM", "GRU", "CuDNNLSTM", "CuDNNGRU"):
        from lamina.layers.cudnn_recurrent import from_cudnn_weights

        arrays = from_cudnn_weights(layer, arrays)  # Keras 2 CuDNNLSTM / CuDNNGRU layouts
    if str(keras_version).startswith("1"):
        if kind == "LSTM" and len(arrays) == 12:
            w = arrays
            return [np.concatenate([w[0], w[6], w[3], w[9]], axis=-1),
                    np.concatenate([w[1], w[7], w[4], w[10]], axis=-1),
                    np.concatenate([w[2], w[8], w[5], w[11]], axis=-1)]
        if kind == "GRU" and len(arrays) == 9:
            w = arrays
            return [np.concatenate([w[0], w[3], w[6]], axis=-1),
                    np.concatenate([w[1], w[4], w[7]], axis=-1),
                    np.concatenate([w[2], w[5], w[8]], axis=-1)]
    if kind.startswith("Conv") and arrays and arrays[0].ndim in (3, 4, 5):
        weights = legacy_weights(layer)
        kernel = arrays[0]
        if weights and tuple(kernel.shape) != tuple(weights[0].shape):
            perm = tuple(range(2, kernel.ndim)) + (1, 0)
            if tuple(kernel.transpose(perm).shape) == tuple(weights[0].shape):
                kernel = kernel.transpose(perm)  # Keras 1 'th' kernels (out, in, *spatial)
        if original_backend == "theano":
            spatial = tuple(slice(None, None, -1) for _ in range(kernel.ndim - 2))
            kernel = np.ascontiguousarray(kernel[spatial])  # Theano convolved; TF correlates
        arrays = [kernel] + list(arrays[1:])
    return arrays


def load_weights(model, filepath, by_name=False, skip_mismatch=False):
    import h5py

    with h5py.File(filepath, "r") as f:
        keras_version = decode(f.attrs["keras_version"]) if "keras_version" in f.attrs else None
        load_weights_group(model, f, by_name, skip_mismatch, source=f"'{filepath}'",
                           keras_version=keras_version)


def load_model(f, filepath, custom_objects=None, compile=True, safe_mode=True):
    """A model from an open legacy whole-model HDF5 file."""
    from lamina.saving.model_config import compile_from_config
    from lamina.saving.serialization_lib import deserialize_keras_object

    if "model_config" not in f.attrs:
        what = "weights only (a file from save_weights())" if file_io.has_attribute(f, "layer_names") \
            or "model_weights" in f else "no Keras model"
        raise FileFormatError(
            filepath, f"this HDF5 file holds {what}: it has no 'model_config' attribute.",
            "To load weights, build the model in code and call model.load_weights(path).")
    from lamina.saving.keras_archive import check_is_model, check_model_config

    try:
        config = legacy_config.parse_json(h5_reader.read_attribute(f, "model_config"))
    except (ValueError, UnicodeDecodeError) as e:
        raise FileFormatError(filepath, f"its model_config attribute is not valid JSON ({e}).") from None
    config = legacy_config.normalize_model_config(check_model_config(config, filepath, "model_config"))
    keras_version = decode(f.attrs.get("keras_version", "1"))
    original_backend = decode(f.attrs.get("backend", ""))
    model = check_is_model(deserialize_keras_object(config, custom_objects, safe_mode, kind="model"),
                           filepath)
    if "model_weights" in f:
        load_weights_group(model, h5_reader.get(f, "model_weights"), source=f"'{filepath}'",
                           keras_version=keras_version, original_backend=original_backend)
    if compile and "training_config" in f.attrs:
        training = legacy_config.parse_json(h5_reader.read_attribute(f, "training_config"))
        if not isinstance(training, dict):
            raise FileFormatError(filepath, f"its training_config is a {type(training).__name__}, "
                                  "expected a dict.")
        try:
            compile_from_config(model, training, custom_objects,
                                keras2="optimizer_config" in training)
        except UnsafeLoadError:
            raise
        except Exception as e:  # noqa: BLE001
            warnings.warn(
                f"'{filepath}' was loaded but not compiled: its training config could not be "
                f"restored ({type(e).__name__}: {e}). Call model.compile(...) yourself.",
                LaminaWarning, stacklevel=3)
            return model
        if "optimizer_weights" in f:
            _load_optimizer_weights(model, h5_reader.get(f, "optimizer_weights"), filepath)
    return model


def _load_optimizer_weights(model, group, filepath):
    opt = model.optimizer
    names = load_attributes(group, "weight_names")
    arrays = _lazy(group, filepath)
    if not hasattr(opt, "variables"):
        return
    if not getattr(opt, "built", True) and len(arrays) > 2:
        opt.build([v.value for v in model.trainable_weights])
    handles = list(opt.variables)
    plan = _optimizer_plan(names, arrays, handles)
    if plan is None:
        warnings.warn(
            f"Not restoring the optimizer state from '{filepath}': its {len(arrays)} optimizer "
            f"weights do not match optimizer '{opt.name}' ({len(handles)} variables). "
            "Training continues from a fresh optimizer state.", LaminaWarning, stacklevel=4)
        return
    plan = [(h, a.read(a.shape)) for h, a in plan]
    for h, a in plan:
        h.assign(a)


def _optimizer_plan(names, arrays, handles):
    def fits(pairs):
        return all(tuple(np.shape(a)) == tuple(h.shape) for h, a in pairs)

    if len(arrays) == len(handles):
        pairs = list(zip(handles, arrays))
        if fits(pairs):
            return pairs
    has_lr = len(handles) > 1 and handles[1].name == "learning_rate"
    if has_lr and len(arrays) == len(handles) - 1 and names and "iteration" in names[0]:
        slots = arrays[1:]
        pairs = [(handles[0], arrays[0])] + list(zip(handles[2:], slots))
        if fits(pairs):
            return pairs  # Keras 2: no learning_rate variable
        half = len(slots) // 2
        if len(slots) % 2 == 0:  # tf.keras OptimizerV2: all m slots, then all v slots
            inter = [a for pair in zip(slots[:half], slots[half:]) for a in pair]
            pairs = [(handles[0], arrays[0])] + list(zip(handles[2:], inter))
            if fits(pairs):
                return pairs
    return None
