"""A model's own ``train_step``/``test_step``/``predict_step`` under JAX, as Keras 3 runs them.

JAX has no gradient tape, so a step is a pure function of the model's state (Keras 3's JAX form)::

    train_step(self, state, data) -> (logs, state)     state = (trainable_variables,
                                                                non_trainable_variables,
                                                                optimizer_variables,
                                                                metrics_variables)
    test_step(self, state, data) -> (logs, state)      state = (trainable, non_trainable, metrics)
    predict_step(self, state, data) -> (outputs, non_trainable_variables)
                                                       state = (trainable, non_trainable)

The lists follow ``model.trainable_variables``, ``model.non_trainable_variables``,
``model.optimizer.variables`` and ``model.metrics_variables``. A model holding more optimizers
(a GAN's ``d_optimizer`` and ``g_optimizer``, set in its ``compile``) gets their variables too,
after ``model.optimizer``'s, in the order the attributes were first set (see
:func:`step_optimizers`), so each one's ``stateless_apply`` reads and returns its own slice.
Each step is ``jax.jit``-compiled
(``compile(jit_compile=False)`` or ``run_eagerly=True``: run as plain Python). The new state is
written back into the Variables after every step (the metrics and the host-side scalars of the
optimizer, such as its iteration, at the end of each epoch), so callbacks and
``train_on_batch`` see the trained weights.

Steps in the one-argument form ``step(self, data)``:

- ``test_step`` and ``predict_step`` need no gradients: they run inside a ``StatelessScope``
  holding the state, which makes them pure functions too, and are jitted the same way;
- lamina's own ``train_step`` (a model overriding only ``compute_loss`` / ``compute_metrics``,
  or compiled without a loss) runs as the pure function :func:`default_train_step`;
- a user's ``train_step(self, data)`` (the torch ``loss.backward()`` or TensorFlow
  ``GradientTape`` pattern) cannot take gradients under JAX: :func:`one_argument_train_step_error`
  explains the JAX form.
"""

from __future__ import annotations

import inspect

import jax
import numpy as np

from lamina.backend.jax import pending as _pending
from lamina.backend.jax import random as _random
from lamina.backend.jax.optimizers import _set_cell, state_value
from lamina.backend.stateless_scope import StatelessScope

_EXAMPLE = '''
    import jax

    class MyModel(keras.Model):
        def train_step(self, state, data):
            trainable, non_trainable, optimizer_vars, metrics_vars = state
            x, y = data

            def loss_fn(trainable):
                y_pred, new_non_trainable = self.stateless_call(
                    trainable, non_trainable, x, training=True)
                return self.compute_loss(x, y, y_pred), (y_pred, new_non_trainable)

            (loss, (y_pred, non_trainable)), grads = jax.value_and_grad(
                loss_fn, has_aux=True)(trainable)
            trainable, optimizer_vars = self.optimizer.stateless_apply(
                optimizer_vars, grads, trainable)
            logs, new_metrics_vars = {}, []
            for metric in self.metrics:
                n = len(metric.variables)
                mine = metrics_vars[len(new_metrics_vars):len(new_metrics_vars) + n]
                if metric.name == "loss":
                    mine = metric.stateless_update_state(mine, loss)
                else:
                    mine = metric.stateless_update_state(mine, y, y_pred)
                logs[metric.name] = metric.stateless_result(mine)
                new_metrics_vars += mine
            return logs, (trainable, non_trainable, optimizer_vars, new_metrics_vars)
'''


def step_kind(cls, name: str) -> str:
    """How a model class defines the step ``name``: ``'builtin'`` (lamina's own), ``'stateful'``
    (Keras 3's JAX form, ``(self, state, data)``) or ``'data'`` (``(self, data)``)."""
    from lamina.training.step_api import StepAPI

    fn = getattr(cls, name)
    if fn is getattr(StepAPI, name):
        return "builtin"
    kinds = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    params = [p for p in inspect.signature(fn).parameters.values() if p.kind in kinds]
    return "stateful" if len(params) >= 3 else "data"


def one_argument_train_step_error(model) -> TypeError:
    """The error for a ``train_step(self, data)`` override under JAX, with the JAX form."""
    return TypeError(
        f"{type(model).__name__}.train_step(self, data) cannot run under the JAX backend: JAX has no "
        "gradient tape, so gradients cannot be taken from a loss computed step by step "
        "(loss.backward(), tf.GradientTape, self.optimizer.apply(grads)). Write the step in Keras "
        "3's JAX form, a pure function of the model's state that returns (logs, state):\n"
        + _EXAMPLE
        + "\nor keep train_step(self, data) and run it on the torch backend (unset LAMINA_BACKEND). "
        "Overriding only compute_loss() or compute_metrics() works under JAX as it is."
    )


