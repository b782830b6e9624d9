"""An eager call of a built Functional or Sequential model under JAX, run as one compiled program.

Eagerly, every ``jnp`` op compiles an XLA program per new input shape (40-90 ms each on a CPU),
so a first forward pass through a 200-layer model compiled hundreds of them. Here the model's
call is traced once per (input shapes and dtypes, mask presence, ``training``) into one
``jax.jit`` program, as ``predict()`` does, and later calls with the same signature cost one
dispatch.

What the call does besides its outputs is kept as the op-by-op call keeps it:

- the non-trainable values it assigns (BatchNormalization statistics, seed generator states,
  a stateful RNN's states) and the global seed state are written back;
- the masks on its outputs are set on the returned arrays, and masks on its inputs are read;
- Embedding ids are checked on the host (``ids.py``): a bad batch runs op by op, which raises
  lamina's error naming the layer; shape checks run while tracing, with the same messages.

The program bakes in the layers' Python settings (``Dropout.rate``, ``activation``,
``trainable``, ``epsilon``...): a public attribute set on a layer between calls stamps it
(``_attr_stamp``, set in ``layer.py``'s ``__setattr__``) and the next call traces again, so it sees
the change as the op-by-op call (Keras 3's eager call) does. What a layer sets on itself while it
is called (a trace included) does not count, so repeated calls keep their program.

A model holding code of the user's (a layer class defined outside lamina, a Lambda) keeps the
op-by-op call, where that code sees concrete arrays, as eagerly under Keras 3's JAX backend.
A model whose call cannot be traced (a value-dependent shape or branch) or that adds losses
during the call (activity regularizers, ``add_loss``: ``model.losses`` must name them per layer)
runs op by op from then on; so does every call with tracers (inside a user's ``jax.jit`` or a
compiled step), inside a ``StatelessScope``, or with arguments other than ``training``/``mask``.
"""

from __future__ import annotations

import operator

import jax

from lamina.backend import stateless_scope as _scope
from lamina.backend.jax import ids as _ids
from lamina.backend.jax import masks as _masks
from lamina.backend.jax import random as _random
from lamina.backend.jax import variables as _variables

EAGER = object()  # "run the call op by op"
_OFF = "_jit_call_off"  # set on a model whose call cannot run compiled
_CACHE = "_jit_call_cache"


def _eligible(model, args, kwargs):
    if model.__dict__.get(_OFF) or _scope.current() is not None or len(args) != 1:
        return None
    if any(k not in ("training", "mask") for k in kwargs):
        return None
    training = kwargs.get("training")
    if training is not None and not isinstance(training, bool):
        return None
    leaves = jax.tree_util.tree_leaves(args[0])
    if not leaves:
        return None
    for a in leaves:
        if not isinstance(a, jax.Array) or isinstance(a, jax.core.Tracer):
            return None
    for m in jax.tree_util.tree_leaves(kwargs.get("mask")):
        if not isinstance(m, jax.Array) or isinstance(m, jax.core.Tracer):
            return None
    return leaves


def _ready(model):
    """``(layers, stamp)`` when every layer is built and no state is still to be created on the
    first call (a stateful RNN whose states do not exist yet), else None: the model's layers and
    the last time one of their settings changed (``_attr_stamp``, see ``layer.py``). A model
    holding code of the user's (a layer class defined outside lamina, or a Lambda) is marked to run
    op by op: eagerly that code sees concrete arrays (it may print them, keep them, convert them to
    NumPy); traced, it would see tracers."""
    layers = model._flatten_layers()
    stamp = 0
    for layer in layers:
        cls = type(layer)
        if not cls.__module__.startswith("lamina.") or cls.__name__ == "Lambda":
            mark_off(model)
            return None
        if not layer.built:
            return None
        d = layer.__dict__  # lamina layers keep `stateful` there; a getattr miss costs microseconds
        if d.get("stateful") and layer.states is None:
            return None
        s = d.get("_attr_stamp", 0)
        if s > stamp:
            stamp = s
    return layers, stamp


def _signature(a):
    return (a.shape, a.dtype, bool(getattr(a, "weak_type", False)))


class _Entry:
    """One compiled call and what its trace learned."""

    __slots__ = ("fn", "checks", "losses", "traced")

    def __init__(self):
        self.fn = None
        self.checks = []
        self.losses = False
        self.traced = False


