"""Keras 2's graph functions on lamina's functional graph: placeholder, function, gradients.

``K.function(inputs, outputs)`` compiles nothing: it records which layer calls lead from the
given symbolic inputs to the outputs and runs them on the arrays it is called with. Inputs may
be any symbolic tensors of a graph (``model.input``, ``layer.output``, ``K.placeholder()``),
so the classic "output of an intermediate layer" idiom works. ``K.gradients(loss, xs)`` adds a
node computing ``d sum(loss) / d x`` with autograd when the function runs.
"""

from __future__ import annotations

import contextlib

from lamina import backend, ops
from lamina.backend.legacy._symbolic import evaluate, plan, symbolic
from lamina.backend.legacy.math import tensor
from lamina.layers.keras_tensor import KerasTensor
from lamina.layers.layer import Layer


def placeholder(shape=None, ndim=None, dtype=None, sparse=False, name=None, ragged=False):
    """A symbolic input of the given full shape (batch axis included; None for unknown sizes).

    Example:
        >>> from lamina import backend as K
        >>> K.placeholder(shape=(None, 4)).shape
        (None, 4)
    """
    from lamina.layers.core.input_layer import Input

    if shape is None:
        if ndim is None:
            raise ValueError("K.placeholder needs a shape (e.g. shape=(None, 4)) or an ndim.")
        shape = (None,) * int(ndim)
    return Input(batch_shape=tuple(shape), dtype=dtype, name=name)


def is_placeholder(x) -> bool:
    """Whether ``x`` is a symbolic input (made by ``K.placeholder`` or ``Input``)."""
    from lamina.layers.core.input_layer import InputLayer

    return isinstance(x, KerasTensor) and isinstance(x._keras_history[0], InputLayer)


class GraphFunction:
    """The callable ``K.function`` returns: arrays for ``inputs`` in, arrays for ``outputs`` out.

    An input that is a Python int (``K.learning_phase()``) is the learning phase: the value fed
    for it (0 or 1) runs the layers in inference or training mode.
    """

    def __init__(self, inputs, outputs, updates=None, name=None):
        self.inputs = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
        self._single = not isinstance(outputs, (list, tuple))
        self.outputs = [outputs] if self._single else list(outputs)
        self.updates = [(u[0], u[1]) for u in (updates or [])]
        self.name = name
        bad = [x for x in self.inputs if not isinstance(x, (KerasTensor, int))]
        if bad:
            raise TypeError(f"K.function: inputs must be symbolic tensors; received {bad[0]!r}.")
        self._phase = [i for i, x in enumerate(self.inputs) if not isinstance(x, KerasTensor)]
        fed = {id(x) for x in self.inputs if isinstance(x, KerasTensor)}
        targets = [t for t in self.outputs + [u[1] for u in self.updates] if isinstance(t, KerasTensor)]
        self._nodes = plan(targets, fed)
        grads = [n for n in self._nodes if isinstance(n.layer, Gradients)] if _TAPE else []
        self._watch = {id(t) for n in grads for t in n.input_tensors[1:]}
        self._record = bool(grads)  # autograd must record the forward pass (torch)

    def __call__(self, inputs):
        if not isinstance(inputs, (list, tuple)):
            inputs = [inputs]
        if len(inputs) != len(self.inputs):
            raise ValueError(
                f"K.function expects {len(self.inputs)} input value(s), one per input it was made "
                f"with; received {len(inputs)}.")
        training = None
        values = {}
        for i, (x, v) in enumerate(zip(self.inputs, inputs)):
            if i in self._phase:
                training = bool(v)
                continue
            t = ops.convert_to_tensor(v, x.dtype if not ops.is_tensor(v) else None)
            values[id(x)] = backend._core.watch(t) if id(x) in self._watch else t
        scope = backend._core.enable_grad() if self._record else backend.no_grad()
        with scope:
            evaluate(self._nodes, values, training=training, watch=self._watch)
        for var, new in self.updates:
            from lamina.backend.legacy.variables import set_value

            set_value(var, values[id(new)] if isinstance(new, KerasTensor) else new)
        outs = [ops.convert_to_numpy(values[id(t)]) if isinstance(t, KerasTensor)
                else ops.convert_to_numpy(tensor(t)) for t in self.outputs]
        return outs[0] if self._single else outs


