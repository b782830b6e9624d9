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

Loading checks everything before changing anything: a mismatch raises
``lamina.errors.WeightsMismatchError`` listing every missing, unexpected and wrongly shaped
weight. When a layer's inner structure differs from the file's (a layer keeping its weights
itself where Keras uses a cell), its weights are matched within the layer by sub-layer name or,
when that is unambiguous, by order and shape.
"""

from __future__ import annotations

import re
import warnings

import numpy as np

from lamina.errors import LaminaWarning, WeightsMismatchError


def keras_snake_case(name: str) -> str:
    """Keras's ``to_snake_case`` (``Conv2D`` -> ``conv2d``, ``LSTMCell`` -> ``lstm_cell``)."""
    name = re.sub(r"\W+", "", name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()


def _name_key(name):
    return f"~{name}" if name.startswith("_") else name


def _num_key(key):
    return (0, int(key)) if key.isdigit() else (1, key)


def _join(path, name):
    return f"{path}/{name}" if path else name


# =============================================================================================
# the object graph
# =============================================================================================
def _is_layer(x):
    from lamina.layers.layer import Layer

    return isinstance(x, Layer)


def _is_optimizer(x):
    try:
        from lamina.optimizers import Optimizer
    except ImportError:
        return False
    return isinstance(x, Optimizer)


def _is_saveable(x):
    return _is_layer(x) or _is_optimizer(x)


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
    from lamina.saving.model_config import ordered_layers

    out = []
    if isinstance(obj, (Sequential, Functional)):
        out.append(("layers", ordered_layers(obj)))
    if not _is_layer(obj):
        return out
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
    if isinstance(obj, Model) and include_optimizer and _is_optimizer(getattr(obj, "optimizer", None)):
        named["optimizer"] = obj.optimizer
    for name in sorted(named, key=_name_key):
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
                container(child, _join(path, name))
            else:
                walk(child, _join(path, name))

    def container(items, path):
        used = {}
        for item in items:
            if _is_saveable(item):
                walk(item, _join(path, _unique(keras_snake_case(type(item).__name__), used)))
            else:
                sub = _as_list(item)
                if sub is not None:
                    container(sub, _join(path, _unique("container", used)))

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
    if _is_optimizer(obj):
        return [np.asarray(v.numpy()) for v in obj.variables]
    if _defines(obj, "save_own_variables"):
        store = {}
        obj.save_own_variables(store)
        return [np.asarray(store[k]) for k in sorted(store, key=lambda k: _num_key(str(k)))]
    return [v.numpy() for v in own_variables(obj)]


def _expected(obj):
    """[(label, shape)] of what ``obj`` loads, or None if only its own loader knows."""
    if _is_optimizer(obj):
        return [(v.path, tuple(v.shape)) for v in obj.variables]
    if _defines(obj, "load_own_variables"):
        return None
    return [(v.path, tuple(v.shape)) for v in own_variables(obj)]


def _assign(obj, arrays):
    if _is_optimizer(obj):
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
        group = h5.create_group(_join(path, "vars"))
        name = getattr(obj, "name", None)
        if isinstance(name, str):
            group.attrs["name"] = name
        for i, arr in enumerate(own_arrays(obj)):
            arr = np.asarray(arr)
            if arr.dtype.name == "bfloat16":
                ds = group.create_dataset(str(i), data=arr.astype("float32"))
                ds.attrs["dtype"] = "bfloat16"
            else:
                group.create_dataset(str(i), data=arr)


# =============================================================================================
# load
# =============================================================================================
def _read_group(group):
    arrays = []
    for key in sorted(group.keys(), key=_num_key):
        ds = group[key]
        if not hasattr(ds, "shape"):
            continue
        arr = ds[()]
        arrays.append((key, np.asarray(arr)))
    return arrays


def _vars_group(h5, path):
    full = _join(path, "vars")
    try:
        g = h5.get(full)
    except (KeyError, ValueError):
        g = None
    if g is None and path.startswith("layers") and "_layer_checkpoint_dependencies" in h5:
        g = h5.get(_join(path.replace("layers", "_layer_checkpoint_dependencies", 1), "vars"))
    return g


def _unit_of(path):
    if not path:
        return ""
    parts = path.split("/")
    return "/".join(parts[:2]) if parts[0] == "layers" and len(parts) > 1 else parts[0]


def load_weights_from_h5(model, h5, skip_mismatch=False, load_optimizer=True, source="the file"):
    """Load the Keras 3 layout from an open h5py File into ``model``.

    Raises ``WeightsMismatchError`` listing every problem (unless ``skip_mismatch``, which loads
    what fits and warns about the rest).
    """
    entries = saveable_entries(model, include_optimizer=load_optimizer)
    optimizer_entries = [(p, o) for p, o in entries if _is_optimizer(o)]
    entries = [(p, o) for p, o in entries if not _is_optimizer(o)]
    units = {}
    for path, obj in entries:
        units.setdefault(_unit_of(path), []).append((path, obj))
    consumed = set()
    plan, problems = [], []
    for unit, members in units.items():
        ok, unit_plan, unit_problems, used = _match_exact(h5, members)
        if not ok:
            alt = _match_fallback(h5, unit, members) if unit else None
            if alt is not None:
                unit_plan, used, unit_problems = alt, _groups_under(h5, unit), []
        plan.extend(unit_plan)
        problems.extend(unit_problems)
        consumed |= used
    problems.extend(_unexpected(h5, consumed))
    if problems and not skip_mismatch:
        raise WeightsMismatchError(
            f"The weights in {source} do not fit model '{model.name}'",
            problems,
            "Nothing was loaded. Check that the model is built exactly like the saved one (same "
            "layers, units and input shape), or pass skip_mismatch=True to load what fits.",
        )
    if problems:
        warnings.warn(
            f"Loading weights from {source} into model '{model.name}': skipped {len(problems)} "
            "mismatched weight(s):\n" + "\n".join(f"  - {p}" for p in problems),
            LaminaWarning, stacklevel=3)
    for obj, arrays in plan:
        _assign(obj, arrays)
    for path, opt in optimizer_entries:
        _load_optimizer(model, opt, h5, path, source)


def _match_exact(h5, members):
    plan, problems, used = [], [], set()
    for path, obj in members:
        group = _vars_group(h5, path)
        found = _read_group(group) if group is not None else []
        if group is not None:
            used.add(group.name)
        expected = _expected(obj)
        if expected is None:  # the layer loads its own way: give it what is there
            plan.append((obj, [a for _, a in found]))
            continue
        gpath = _join(path, "vars")
        before = len(problems)
        for i, (label, shape) in enumerate(expected):
            if i >= len(found):
                problems.append(f"missing: '{label}' (shape {shape}) has no dataset "
                                f"'{gpath}/{i}' in the file")
            elif tuple(found[i][1].shape) != shape:
                problems.append(f"wrong shape: '{label}' is {shape} in the model but "
                                f"'{gpath}/{found[i][0]}' is {tuple(found[i][1].shape)} in the file")
        unbuilt = "" if getattr(obj, "built", True) else " (the layer is not built yet: build the model first)"
        for key, arr in found[len(expected):]:
            problems.append(f"unexpected: '{gpath}/{key}' (shape {tuple(arr.shape)}) has no "
                            f"variable in layer '{getattr(obj, 'name', path)}'{unbuilt}")
        if len(problems) == before:
            plan.append((obj, [a for _, a in found]))
    return not problems, plan, problems, used


def _groups_under(h5, unit):
    out = set()
    root = h5.get(unit)
    if root is None:
        return out

    def visit(name, obj):
        if name.split("/")[-1] == "vars" and hasattr(obj, "keys"):
            out.add(obj.name)

    if "vars" in root:
        out.add(root["vars"].name)
    root.visititems(visit)
    return out


def _file_groups(h5, unit):
    """Non-empty vars groups under ``unit`` in Keras traversal order: [(name_attr, arrays)]."""
    root = h5.get(unit)
    out = []
    if root is None:
        return out

    def walk(g):
        if "vars" in g:
            arrays = _read_group(g["vars"])
            if arrays:
                name = g["vars"].attrs.get("name", "")
                out.append((name.decode() if isinstance(name, bytes) else str(name), [a for _, a in arrays]))
        for key in sorted((k for k in g.keys() if k != "vars"), key=_name_key):
            child = g[key]
            if hasattr(child, "keys"):
                walk(child)

    walk(root)
    return out


def _match_fallback(h5, unit, members):
    """Match a layer's weights to the file's groups under the same path when their inner
    structure differs: by sub-layer name, else by order when the shapes make it unambiguous."""
    ours = []
    for _, obj in members:
        exp = _expected(obj)
        if exp is None:
            return None
        if exp:
            ours.append((getattr(obj, "name", ""), obj, [s for _, s in exp]))
    theirs = _file_groups(h5, unit)
    if len(ours) != len(theirs) or not ours:
        return None

    def shapes(arrays):
        return [tuple(a.shape) for a in arrays]

    by_name = {n: arrays for n, arrays in theirs}
    if len(by_name) == len(theirs) and all(
            n in by_name and shapes(by_name[n]) == s for n, _, s in ours):
        return [(obj, by_name[n]) for n, obj, _ in ours]
    signatures = [tuple(shapes(arrays)) for _, arrays in theirs]
    if len(set(signatures)) == len(signatures) and all(
            shapes(arrays) == s for (_, arrays), (_, _, s) in zip(theirs, ours)):
        return [(obj, arrays) for (_, arrays), (_, obj, _) in zip(theirs, ours)]
    return None


def _unexpected(h5, consumed):
    out = []

    def visit(name, obj):
        if name.split("/")[0] == "optimizer":
            return
        if name.split("/")[-1] == "vars" and hasattr(obj, "keys") and obj.name not in consumed:
            for key, arr in _read_group(obj):
                out.append(f"unexpected: '{name}/{key}' (shape {tuple(arr.shape)}) matches no "
                           "layer of the model")

    h5.visititems(visit)
    return out


def _load_optimizer(model, opt, h5, path, source):
    group = _vars_group(h5, path)
    if group is None:
        return
    arrays = [a for _, a in _read_group(group)]
    if not getattr(opt, "built", True) and len(arrays) > len(opt.variables):
        opt.build([v.value for v in model.trainable_weights])
    handles = opt.variables
    bad = len(arrays) != len(handles) or any(
        tuple(a.shape) != tuple(h.shape) for a, h in zip(arrays, handles))
    if bad:
        warnings.warn(
            f"Not restoring the optimizer state from {source}: the file holds {len(arrays)} "
            f"optimizer variables {[tuple(a.shape) for a in arrays][:6]}..., optimizer "
            f"'{opt.name}' has {len(handles)}. Training continues from a fresh optimizer state.",
            LaminaWarning, stacklevel=3)
        return
    for h, a in zip(handles, arrays):
        h.assign(a)
