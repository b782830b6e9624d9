"""What the JAX backend contributes to ``lamina.layers.Layer``: weight and child tracking.

A layer's weights live in its own store (``_jax_weights``, attribute name -> array), not in
``__dict__``; ``self.kernel`` reaches them through ``__getattr__``. Inside a layer call (and
inside a ``StatelessScope``) it returns the value of the weight's ``Variable``, so inside a
scope the scope's value: that is the whole trick of the compiled train step, the layer code is
unchanged and sees tracers under ``jit``, and the kernels get plain arrays. Between calls it
returns the ``Variable`` itself, as Keras 3 does (``layer.kernel.assign(...)``,
``K.set_value(layer.kernel, ...)``, ``layer.kernel.path``).
Sub-layers are tracked in ``_modules`` (attribute or position -> layer), the names the saving
code reads under both backends.
"""

from __future__ import annotations

import contextlib
import itertools

import jax
import jax.numpy as jnp

from lamina.backend.jax.ops.core import convert_to_tensor, standardize_dtype, to_jax_dtype
from lamina.backend import stateless_scope as _scope
from lamina.backend.jax import eager_model as _eager_model
from lamina.backend.jax import variables as _variables
from lamina.backend.jax.variables import Variable  # noqa: F401  (re-exported)

Tensor = jax.Array
Parameter = Variable  # no separate parameter type under JAX: trainable weights are Variables

class _NoCalls:
    """The call state before any layer exists: no call, no symbolic run."""

    depth = 0
    symbolic = 0


# lamina.layers.layer's call state (the depth of nested layer calls, the nesting of symbolic
# stand-in runs), bound when the first layer is made (that module imports this one). Weight
# lookups (__getattr__) and the setting stamps (__setattr__) both read it.
_calls = _NoCalls


def _bind_call_state() -> None:
    global _calls
    from lamina.layers.layer import _STATE

    _calls = _STATE


class _Children(dict):
    """A layer's ``_modules``: a dict that notes every change (``variables.bump_structure``), so
    that code mutating it in place (``del model._modules[name]``) still invalidates the cached
    variable lists."""

    __slots__ = ()

    def __setitem__(self, key, value):
        dict.__setitem__(self, key, value)
        _variables.bump_structure()

    def __delitem__(self, key):
        dict.__delitem__(self, key)
        _variables.bump_structure()

    def pop(self, *args):
        _variables.bump_structure()
        return dict.pop(self, *args)

    def popitem(self):
        _variables.bump_structure()
        return dict.popitem(self)

    def clear(self):
        _variables.bump_structure()
        dict.clear(self)

    def update(self, *args, **kwargs):
        _variables.bump_structure()
        dict.update(self, *args, **kwargs)

    def setdefault(self, key, default=None):
        _variables.bump_structure()
        return dict.setdefault(self, key, default)


# A layer's ``_attr_stamp`` is the time (a process-wide count) its settings last changed: a public
# attribute (``rate``, ``activation``, ``epsilon``...) or ``trainable`` set or deleted between
# calls. The compiled eager model call (eager_model.py) bakes the settings of its layers into its
# program and traces again when one of them changes. What layers set while they are called (call
# depth > 0, a trace included) does not count, nor does the training loop's bookkeeping on a model.
_stamps = itertools.count(1)
_LOOP_STATE = frozenset({"history", "stop_training", "optimizer", "compiled"})