def function(inputs, outputs, updates=None, name=None, **kwargs):
    """A callable that computes ``outputs`` from values for the symbolic ``inputs``.

    Args:
        inputs: a list of symbolic tensors (``model.input``, ``K.placeholder(...)``...), and
            optionally ``K.learning_phase()`` to feed 0 (inference) or 1 (training).
        outputs: a symbolic tensor or a list of them (``layer.output``, ``K.gradients(...)``...).
        updates: optional ``(variable, new_value)`` pairs applied after each call.

    Example:
        >>> import numpy as np, lamina
        >>> from lamina import backend as K
        >>> x = lamina.Input((3,))
        >>> f = K.function([x], [K.sum(x, axis=1)])
        >>> f([np.ones((2, 3))])[0].tolist()
        [3.0, 3.0]
    """
    if kwargs:
        raise ValueError(
            f"K.function: the TensorFlow session arguments {sorted(kwargs)} have no meaning in "
            "lamina, which runs eagerly; remove them.")
    return GraphFunction(inputs, outputs, updates=updates, name=name)


# torch records a tape (K.gradients evaluates on it); JAX differentiates functions instead.
_TAPE = hasattr(backend._core, "watch")


class Gradients(Layer):
    """The graph node ``K.gradients`` adds: ``d sum(loss) / d x`` for each target ``x``.

    Called on ``[loss, *symbolic targets]``; ``targets`` lists the symbolic targets as None and
    holds the variables (weights) themselves.
    """

    def __init__(self, targets, **kwargs):
        super().__init__(**kwargs)
        self.targets = targets

    def call(self, tensors):
        it = iter(tensors[1:])
        xs = [next(it) if t is None else tensor(t) for t in self.targets]
        return backend._core.gradients(tensors[0], xs)

    def evaluate_node(self, node, values, training) -> bool:
        """Without a gradient tape (JAX): differentiate the part of the graph between the targets
        and the loss as a function, ``backend._core.grad``, with the weights given through a
        ``StatelessScope``. Returns False under torch, whose tape the plain call uses."""
        if _TAPE:
            return False
        loss_t, symbolic_targets = node.input_tensors[0], list(node.input_tensors[1:])
        weights = [t for t in self.targets if t is not None]
        handles = [w if isinstance(w, backend.Variable) else None for w in weights]
        sub = plan([loss_t], {id(t) for t in symbolic_targets}, leaves={})

        def loss_of(symbolic_values, weight_values):
            vals = dict(values)
            vals.update({id(t): v for t, v in zip(symbolic_targets, symbolic_values)})
            mapping = [(h, v) for h, v in zip(handles, weight_values) if h is not None]
            with backend.StatelessScope(mapping):
                evaluate(sub, vals, training=training)
            return ops.sum(ops.cast(vals[id(loss_t)], "float32"))

        g_symbolic, g_weights = backend._core.grad(
            loss_of, ([values[id(t)] for t in symbolic_targets], [tensor(w) for w in weights]))
        # a target that is not a Variable (a plain array) cannot carry the loss: zeros (tf.gradients)
        g_weights = [g if h is not None else ops.zeros_like(g) for g, h in zip(g_weights, handles)]
        it_s, it_w = iter(g_symbolic), iter(g_weights)
        for t, g in zip(node.outputs, [next(it_s) if t is None else next(it_w) for t in self.targets]):
            values[id(t)] = g
        return True

    def compute_output_spec(self, tensors):
        it = iter(tensors[1:])
        out = []
        for t in self.targets:
            t = next(it) if t is None else t
            out.append(KerasTensor(tuple(t.shape), ops.standardize_dtype(t.dtype)))
        return out


def gradients(loss, variables):
    """The gradients of ``sum(loss)`` with respect to each of ``variables``.

    On symbolic tensors the result is a list of symbolic tensors to compute with
    ``K.function``; ``variables`` may be symbolic tensors of the same graph (an input image,
    a layer output) or weights (``model.trainable_weights``). A target the loss does not depend
    on gets None, as in Keras 2. On eager tensors recorded by autograd the gradients are
    computed at once.
    """
    variables = list(variables) if isinstance(variables, (list, tuple)) else [variables]
    if not isinstance(loss, KerasTensor):
        return backend._core.gradients(tensor(loss), [tensor(v) for v in variables])
    upstream = _ancestors(loss)
    if not _TAPE:  # JAX: `layer.kernel` is the weight's array; differentiate its Variable
        variables = [_weight_of(v, loss) for v in variables]
    connected = [v for v in variables if not isinstance(v, KerasTensor) or id(v) in upstream]
    symbolic_targets = [v for v in connected if isinstance(v, KerasTensor)]
    targets = [None if isinstance(v, KerasTensor) else v for v in connected]
    grads = iter(Gradients(targets)([loss] + symbolic_targets)) if connected else iter(())
    return [next(grads) if (not isinstance(v, KerasTensor) or id(v) in upstream) else None
            for v in variables]


