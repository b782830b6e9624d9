"""The JAX backend's half of the train/test/predict steps for the one loop in lamina.training.

The train step is one ``jax.jit``-compiled pure function::

    (trainable, non_trainable, optimizer, rng, metrics, loss_sums), batch, lr, step
        -> new (trainable, non_trainable, optimizer, rng, metrics, loss_sums)

with the train state donated (the metric values and loss sums, small and read after a
reset, are not). The model runs inside a ``StatelessScope`` that maps its
Variables to the traced values, so layers, losses, metrics and optimizers are the same Python
code as under torch (``lamina.training.step_logic`` says what a step means). The learning rate
and the step number are computed on the host and passed as scalar arguments, so schedules keep
working without retracing. Per batch nothing is read back to the host; ``logs()`` does. The
state stays *pending* between steps (the next step's donated input): reading or writing a
Variable, an optimizer slot or the global seed state on the host first writes it back
(``pending.py``), so callbacks and user code between steps see and change what the next step
uses; ``sync()`` does the same explicitly (the loop calls it at the end of each epoch and of
fit/evaluate).
"""

from __future__ import annotations

import warnings

import jax
import jax.numpy as jnp
import numpy as np

from lamina.backend import stateless_scope as _scope_mod
from lamina.backend.jax import ids as _ids
from lamina.backend.jax import pending as _pending
from lamina.backend.jax import random as _random
from lamina.backend.jax import variables as _variables
from lamina.backend.jax.optimizers import (Slot, VariableSlot, _set_cell, cell, compiled_apply,
                                         optimizer_values, step_handles)
from lamina.backend.jax.optimizers import state_value as _state_value
from lamina.backend.stateless_scope import StatelessScope

warnings.filterwarnings("ignore", message="Some donated buffers were not usable")


# Fresh buffers for the state a compiled step will donate (one dispatch for the whole tree; the
# multiplication keeps jit from forwarding an input as an output without a copy).
_copy_tree = jax.jit(lambda tree: jax.tree_util.tree_map(lambda a: a * jnp.ones((), a.dtype), tree))


def _host_batch(x) -> bool:
    """Whether a batch holds strings or bytes (NumPy object/str arrays), which no trace can carry."""
    return any(isinstance(a, (str, bytes)) or (isinstance(a, np.ndarray) and a.dtype.kind in "OSU")
               for a in jax.tree_util.tree_leaves(x))


def _on_host(model) -> bool:
    """Whether the model holds a layer that computes on the host (lookups, hashing, text)."""
    return any(getattr(layer, "_computes_on_host", False) for layer in model._flatten_layers())


class _Step:
    """A step compiled with ``jax.jit``, run op by op instead for a batch of strings or a model
    whose preprocessing layers (StringLookup, IntegerLookup, TextVectorization, Hashing...)
    compute on the host, as they do under torch.

    Args:
        fn: the step function; ``x_index``: where the batch is among its arguments;
        ``model``: the model it runs.
    """

    def __init__(self, fn, x_index, model, **jit_kwargs):
        self._fn, self._x = fn, x_index
        self._jitted = jax.jit(fn, **jit_kwargs)
        self._host = _on_host(model)

    def eager(self, x) -> bool:
        return self._host or _host_batch(x)

    def __call__(self, *args):
        return (self._fn if self.eager(args[self._x]) else self._jitted)(*args)

    def __getattr__(self, name):  # the jitted function's own API (trace, lower, _cache_size...)
        if name == "_jitted":
            raise AttributeError(name)
        return getattr(self._jitted, name)


def _batch_size(x):
    while isinstance(x, (list, tuple)):
        x = x[0]
    if isinstance(x, dict):
        return _batch_size(next(iter(x.values())))
    return x.shape[0]


def _scaled(out, scale):
    """``(scale(loss), (loss, aux))`` from ``(loss, aux)``: the scaled loss is differentiated, the
    unscaled one reported."""
    loss, aux = out
    return scale(loss), (loss, aux)


def _inner(opt):
    """The optimizer that steps: a ``LossScaleOptimizer``'s inner optimizer, else ``opt``."""
    return getattr(opt, "inner_optimizer", opt)


def _sum_losses(losses):
    total = 0.0
    for x in losses:
        total = total + (jnp.sum(x) if isinstance(x, jax.Array) else x)
    return total


