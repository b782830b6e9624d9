"""The Layer base class: build lazily, hold weights in Keras layout, compute in ``call``.

Lifecycle: the constructor stores settings; ``build(input_shape)`` makes weights with
``add_weight`` on the first call; ``call()`` only computes; ``compute_output_shape`` states the
shape. Under torch a Layer is a ``torch.nn.Module`` (see lamina/backend/torch/layer.py).
"""

from __future__ import annotations

import functools
import inspect

from lamina import backend, config, ops
from lamina import dtype_policies as _dtype_policies
from lamina.backend import stateless_scope as _scope
from lamina.errors import ShapeError, deprecated, suggest
from lamina.layers.input_spec import check_input
from lamina.layers.keras_tensor import KerasTensor, Node, any_symbolic, flatten, map_structure
from lamina.random import SeedGenerator
from lamina.utils import naming

_Tensor = backend.Tensor


class _CallState:
    """Training flag of the outermost call that set one explicitly (None: not set); the depth of
    nested layer calls and the id of the current outermost call (losses are kept per call); the
    nesting of ``layer.call`` runs on stand-in inputs (``run_symbolically``)."""

    training = None
    depth = 0
    call_id = 0
    symbolic = 0


_STATE = _CallState()


def current_training():
    return _STATE.training


# Keras 1/2 keyword spellings accepted by every layer (when the layer has no such argument):
# old name -> (new name, value converter or None).
_DIM_ORDERING = {"th": "channels_first", "tf": "channels_last"}
LEGACY_KWARGS = {
    "init": ("kernel_initializer", None),
    "inner_init": ("recurrent_initializer", None),
    "W_regularizer": ("kernel_regularizer", None),
    "b_regularizer": ("bias_regularizer", None),
    "U_regularizer": ("recurrent_regularizer", None),
    "W_constraint": ("kernel_constraint", None),
    "b_constraint": ("bias_constraint", None),
    "U_constraint": ("recurrent_constraint", None),
    "bias": ("use_bias", None),
    "border_mode": ("padding", None),
    "subsample": ("strides", None),
    "subsample_length": ("strides", None),
    "dim_ordering": ("data_format", lambda v: _DIM_ORDERING.get(v, v)),
    "inner_activation": ("recurrent_activation", None),
    "dropout_W": ("dropout", None),
    "dropout_U": ("recurrent_dropout", None),
    "output_dim": ("units", None),
    "nb_filter": ("filters", None),
    "pool_length": ("pool_size", None),
}


def _translate_legacy(cls_name, kwargs, table):
    out = {}
    for k, v in kwargs.items():
        if k in table:
            new, conv = table[k]
            deprecated(f"{cls_name}({k}=...)", f"{cls_name}({new}=...)", stacklevel=4)
            out[new] = conv(v) if conv else v
        else:
            out[k] = v
    return out