def default_train_step(model, state, data):
    """lamina's ``train_step`` (``StepAPI.train_step``) as a pure function of the state: the
    model's ``compute_loss`` differentiated with ``jax.value_and_grad``, the optimizer's
    ``stateless_apply``, then the loss tracker and ``compute_metrics`` on the metric values."""
    from lamina.training.custom_steps import unpack_x_y_sample_weight
    from lamina.training.step_api import _batch_size

    tv, ntv, ov, mv = state
    h_tv, h_ntv, h_mv = model.trainable_variables, model.non_trainable_variables, model.metrics_variables
    x, y, sw = unpack_x_y_sample_weight(data)
    opt = model.optimizer

    def loss_fn(tv):
        with StatelessScope(list(zip(h_tv, tv)) + list(zip(h_ntv, ntv)) + list(zip(h_mv, mv))) as scope:
            y_pred = model(x, training=True)
            loss = model._compute_loss_compat(x, y, y_pred, sw, training=True)
        # a LossScaleOptimizer scales by the scale carried in the state, not the host's copy
        return opt.stateless_scale_loss(ov, loss), (loss, y_pred, [scope.get_current_value(v) for v in h_ntv])

    (_, (loss, y_pred, ntv)), grads = jax.value_and_grad(loss_fn, has_aux=True)(list(tv))
    n = len(opt.variables)  # model.optimizer's slice comes first (step_optimizers)
    tv, mine = opt.stateless_apply(ov[:n], grads, tv)
    ov = list(mine) + list(ov[n:])
    with StatelessScope(list(zip(h_tv, tv)) + list(zip(h_ntv, ntv)) + list(zip(h_mv, mv))) as scope:
        model._loss_tracker.update_state(jax.lax.stop_gradient(loss), sample_weight=_batch_size(x))
        logs = model.compute_metrics(x, y, jax.lax.stop_gradient(y_pred), sample_weight=sw)
    return logs, (tv, ntv, ov, [scope.get_current_value(v) for v in h_mv])


