"""The Keras 3 weights layout (``model.weights.h5`` inside ``.keras``, and ``x.weights.h5``).

Each object (the model, every layer, the optimizer) owns an HDF5 group ``<path>/vars`` holding
its own variables as datasets ``"0", "1", ...`` (trainable then non-trainable, in creation
order) and a ``name`` attribute. ``<path>`` is the object's attribute path from the model, as
Keras 3 writes it:

- a Sequential's or Functional's layers come first, under ``layers/``, each named by its
  snake_cased class name with a per-list counter (``dense``, ``dense_1``...);
- other sub-objects use their attribute name (``lstm/cell``, ``bidirectional/forward_layer``,
  ``optimizer``), visited in sorted order with private names last; an object reached twice is
  written once.

Loading is in ``weights_loading``.
"""

from __future__ import annotations

import numpy as np

from lamina.saving.h5_reader import write_dataset
from lamina.utils.naming import to_snake_case as keras_snake_case


def name_key(name):
    return f"~{name}" if name.startswith("_") else name


def num_key(key):
    return (0, int(key)) if key.isdigit() else (1, key)


def join_path(path, name):
    return f"{path}/{name}" if path else name


# =============================================================================================
# the object graph
# =============================================================================================
def _is_layer(x):
    from lamina.layers.layer import Layer

    return isinstance(x, Layer)


def is_optimizer(x):
    try:
        from lamina.optimizers import Optimizer
    except ImportError:
        return False
    return isinstance(x, Optimizer)


def _is_saveable(x):
    return _is_layer(x) or is_optimizer(x)


def _base_classes():
    from lamina import backend
    from lamina.layers.layer import Layer
    from lamina.models import Functional, Model, Sequential
    from lamina.training.trainer import Trainer

    return (Layer, Model, Sequential, Functional, Trainer, backend.LayerBase)


def _public_properties(cls):
    bases = _base_classes()
    out = []
    for klass in cls.__mro__:
        if klass in bases or (klass.__module__ or "").startswith("torch"):
            break
        out.extend(n for n, v in klass.__dict__.items() if isinstance(v, property) and not n.startswith("_"))
    return out


def _as_list(x):
    if isinstance(x, (list, tuple)):
        return list(x)
    if type(x).__name__ in ("ModuleList", "Sequential") and (type(x).__module__ or "").startswith("torch"):
        return list(x)
    if type(x).__name__ == "ModuleDict" and (type(x).__module__ or "").startswith("torch"):
        return list(x.values())
    if isinstance(x, dict):
        return list(x.values())
    return None


def _contains_saveable(items):
    for x in items:
        if _is_saveable(x):
            return True
        sub = _as_list(x)
        if sub is not None and _contains_saveable(sub):
            return True
    return False


def _children(obj, include_optimizer):
    from lamina.models import Functional, Model, Sequential
    from lamina.saving.functional_config import ordered_layers

    out = []
    if isinstance(obj, (Sequential, Functional)):
        out.append(("layers", ordered_layers(obj)))
    if not _is_layer(obj):
        inner = getattr(obj, "inner_optimizer", None)  # a LossScaleOptimizer's, saved again as Keras 3 does
        return out + [("inner_optimizer", inner)] if is_optimizer(obj) and is_optimizer(inner) else out
    named = dict(obj._modules)
    for prop in _public_properties(type(obj)):
        if prop in named:
            continue
        try:
            value = getattr(obj, prop)
        except Exception:  # noqa: BLE001 - as Keras: an attribute that fails to read is skipped
            continue
        if _is_saveable(value) or (_as_list(value) is not None and _contains_saveable(_as_list(value))):
            named[prop] = value
    if isinstance(obj, Model) and include_optimizer and is_optimizer(getattr(obj, "optimizer", None)):
        named["optimizer"] = obj.optimizer
    for name in sorted(named, key=name_key):
        value = named[name]
        if _is_saveable(value):
            out.append((name, value))
        else:
            items = _as_list(value)
            if items is not None and _contains_saveable(items):
                out.append((name, items))
    return out


def saveable_entries(model, include_optimizer=True):
    """``[(path, object)]`` for the model and every layer/optimizer below it, in Keras order."""
    out, visited = [], set()

    def walk(obj, path):
        if id(obj) in visited:
            return
        visited.add(id(obj))
        out.append((path, obj))
        for name, child in _children(obj, include_optimizer):
            if isinstance(child, list):
                container(child, join_path(path, name))
            else:
                walk(child, join_path(path, name))

    def container(items, path):
        used = {}
        for item in items:
            if _is_saveable(item):
                walk(item, join_path(path, _unique(keras_snake_case(type(item).__name__), used)))
            else:
                sub = _as_list(item)
                if sub is not None:
                    container(sub, join_path(path, _unique("container", used)))

    walk(model, "")
    return out


def _unique(name, used):
    if name in used:
        used[name] += 1
        return f"{name}_{used[name]}"
    used[name] = 0
    return name


# =============================================================================================
# own variables of one object
# =============================================================================================
def own_variables(layer):
    """A layer's own variables in Keras save order: trainable, then non-trainable."""
    own = layer.__dict__.get("_own_weights", [])
    return [v for v in own if v.trainable] + [v for v in own if not v.trainable]


def _defines(obj, method):
    from lamina.layers.layer import Layer

    return any(method in k.__dict__ for k in type(obj).__mro__ if k is not Layer and issubclass(k, Layer))


def own_arrays(obj):
    return [a for _, a in own_named_arrays(obj)]


def own_named_arrays(obj):
    """``[(dataset name, array)]``: "0", "1", ... or the keys a ``save_own_variables`` wrote
    (Keras keeps those names, e.g. a lookup layer's "idf_weights")."""
    if is_optimizer(obj):
        return [(str(i), np.asarray(v.numpy())) for i, v in enumerate(obj.variables)]
    if _defines(obj, "save_own_variables"):
        store = {}
        obj.save_own_variables(store)
        return [(str(k), np.asarray(store[k])) for k in sorted(store, key=lambda k: num_key(str(k)))]
    return [(str(i), v.numpy()) for i, v in enumerate(own_variables(obj))]


def expected_own(obj):
    """[(label, shape)] of what ``obj`` loads, or None if only its own loader knows."""
    if is_optimizer(obj):
        return [(v.path, tuple(v.shape)) for v in obj.variables]
    if _defines(obj, "load_own_variables"):
        return None
    return [(v.path, tuple(v.shape)) for v in own_variables(obj)]


def assign_own(obj, arrays):
    if is_optimizer(obj):
        for v, a in zip(obj.variables, arrays):
            v.assign(a)
    elif _defines(obj, "load_own_variables"):
        obj.load_own_variables({str(i): a for i, a in enumerate(arrays)})
    else:
        for v, a in zip(own_variables(obj), arrays):
            v.assign(a)


# =============================================================================================
# save
# =============================================================================================
def save_weights_to_h5(model, h5, include_optimizer=True):
    """Write ``model``'s weights (and optimizer state) into an open h5py File."""
    for path, obj in saveable_entries(model, include_optimizer):
        group = h5.create_group(join_path(path, "vars"))
        name = getattr(obj, "name", None)
        if isinstance(name, str):
            group.attrs["name"] = name
        for key, arr in own_named_arrays(obj):
            arr = np.asarray(arr)
            if arr.dtype.name == "bfloat16":
                ds = write_dataset(group, key, arr.astype("float32"))
                ds.attrs["dtype"] = "bfloat16"
            else:
                write_dataset(group, key, arr)