class Layer(backend.LayerBase):
    """Base class of all layers.

    Args:
        name: unique name; by default the snake-cased class name with a counter ('dense_1').
        trainable: whether the layer's weights are updated by training.
        dtype: the dtype of the weights and computations ('float32' by default).
        input_shape / input_dim / input_length / batch_size / batch_input_shape: only on the
            first layer of a Sequential model, to give the shape of the data (batch excluded).
        weights: (Keras 1/2) initial weights, set after the layer is built.

    Example:
        >>> import lamina
        >>> class Double(lamina.layers.Layer):
        ...     def call(self, x):
        ...         return x * 2
        >>> Double()(lamina.ops.ones((1, 2))).tolist()
        [[2.0, 2.0]]
    """

    _legacy_kwargs: dict = {}
    _call_has_training = False
    _call_has_mask = False
    _overrides_output_shape = False
    _build_arg_names: tuple = ("input_shape",)

    def __init_subclass__(cls, **kw):
        super().__init_subclass__(**kw)
        call_params = inspect.signature(cls.call).parameters
        cls._call_has_training = "training" in call_params
        cls._call_has_mask = "mask" in call_params
        cls._overrides_output_shape = cls.compute_output_shape is not Layer.compute_output_shape
        cls._build_arg_names = tuple(p for p in list(inspect.signature(cls.build).parameters)[1:]
                                     if p not in ("args", "kwargs"))
        if "build" in cls.__dict__:
            user_build = cls.__dict__["build"]

            @functools.wraps(user_build)
            def build(self, *args, **kwargs):
                user_build(self, *args, **kwargs)
                self.built = True

            cls.build = build
        if "__init__" in cls.__dict__:
            orig = cls.__dict__["__init__"]
            own = set(inspect.signature(orig).parameters)
            table = dict(LEGACY_KWARGS)
            for base in reversed(cls.__mro__):
                table.update(base.__dict__.get("_legacy_kwargs", {}))
            table = {k: v for k, v in table.items() if k not in own}

            @functools.wraps(orig)
            def __init__(self, *args, **kwargs):
                if kwargs and not table.keys().isdisjoint(kwargs):
                    kwargs = _translate_legacy(type(self).__name__, kwargs, table)
                orig(self, *args, **kwargs)

            cls.__init__ = __init__

    def __init__(self, *, activity_regularizer=None, trainable=True, dtype=None, autocast=True,
                 name=None, **kwargs):
        self._backend_init()
        self._init_input_kwargs(kwargs)
        if kwargs:
            known = ["activity_regularizer", "trainable", "dtype", "name", "input_shape", "input_dim",
                     "batch_size", "batch_input_shape", "input_length", "weights"]
            hints = "".join(suggest(k, known) for k in kwargs)
            raise ValueError(
                f"Unrecognized keyword arguments passed to {type(self).__name__}: {kwargs}.{hints} "
                f"Check the spelling against the layer's documented arguments."
            )
        if name is None:
            name = naming.auto_name(naming.to_snake_case(type(self).__name__))
        elif not isinstance(name, str):
            raise TypeError(f"Layer name must be a string, received {name!r} for {type(self).__name__}.")
        self.name = name
        self._trainable = bool(trainable)
        self._dtype_policy = policy = _dtype_policy(dtype)
        self._dtype = policy.compute_dtype
        if policy.is_mixed or (dtype is not None and _dtype_policies.dtype_policy().is_mixed):
            self._set_mixed_compute(policy)  # the backend's autocast around call()
        self.autocast = autocast
        self.built = False
        self.input_spec = None
        self.supports_masking = False
        self._own_weights = []
        self._regularized = []
        self._constraints = []
        self._call_losses = []
        self._loss_call_id = -1
        self._inbound_nodes = []
        from lamina import regularizers as _regularizers

        self.activity_regularizer = _regularizers.get(activity_regularizer) if activity_regularizer else None

    def _init_input_kwargs(self, kwargs):
        shape = None
        if "batch_input_shape" in kwargs:
            shape = tuple(kwargs.pop("batch_input_shape"))
        elif "batch_shape" in kwargs:
            shape = tuple(kwargs.pop("batch_shape"))
        if "input_shape" in kwargs:
            shape = (kwargs.pop("batch_size", None),) + tuple(_as_shape(kwargs.pop("input_shape")))
        input_dim = kwargs.pop("input_dim", None)
        input_length = kwargs.pop("input_length", None)
        if shape is None and input_dim is not None:
            shape = (kwargs.pop("batch_size", None),) + (
                (input_length, input_dim) if input_length is not None else (input_dim,))
        elif shape is None and input_length is not None:
            shape = (kwargs.pop("batch_size", None), input_length)
        kwargs.pop("batch_size", None)
        self._batch_input_shape = shape
        self._initial_weights = kwargs.pop("weights", None)
        self._input_length = input_length

    # ------------------------------------------------------------------ properties
    @property
    def dtype(self) -> str:
        """The dtype of the layer's variables (Keras 3: ``dtype_policy.variable_dtype``)."""
        return self.variable_dtype

    @property
    def compute_dtype(self) -> str:
        return self._dtype

    @property
    def variable_dtype(self) -> str:
        policy = self._dtype_policy
        return policy.variable_dtype if policy.is_mixed else self._dtype

    @property
    def dtype_policy(self):
        """The layer's ``lamina.dtype_policies.DTypePolicy``."""
        return self._dtype_policy

    @property
    def trainable(self) -> bool:
        return self._trainable

    @trainable.setter
    def trainable(self, value: bool) -> None:
        value = bool(value)
        for layer in self._flatten_layers():
            layer._trainable = value
            layer._set_requires_grad(value)

    def _flatten_layers(self, include_self=True):
        out = [self] if include_self else []
        for child in self._child_layers():
            out.extend(child._flatten_layers())
        return out

    @property
    def weights(self) -> list:
        """All weights: own trainable, own non-trainable, then sub-layers' (Keras order)."""
        out = [v for v in self._own_weights if v.trainable] + [v for v in self._own_weights if not v.trainable]
        for child in self._child_layers():
            out.extend(child.weights)
        return _dedup(out)

    @property
    def trainable_weights(self) -> list:
        if not self._trainable:
            return []
        out = [v for v in self._own_weights if v.trainable]
        for child in self._child_layers():
            out.extend(child.trainable_weights)
        return _dedup(out)

    @property
    def non_trainable_weights(self) -> list:
        if not self._trainable:
            return self.weights
        out = [v for v in self._own_weights if not v.trainable]
        for child in self._child_layers():
            out.extend(child.non_trainable_weights)
        return _dedup(out)

    @property
    def variables(self) -> list:
        """``weights`` plus the state of the layers' ``SeedGenerator``s (as Keras)."""
        return _dedup(self.weights + self._seed_states())

    trainable_variables = trainable_weights

    @property
    def non_trainable_variables(self) -> list:
        """``non_trainable_weights`` plus the ``SeedGenerator`` states (as Keras)."""
        return _dedup(self.non_trainable_weights + self._seed_states())

    def _seed_states(self) -> list:
        out = [v.state for v in self.__dict__.values() if isinstance(v, SeedGenerator)]
        out.extend(self._own_state_variables())
        for child in self._child_layers():
            out.extend(child._seed_states())
        return out

    def get_weights(self) -> list:
        """The weights as NumPy arrays, in Keras layout and order."""
        return [v.numpy() for v in self.weights]

    def set_weights(self, weights) -> None:
        """Set the weights from NumPy arrays (as returned by ``get_weights``)."""
        mine = self.weights
        weights = list(weights)
        if len(weights) != len(mine):
            raise ValueError(
                f"Layer '{self.name}' expected {len(mine)} weight arrays "
                f"({[v.name for v in mine]}), but received {len(weights)}. "
                "Pass exactly the list layer.get_weights() returns."
                + ("" if self.built else " The layer is not built yet: call it on data first.")
            )
        problems = []
        for v, w in zip(mine, weights):
            shape = tuple(getattr(w, "shape", ()))
            if shape != v.shape:
                problems.append(f"'{v.path}': expected shape {v.shape}, received {shape}")
        if problems:
            raise ValueError(
                f"Layer '{self.name}' weight shapes do not match: " + "; ".join(problems)
                + ". Weights are in Keras layout (e.g. a Dense kernel is (input_dim, units))."
            )
        for v, w in zip(mine, weights):
            v.assign(w)

    def count_params(self) -> int:
        if not self.built:
            raise ValueError(
                f"You tried to call count_params on layer '{self.name}', but the layer isn't built. "
                "Build it first by calling it on data or by calling build(input_shape)."
            )
        total = 0
        for v in self.weights:
            n = 1
            for d in v.shape:
                n *= d
            total += n
        return total

    # ------------------------------------------------------------------ weights
    _ADD_WEIGHT_ORDER = ("shape", "initializer", "dtype", "trainable", "autocast", "regularizer",
                         "constraint", "aggregation", "name")
    _ADD_WEIGHT_ORDER_KERAS2 = ("name", "shape", "dtype", "initializer", "regularizer", "trainable",
                                "constraint")

    def add_weight(self, *args, **kwargs):
        """Create a weight (a Parameter if trainable, a buffer otherwise) and track it.

        Arguments (Keras 3 order): shape, initializer (default 'glorot_uniform' for floats,
        'zeros' otherwise), dtype, trainable=True, autocast, regularizer, constraint,
        aggregation, name. Keras 2's positional order ``add_weight(name, shape, dtype,
        initializer, regularizer, trainable, constraint)`` is recognised by a leading name string.

        Returns the backend tensor, ready to use in ``call``. ``self.kernel = self.add_weight(...)``
        stores it once, under the attribute name.
        """
        order = self._ADD_WEIGHT_ORDER_KERAS2 if args and isinstance(args[0], str) else self._ADD_WEIGHT_ORDER
        if len(args) > len(order):
            raise TypeError(f"add_weight() takes at most {len(order)} positional arguments, received {len(args)}.")
        for key, value in zip(order, args):
            if key in kwargs:
                raise TypeError(f"add_weight() got multiple values for argument '{key}'.")
            kwargs[key] = value
        return self._add_weight(**kwargs)

    def _add_weight(self, shape=None, initializer=None, dtype=None, trainable=True, autocast=True,
                    regularizer=None, constraint=None, aggregation="none", name=None,
                    use_resource=None, synchronization=None, overwrite_with_gradient=False):
        from lamina import constraints as _constraints
        from lamina import initializers as _initializers
        from lamina import regularizers as _regularizers

        dtype = _standardize_dtype(dtype or self.variable_dtype)
        shape = tuple(int(d) for d in (shape or ()))
        if initializer is None:
            initializer = "glorot_uniform" if ops.is_float_dtype(dtype) else "zeros"
        init = _initializers.get(initializer)
        value = _make_initial(init, shape, dtype)
        base = name or "variable"
        attr = base
        i = 0
        while self._has_weight(attr) or attr in self.__dict__:
            i += 1
            attr = f"{base}_{i}"
        tensor = self._create_weight(attr, value, bool(trainable))
        var = backend.Variable._of_layer(self, attr, base, bool(trainable))
        self._own_weights.append(var)
        if not autocast:  # kept in its dtype inside a mixed-precision call (BatchNormalization statistics)
            self.__dict__.setdefault("_no_autocast", set()).add(attr)
        if regularizer is not None:
            self._regularized.append((var, _regularizers.get(regularizer)))
        if constraint is not None:
            self._constraints.append((var, _constraints.get(constraint)))
        return tensor

    add_variable = add_weight

    # ------------------------------------------------------------------ losses
    @property
    def losses(self) -> list:
        """Regularization penalties of this layer and its sub-layers, plus losses added in the
        last outermost call (activity regularizers, ``add_loss``): a layer called twice in one
        forward pass keeps the losses of both calls."""
        scope = _scope.current()
        if scope is not None:  # inside stateless_call: the call's losses are in the scope
            return scope.losses + self._regularization_losses()
        out = list(self._call_losses) if self._loss_call_id == _STATE.call_id else []
        for var, reg in self._regularized:
            out.append(reg(var.value))
        for child in self._child_layers():
            out.extend(child.losses)
        return out

    def _regularization_losses(self) -> list:
        out = [reg(var.value) for var, reg in self._regularized]
        for child in self._child_layers():
            out.extend(child._regularization_losses())
        return out

    def add_loss(self, loss) -> None:
        """Add a loss tensor (e.g. a penalty computed in ``call``) to this call's losses."""
        scope = _scope.current()
        if scope is not None:
            scope.add_loss(loss)
            return
        if self._loss_call_id != _STATE.call_id:
            self._call_losses.clear()
            self._loss_call_id = _STATE.call_id
        self._call_losses.append(loss)

    def _current_call_losses(self) -> list:
        return self._call_losses if self._loss_call_id == _STATE.call_id else []

    def stateless_call(self, trainable_variables, non_trainable_variables, *args,
                       return_losses=False, **kwargs):
        """Call the layer with the given variable values, leaving its variables unchanged.

        A pure function of its arguments, as in Keras 3: state updates made during the call
        (BatchNormalization statistics, seed generator states) come back as new values instead of
        being applied. Under torch the weights are swapped in by attribute name, as
        ``torch.func.functional_call`` does, so it composes with ``torch.func.grad`` and ``vmap``.

        Args:
            trainable_variables: values for ``layer.trainable_variables``, in that order.
            non_trainable_variables: values for ``layer.non_trainable_variables``, in that order.
            *args, **kwargs: the call's arguments (``training=True``...).
            return_losses: also return the losses of the call (regularization and activity).

        Returns:
            ``(outputs, non_trainable_values)``, plus ``losses`` when ``return_losses``.

        Example:
            >>> import lamina
            >>> d = lamina.layers.Dense(2, kernel_initializer="ones")
            >>> x = lamina.ops.ones((1, 3))
            >>> _ = d(x)
            >>> tv = [v.value * 2 for v in d.trainable_variables]
            >>> y, ntv = d.stateless_call(tv, [], x)
            >>> y.tolist(), d(x).tolist()
            ([[6.0, 6.0]], [[3.0, 3.0]])
        """
        if not self.built:
            raise ValueError(
                f"Layer '{self.name}' must be built before stateless_call: call it once on data "
                "(or call build(input_shape)) to create its variables."
            )
        tv, ntv = self.trainable_variables, self.non_trainable_variables
        trainable_variables, non_trainable_variables = list(trainable_variables), list(non_trainable_variables)
        if len(trainable_variables) != len(tv) or len(non_trainable_variables) != len(ntv):
            raise ValueError(
                f"Layer '{self.name}'.stateless_call expects {len(tv)} trainable and {len(ntv)} "
                f"non-trainable values (layer.trainable_variables / layer.non_trainable_variables), "
                f"received {len(trainable_variables)} and {len(non_trainable_variables)}."
            )
        mapping = list(zip(tv, trainable_variables)) + list(zip(ntv, non_trainable_variables))
        with backend.StatelessScope(mapping) as scope, backend.reparametrized(self, mapping):
            outputs = self(*args, **kwargs)
            losses = self.losses if return_losses else None
        new_ntv = [scope.get_current_value(v) for v in ntv]
        return (outputs, new_ntv, losses) if return_losses else (outputs, new_ntv)

    def _own_state_variables(self) -> list:
        """Free ``Variable``s of this layer that are state, not weights (a stateful RNN's states)."""
        return []

    def _assign_state(self, attr, value) -> None:
        """Update the non-trainable weight stored as ``self.<attr>`` through its Variable."""
        for v in self._own_weights:
            if v._attr == attr:
                v.assign(value)
                return
        raise AttributeError(f"Layer '{self.name}' has no weight '{attr}'.")

    # ------------------------------------------------------------------ build & call
    def build(self, input_shape=None) -> None:
        """Create the layer's weights for inputs of ``input_shape`` (batch dimension first)."""
        self.built = True

    def call(self, inputs, *args, **kwargs):
        return inputs

    def compute_output_shape(self, input_shape):
        raise NotImplementedError

    def compute_mask(self, inputs, mask=None):
        return mask if self.supports_masking else None

    def __call__(self, *args, **kwargs):
        if args:
            x = args[0]
            if type(x) is not _Tensor and not (
                    type(x) is list and all(type(v) is _Tensor for v in x) and len(args) == 1):
                if any_symbolic(args) or any_symbolic(kwargs):
                    return self._symbolic_call(args, kwargs)
                args = (_to_tensors(x),) + args[1:]
                x = args[0]
        else:
            if "inputs" not in kwargs:
                raise TypeError(f"Layer '{self.name}' was called without inputs.")
            x = kwargs.pop("inputs")
            return self.__call__(x, *args, **kwargs)
        if self.autocast and isinstance(x, _Tensor) and x.dtype is not self._cast_to:
            x = self._autocast_input(x)  # floats of another dtype, ints and bools: compute dtype
            args = (x,) + args[1:]
        if not self.built:
            self._build_eagerly(args, kwargs)
        training = kwargs.get("training")
        prev = _STATE.training
        if training is not None:
            _STATE.training = bool(training)
            if not self._call_has_training:
                del kwargs["training"]
        elif self._call_has_training:
            kwargs["training"] = prev if prev is not None else self.training
        elif "training" in kwargs:
            del kwargs["training"]
        if self._call_has_mask:
            if kwargs.get("mask") is None:
                m = _get_mask(x)
                if m is not None:
                    kwargs["mask"] = m
        elif "mask" in kwargs:
            del kwargs["mask"]
        if _STATE.depth == 0:
            _STATE.call_id += 1  # a new outermost call: losses of earlier calls are stale
        _STATE.depth += 1
        try:
            out = self._module_call(*args, **kwargs)
        except (RuntimeError, ValueError, IndexError, TypeError) as e:
            self._explain_failure(e, args)
            raise
        finally:
            _STATE.training = prev
            _STATE.depth -= 1
        if self.activity_regularizer is not None:
            for o in flatten(out):
                if isinstance(o, _Tensor):
                    loss = self.activity_regularizer(o)
                    # Keras divides by the batch size, so the strength does not depend on it.
                    self.add_loss(loss / o.shape[0] if o.ndim > 0 and o.shape[0] else loss)
        if self.supports_masking or type(self).compute_mask is not Layer.compute_mask:
            mask = kwargs.get("mask")
            _set_mask(self, x, out, mask if mask is not None else _get_mask(x))
        return out

    def _explain_failure(self, error, args):
        if isinstance(error, ShapeError):
            return
        try:
            check_input(self, self.input_spec, _shapes(args[0]))
        except ShapeError as nice:
            raise nice from error

    def _build_eagerly(self, args, kwargs):
        shapes = self._build_shapes(args, kwargs)
        self._build_with(shapes)

    def _build_shapes(self, args, kwargs):
        names = self._build_arg_names
        if len(names) <= 1:
            return (_shapes(args[0]),)
        call_names = [p for p in inspect.signature(self.call).parameters][: len(args)]
        bound = dict(zip(call_names, args))
        bound.update(kwargs)
        out = []
        for n in names:
            key = n[: -len("_shape")] if n.endswith("_shape") else n
            val = bound.get(key)
            out.append(None if val is None else _shapes(val))
        return tuple(out)

    def _build_with(self, shapes):
        check_input(self, self.input_spec, shapes[0]) if self.input_spec is not None else None
        self.build(*shapes)
        self.built = True
        if self._initial_weights is not None:
            w, self._initial_weights = self._initial_weights, None
            self.set_weights(w)

    def _symbolic_call(self, args, kwargs):
        if not self.built:
            self._build_with(self._build_shapes(args, kwargs))
        elif self.input_spec is not None:
            check_input(self, self.input_spec, _shapes(args[0]))
        outputs = self.compute_output_spec(*args, **kwargs)
        Node(self, args, kwargs, flatten(outputs), structured=not isinstance(outputs, KerasTensor))
        return outputs

    def compute_output_spec(self, *args, **kwargs):
        """The symbolic output(s) for symbolic inputs: from ``compute_output_shape`` when the layer
        states it, else by running ``call`` on small concrete stand-ins."""
        if self._overrides_output_shape:
            shape = self.compute_output_shape(_shapes(args[0]))
            return _spec_from_shape(shape, self.compute_dtype)
        return run_symbolically(self, args, kwargs)

    # ------------------------------------------------------------------ graph info
    def _node_attr(self, attr, what):
        if not self._inbound_nodes:
            raise AttributeError(
                f"Layer '{self.name}' has never been called on a symbolic input, so it has no "
                f"defined {what}. Call it in a functional model or use a built model's shapes."
            )
        node = self._inbound_nodes[0]
        if attr == "input":
            ts = node.input_tensors
            return ts[0] if len(ts) == 1 else ts
        ts = node.outputs
        return ts[0] if len(ts) == 1 else ts

    @property
    def input(self):
        return self._node_attr("input", "input")

    @property
    def output(self):
        return self._node_attr("output", "output")

    @property
    def input_shape(self):
        if not self._inbound_nodes and self._batch_input_shape is not None:
            return self._batch_input_shape
        x = self._node_attr("input", "input shape")
        return [t.shape for t in x] if isinstance(x, list) else x.shape

    @property
    def output_shape(self):
        x = self._node_attr("output", "output shape")
        return [t.shape for t in x] if isinstance(x, list) else x.shape

    # ------------------------------------------------------------------ config
    def get_config(self) -> dict:
        policy = self._dtype_policy
        config = {"name": self.name, "trainable": self.trainable,
                  "dtype": serialize_dtype(policy.name if policy.is_mixed else self.dtype)}
        if self.activity_regularizer is not None:  # Keras writes it only when set
            config["activity_regularizer"] = _serialize_regularizer(self.activity_regularizer)
        if self._batch_input_shape is not None:
            config["batch_input_shape"] = list(self._batch_input_shape)
        return config

    @classmethod
    def from_config(cls, config: dict):
        return cls(**config)

    def extra_repr(self) -> str:
        return f"name={self.name!r}"


