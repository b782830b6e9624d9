"""Keras 3's type-promotion rules (``result_type``), in pure Python for every backend.

Dtypes sit on a lattice (JAX's): bool < int (weak) < uint8/int8 < ... < float (weak) <
bfloat16/float16 < float32 < float64, with complex types above. The result of mixing dtypes is
their least upper bound. Python ``int``/``float`` scalars are *weak*: they take the kind of the
other operand without widening it (``int8 + 1`` stays int8, ``float16 + 1.5`` stays float16), and
resolve to floatx precision when nothing stronger is present. As in Keras on the torch and JAX
backends, the promoted dtype narrows 64-bit types to 32 bits (int64 -> int32, float64 ->
float32); ops that keep 64-bit inputs (``add`` of two int64 tensors) do so explicitly.
"""

from __future__ import annotations

import functools

from lamina import config

FLOAT_TYPES = ("bfloat16", "float16", "float32", "float64")
INT_TYPES = ("uint8", "uint16", "uint32", "uint64", "int8", "int16", "int32", "int64")

# Each dtype and the dtypes directly above it on the promotion lattice.
_UP = {
    "bool": ["int"],
    "int": ["uint8", "int8", "complex64"],
    "uint8": ["int16", "uint16"], "uint16": ["int32", "uint32"], "uint32": ["int64", "uint64"],
    "uint64": ["float"],
    "int8": ["int16"], "int16": ["int32"], "int32": ["int64"], "int64": ["float"],
    "float": ["bfloat16", "float16"], "bfloat16": ["float32"], "float16": ["float32"],
    "float32": ["float64", "complex64"], "float64": ["complex128"],
    "complex64": ["complex128"], "complex128": [],
}


def _closure(node):
    seen, todo = {node}, [node]
    while todo:
        for up in _UP[todo.pop()]:
            if up not in seen:
                seen.add(up)
                todo.append(up)
    return frozenset(seen)


_ABOVE = {n: _closure(n) for n in _UP}
_NARROW = {"int64": "int32", "uint64": "uint32", "float64": "float32", "complex128": "complex64"}
_PY = {bool: "bool", int: "int", float: "float", complex: "complex64"}


@functools.lru_cache(maxsize=1024)
def _lub(nodes: frozenset) -> str:
    common = frozenset.intersection(*(_ABOVE[n] for n in nodes))
    least = [c for c in common if common <= _ABOVE[c]]
    if len(least) != 1:
        raise ValueError(f"Dtypes {sorted(nodes)} have no common promoted dtype; cast them explicitly.")
    return least[0]


def _name(d) -> str:
    if d is None:
        return config.floatx()
    if d in _PY:
        return _PY[d]
    if isinstance(d, str):
        return d
    name = getattr(d, "name", None) or str(d)
    return name.replace("torch.", "")


def result_type(*dtypes) -> str:
    """The dtype Keras 3 gives to an op mixing ``dtypes``.

    Args:
        *dtypes: dtype names, dtype objects, or the Python types ``int``/``float``/``bool`` for
            weak scalars. ``None`` means floatx; no argument at all gives floatx.

    Example:
        >>> result_type("int32", "float32"), result_type("int8", int), result_type("int32", float)
        ('float32', 'int8', 'float32')
    """
    if not dtypes:
        return config.floatx()
    names = tuple(_name(d) for d in dtypes)
    for n in names:
        if n not in _UP:
            raise ValueError(f"result_type() received the dtype {n!r}; expected one of {sorted(_UP)}.")
    out = _lub(frozenset(names))
    if out in ("int", "float"):
        out = out + config.floatx()[-2:]
    return _NARROW.get(out, out)


def is_float(dtype) -> bool:
    return _name(dtype) in FLOAT_TYPES


def is_int(dtype) -> bool:
    return _name(dtype) in INT_TYPES
