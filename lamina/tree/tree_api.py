"""Nested structures (``lamina.tree``), with Keras 3's ``keras.tree`` semantics.

A structure is a leaf or a container of structures: ``list``, ``tuple``, namedtuple, ``dict``
(children in sorted key order, as Keras and optree), ``OrderedDict`` (insertion order).
``None`` is a leaf. Everything else (tensors, arrays, numbers, strings) is a leaf.

Example:
    >>> from lamina import tree
    >>> tree.flatten({"b": 1, "a": [2, (3, None)]})
    [2, 3, None, 1]
    >>> tree.map_structure(lambda v: v * 10, {"x": (1, 2)})
    {'x': (10, 20)}
"""

from __future__ import annotations

import collections

MAP_TO_NONE = object()  # returned by a traverse() function to put None in the output


def _is_namedtuple(s) -> bool:
    return isinstance(s, tuple) and hasattr(type(s), "_fields")


def is_nested(structure) -> bool:
    """True for lists, tuples, namedtuples and dicts; False for leaves."""
    return isinstance(structure, (list, tuple, dict))


def _keys(d):
    if isinstance(d, collections.OrderedDict):
        return list(d)
    try:
        return sorted(d)
    except TypeError:
        return list(d)


def _children(s):
    if isinstance(s, dict):
        return [s[k] for k in _keys(s)]
    return list(s)


def _rebuild(s, children):
    """A container like ``s`` holding ``children``."""
    if isinstance(s, dict):
        items = dict(zip(_keys(s), children))
        return type(s)((k, items[k]) for k in s) if not isinstance(s, collections.defaultdict) else \
            _defaultdict(s, items)
    if _is_namedtuple(s):
        return type(s)(*children)
    if isinstance(s, tuple):
        return tuple(children) if type(s) is tuple else type(s)(children)
    return list(children) if type(s) is list else type(s)(children)


def _defaultdict(s, items):
    out = collections.defaultdict(s.default_factory)
    for k in s:
        out[k] = items[k]
    return out


def flatten(structure) -> list:
    """The leaves of ``structure``, depth first (dict children in sorted key order)."""
    out = []
    stack = [structure]
    while stack:
        s = stack.pop()
        if is_nested(s):
            stack.extend(reversed(_children(s)))
        else:
            out.append(s)
    return out


def flatten_with_path(structure) -> list:
    """``(path, leaf)`` pairs; a path is the tuple of keys/indices leading to the leaf."""
    out = []

    def walk(s, path):
        if is_nested(s):
            keys = _keys(s) if isinstance(s, dict) else range(len(s))
            for k, child in zip(keys, _children(s)):
                walk(child, path + (k,))
        else:
            out.append((path, s))

    walk(structure, ())
    return out


def pack_sequence_as(structure, flat_sequence):
    """Put the leaves of ``flat_sequence`` back into the shape of ``structure``."""
    flat_sequence = list(flat_sequence)
    n = len(flatten(structure))
    if len(flat_sequence) != n:
        raise ValueError(f"pack_sequence_as() needs {n} leaves to fill the structure {structure!r}, "
                         f"but received {len(flat_sequence)}.")
    it = iter(flat_sequence)

    def build(s):
        if is_nested(s):
            return _rebuild(s, [build(c) for c in _children(s)])
        return next(it)

    return build(structure)


unflatten_as = pack_sequence_as


def _check(a, b, check_types, path="structure"):
    na, nb = is_nested(a), is_nested(b)
    if na != nb:
        raise ValueError(f"The two structures don't have the same nested structure: at {path}, "
                         f"{a!r} is {'a container' if na else 'a leaf'} but {b!r} is "
                         f"{'a container' if nb else 'a leaf'}.")
    if not na:
        return
    if check_types and type(a) is not type(b):
        raise ValueError(f"The two structures don't have the same sequence type at {path}: "
                         f"{type(a).__name__} and {type(b).__name__}.")
    if isinstance(a, dict) != isinstance(b, dict) or (isinstance(a, dict) and set(a) != set(b)):
        raise ValueError(f"The two structures don't have the same keys at {path}: {list(a)} and {list(b)}.")
    ca, cb = _children(a), _children(b)
    if len(ca) != len(cb):
        raise ValueError(f"The two structures don't have the same number of elements at {path}: "
                         f"{len(ca)} and {len(cb)}.")
    for i, (x, y) in enumerate(zip(ca, cb)):
        _check(x, y, check_types, f"{path}[{i}]")