# ---------------------------------------------------------------------- helpers
def _serialize_regularizer(reg):
    from lamina import regularizers

    return regularizers.serialize(reg)


def _dedup(vs):
    seen = set()
    out = []
    for v in vs:
        if id(v) not in seen:
            seen.add(id(v))
            out.append(v)
    return out


def _as_shape(shape):
    if isinstance(shape, int):
        return (shape,)
    return tuple(shape)


def _standardize_dtype(dtype):
    if dtype is None:
        return config.floatx()
    return ops.standardize_dtype(dtype)


def _dtype_policy(dtype):
    """The layer's policy: ``dtype`` (a name, a policy, a Keras config dict) or the global one."""
    if dtype is None:
        return _dtype_policies.dtype_policy()
    return _dtype_policies.get(dtype)


def serialize_dtype(name: str) -> dict:
    """A dtype as Keras 3 writes it in layer configs (a DTypePolicy object)."""
    return {"module": "keras", "class_name": "DTypePolicy", "config": {"name": name}, "registered_name": None}


def _make_initial(init, shape, dtype):
    value = ops.convert_to_tensor(init(shape, dtype=dtype), dtype)
    if tuple(value.shape) != tuple(shape):
        value = ops.broadcast_to(value, shape) if value.ndim == 0 else ops.reshape(value, shape)
    return value


