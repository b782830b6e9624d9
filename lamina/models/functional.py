"""Functional: a model defined by a graph of layer calls from ``Input`` to outputs."""

from __future__ import annotations

from lamina.errors import deprecated
from lamina import backend, ops
from lamina.layers.core.input_layer import InputLayer
from lamina.layers.keras_tensor import KerasTensor, flatten, map_structure
from lamina.models.input_rank import adjust_input_rank
from lamina.models.model import Model


class _Slot:
    __slots__ = ("i",)

    def __init__(self, i):
        self.i = i


class Functional(Model):
    """A model built with the functional API: ``Model(inputs=..., outputs=...)``.

    Inputs and outputs may be single tensors, lists, or dicts. Layers may be shared (called
    several times) and models may be nested as layers.
    """

    def __init__(self, inputs=None, outputs=None, name=None, trainable=True, **kwargs):
        if "input" in kwargs:
            deprecated("Model(input=...)", "Model(inputs=...)")
            inputs = kwargs.pop("input")
        if "output" in kwargs:
            deprecated("Model(output=...)", "Model(outputs=...)")
            outputs = kwargs.pop("output")
        Model.__init__(self, name=name, trainable=trainable, **kwargs)
        if isinstance(inputs, tuple):
            inputs = list(inputs)
        if isinstance(outputs, tuple):
            outputs = list(outputs)
        for what, struct in (("inputs", inputs), ("outputs", outputs)):
            bad = [t for t in flatten(struct) if not isinstance(t, KerasTensor)]
            if bad or struct is None:
                raise ValueError(
                    f"Model({what}=...) must be symbolic tensors made from lamina.Input() and layer "
                    f"calls; received {bad[0] if bad else struct!r}. For a model defined by Python code, "
                    "subclass lamina.Model and implement call()."
                )
        self._input_struct = inputs
        self._output_struct = outputs
        self._build_graph()

    # ----------------------------------------------------------------- graph
    def _build_graph(self):
        flat_in = flatten(self._input_struct)
        flat_out = flatten(self._output_struct)
        for t in flat_in:
            if not isinstance(t._keras_history[0], InputLayer):
                raise ValueError(
                    f"Model inputs must come from lamina.Input(); {t} was produced by layer "
                    f"'{t._keras_history[0].name}'."
                )
        # Topological order of nodes, depth first from the outputs.
        order, seen, visiting = [], set(), set()

        def visit(tensor, path):
            layer, ni, _ = tensor._keras_history
            node = layer._inbound_nodes[ni]
            key = id(node)
            if key in seen:
                return
            if key in visiting:
                raise ValueError(f"Model '{self.name}' graph has a cycle at layer '{layer.name}'.")
            visiting.add(key)
            for t in node.input_tensors:
                visit(t, path + [layer.name])
            visiting.discard(key)
            seen.add(key)
            order.append(node)

        for t in flat_out:
            visit(t, [])
        input_ids = {id(t) for t in flat_in}
        slots = {id(t): i for i, t in enumerate(flat_in)}
        plan, layers = [], []
        for node in order:
            layer = node.layer
            if isinstance(layer, InputLayer):
                out = node.outputs[0]
                if id(out) not in input_ids:
                    raise ValueError(
                        f"Graph disconnected: the model needs the value of input '{layer.name}' "
                        f"(shape {out.shape}), but it is not among the Model's inputs "
                        f"{[t.name for t in flat_in]}. Add it to Model(inputs=[...])."
                    )
                if layer not in layers:
                    layers.append(layer)
                continue
            for t in node.input_tensors:
                if id(t) not in slots:
                    raise ValueError(f"Graph disconnected at layer '{layer.name}': input {t} is unknown.")

            def to_slot(x):
                return _Slot(slots[id(x)]) if isinstance(x, KerasTensor) else x

            args = map_structure(to_slot, node.call_args)
            kwargs = map_structure(to_slot, node.call_kwargs)
            out_slots = []
            for t in node.outputs:
                slots[id(t)] = len(slots)
                out_slots.append(slots[id(t)])
            simple = (len(args) == 1 and isinstance(args[0], _Slot) and not kwargs and len(out_slots) == 1)
            plan.append((layer, simple, args, kwargs, out_slots, _out_is_seq(node)))
            if layer not in layers:
                layers.append(layer)
        # Keras's own layer order (it decides model.layers, model.weights and the saved layout).
        from lamina.saving.functional_config import keras_graph

        layers = keras_graph(flat_in, flat_out)[0]
        names = [l.name for l in layers]
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise ValueError(
                f"All layers of a model need unique names; model '{self.name}' has duplicates {dup}. "
                "Pass distinct name= arguments to the layers."
            )
        self.__dict__["_graph_layers"] = layers
        for i, layer in enumerate(layers):  # by position in model.operations: stable state_dict keys
            self.add_module(str(i), layer)
        self.__dict__["_plan"] = plan
        self.__dict__["_n_inputs"] = len(flat_in)
        self.__dict__["_output_slots"] = [slots[id(t)] for t in flat_out]
        self.__dict__["_free_after"] = _last_uses(plan, self._output_slots)
        self.__dict__["_flat_inputs"] = flat_in
        self.__dict__["_input_shapes"] = [t.shape for t in flat_in]
        self.__dict__["_flat_outputs"] = flat_out
        self.built = True

    @property
    def layers(self):
        """The model's layers, in Keras's order. As in Keras 3, the operations recorded by
        arithmetic, indexing and ``ops.*`` calls on symbolic tensors (``x / 255.0``, ``x[:, 0]``,
        ``ops.mean(x)``) are not layers: :attr:`operations` lists them too."""
        return [l for l in self._graph_layers if not getattr(l, "_is_operation", False)]

    @property
    def operations(self):
        """Every node of the graph, layers and operations, in Keras's order (Keras 3's
        ``Functional.operations``): what ``summary()`` and ``plot_model`` show."""
        return list(self._graph_layers)

    @property
    def inputs(self):
        return list(self._flat_inputs)

    @property
    def outputs(self):
        return list(self._flat_outputs)

    @property
    def input_names(self):
        return [t._keras_history[0].name for t in self._flat_inputs]

    @property
    def output_names(self):
        if isinstance(self._output_struct, dict):
            return list(self._output_struct)
        return [t._keras_history[0].name for t in self._flat_outputs]

    @property
    def input(self):
        return self._input_struct

    @property
    def output(self):
        return self._output_struct

    @property
    def input_shape(self):
        return map_structure(lambda t: t.shape, self._input_struct)

    @property
    def output_shape(self):
        return map_structure(lambda t: t.shape, self._output_struct)

    # ----------------------------------------------------------------- call
    def _flatten_call_inputs(self, inputs):
        n = self._n_inputs
        struct = self._input_struct
        if isinstance(inputs, dict):
            names = list(struct) if isinstance(struct, dict) else self.input_names
            missing = [k for k in names if k not in inputs]
            if missing:
                raise ValueError(
                    f"Model '{self.name}' expects inputs {names}; the dict passed lacks {missing} "
                    f"(it has {sorted(inputs)})."
                )
            return [inputs[k] for k in names]
        if isinstance(inputs, (list, tuple)):
            if len(inputs) != n:
                raise ValueError(
                    f"Model '{self.name}' expects {n} input(s) {self.input_names}, but received "
                    f"{len(inputs)} arrays. Pass one array per input, in that order (or a dict)."
                )
            return list(inputs)
        if n != 1:
            raise ValueError(
                f"Model '{self.name}' expects {n} inputs {self.input_names}, but received a single "
                "array. Pass a list (or a dict keyed by input name)."
            )
        return [inputs]

    def add_loss(self, loss) -> None:
        """Add a loss term. A symbolic one (Keras 2: ``vae.add_loss(K.mean(...))`` on tensors of
        the graph) is computed from the inputs at every call; a concrete one is added once."""
        if any(isinstance(t, KerasTensor) for t in flatten(loss)):
            self.__dict__.setdefault("_symbolic_losses", []).extend(
                t for t in flatten(loss) if isinstance(t, KerasTensor))
            self.__dict__["_loss_graph"] = None
            return
        super().add_loss(loss)

    def _with_symbolic_losses(self, inputs, training=None, mask=None):
        graph = self.__dict__.get("_loss_graph")
        if graph is None:  # the model's outputs plus its symbolic losses, from the same inputs
            graph = Functional(self._input_struct, list(self._flat_outputs) + self._symbolic_losses,
                               name=f"{self.name}_with_losses")
            self.__dict__["_loss_graph"] = graph
        outs = graph.call(inputs, training=training, mask=mask)
        n = len(self._flat_outputs)
        for term in outs[n:]:
            super().add_loss(term)  # this call's loss (scope-aware)
        return _restructure(self._output_struct, outs[:n])

    def call(self, inputs, training=None, mask=None):
        if self.__dict__.get("_symbolic_losses"):
            return self._with_symbolic_losses(inputs, training, mask)
        flat = adjust_input_rank(self, self._flatten_call_inputs(inputs), self._input_shapes)
        if mask is not None:
            for x, m in zip(flat, flatten(mask) if isinstance(mask, (list, tuple, dict)) else [mask]):
                if m is not None and ops.is_tensor(x):
                    backend.set_mask(x, m)
        values = dict(enumerate(flat))
        extra = {} if training is None else {"training": training}
        for (layer, simple, args, kwargs, out_slots, seq), dead in zip(self._plan, self._free_after):
            if simple:
                values[out_slots[0]] = layer(values[args[0].i], **extra)
                for s in dead:  # intermediates no later node reads: freed now, not at the end
                    del values[s]
                continue
            kw = _fill(kwargs, values)
            if extra and "training" not in kw:
                kw["training"] = training
            out = layer(*_fill(args, values), **kw)
            kw = None  # holds no input past its last reader
            if seq:
                for s, o in zip(out_slots, flatten(out)):
                    values[s] = o
            else:
                values[out_slots[0]] = out
            out = None
            for s in dead:
                values.pop(s, None)
        outs = [values[s] for s in self._output_slots]
        return _restructure(self._output_struct, outs)

    _compiled_call = call  # under JAX an eager call runs compiled (lamina/backend/jax/eager_model.py)

    def compute_output_spec(self, *args, **kwargs):
        x = args[0] if args else kwargs.get("inputs")
        flat = self._flatten_call_inputs(x)
        batch = flat[0].shape[0] if flat and flat[0].shape else None
        outs = [KerasTensor((batch,) + tuple(t.shape[1:]), t.dtype) for t in self._flat_outputs]
        return _restructure(self._output_struct, outs)

    def build(self, input_shape=None):
        self.built = True

    # ----------------------------------------------------------------- config
    def get_config(self) -> dict:
        from lamina.saving import functional_config

        return functional_config.functional_get_config(self)

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from lamina.saving import functional_config

        return functional_config.functional_from_config(cls, config, custom_objects)

    def get_build_config(self):
        return {"input_shape": None}