def assert_same_structure(a, b, check_types=None):
    """Raise ValueError unless ``a`` and ``b`` nest the same way (same containers and lengths)."""
    _check(a, b, bool(check_types))


def assert_same_paths(a, b):
    """Raise ValueError unless ``a`` and ``b`` have the same set of leaf paths."""
    pa = {p for p, _ in flatten_with_path(a)}
    pb = {p for p, _ in flatten_with_path(b)}
    if pa != pb:
        raise ValueError(f"The two structures don't have the same paths: only in the first {sorted(pa - pb)}, "
                         f"only in the second {sorted(pb - pa)}.")


def map_structure(func, *structures, none_is_leaf=True):
    """Apply ``func`` to the leaves of ``structures`` (same nesting), rebuilding the first's shape."""
    if not structures:
        raise ValueError("map_structure() needs at least one structure.")
    for other in structures[1:]:
        assert_same_structure(structures[0], other)

    def build(*ss):
        s = ss[0]
        if s is None and not none_is_leaf:
            return None
        if is_nested(s):
            kids = [_children(x) for x in ss]
            return _rebuild(s, [build(*c) for c in zip(*kids)])
        return func(*ss)

    return build(*structures)


def map_structure_up_to(shallow_structure, func, *structures):
    """Like ``map_structure``, but stop at the leaves of ``shallow_structure``: deeper parts of
    ``structures`` are passed to ``func`` whole."""

    def build(shallow, *ss):
        if not is_nested(shallow):
            return func(*ss)
        for s in ss:
            if not is_nested(s) or len(_children(s)) != len(_children(shallow)):
                raise ValueError(f"map_structure_up_to(): {s!r} does not have the structure of {shallow!r}.")
        kids = [_children(x) for x in ss]
        return _rebuild(shallow, [build(c, *k) for c, *k in zip(_children(shallow), *kids)])

    return build(shallow_structure, *structures)


def traverse(func, structure, top_down=True):
    """Visit every node. Top-down: where ``func`` returns something other than None, that value
    replaces the subtree (``MAP_TO_NONE`` for None); else the walk goes inside. Bottom-up: ``func``
    sees each node after its children were rebuilt, and its non-None result replaces the node."""

    def fix(v):
        return None if v is MAP_TO_NONE else v

    def walk(s):
        if top_down:
            r = func(s)
            if r is not None:
                return fix(r)
            return _rebuild(s, [walk(c) for c in _children(s)]) if is_nested(s) else s
        new = _rebuild(s, [walk(c) for c in _children(s)]) if is_nested(s) else s
        r = func(new)
        return new if r is None else fix(r)

    return walk(structure)


def lists_to_tuples(structure):
    """The same structure with every list turned into a tuple."""

    def walk(s):
        if isinstance(s, list):
            return tuple(walk(c) for c in s)
        if is_nested(s):
            return _rebuild(s, [walk(c) for c in _children(s)])
        return s

    return walk(structure)


def _is_shape(s) -> bool:
    return isinstance(s, (list, tuple)) and all(v is None or isinstance(v, int) for v in s)


def map_shape_structure(func, structure):
    """Map ``func`` over a structure whose leaves are shapes (tuples/lists of ints or None)."""
    if _is_shape(structure):
        return func(tuple(structure))
    if is_nested(structure):
        return _rebuild(structure, [map_shape_structure(func, c) for c in _children(structure)])
    return func(structure)