def _to_tensors(x):
    if isinstance(x, (list, tuple)):
        return type(x)(_to_tensors(v) for v in x)
    if isinstance(x, dict):
        return {k: _to_tensors(v) for k, v in x.items()}
    if x is None or isinstance(x, _Tensor):
        return x
    if getattr(getattr(x, "dtype", None), "kind", None) in ("U", "S", "O"):
        return x  # NumPy string data stays on the host for the string layers
    return ops.convert_to_tensor(x)


def _shapes(x):
    if isinstance(x, (list, tuple)):
        return [_shapes(v) for v in x]
    if isinstance(x, dict):
        return {k: _shapes(v) for k, v in x.items()}
    return tuple(x.shape)


def _spec_from_shape(shape, dtype):
    if isinstance(shape, (list, tuple)) and shape and isinstance(shape[0], (list, tuple)):
        return [KerasTensor(s, dtype) for s in shape]
    if isinstance(shape, dict):
        return {k: KerasTensor(s, dtype) for k, s in shape.items()}
    return KerasTensor(shape, dtype)


def _get_mask(x):
    return backend.get_mask(x) if isinstance(x, _Tensor) else None


def _set_mask(layer, x, out, mask):
    if mask is None and not (type(layer).compute_mask is not Layer.compute_mask):
        return
    new = layer.compute_mask(x, mask)
    if isinstance(out, _Tensor):
        if new is not None or backend.get_mask(out) is not None:
            backend.set_mask(out, new)
    elif isinstance(out, (list, tuple)) and isinstance(new, (list, tuple)):
        for o, m in zip(out, new):
            if isinstance(o, _Tensor) and m is not None:
                backend.set_mask(o, m)