def _handles_and_entries(model, layers, stamp):
    """(handles, {key: _Entry}): the model's variables, listed again only when
    ``variables.structure_version`` moved. The compiled calls are kept while the model holds the
    same layers and Variables and no layer's settings changed since they were traced (a Python
    attribute such as ``Dropout.rate`` or ``trainable`` is a constant of the program)."""
    cached = model.__dict__.get(_CACHE)
    version = _variables.structure_version
    if cached is not None and cached[0] == version and cached[3] == stamp:
        return cached[1], cached[4]
    handles = list(model.trainable_variables) + list(model.non_trainable_variables)
    if cached is not None and cached[3] == stamp and _same(cached[1], handles) and _same(cached[2], layers):
        entries = cached[4]
    else:
        entries = {}
    model.__dict__[_CACHE] = (version, handles, layers, stamp, entries)
    return handles, entries


def _same(a, b):
    return len(a) == len(b) and all(map(operator.is_, a, b))


def _compiled(model, handles, entry, training, body):
    def step(values, x, mask, in_masks, rng):
        for a, m in zip(jax.tree_util.tree_leaves(x), in_masks):
            if m is not None:
                _masks.set_mask(a, m)
        kw = {} if training is None else {"training": training}
        if mask is not None:
            kw["mask"] = mask
        prev = _random.swap_global_state(rng)
        try:
            with _scope.StatelessScope(list(zip(handles, values))) as scope, _ids.watching(x, entry.checks):
                out = body(x, **kw)
            new_rng = _random.global_state()
        finally:
            _random.swap_global_state(prev)
        entry.losses = bool(scope.losses)
        entry.traced = True
        out_masks = [_masks.get_mask(o) for o in jax.tree_util.tree_leaves(out)]
        news = [scope.get_current_value(h) for h in handles]
        changed = {i: b for i, (a, b) in enumerate(zip(values, news)) if a is not b}
        return out, out_masks, changed, (None if new_rng is rng else new_rng)

    return jax.jit(step)


def call(model, args, kwargs, body, data_dependent):
    """The outputs of ``model``'s call on concrete inputs, computed by one compiled program, or
    ``EAGER`` when the call must run op by op; ``(EAGER, True)`` when tracing failed for a reason
    the op-by-op call will show (if that call succeeds, the caller marks the model with
    ``mark_off``).

    Args:
        model: a built Functional or Sequential.
        args, kwargs: the call's arguments as ``Layer.__call__`` passes them on.
        body: the op-by-op call (``model._eager_module_call``), traced.
        data_dependent: the exception types of an untraceable call.
    """
    leaves = _eligible(model, args, kwargs)
    if leaves is None:
        return EAGER
    ready = _ready(model)
    if ready is None:
        return EAGER
    x, mask, training = args[0], kwargs.get("mask"), kwargs.get("training")
    in_masks = [_masks.get_mask(a) for a in leaves]
    handles, entries = _handles_and_entries(model, *ready)
    key = (training, jax.tree_util.tree_structure((x, mask, in_masks)),
           tuple(_signature(a) for a in leaves),
           tuple(_signature(m) for m in jax.tree_util.tree_leaves((mask, in_masks))))
    entry = entries.get(key)
    if entry is None:
        entry = entries[key] = _Entry()
        entry.fn = _compiled(model, handles, entry, training, body)
    elif entry.checks and _ids.out_of_range(x, entry.checks):
        return EAGER  # the op-by-op call raises the Embedding's error
    values = [h.value for h in handles]
    first = not entry.traced
    try:
        out, out_masks, changed, rng = entry.fn(values, x, mask, in_masks, _random.global_state())
    except data_dependent:
        mark_off(model)
        return EAGER
    except Exception:  # noqa: BLE001 - the op-by-op call raises it with lamina context, or works
        entries.pop(key, None)
        return (EAGER, True)
    if entry.losses:
        mark_off(model)
        return EAGER
    if first and entry.checks and _ids.out_of_range(x, entry.checks):
        return EAGER
    for i, v in changed.items():
        handles[i].assign(v)
    if rng is not None:
        _random.swap_global_state(rng)
    for o, m in zip(jax.tree_util.tree_leaves(out), out_masks):
        if m is not None:
            _masks.set_mask(o, m)
    return out


def mark_off(model) -> None:
    """Run ``model``'s calls op by op from now on."""
    model.__dict__[_OFF] = True
    model.__dict__.pop(_CACHE, None)