class CustomSteps:
    """The JAX side of ``lamina.training.custom_steps.CustomSteps`` (same interface).

    Args:
        custom: the backend-neutral ``CustomSteps`` of the model (its logs and checks are reused).
    """

    def __init__(self, custom):
        self._custom = custom
        self.model = custom.model
        self._fallback = custom._fallback
        cls = type(self.model)
        self._kinds = {n: step_kind(cls, n) for n in ("train_step", "test_step", "predict_step")}
        self._fns = {}
        self._host = None  # values of the optimizer's host-side state between syncs
        self._logs = None

    # ------------------------------------------------------------ the loop's interface
    def begin_fit(self):
        self._custom.begin_fit()
        if self._kinds["train_step"] == "data":
            raise one_argument_train_step_error(self.model)

    def end_fit(self):
        self.sync()

    def begin_evaluate(self):
        pass

    def build(self, first_batch=None):
        pass

    def reset_metrics(self):
        self.sync()
        self._logs = None
        self.model.reset_metrics()

    def sync(self):
        """Write the optimizer's host-side state (iteration, Nadam's product...) back."""
        self._flush_host()
        self._fallback.sync()

    def _flush_host(self):
        host, self._host = self._host, None
        if host is not None:
            rates = _rate_handles(self.model)
            handles = _host_handles(self.model)
            _pending.release(handles, self._flush_host)
            for h, v in zip(handles, host):
                if id(h) not in rates:
                    h.assign(np.asarray(v))

    def logs(self) -> dict:
        self._flush_host()  # logs read the device anyway
        self._custom._logs = self._logs
        return self._custom.logs()

    # ------------------------------------------------------------ state
    def _warm(self, x, y, sw, training):
        model = self.model
        if not model.built or (model._compile_metrics is not None and not model._compile_metrics.built) \
                or (model._compile_loss is not None and not getattr(model._compile_loss, "built", True)):
            self._fallback._warm(x, y, sw, training=training)

    def _optimizer_values(self):
        opt = self.model.optimizer
        if not opt.built:
            opt.build(self.model.trainable_variables)
        host = iter(self._host) if self._host is not None else None
        rates = _rate_handles(self.model)
        out = []
        for h in _handles(self.model):
            held = next(host) if host is not None and h.value is None else None
            # the learning rate is read from the host each step: callbacks may change it
            out.append(state_value(h) if held is None or id(h) in rates else held)
        return out

    def _store(self, tv=None, ntv=None, ov=None, mv=None):
        model = self.model
        for handles, values in ((model.trainable_variables, tv), (model.non_trainable_variables, ntv),
                                (model.metrics_variables, mv)):
            if values is not None:
                for h, v in zip(handles, values):
                    h.assign(v)
        if ov is not None:
            host = []
            for h, v in zip(_handles(model), ov):
                if h.value is None:
                    host.append(v)
                else:
                    _set_cell(h, v)
            self._host = host
            _pending.register(_host_handles(model), self._flush_host)  # read on the host: written back first

    def _compile(self, name, fn):
        f = self._fns.get(name)
        if f is None:
            f = self._fns[name] = jax.jit(fn) if getattr(self.model, "_jit_compile", True) else fn
        return f

    # ------------------------------------------------------------ steps
    def train(self, x, y, sw):
        from lamina.training.custom_steps import pack_x_y_sample_weight

        kind = self._kinds["train_step"]
        if kind == "data":
            raise one_argument_train_step_error(self.model)
        self._warm(x, y, sw, training=True)
        model = self.model

        def step(state, rng, data):
            prev = _random.swap_global_state(rng)
            try:
                if kind == "stateful":
                    logs, state = model.train_step(state, data)
                else:
                    logs, state = default_train_step(model, state, data)
                rng = _random.global_state()
            finally:
                _random.swap_global_state(prev)
            return logs, tuple(list(s) for s in state), rng

        state = ([v.value for v in model.trainable_variables], [v.value for v in model.non_trainable_variables],
                 self._optimizer_values(), [v.value for v in model.metrics_variables])
        self._logs, state, rng = self._compile("train", step)(state, _random.global_state(),
                                                             pack_x_y_sample_weight(x, y, sw))
        _random.swap_global_state(rng)
        self._store(*state)

    def test(self, x, y, sw):
        from lamina.training.custom_steps import pack_x_y_sample_weight

        self._warm(x, y, sw, training=False)
        model = self.model
        stateful = self._kinds["test_step"] == "stateful"

        def step(state, data):
            if stateful:
                logs, state = model.test_step(state, data)
                return logs, tuple(list(s) for s in state)
            tv, ntv, mv = state
            h = (model.trainable_variables, model.non_trainable_variables, model.metrics_variables)
            with StatelessScope(list(zip(h[0], tv)) + list(zip(h[1], ntv)) + list(zip(h[2], mv))) as scope:
                logs = model.test_step(data)
            return logs, (list(tv), [scope.get_current_value(v) for v in h[1]],
                          [scope.get_current_value(v) for v in h[2]])

        state = ([v.value for v in model.trainable_variables], [v.value for v in model.non_trainable_variables],
                 [v.value for v in model.metrics_variables])
        self._logs, state = self._compile("test", step)(state, pack_x_y_sample_weight(x, y, sw))
        self._store(ntv=state[1], mv=state[2])

    def predict(self, x):
        from lamina.training.custom_steps import pack_x_y_sample_weight

        kind = self._kinds["predict_step"]
        if kind == "builtin":
            return self._fallback.predict(x)
        model = self.model
        if not model.built:
            self._fallback._warm(x, None, None, training=False)

        def step(state, data):
            if kind == "stateful":
                return model.predict_step(state, data)
            tv, ntv = state
            h = (model.trainable_variables, model.non_trainable_variables)
            with StatelessScope(list(zip(h[0], tv)) + list(zip(h[1], ntv))) as scope:
                out = model.predict_step(data)
            return out, [scope.get_current_value(v) for v in h[1]]

        state = ([v.value for v in model.trainable_variables], [v.value for v in model.non_trainable_variables])
        out, ntv = self._compile("predict", step)(state, pack_x_y_sample_weight(x))
        self._store(ntv=ntv)
        return out


def step_optimizers(model) -> list:
    """The optimizers whose variables a ``train_step(self, state, data)`` receives, in order:
    ``model.optimizer``, then every other optimizer the model holds as an attribute (a GAN's
    ``d_optimizer``, ``g_optimizer``), in the order the attributes were first set.

    Keras 3 passes only ``model.optimizer.variables``; the others then cannot take part in a
    jitted step at all, so lamina appends them (``model.optimizer``'s slice stays first, so a
    one-optimizer program sees exactly Keras's list).
    """
    from lamina.optimizers import Optimizer

    found = [model.optimizer]
    for value in vars(model).values():
        if isinstance(value, Optimizer) and not any(value is o for o in found):
            found.append(value)
    return found


def _handles(model):
    return [h for opt in step_optimizers(model) for h in opt.variables]


def _host_handles(model):
    return [h for h in _handles(model) if h.value is None]


def _rate_handles(model) -> set:
    """ids of the learning-rate handles (a LossScaleOptimizer's and its inner optimizer's too)."""
    out = set()
    for opt in step_optimizers(model):
        while opt is not None:
            out.add(id(opt._learning_rate_handle))
            opt = getattr(opt, "inner_optimizer", None)
    return out