class LayerBase:
    """The backend half of every lamina Layer under JAX."""

    _casts_integer_inputs = True

    def _backend_init(self) -> None:
        if _calls is _NoCalls:
            _bind_call_state()
        d = self.__dict__
        d["_jax_weights"] = {}
        d["_jax_handles"] = {}
        d["_modules"] = _Children()
        d["training"] = False

    # ------------------------------------------------------------ weights storage
    def _create_weight(self, attr: str, value, trainable: bool):
        value = convert_to_tensor(value)
        self.__dict__["_jax_weights"][attr] = value
        _variables.bump_structure()
        return value

    def _has_weight(self, attr: str) -> bool:
        return attr in self.__dict__["_jax_weights"]

    def _rename_weight(self, old: str, new: str) -> None:
        store = self.__dict__["_jax_weights"]
        store[new] = store.pop(old)
        handles = self.__dict__["_jax_handles"]
        if old in handles:
            handles[new] = handles.pop(old)

    def _weight_tensor(self, attr: str):
        return self.__dict__["_jax_weights"][attr]

    def _find_own_weight(self, value):
        specs = self.__dict__.get("_own_weights")
        if not specs or not isinstance(value, jax.Array):
            return None
        store = self.__dict__["_jax_weights"]
        for v in specs:
            if store.get(v._attr) is value:
                return v
        return None

    def __getattr__(self, name):
        d = self.__dict__
        handles = d.get("_jax_handles")
        if handles is not None:
            h = handles.get(name)
            if h is None and name in d.get("_jax_weights", ()):
                h = self._handle_of(name)
            if h is not None:
                c = _calls
                if c.depth == 0 and c.symbolic == 0 and _scope.current() is None:
                    return h  # between calls: the Variable, as in Keras 3
                value = h.value
                to = d.get("_casting")  # inside a mixed-precision call: float weights in the compute dtype
                if to is not None and value.dtype != to and jnp.issubdtype(value.dtype, jnp.floating) \
                        and name not in d.get("_no_autocast", ()):
                    return value.astype(to)
                return value
            m = d["_modules"].get(name)
            if m is not None:
                return m
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def _handle_of(self, attr):
        for v in self.__dict__.get("_own_weights", ()):
            if v._attr == attr:
                self.__dict__["_jax_handles"][attr] = v
                return v
        return None

    def __setattr__(self, name, value):
        d = self.__dict__
        if isinstance(value, (jax.Array, Variable)) and "_jax_weights" in d:
            v = value if isinstance(value, Variable) and value._owner is self else self._find_own_weight(value)
            if v is not None:
                if v._attr != name:
                    d.pop(name, None)  # a placeholder (`self.w = None`) must not shadow the weight
                    self._rename_weight(v._attr, name)
                    v._attr = name
                d["_jax_handles"][name] = v
                return
        _variables.bump_structure()  # any other attribute may hold layers or variables
        if (not name.startswith("_") or name == "_trainable") and name not in _LOOP_STATE \
                and _calls.depth == 0:
            d["_attr_stamp"] = next(_stamps)  # a setting changed between calls (see eager_model.py)
        if "_modules" in d:
            if isinstance(value, LayerBase):
                d["_modules"][name] = value
            elif isinstance(value, (list, tuple)) and value and all(isinstance(x, LayerBase) for x in value):
                d["_modules"][name] = value
            elif name in d["_modules"]:
                del d["_modules"][name]
            if name in d["_jax_weights"] and not isinstance(value, jax.Array):
                # rebinding a weight's attribute to something else drops the weight
                if value is None:
                    return
        object.__setattr__(self, name, value)

    def __delattr__(self, name):
        _variables.bump_structure()
        d = self.__dict__
        if not name.startswith("_") and _calls.depth == 0:
            d["_attr_stamp"] = next(_stamps)
        d.get("_modules", {}).pop(name, None)
        if name in d:
            object.__delattr__(self, name)

    def add_module(self, name, module) -> None:
        """Track ``module`` as a child under ``name`` (torch's spelling, used by the models)."""
        if module is None:
            self.__dict__["_modules"].pop(name, None)
        else:
            self.__dict__["_modules"][name] = module

    def _child_layers(self):
        out = []
        for m in self.__dict__["_modules"].values():
            if isinstance(m, (list, tuple)):
                out.extend(x for x in m if isinstance(x, LayerBase))
            elif isinstance(m, LayerBase):
                out.append(m)
        return out

    def _set_requires_grad(self, flag: bool) -> None:
        """JAX differentiates only what the step asks for: nothing to switch."""

    def train(self, mode: bool = True):
        for layer in self._flatten_layers():
            layer.__dict__["training"] = bool(mode)
        return self

    def eval(self):
        return self.train(False)

    @property
    def _dtype(self) -> str:
        return self.__dict__["_dtype_name"]

    @_dtype.setter
    def _dtype(self, name: str) -> None:
        self.__dict__["_dtype_name"] = name
        jd = to_jax_dtype(name)
        self.__dict__["_cast_to"] = jd if jd is not None and jnp.issubdtype(jd, jnp.floating) else None

    def _autocast_input(self, x):
        want = self.__dict__.get("_cast_to")
        if want is None or x.dtype == want:
            return x
        if jnp.issubdtype(x.dtype, jnp.floating) or (
                self._casts_integer_inputs and not jnp.issubdtype(x.dtype, jnp.complexfloating)):
            return x.astype(want)
        return x

    def _set_mixed_compute(self, policy) -> None:
        """A 'mixed_*' policy reads the layer's float weights in its compute dtype during call()
        (Keras 3's AutocastScope); the variables keep their float32 values."""
        self.__dict__["_mixed_to"] = to_jax_dtype(policy.compute_dtype) if policy.is_mixed else None

    _compiled_call = None  # Functional/Sequential name their call here (see eager_model.py)

    def _module_call(self, *args, **kwargs):
        cls = type(self)
        if cls._compiled_call is not None and cls._compiled_call is cls.call:
            out = _eager_model.call(self, args, kwargs, self._eager_module_call, _untraceable())
            if type(out) is tuple and out and out[0] is _eager_model.EAGER:
                out = self._eager_module_call(*args, **kwargs)
                _eager_model.mark_off(self)  # traced it failed, op by op it works
                return out
            if out is not _eager_model.EAGER:
                return out
        return self._eager_module_call(*args, **kwargs)

    def _eager_module_call(self, *args, **kwargs):
        d = self.__dict__
        to = d.get("_mixed_to")
        try:
            if to is None:
                return self.call(*args, **kwargs)
            prev, d["_casting"] = d.get("_casting"), to
            try:
                return self.call(*args, **kwargs)
            finally:
                d["_casting"] = prev
        except _DATA_DEPENDENT as e:
            raise _data_dependent_error(self, e) from None

    def __hash__(self):
        return id(self)

    def __eq__(self, other):
        return self is other


