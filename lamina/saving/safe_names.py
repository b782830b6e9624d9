"""What a model file may name: the allowlist behind safe loading.

A config names classes and functions by string. Resolving any name of any module would let a
file call arbitrary code without storing bytecode (the pattern of CVE-2025-9906 in Keras: a
Lambda whose ``function`` is ``load_model`` or ``save_model``). lamina resolves only:

- objects the caller registered (``custom_objects``, ``custom_object_scope``,
  ``@register_keras_serializable``): the caller vouches for them;
- lamina's own classes that are layers, models, initializers, regularizers, constraints,
  optimizers, learning-rate schedules, losses or metrics;
- lamina's own activation, loss and metric *functions* (never helpers such as ``get`` or
  ``deserialize``).

Names starting with ``_`` are refused before any lookup. Plain values read from a file
(Lambda ``arguments``, call arguments in ``inbound_nodes``) must be JSON scalars or lists/dicts
of them.
"""

from __future__ import annotations

import re
import types

from lamina.errors import UnsafeLoadError

FUNCTION_FAMILIES = ("activations", "losses", "metrics")
# Functions of those packages that are not activations/losses/metrics themselves.
_HELPERS = frozenset({"get", "serialize", "deserialize", "deserialize_function", "lookup",
                      "check_targets", "reduce_weighted_values"})
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_.>\-]*$")
# Deepest nesting of a config a model file may have (Keras configs of nested models are < 40).
MAX_DEPTH = 200


def check_name(name, what="object") -> str:
    """``name`` if it is a plain identifier that may be looked up; else ``UnsafeLoadError``."""
    if not isinstance(name, str):
        raise UnsafeLoadError(
            f"the {what} name {str(name)[:80]!r} is a {type(name).__name__}, expected a string "
            "naming a class or function.")
    last = name.split(">")[-1]
    if not last or last.startswith("_") or not _NAME.match(name):
        raise UnsafeLoadError(
            f"the file names the {what} {name[:80]!r}; names starting with '_' or holding "
            "characters other than letters, digits, '_', '.', '-' and '>' are never looked up "
            "(they would reach Python internals).")
    return name


def _bases():
    from lamina.constraints import Constraint
    from lamina.initializers import Initializer
    from lamina.layers.layer import Layer
    from lamina.losses import Loss
    from lamina.metrics import Metric
    from lamina.optimizers import Optimizer
    from lamina.optimizers.schedules import LearningRateSchedule
    from lamina.regularizers import Regularizer

    return (Layer, Initializer, Regularizer, Constraint, Optimizer, LearningRateSchedule, Loss, Metric)


def allowed_class(obj) -> bool:
    """Whether ``obj`` (found in one of lamina's packages) is a class a model file may
    instantiate: a layer, model, initializer, regularizer, constraint, optimizer, schedule,
    loss or metric."""
    return isinstance(obj, type) and issubclass(obj, _bases())


def allowed_function(obj, name) -> bool:
    """Whether ``obj`` (found as ``name``) is one of lamina's activation/loss/metric functions."""
    if not isinstance(obj, types.FunctionType) or name in _HELPERS or name.startswith("_"):
        return False
    module = obj.__module__ or ""
    return any(module == f"lamina.{f}" or module.startswith(f"lamina.{f}.") for f in FUNCTION_FAMILIES)


def check_depth(config, limit=MAX_DEPTH):
    """Raise ``UnsafeLoadError`` when ``config`` nests deeper than ``limit`` (checked without
    recursion, so a hostile file cannot exhaust the stack)."""
    stack = [(config, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > limit:
            raise UnsafeLoadError(
                f"the config nests deeper than {limit} levels; model configs are far shallower, "
                "so the file is damaged or crafted.")
        if isinstance(value, dict):
            stack.extend((v, depth + 1) for v in value.values())
        elif isinstance(value, list):
            stack.extend((v, depth + 1) for v in value)


def check_plain(value, what):
    """``value`` if it holds only JSON scalars, lists and dicts with string keys (and the
    ``__numpy__`` values of Keras's format); else ``UnsafeLoadError`` naming ``what``."""
    stack = [value]
    while stack:
        v = stack.pop()
        if v is None or isinstance(v, (bool, int, float, str)):
            continue
        if isinstance(v, list):
            stack.extend(v)
        elif isinstance(v, dict):
            if v.get("class_name") == "__numpy__":
                continue
            if "class_name" in v:
                raise UnsafeLoadError(
                    f"{what} holds a {str(v['class_name'])[:60]!r} object; a file may only pass "
                    "plain values (numbers, strings, lists) there.")
            for k, item in v.items():
                if not isinstance(k, str) or k.startswith("_"):
                    raise UnsafeLoadError(f"{what} holds the key {str(k)[:60]!r}; keys must be "
                                          "names not starting with '_'.")
                stack.append(item)
        else:
            raise UnsafeLoadError(f"{what} holds a {type(v).__name__}; only plain values may come "
                                  "from a file.")
    return value
