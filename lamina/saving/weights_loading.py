"""Loading the Keras 3 weights layout (see ``weights_store``) into a model.

Everything is checked before anything changes: a mismatch raises
``lamina.errors.WeightsMismatchError`` listing every missing, unexpected and wrongly shaped
weight (or, with ``skip_mismatch``, loads what fits and warns). When a layer's inner structure
differs from the file's (a layer keeping its weights itself where Keras uses a cell), its
weights are matched within the layer by sub-layer name or, when that is unambiguous, by order
and shape. Optimizer state is restored when it fits (building the optimizer first if needed),
as Keras does; otherwise a warning says training restarts from a fresh optimizer state.
"""

from __future__ import annotations

import warnings

import numpy as np

from lamina.errors import LaminaWarning, WeightsMismatchError
from lamina.saving import h5_reader
from lamina.saving.h5_reader import lazy_arrays
from lamina.saving.weights_store import (
    assign_own,
    expected_own,
    is_optimizer,
    join_path,
    name_key,
    num_key,
    saveable_entries,
)


def _read_group(group):
    """``[(key, LazyArray)]``: checked datasets whose data is read only once they fit."""
    return lazy_arrays(group)


def _vars_group(h5, path):
    full = join_path(path, "vars")
    try:
        g = h5_reader.get(h5, full)
    except (KeyError, ValueError):
        g = None
    if g is None and path.startswith("layers") and "_layer_checkpoint_dependencies" in h5:
        g = h5_reader.get(h5, join_path(path.replace("layers", "_layer_checkpoint_dependencies", 1), "vars"))
    if g is not None and not hasattr(g, "keys"):
        g = None
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
    optimizer_entries = [(p, o) for p, o in entries if is_optimizer(o)]
    entries = [(p, o) for p, o in entries if not is_optimizer(o)]
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
    # Read (checking sizes and checksums) everything before changing anything.
    plan = [(obj, [a.read(a.shape) if exp else a.read() for a in arrays])
            for obj, arrays, exp in plan]
    for obj, arrays in plan:
        assign_own(obj, arrays)
    for path, opt in optimizer_entries:
        _load_optimizer(model, opt, h5, path, source)


def _match_exact(h5, members):
    plan, problems, used = [], [], set()
    for path, obj in members:
        group = _vars_group(h5, path)
        found = _read_group(group) if group is not None else []
        if group is not None:
            used.add(group.name)
        expected = expected_own(obj)
        if expected is None:  # the layer loads its own way: give it what is there
            plan.append((obj, [a for _, a in found], False))
            continue
        gpath = join_path(path, "vars")
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
            plan.append((obj, [a for _, a in found], True))
    return not problems, plan, problems, used


def _groups_under(h5, unit):
    out = set()
    root = h5_reader.get(h5, unit)
    if root is None or not hasattr(root, "keys"):
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
    root = h5_reader.get(h5, unit)
    out = []
    if root is None or not hasattr(root, "keys"):
        return out

    def walk(g):
        if "vars" in g and hasattr(h5_reader.get(g, "vars"), "keys"):
            arrays = _read_group(g["vars"])
            if arrays:
                name = g["vars"].attrs.get("name", "")
                out.append((name.decode() if isinstance(name, bytes) else str(name), [a for _, a in arrays]))
        for key in sorted((k for k in g.keys() if k != "vars"), key=name_key):
            child = h5_reader.get(g, key)
            if hasattr(child, "keys"):
                walk(child)

    walk(root)
    return out


def _match_fallback(h5, unit, members):
    """Match a layer's weights to the file's groups under the same path when their inner
    structure differs: by sub-layer name, else by order when the shapes make it unambiguous."""
    ours = []
    for _, obj in members:
        exp = expected_own(obj)
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
        return [(obj, by_name[n], True) for n, obj, _ in ours]
    signatures = [tuple(shapes(arrays)) for _, arrays in theirs]
    if len(set(signatures)) == len(signatures) and all(
            shapes(arrays) == s for (_, arrays), (_, _, s) in zip(theirs, ours)):
        return [(obj, arrays, True) for (_, arrays), (_, obj, _) in zip(theirs, ours)]
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
    arrays = [a.read(a.shape) for a in arrays]
    for h, a in zip(handles, arrays):
        h.assign(a)