_DATA_DEPENDENT = (jax.errors.ConcretizationTypeError, jax.errors.NonConcreteBooleanIndexError,
                   jax.errors.TracerBoolConversionError, jax.errors.TracerIntegerConversionError,
                   jax.errors.TracerArrayConversionError)


def _untraceable():
    from lamina.errors import DataDependentShapeError

    return _DATA_DEPENDENT + (DataDependentShapeError,)


def _data_dependent_error(layer, e):
    """JAX's error for a value-dependent shape or branch in a traced call, as a lamina error
    naming the layer and the way out (the innermost layer names itself; outer ones pass it on)."""
    from lamina.errors import DataDependentShapeError

    first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
    return DataDependentShapeError(
        f"Layer '{layer.name}' ({type(layer).__name__}) computes a shape or a Python branch from "
        f"the values of a tensor ({type(e).__name__}: {first}), which JAX cannot compile: in "
        "fit/evaluate/predict and under jax.jit every shape must follow from the input shapes. "
        "Use a static-size op in call(): ops.where(mask, x, 0) instead of x[mask], "
        "ops.nonzero/ops.unique only outside the model, ops.cond/ops.where instead of `if tensor:`; "
        "or run this model on the torch backend."
    )


@contextlib.contextmanager
def reparametrized(layer, mapping):
    """Under JAX a Variable already reads the active StatelessScope: nothing to swap."""
    yield


def make_tensor(value, dtype=None):
    return convert_to_tensor(value, dtype)


def initial_value(initializer, shape, dtype):
    with jax.ensure_compile_time_eval():  # a weight created while a call is traced is concrete
        out = convert_to_tensor(initializer(tuple(shape), dtype=dtype), dtype)
    return out.reshape(tuple(shape)) if tuple(out.shape) != tuple(shape) else out


def zeros_spec(shape, dtype):
    """A concrete stand-in for a symbolic input: zeros of ``shape``."""
    return jnp.zeros(tuple(shape), to_jax_dtype(dtype))


def run_on_zeros(run):
    """A symbolic call's stand-in run (``run(zeros)``), traced with ``jax.eval_shape``: the
    outputs' shapes and dtypes (``jax.ShapeDtypeStruct``) without executing, so without compiling,
    a single op (eagerly each op compiles an XLA program per new shape, 40-90 ms on a CPU, and
    building a 200-layer model ran hundreds). The run is redone on concrete zeros, as under torch,
    when it cannot be traced (a value-dependent shape or branch, a non-array output), or when it
    assigned a variable, added a loss or changed an attribute or weight (so no tracer is left in a
    layer and every side effect of the concrete run is kept)."""
    from lamina.backend import stateless_scope as _scope

    version = _variables.structure_version
    try:
        with _scope.StatelessScope() as scope:
            out = jax.eval_shape(lambda: run(_traced_zeros))
    except Exception:  # noqa: BLE001 - the concrete run below raises it as under torch, or works
        return run(zeros_spec)
    if scope._values or scope.losses or _variables.structure_version != version:
        return run(zeros_spec)
    return out


def _traced_zeros(shape, dtype):
    return jnp.zeros(tuple(shape), to_jax_dtype(dtype))


def inference_scope():
    return contextlib.nullcontext()


_ = standardize_dtype