_FUNCTIONAL_SUBCLASSES: dict = {}


def functional_subclass(cls):
    """``cls`` (a Model subclass) mixed with Functional, for ``CustomModel(inputs, outputs)``.

    The new class keeps ``cls``'s name and methods (``train_step``...) and takes Functional's
    graph; ``super().__init__(*args, **kwargs)`` in ``cls`` reaches ``Functional.__init__``.
    """
    if issubclass(cls, Functional):
        return cls
    sub = _FUNCTIONAL_SUBCLASSES.get(cls)
    if sub is None:
        sub = type(cls.__name__, (cls, Functional), {"__module__": cls.__module__,
                                                     "__qualname__": cls.__qualname__})
        _FUNCTIONAL_SUBCLASSES[cls] = sub
    return sub


def _out_is_seq(node):
    return node.structured


def _last_uses(plan, output_slots):
    """For each node of ``plan``, the slots it is the last reader of (outputs and unread
    intermediates excepted), so the executor drops them as soon as they are dead: the peak
    memory of a call is then the live set, not every activation (ResNet50, batch 32: ~5 GB)."""
    last = {}

    def reads(x, n):
        if isinstance(x, _Slot):
            last[x.i] = n
        elif isinstance(x, (list, tuple)):
            for v in x:
                reads(v, n)
        elif isinstance(x, dict):
            for v in x.values():
                reads(v, n)

    for n, (_, _, args, kwargs, _, _) in enumerate(plan):
        reads(args, n)
        reads(kwargs, n)
    keep = set(output_slots)
    free = [[] for _ in plan]
    for slot, n in last.items():
        if slot not in keep:
            free[n].append(slot)
    return free


def _fill(s, values):
    if isinstance(s, _Slot):
        return values[s.i]
    if isinstance(s, list):
        return [_fill(x, values) for x in s]
    if isinstance(s, tuple):
        return tuple(_fill(x, values) for x in s)
    if isinstance(s, dict):
        return {k: _fill(v, values) for k, v in s.items()}
    return s


def _restructure(struct, flat):
    it = iter(flat)

    def take(x):
        return next(it)

    return map_structure(take, struct)