def run_symbolically(layer, args, kwargs):
    """Infer output KerasTensors by calling ``layer.call`` on zero tensors.

    None dimensions are filled with 2 and then 3; output dimensions that differ between the two
    runs are unknown (None).
    """
    runs = []
    for fill in (2, 3):
        def run(zeros, fill=fill):  # the backend may run it abstractly (JAX: shapes only)
            def concrete(t):
                if isinstance(t, KerasTensor):
                    return zeros(tuple(fill if d is None else d for d in t.shape), t.dtype)
                return t

            ckw = map_structure(concrete, kwargs)
            if layer._call_has_training:
                ckw["training"] = False
            else:
                ckw.pop("training", None)
            if not layer._call_has_mask:
                ckw.pop("mask", None)
            return layer.call(*map_structure(concrete, args), **ckw)

        prev = _STATE.training
        _STATE.training = False
        _STATE.symbolic += 1
        try:
            with backend.no_grad():
                if all(sub.built for sub in layer._flatten_layers()):
                    out = backend.run_on_zeros(run)
                else:  # a sub-layer builds inside call(): its weights must be made concretely
                    out = run(backend.zeros_spec)
        finally:
            _STATE.training = prev
            _STATE.symbolic -= 1
        runs.append(out)
        if not any(d is None for t in flatten((args, kwargs)) if isinstance(t, KerasTensor) for d in t.shape):
            break

    def spec(*outs):
        shapes = [tuple(o.shape) for o in outs]
        merged = tuple(d if all(s[i] == d for s in shapes) else None for i, d in enumerate(shapes[0]))
        return KerasTensor(merged, ops.standardize_dtype(outs[0].dtype))

    if len(runs) == 1:
        return map_structure(lambda o: spec(o), runs[0])
    return _zip_map(spec, runs[0], runs[1])


def _zip_map(fn, a, b):
    if isinstance(a, (list, tuple)):
        return type(a)(_zip_map(fn, x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return {k: _zip_map(fn, a[k], b[k]) for k in a}
    return fn(a, b)