class Steps:
    """Compiled steps for one model (rebuilt by ``compile()``).

    Args:
        model: the compiled model.
        logic: its ``lamina.training.step_logic.StepLogic``.
    """

    def __init__(self, model, logic):
        self.model = model
        self.logic = logic
        self.state = None  # (trainable, non_trainable, optimizer, rng) while fit runs
        self._mv = None  # metric values, between reset_metrics and sync
        self._mv_handles = ()  # the metric Variables _mv is for
        self._state_objs = ()  # the host objects the pending state is for (pending.py)
        self._acc = None  # (loss sum, {per-output loss sums})
        self._count = 0
        self._fns = {}
        self._handles = None
        self._id_checks = {}  # per step kind: the (input leaf, input_dim) of embedding lookups
        self._pred = None  # (structure version, the model's variables, jitted predict) outside fit
        # (host value, device scalar) of the learning rate and of the iteration the next train step
        # receives: a NumPy scalar argument is a host-to-device transfer per step (~40 us per call on
        # this CPU, a quarter of a tiny step), so both stay on the device while the host values match.
        self._lr_dev = self._it_dev = (None, None)
        self._zero = None  # the device zero every fresh loss sum starts from (_new_acc)

    # -------------------------------------------------------------- bookkeeping
    def begin_fit(self):
        self.logic.begin()

    def end_fit(self):
        self.sync()
        opt = self.model.optimizer
        if self._handles is not None and getattr(_inner(opt), "use_ema", False) \
                and hasattr(opt, "finalize_variable_values"):
            boxes = opt._trainable_variables
            opt.finalize_variable_values(boxes)
            for h, b in zip(self._handles[0], boxes):
                h.assign(b.value)

    def begin_evaluate(self):
        self.logic.begin()

    def reset_metrics(self):
        self._drop_metrics()  # pending values the reset replaces anyway: not written back
        self.logic.reset_metrics()
        self._acc = None
        self._count = 0

    # -------------------------------------------------------------- build and sync
    def _metric_handles(self):
        cm = self.model._compile_metrics
        if cm is None:
            return []
        out, seen = [], set()
        for m in cm.metrics:
            for v in m.variables:
                if id(v) not in seen:
                    seen.add(id(v))
                    out.append(v)
        return out

    def _warm(self, x, y, sw, training):
        """Before the first trace, every lazy build (the model, the compiled loss and metrics,
        their variables) happens outside any trace, in a throw-away StatelessScope.

        A model whose layers are all built (and hold no lazily created state, as a stateful RNN
        does) is not run eagerly: that would compile each op once more before the step's own
        compile, most of the first epoch's overhead. The compiled loss and metrics, if they still
        have to be built, are built from the outputs of one compiled inference pass (the
        predict function, kept for ``predict()``); a loss or metric that may create state on its
        first update (not lamina's, or one with a lazy ``_build``) runs once on those outputs."""
        model, logic = self.model, self.logic
        if not _abstract_forward_ok(model):
            with StatelessScope():
                y_pred = model(x, training=training)
                if y is not None and model._compile_loss is not None:
                    logic.total_loss(y, y_pred, sw)
                if y is not None and model._compile_metrics is not None:
                    model._compile_metrics.update_state(y, y_pred, sw)
            return
        if y is None:
            return
        cl, cm = model._compile_loss, model._compile_metrics
        lamina_loss = cl is not None and callable(getattr(cl, "check", None)) and hasattr(cl, "_checked")
        need_loss = cl is not None and not (lamina_loss and cl.built and cl._checked)
        need_metrics = cm is not None and not cm.built
        if not (need_loss or need_metrics):
            return
        y_pred = self.predict(x)
        eager_loss = eager_metrics = False
        if need_loss:
            if lamina_loss:
                if not cl.built:
                    cl.build(y, y_pred)
                if not cl._checked:
                    cl.check(y, y_pred)
            else:
                eager_loss = True
        if need_metrics:
            cm.build(y, y_pred)
            eager_metrics = any(not type(m).__module__.startswith("lamina.") or getattr(m, "_built", True) is False
                                for m in cm.metrics)
        if eager_loss or eager_metrics:
            with StatelessScope():
                if eager_loss:
                    logic.total_loss(y, y_pred, sw)
                if eager_metrics:
                    cm.update_state(y, y_pred, sw)

    def build(self, first_batch=None):
        """Before the first update: the model, loss and metrics built; the optimizer built on
        Slots holding the trainable values."""
        model = self.model
        if first_batch is not None:
            self._warm(*first_batch, training=True)
        tv = list(model.trainable_variables)
        if not tv:
            raise ValueError(
                f"Model '{model.name}' has no trainable weights, so fit() has nothing to train. "
                "Check that the layers are trainable (layer.trainable = True)."
            )
        opt = model.optimizer
        if not getattr(opt, "built", False):
            opt.build(tv)  # on the Variables: an eager optimizer.apply(grads, weights) works too
        elif len(opt._trainable_variables) == len(tv) and not all(
                isinstance(b, VariableSlot) and b.variable is v for b, v in zip(opt._trainable_variables, tv)):
            # built outside fit on raw arrays (loading a saved optimizer): its variables become the
            # model's, as under torch (EMA swaps and finalize_variable_values write the model)
            boxes = [cell(v) for v in tv]
            for o in {opt, _inner(opt)}:  # a LossScaleOptimizer shares its inner optimizer's list
                o._trainable_variables = boxes
                o._index = {id(b): i for i, b in enumerate(boxes)}
        elif not all(isinstance(b, Slot) for b in opt._trainable_variables):
            # built on raw arrays of another count: its variables become Slots
            boxes = [b if isinstance(b, Slot) else Slot(getattr(b, "value", b)) for b in opt._trainable_variables]
            for o in {opt, _inner(opt)}:  # a LossScaleOptimizer shares its inner optimizer's list
                o._trainable_variables = boxes
                o._index = {id(b): i for i, b in enumerate(boxes)}
        # Every piece of optimizer state, on the device (slots) or the host (Nadam's running
        # product, a LossScaleOptimizer's scale): the compiled step carries them all as arrays.
        self._handles = (tv, list(model.non_trainable_variables), opt._trainable_variables,
                         step_handles(opt))
        self._fns.pop("train", None)
        self._id_checks.pop("train", None)
        return tv

    def _state_objects(self):
        """What holds the train state on the host: the Variables, the optimizer's own copies of
        the variables (when not the model's), its slot handles and their Slots."""
        tv, ntv, boxes, slots = self._handles
        out = list(tv) + list(ntv) + [b for b in boxes if not isinstance(b, VariableSlot)] + list(slots)
        return out + [s.value for s in slots if isinstance(s.value, Slot)]

    def _load_state(self):
        _pending.flush_others(self)
        tv, ntv, boxes, slots = self._handles
        for b, v in zip(boxes, tv):  # the optimizer's copy of the variables follows the model's
            if not isinstance(b, VariableSlot):
                b.value = v.value
        self.state = _copy_tree(([v.value for v in tv], [v.value for v in ntv], [_state_value(s) for s in slots],
                                 _random.global_state()))
        # pending from now on: a host access to any of these writes the state back first
        self._state_objs = self._state_objects()
        _pending.register(self._state_objs, self._flush_state)
        _pending.register_rng(self._flush_state)

    def _load_metrics(self):
        _pending.flush_others(self)
        handles = self._metric_handles()
        # not copied: the steps do not donate the metric values, so after a reset the step reads
        # the metrics' initial arrays themselves (a copy per train_on_batch was one more dispatch)
        self._mv = [v.value for v in handles]
        self._mv_handles = handles
        _pending.register(handles, self._flush_metrics)

    def _flush_state(self):
        """Write the pending train state into the Variables, the optimizer's slots and the global
        seed state; the next step loads it again."""
        state, self.state = self.state, None
        if state is None:
            return
        _pending.release(self._state_objs, self._flush_state)
        tv, ntv, ov, rng = state
        htv, hntv, boxes, slots = self._handles
        for h, v in zip(htv, tv):
            h._store(v)
        for h, v in zip(hntv, ntv):
            h._store(v)
        for b, v in zip(boxes, tv):
            if not isinstance(b, VariableSlot):
                b.value = v
        for s, v in zip(slots, ov):
            _set_cell(s, v)
        _random._GLOBAL[0] = rng

    def _flush_metrics(self):
        mv, self._mv = self._mv, None
        if mv is None:
            return
        _pending.release(self._mv_handles, self._flush_metrics)
        for h, v in zip(self._mv_handles, mv):
            h._store(v)

    def _drop_metrics(self):
        if self._mv is not None:
            self._mv = None
            _pending.release(self._mv_handles, self._flush_metrics)

    def sync(self):
        """Write the state back into the Variables and the optimizer's slots."""
        self._flush_state()
        self._flush_metrics()

    def running_loss(self):
        """``(loss sum, {output: sum}, sample count)`` since the last reset, or None (what a
        mid-epoch backup saves; see ``StepLogic.running_loss``)."""
        if self._acc is None or not self._count:
            return None
        return self._acc[0], dict(self._acc[1]), self._count

    def set_running_loss(self, loss_sum, per_output, count) -> None:
        self._acc = (jnp.asarray(loss_sum, jnp.float32), {k: jnp.asarray(v) for k, v in per_output.items()})
        self._count = int(count)

    def logs(self) -> dict:
        """The loss and metrics since the last reset, as Python floats: every value comes to the
        host in one ``device_get`` (one wait, not one per value: train_on_batch reads it per call)."""
        acc = self._acc if self._acc is not None and self._count else None
        cm = self.model._compile_metrics
        results = None
        if cm is not None:
            handles = self._metric_handles()
            mv = self._mv if self._mv is not None else [h.value for h in handles]
            results = self._results(cm, handles, mv)
        acc, results = jax.device_get((acc, results))
        out = {}
        if acc is not None:
            loss_sum, per_output = acc
            out["loss"] = float(loss_sum) / self._count
            for k, v in per_output.items():
                out[k] = float(v) / self._count
        for k, v in (results or {}).items():
            out[k] = float(v)
        return out

    def _results(self, cm, handles, mv):
        """The metrics' results for the values ``mv``: one jitted function (one compile, rather
        than one per op of every ``result()``), or eagerly where a result() cannot be traced."""
        fn = self._fns.get("results")
        if fn is None or len(fn[0]) != len(handles) or not all(map(_same, fn[0], handles)):
            def results(values):
                with StatelessScope(list(zip(handles, values))):
                    return cm.result()

            fn = self._fns["results"] = (handles, jax.jit(results))
        if fn[1] is not None:
            try:
                return fn[1](mv)
            except (jax.errors.JAXTypeError, jax.errors.ConcretizationTypeError, TypeError):
                self._fns["results"] = (handles, None)
        with StatelessScope(list(zip(handles, mv))):
            return cm.result()

    # -------------------------------------------------------------- the pure functions
    def _forward_loss(self, tv, ntv, x, y, sw, training):
        model, logic = self.model, self.logic
        htv, hntv = self._handles[0], self._handles[1]
        mapping = list(zip(htv, tv)) + list(zip(hntv, ntv))
        with StatelessScope(mapping) as scope:
            y_pred = model(x, training=training)
            loss = logic.total_loss(y, y_pred, sw) + _sum_losses(scope.losses)
        per_output = dict(getattr(model._compile_loss, "per_output", None) or {})
        # The trainable values after the call: a layer may assign a weight in call() (the
        # SpectralNormalization kernel); the optimizer steps from that value, as under torch.
        new_tv = [jax.lax.stop_gradient(scope.get_current_value(v)) for v in htv]
        return loss, (y_pred, [scope.get_current_value(v) for v in hntv], per_output, new_tv)

    def _track(self, mv, acc, loss, per_output, x, y, y_pred, sw):
        n = _batch_size(x)
        loss_sum, sums = acc
        loss_sum = loss_sum + jax.lax.stop_gradient(loss) * n
        sums = {k: sums.get(k, 0.0) + v * n for k, v in per_output.items()}
        cm = self.model._compile_metrics
        if cm is not None and mv:
            with StatelessScope(list(zip(self._metric_handles(), mv))) as scope:
                cm.update_state(y, y_pred, sw)
            mv = [scope.get_current_value(v) for v in self._metric_handles()]
        return mv, (loss_sum, sums)

    def _train_fn(self):
        fn = self._fns.get("train")
        if fn is not None:
            return fn
        model, logic = self.model, self.logic
        opt = model.optimizer

        def step(state, mv, acc, x, y, sw, lr, it):
            with _ids.watching(x, self._id_checks.setdefault("train", [])):
                return train_step(state, mv, acc, x, y, sw, lr, it)

        def train_step(state, mv, acc, x, y, sw, lr, it):
            tv, ntv, ov, rng = state
            prev_rng = _random.swap_global_state(rng)
            # Keras 3: the step differentiates the scaled loss (loss_scale_factor, or a
            # LossScaleOptimizer's dynamic scale, held in ov); the optimizer divides the gradients.
            def scale(loss):
                return opt.stateless_scale_loss(optimizer_values(opt, self._handles[3], ov, lr), loss)

            try:
                (_, (loss, (y_pred, ntv, per_output, tv))), grads = jax.value_and_grad(
                    lambda t: _scaled(self._forward_loss(t, ntv, x, y, sw, True), scale), has_aux=True)(tv)
                rng = _random.global_state()
            finally:
                _random.swap_global_state(prev_rng)
            tv, ov = compiled_apply(opt, self._handles[3], grads, tv, ov, it, lr)
            if logic._constrained:
                with StatelessScope(list(zip(self._handles[0], tv))) as scope:
                    logic.apply_constraints()
                tv = [scope.get_current_value(v) for v in self._handles[0]]
            mv, acc = self._track(mv, acc, loss, per_output, x, y, jax.lax.stop_gradient(y_pred), sw)
            return (tv, ntv, ov, rng), mv, acc, it + 1

        fn = self._fns["train"] = _Step(step, 3, model, donate_argnums=(0,))  # not mv, acc: reset
        return fn

    def _test_fn(self):
        fn = self._fns.get("test")
        if fn is None:
            def step(tv, ntv, mv, acc, x, y, sw):
                with _ids.watching(x, self._id_checks.setdefault("test", [])):
                    loss, (y_pred, new_ntv, per_output, _) = self._forward_loss(tv, ntv, x, y, sw, False)
                return self._track(mv, acc, loss, per_output, x, y, y_pred, sw), _updated(ntv, new_ntv)

            fn = self._fns["test"] = _Step(step, 4, self.model)  # nothing donated: see _load_metrics, _new_acc
        return fn

    def _predict_cache(self):
        """(version, variables, jitted predict) outside fit. The model's variables are listed
        again only when ``variables.structure_version`` moved (a layer gained weights, a sub-layer
        was attached, an attribute rebound...), and the jitted function (closed over that list) is
        kept while the list holds the same Variables, so a one-sample predict costs one dispatch."""
        cached = self._pred
        version = _variables.structure_version
        if cached is not None and cached[0] == version:
            return cached
        model = self.model
        handles = list(model.trainable_variables) + list(model.non_trainable_variables)
        if cached is not None and len(cached[1]) == len(handles) and all(map(_same, cached[1], handles)):
            fn = cached[2]
        else:
            self._id_checks.pop("predict_cached", None)  # the new trace records them again

            def step(values, x):
                with StatelessScope(list(zip(handles, values))) as scope, \
                        _ids.watching(x, self._id_checks.setdefault("predict_cached", [])):
                    y = model(x, training=False)
                return y, _updated(values, [scope.get_current_value(h) for h in handles])

            fn = _Step(step, 1, model)
        self._pred = cached = (version, handles, fn)
        return cached

    # -------------------------------------------------------------- steps
    def _new_acc(self):
        """A fresh (loss sum, per-output sums): one device zero made once and reused, since the
        steps do not donate it (a scalar; making it per reset cost a dispatch per train_on_batch)."""
        zero = self._zero
        if zero is None:
            zero = self._zero = jnp.zeros((), jnp.float32)
        return (zero, {})

    def train(self, x, y, sw):
        with _pending.running(self):
            self._train(x, y, sw)

    def _train(self, x, y, sw):
        if self._handles is None or not self._handles[2]:  # unbuilt, or only test() ran (no optimizer)
            self.build((x, y, sw))
        if self.state is None:
            self._load_state()
        if self._mv is None:
            self._load_metrics()
        if self._acc is None:
            self._acc = self._new_acc()
        opt = self.model.optimizer
        inner = _inner(opt)  # a LossScaleOptimizer's inner optimizer counts the steps
        lr_host, it_host = inner._current_learning_rate(), inner._iterations
        lr = self._lr_dev[1] if self._lr_dev[0] == lr_host else self._device_scalar("_lr_dev", lr_host, np.float32)
        it = self._it_dev[1] if self._it_dev[0] == it_host else self._device_scalar("_it_dev", it_host, np.int32)
        args = (self.state, self._mv, self._acc, x, y, sw, lr, it)
        self._guard_ids("train", self._train_fn(), args, x)
        self.state, self._mv, self._acc, it_next = self._train_fn()(*args)
        if inner is opt:  # else a skipped step does not count: the state holds the count until sync()
            opt._iterations += 1
            self._it_dev = (opt._iterations, it_next)
        self._count += _batch_size(x)

    def _device_scalar(self, slot, value, dtype):
        dev = jnp.asarray(dtype(value))
        setattr(self, slot, (value, dev))
        return dev

    def _ready(self):
        return self._handles is not None

    def _model_values(self):
        if self.state is not None:
            return self.state[0], self.state[1]
        model = self.model
        return [v.value for v in model.trainable_variables], [v.value for v in model.non_trainable_variables]

    def test(self, x, y, sw):
        with _pending.running(self):
            self._test(x, y, sw)

    def _test(self, x, y, sw):
        model = self.model
        if not model.built or (model._compile_metrics is not None and not model._compile_metrics.built) \
                or (model._compile_loss is not None and not getattr(model._compile_loss, "built", True)):
            self._warm(x, y, sw, training=False)
        if self._handles is None:
            self._handles = (list(model.trainable_variables), list(model.non_trainable_variables), [], [])
        if self._mv is None:
            self._load_metrics()
        if self._acc is None:
            self._acc = self._new_acc()
        tv, ntv = self._model_values()
        if model._compile_loss is None:
            raise NotImplementedError("evaluate() without a compiled loss is not supported under JAX yet.")
        args = (tv, ntv, self._mv, self._acc, x, y, sw)
        self._guard_ids("test", self._test_fn(), args, x)
        (self._mv, self._acc), changed = self._test_fn()(*args)
        self._keep_state(changed)
        self._count += _batch_size(x)

    def predict(self, x):
        with _pending.running(self):
            return self._predict(x)

    def _predict(self, x):
        model = self.model
        if not model.built:
            with StatelessScope():
                model(x, training=False)
        _, handles, fn = self._predict_cache()
        if self.state is not None:  # a callback predicting while fit runs: the weights are the state's
            tv, ntv = self.state[0], self.state[1]
            values = list(tv) + list(ntv)
        else:
            values = [h.value for h in handles]
        self._guard_ids("predict_cached", fn, (values, x), x)
        y, changed = fn(values, x)
        if self.state is not None:  # changed indexes count the trainable values first
            self._keep_state({i - len(tv): v for i, v in changed.items()})
        else:
            for i, v in changed.items():  # a stateful RNN's states
                handles[i].assign(v)
        return y

    def _guard_ids(self, kind, fn, args, x):
        """Check on the host the ids of ``x`` that the step gathers by (see ids.py); a bad batch
        runs eagerly, which raises the lamina error naming the layer."""
        if fn.eager(x):  # run op by op: a bad id raises the layer's own error
            return
        checks = self._id_checks.get(kind)
        if checks is None:
            fn.trace(*args)  # records the checks; the call that follows reuses this trace
            checks = self._id_checks.setdefault(kind, [])
        if checks and _ids.out_of_range(x, checks):
            with StatelessScope():
                self.model(x, training=False)
            raise ValueError(f"Model '{self.model.name}' received ids out of the range of an "
                             "Embedding layer's input_dim. Fix the ids or increase input_dim.")

    def _keep_state(self, changed):
        """Keep the non-trainable values an inference step changed (a stateful RNN's states),
        as the same call under torch would."""
        if not changed:
            return
        if self.state is not None:
            tv, ntv, ov, rng = self.state
            ntv = list(ntv)
            for i, v in changed.items():
                ntv[i] = v
            self.state = (tv, ntv, ov, rng)
            return
        handles = self.model.non_trainable_variables
        for i, v in changed.items():
            handles[i].assign(v)


def _updated(old, new) -> dict:
    """{index: value} of the non-trainable values a traced inference step assigned (decided at
    trace time: a stateful RNN's states; usually none, so nothing extra leaves the step)."""
    return {i: b for i, (a, b) in enumerate(zip(old, new)) if a is not b}


def _abstract_forward_ok(model) -> bool:
    """Whether ``model``'s forward pass can be traced without building anything: every layer is
    built and none creates state on its first call (stateful RNNs)."""
    return all(layer.built and not getattr(layer, "stateful", False) for layer in model._flatten_layers())


def _same(a, b):
    return a is b


def custom_steps(custom):
    """The model's own train/test/predict steps, run as Keras 3 runs them on JAX."""
    from lamina.backend.jax.custom_steps import CustomSteps

    return CustomSteps(custom)


def apply_loss_gradients(loss, variables, optimizer):
    raise NotImplementedError(
        "Gradients of a loss computed eagerly cannot be taken under the JAX backend (there is no "
        "gradient tape). Write train_step(self, state, data) in Keras 3's JAX form, or use the "
        "torch backend."
    )


_ = _scope_mod