def _weight_of(target, loss):
    """The Variable of a layer upstream of ``loss`` whose current value is ``target``, else
    ``target``."""
    if isinstance(target, (KerasTensor, backend.Variable)) or not ops.is_tensor(target):
        return target
    for node in plan([loss], set(), leaves={}):
        for layer in node.layer._flatten_layers():
            for w in layer.weights:
                if w.value is target:
                    return w
    return target


def _ancestors(t):
    seen, stack = {id(t)}, [t]
    while stack:
        layer, node_index, _ = stack.pop()._keras_history
        for x in layer._inbound_nodes[node_index].input_tensors:
            if id(x) not in seen:
                seen.add(id(x))
                stack.append(x)
    return seen


# ---------------------------------------------------------------- control flow
def _phase(training):
    if training is None:
        from lamina.layers import layer as _layer

        training = _layer.current_training()
    return bool(training)


@symbolic
def switch(condition, then_expression, else_expression):
    """``then_expression`` where ``condition`` holds, else ``else_expression``.

    A scalar condition picks one branch (callables are called only for the branch taken); a
    tensor condition selects elementwise, its shape padded with trailing axes of size 1.
    """
    if not ops.is_tensor(condition) and not hasattr(condition, "shape"):
        branch = then_expression if condition else else_expression
        return branch() if callable(branch) else branch
    condition = ops.cast(tensor(condition), "bool")
    if len(condition.shape) == 0:
        branch = then_expression if bool(condition) else else_expression
        return branch() if callable(branch) else branch
    then_x = tensor(then_expression() if callable(then_expression) else then_expression)
    else_x = tensor(else_expression() if callable(else_expression) else else_expression)
    rank = len(then_x.shape)
    if len(condition.shape) > rank:
        raise ValueError(
            f"K.switch: the condition has rank {len(condition.shape)}, more than the rank {rank} "
            "of the expressions; it must be at most that.")
    condition = ops.reshape(condition, tuple(condition.shape) + (1,) * (rank - len(condition.shape)))
    return ops.where(condition, then_x, else_x)


@symbolic
def in_train_phase(x, alt, training=None):
    """``x`` in training mode, ``alt`` otherwise (callables are called only when chosen).

    ``training`` None means the mode of the enclosing layer call (``training=`` of the model
    call, fit's training steps), else the learning phase (``K.set_learning_phase``).
    """
    if ops.is_tensor(training):
        training = bool(training)
    chosen = x if _phase(training) else alt
    return chosen() if callable(chosen) else chosen


def in_test_phase(x, alt, training=None):
    """``x`` in inference mode, ``alt`` in training mode."""
    return in_train_phase(alt, x, training=training)


def set_learning_phase(value) -> None:
    """Keras 2 (deprecated there too): make layer calls default to training (1) or inference (0).

    An explicit ``training=`` argument, fit, evaluate and predict still decide for themselves.
    """
    from lamina.errors import deprecated
    from lamina.layers import layer as _layer

    if value not in (0, 1):
        raise ValueError(f"K.set_learning_phase expects 0 or 1; received {value!r}.")
    deprecated("K.set_learning_phase(value)", "the training=True/False argument of a model or layer call")
    _layer._STATE.training = bool(value)


@contextlib.contextmanager
def learning_phase_scope(value):
    """A scope in which layer calls default to training (1) or inference (0)."""
    from lamina.layers import layer as _layer

    if value not in (0, 1):
        raise ValueError(f"K.learning_phase_scope expects 0 or 1; received {value!r}.")
    previous = _layer._STATE.training
    _layer._STATE.training = bool(value)
    try:
        yield value
    finally:
        _layer._STATE.training = previous


@contextlib.contextmanager
def name_scope(name):
    """Keras 2 grouped graph ops under a name; lamina has no such graph, so this does nothing."""
    yield name
