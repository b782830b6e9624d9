"""Optimizer update kernels for the JAX backend.

``lamina.optimizers`` decides what to do each step and calls these kernels with lists of state
"cells". Under torch a cell is a tensor updated in place; JAX arrays are immutable, so here a
cell is a ``Slot``: a small mutable box around an array. A kernel computes new arrays (pure
``jax.numpy``) and rebinds the boxes' contents, so the optimizer's Python code is the same under
both backends. Inside the compiled train step (``trainer.py``) the boxes hold tracers: the step
loads the state into them, runs ``optimizer.apply``, and reads the new state out, so the update
is a pure function of (variables, slots, gradients, learning rate, step).

The formulas are Keras 3's (epsilon outside the square root for Adam, inside for RMSprop and
Adagrad), the same as ``backend/torch/optimizers.py``.
"""

from __future__ import annotations

import contextlib
import weakref

import jax
import jax.numpy as jnp
import numpy as np

from lamina.backend.jax import pending as _pending


class Slot:
    """A mutable box around an array: one optimizer variable or slot.

    Reading or writing ``value`` on the host first writes back a compiled step's pending value
    of this slot (``pending.py``)."""

    __slots__ = ("_value", "__weakref__")

    def __init__(self, value):
        self._value = value

    @property
    def value(self):
        if _pending._owner:
            _pending.touch(self)
        return self._value

    @value.setter
    def value(self, new):
        if _pending._owner:
            _pending.touch(self)
        self._value = new

    @property
    def shape(self):
        return tuple(self.value.shape)

    @property
    def dtype(self):
        return self.value.dtype

    @property
    def ndim(self):
        return self.value.ndim

    def __jax_array__(self):
        return self.value

    def __array__(self, dtype=None, copy=None):
        a = np.asarray(self.value)
        return a.astype(dtype) if dtype is not None else a

    def __repr__(self):
        return f"<Slot shape={self.shape} dtype={self.dtype}>"


class VariableSlot(Slot):
    """A Slot that reads and writes a lamina ``Variable``: how an optimizer updates
    ``model.trainable_weights`` eagerly under JAX (``optimizer.apply(grads, weights)``).

    Writing rebinds the Variable's array through ``Variable.assign`` (so inside a
    ``StatelessScope`` the write is recorded in the scope, as every other assignment is). One
    VariableSlot exists per Variable (:func:`cell`), so the optimizer finds its slots again on the
    next call although the array inside changes each step.
    """

    __slots__ = ("variable",)

    def __init__(self, variable):
        self.variable = variable

    @property
    def value(self):
        return self.variable.value

    @value.setter
    def value(self, new):
        self.variable.assign(new)

    @property
    def path(self):
        return self.variable.path

    def __repr__(self):
        return f"<VariableSlot {self.variable.path} shape={self.shape} dtype={self.dtype}>"


_CELLS = weakref.WeakKeyDictionary()


def cell(variable):
    """The optimizer's handle on a lamina ``Variable``: its (unique) ``VariableSlot``."""
    c = _CELLS.get(variable)
    if c is None:
        c = _CELLS[variable] = VariableSlot(variable)
    return c


def touch(handle) -> None:
    """Write back a compiled step's pending value of ``handle`` (an ``OptimizerVariable``) before
    the host reads or sets it (``pending.py``)."""
    if _pending._owner:
        _pending.touch(handle)


def is_traced(x) -> bool:
    """True for a value traced by ``jax.jit``/``grad`` (its content is not known on the host)."""
    return isinstance(x, jax.core.Tracer)


def when(pred, fn, cells) -> None:
    """Run ``fn()`` (which updates ``cells`` in place) only where ``pred`` holds.

    A concrete ``pred`` is a Python branch. A traced one (gradient accumulation inside a compiled
    step, where the step number is traced) runs ``fn`` and keeps each cell's new value only
    where ``pred`` holds, with ``jnp.where``: Keras 3's ``ops.cond`` with both branches computed.
    ``cells`` are Slots, or optimizer state handles (``OptimizerVariable``) whose value lives on
    the host (Nadam's running product).
    """
    if not is_traced(pred):
        if bool(pred):
            fn()
        return
    old = [_get_cell(c) for c in cells]
    fn()
    for c, o in zip(cells, old):
        n = _get_cell(c)
        if n is not o:
            _set_cell(c, jnp.where(pred, n, o))


def choose(pred, a, b):
    """``a`` where ``pred`` holds else ``b``: a Python choice when ``pred`` is concrete."""
    if not is_traced(pred):
        return a if bool(pred) else b
    return jnp.where(pred, a, b)


def _get_cell(c):
    if isinstance(c, Slot):
        return c.value
    return c._getter() if c.value is None else c.value.value


def _set_cell(c, value) -> None:
    if isinstance(c, Slot):
        c.value = value
    elif c.value is None:
        c._setter(value)
    else:
        c.value.value = value


def _a(x):
    """The array inside a slot, a Variable or an array."""
    if isinstance(x, Slot):
        return x.value
    v = getattr(x, "value", None)
    return v if v is not None and not isinstance(x, jax.Array) else x


def _set(cells, values):
    for c, v in zip(cells, values):
        if not isinstance(c, Slot):
            raise TypeError(
                f"Under the JAX backend an optimizer updates lamina Variables (or Slots), but "
                f"received a {type(c).__name__}: JAX arrays are immutable, so it cannot be "
                "updated in place. Pass the Variables instead: optimizer.apply(grads, "
                "model.trainable_weights), or keras.Variable(array) for a free-standing one."
            )
        c.value = v


# ---------------------------------------------------------------- state helpers
def no_grad():
    return contextlib.nullcontext()


def make_slots(variables, fill_value=0.0):
    return [Slot(jnp.full(_a(v).shape, fill_value, _a(v).dtype)) for v in variables]


def to_numpy(x):
    x = _a(x)
    if x.dtype == jnp.bfloat16:
        x = x.astype(jnp.float32)
    return np.array(x, copy=True)


def assign(target, value) -> None:
    t = _a(target)
    _set([target], [jnp.asarray(_a(value), dtype=t.dtype).reshape(t.shape)])


def assign_add(target, value) -> None:
    _set([target], [_a(target) + _a(value)])


# ---------------------------------------------------------------- gradient transforms
def scale(grads, factor):
    return [_a(g) * factor for g in grads]


def clip_by_value(grads, clipvalue):
    return [jnp.clip(g, -clipvalue, clipvalue) for g in grads]


def clip_by_norm(grads, clipnorm):
    out = []
    for g in grads:
        n = jnp.sqrt(jnp.sum(g * g))
        out.append(g * (clipnorm / jnp.maximum(n, clipnorm)))
    return out


def clip_by_global_norm(grads, clipnorm):
    norm = jnp.sqrt(sum(jnp.sum(g * g) for g in grads))
    factor = clipnorm / jnp.maximum(norm, clipnorm) + (norm - norm)
    return [g * factor.astype(g.dtype) for g in grads]


def accumulate(accumulators, grads) -> None:
    _set(accumulators, [_a(a) + g for a, g in zip(accumulators, grads)])


def reset(tensors) -> None:
    _set(tensors, [jnp.zeros_like(_a(t)) for t in tensors])


def decay_weights(variables, factor) -> None:
    _set(variables, [_a(v) * factor for v in variables])


def ema_update(averages, variables, momentum) -> None:
    _set(averages, [momentum * _a(a) + (1.0 - momentum) * _a(v) for a, v in zip(averages, variables)])


def copy(targets, sources) -> None:
    _set(targets, [_a(s) for s in sources])


# ---------------------------------------------------------------- update kernels
def sgd_update(variables, grads, momentums, lr, momentum, nesterov) -> tuple:
    if not momentums:
        _set(variables, [_a(w) - lr * g for w, g in zip(variables, grads)])
        return variables, momentums
    new_m = [momentum * _a(m) - lr * g for m, g in zip(momentums, grads)]
    if nesterov:
        new_w = [_a(w) + momentum * m - lr * g for w, m, g in zip(variables, new_m, grads)]
    else:
        new_w = [_a(w) + m for w, m in zip(variables, new_m)]
    _set(momentums, new_m)
    _set(variables, new_w)
    return variables, momentums


def rmsprop_update(variables, grads, velocities, momentums, average_grads, lr, rho, momentum,
                   epsilon, centered) -> tuple:
    new_v = [rho * _a(v) + (1.0 - rho) * g * g for v, g in zip(velocities, grads)]
    _set(velocities, new_v)
    if centered:
        new_a = [rho * _a(a) + (1.0 - rho) * g for a, g in zip(average_grads, grads)]
        _set(average_grads, new_a)
        denom = [jnp.sqrt(v - a * a + epsilon) for v, a in zip(new_v, new_a)]
    else:
        denom = [jnp.sqrt(v + epsilon) for v in new_v]
    if momentum > 0:
        new_m = [momentum * _a(m) + lr * g / d for m, g, d in zip(momentums, grads, denom)]
        _set(momentums, new_m)
        _set(variables, [_a(w) - m for w, m in zip(variables, new_m)])
    else:
        _set(variables, [_a(w) - lr * g / d for w, g, d in zip(variables, grads, denom)])
    return variables, velocities, momentums, average_grads


def adam_update(variables, grads, m, v, lr, beta_1, beta_2, epsilon, step, amsgrad=False,
                vhat=None) -> tuple:
    """Keras Adam: ``w -= alpha * m / (sqrt(v) + eps)``, ``alpha = lr*sqrt(1-b2^t)/(1-b1^t)``."""
    step = jnp.asarray(step, jnp.float32)
    alpha = lr * jnp.sqrt(1.0 - beta_2**step) / (1.0 - beta_1**step)
    new_m = [_a(mi) + (g - _a(mi)) * (1.0 - beta_1) for mi, g in zip(m, grads)]
    new_v = [beta_2 * _a(vi) + (1.0 - beta_2) * g * g for vi, g in zip(v, grads)]
    second = new_v
    if amsgrad:
        second = [jnp.maximum(_a(h), vi) for h, vi in zip(vhat, new_v)]
        _set(vhat, second)
    _set(m, new_m)
    _set(v, new_v)
    _set(variables, [_a(w) - alpha * mi / (jnp.sqrt(s) + epsilon)
                     for w, mi, s in zip(variables, new_m, second)])
    return variables, m, v


def adagrad_update(variables, grads, accumulators, lr, epsilon) -> tuple:
    new_acc = [_a(a) + g * g for a, g in zip(accumulators, grads)]
    _set(accumulators, new_acc)
    _set(variables, [_a(w) - lr * g / jnp.sqrt(a + epsilon) for w, g, a in zip(variables, grads, new_acc)])
    return variables, accumulators


def adadelta_update(variables, grads, accumulated_grads, accumulated_deltas, lr, rho, epsilon) -> tuple:
    new_g = [rho * _a(a) + (1.0 - rho) * g * g for a, g in zip(accumulated_grads, grads)]
    delta = [jnp.sqrt(_a(d) + epsilon) / jnp.sqrt(a + epsilon) * g
             for d, a, g in zip(accumulated_deltas, new_g, grads)]
    new_d = [rho * _a(d) + (1.0 - rho) * dl * dl for d, dl in zip(accumulated_deltas, delta)]
    _set(accumulated_grads, new_g)
    _set(accumulated_deltas, new_d)
    _set(variables, [_a(w) - lr * dl for w, dl in zip(variables, delta)])
    return variables, accumulated_grads, accumulated_deltas


def adamax_update(variables, grads, m, u, lr, beta_1, beta_2, epsilon, step) -> tuple:
    step = jnp.asarray(step, jnp.float32)
    new_m = [_a(mi) + (g - _a(mi)) * (1.0 - beta_1) for mi, g in zip(m, grads)]
    new_u = [jnp.maximum(beta_2 * _a(ui), jnp.abs(g)) for ui, g in zip(u, grads)]
    _set(m, new_m)
    _set(u, new_u)
    c = lr / (1.0 - beta_1**step)
    _set(variables, [_a(w) - c * mi / (ui + epsilon) for w, mi, ui in zip(variables, new_m, new_u)])
    return variables, m, u


def nadam_update(variables, grads, m, v, lr, beta_1, beta_2, epsilon, step, u_t, u_t_1,
                 u_product_t, u_product_t_1) -> tuple:
    step = jnp.asarray(step, jnp.float32)
    new_m = [_a(mi) + (g - _a(mi)) * (1.0 - beta_1) for mi, g in zip(m, grads)]
    new_v = [beta_2 * _a(vi) + (1.0 - beta_2) * g * g for vi, g in zip(v, grads)]
    _set(m, new_m)
    _set(v, new_v)
    corr = jnp.sqrt(1.0 - beta_2**step)
    out = []
    for w, g, mi, vi in zip(variables, grads, new_m, new_v):
        denom = jnp.sqrt(vi) / corr + epsilon
        out.append(_a(w) - lr * (1.0 - u_t) / (1.0 - u_product_t) * g / denom
                   - lr * u_t_1 / (1.0 - u_product_t_1) * mi / denom)
    _set(variables, out)
    return variables, m, v


def all_finite(grads):
    """A 0-d bool array: True when every gradient element is finite."""
    flags = [jnp.all(jnp.isfinite(g)) for g in grads]
    return jnp.all(jnp.stack(flags)) if flags else jnp.asarray(True)


def lion_update(variables, grads, momentums, lr, beta_1, beta_2) -> tuple:
    """Keras Lion: ``w -= lr * sign(b1*m + (1-b1)*g)``; then ``m = b2*m + (1-b2)*g``."""
    _set(variables, [_a(w) - lr * jnp.sign(beta_1 * _a(m) + (1.0 - beta_1) * g)
                     for w, m, g in zip(variables, momentums, grads)])
    _set(momentums, [_a(m) + (g - _a(m)) * (1.0 - beta_2) for m, g in zip(momentums, grads)])
    return variables, momentums


def lamb_update(variables, grads, m, v, lr, beta_1, beta_2, epsilon, step) -> tuple:
    """Keras Lamb: Adam's direction rescaled per variable by the trust ratio ``||w|| / ||r||``."""
    step = jnp.asarray(step, jnp.float32)
    new_m = [_a(mi) + (g - _a(mi)) * (1.0 - beta_1) for mi, g in zip(m, grads)]
    new_v = [beta_2 * _a(vi) + (1.0 - beta_2) * g * g for vi, g in zip(v, grads)]
    _set(m, new_m)
    _set(v, new_v)
    out = []
    for w, mi, vi in zip(variables, new_m, new_v):
        r = mi / (jnp.sqrt(vi / (1.0 - beta_2**step)) + epsilon) / (1.0 - beta_1**step)
        wn, rn = jnp.linalg.norm(_a(w).ravel()), jnp.linalg.norm(r.ravel())
        ratio = jnp.where((wn > 0) & (rn > 0), wn / jnp.where(rn > 0, rn, 1.0), 1.0)
        out.append(_a(w) - lr * ratio * r)
    _set(variables, out)
    return variables, m, v


def ftrl_update(variables, grads, accumulators, linears, lr, lr_power, l1, l2, l2_shrinkage) -> tuple:
    """Keras Ftrl (McMahan et al., 2013); ``l2`` already includes ``beta / (2 lr)``."""
    for w, g, acc, lin in zip(variables, grads, accumulators, linears):
        a, wv = _a(acc), _a(w)
        new_acc = a + g * g
        g_used = g + (2.0 * l2_shrinkage) * wv if l2_shrinkage else g
        sigma = (new_acc ** -lr_power - a ** -lr_power) / lr
        new_lin = _a(lin) + g_used - sigma * wv
        quadratic = new_acc ** -lr_power / lr + 2.0 * l2
        _set([lin, w, acc], [new_lin, (jnp.clip(new_lin, -l1, l1) - new_lin) / quadratic, new_acc])
    return variables, accumulators, linears


def adafactor_update(variables, grads, rows, cols, velocities, lr, step, beta_2_decay, epsilon_1,
                     epsilon_2, clip_threshold) -> tuple:
    """Keras Adafactor: factored second moments for rank >= 2 variables, full ones otherwise."""
    beta_2_t = 1.0 - jnp.asarray(step, jnp.float32) ** beta_2_decay
    for w, g, r, c, v in zip(variables, grads, rows, cols, velocities):
        wv = _a(w)
        alpha = jnp.maximum(jnp.sqrt(jnp.mean(wv * wv)), epsilon_2) * lr
        g2 = g * g + epsilon_1
        if wv.ndim >= 2:
            new_r = beta_2_t * _a(r) + (1.0 - beta_2_t) * jnp.mean(g2, axis=-1)
            new_c = beta_2_t * _a(c) + (1.0 - beta_2_t) * jnp.mean(g2, axis=-2)
            _set([r, c], [new_r, new_c])
            new_v = (new_r / jnp.mean(new_r, axis=-1, keepdims=True))[..., None] * new_c[..., None, :]
        else:
            new_v = beta_2_t * _a(v) + (1.0 - beta_2_t) * g2
        _set([v], [new_v])
        u = g / jnp.sqrt(new_v)
        u = u / jnp.maximum(jnp.sqrt(jnp.mean(u * u)) / clip_threshold, 1.0)
        _set([w], [wv - alpha * u])
    return variables, rows, cols, velocities


def zeros_like_shape(reference, shape):
    """A zero state Slot of ``shape`` with ``reference``'s dtype."""
    return Slot(jnp.zeros(tuple(shape), _a(reference).dtype))


def muon_update(variables, grads, momentums, lr, momentum, nesterov, ns_steps, a, b, c, rms_rate) -> tuple:
    """Keras Muon for 2-D variables: momentum, then ``ns_steps`` quintic Newton-Schulz
    iterations orthogonalising the update, scaled by ``sqrt(max(rows, cols)) * rms_rate``."""
    for w, g, m in zip(variables, grads, momentums):
        new_m = momentum * _a(m) + g
        _set([m], [new_m])
        x = g + momentum * new_m if nesterov else new_m
        tall = x.shape[-2] > x.shape[-1]
        if tall:
            x = jnp.swapaxes(x, -2, -1)
        x = x / (jnp.linalg.norm(x, axis=(-2, -1), keepdims=True) + 1e-7)
        for _ in range(ns_steps):
            gram = x @ jnp.swapaxes(x, -2, -1)
            x = a * x + (b * gram + c * gram @ gram) @ x
        if tall:
            x = jnp.swapaxes(x, -2, -1)
        update = lr * x
        if rms_rate is not None:
            update = update * (max(w.shape[0], w.shape[1]) ** 0.5 * rms_rate)
        _set([w], [_a(w) - update])
    return variables, momentums


# ---------------------------------------------------------------- the optimizer as a pure function
def state_value(handle):
    """The array for one optimizer state handle (a host scalar becomes a 0-d array)."""
    v = _get_cell(handle)
    return jnp.asarray(v, handle._dtype) if handle.value is None else v


def run_optimizer(opt, handles, grads, tv, ov, iteration, lr):
    """``opt.apply(grads)`` as a pure function: ``(new trainable values, new state values)``.

    The optimizer's Python code runs on working Slots holding ``tv`` and with its state handles
    loaded from ``ov``, the step number ``iteration`` and the learning rate ``lr`` (all possibly
    traced); everything it touched is restored afterwards, so the optimizer object is unchanged.
    """
    saved = (opt._trainable_variables, opt._index, opt._decay_mask, [_get_cell(h) for h in handles],
             opt._iterations, opt._step_lr)
    work = [Slot(v) for v in tv]
    try:
        if opt.weight_decay:  # which variables decay is decided on the real ones (names, ids)
            mask = [opt._use_weight_decay(v, i) for i, v in enumerate(saved[0])]
            opt._decayed = [w for w, m in zip(work, mask) if m]
        else:
            mask = None
        opt._trainable_variables, opt._index, opt._decay_mask = work, {id(w): i for i, w in enumerate(work)}, mask
        for h, v in zip(handles, ov):
            _set_cell(h, v)
        opt._iterations = iteration
        opt._step_lr = lr
        opt.apply(grads)
        return [w.value for w in work], [state_value(h) for h in handles]
    finally:
        opt._trainable_variables, opt._index, opt._decay_mask = saved[0], saved[1], None
        for h, v in zip(handles, saved[3]):
            _set_cell(h, v)
        opt._iterations, opt._step_lr = saved[4], saved[5]


def step_handles(opt) -> list:
    """The optimizer state a compiled train step carries as arrays (the learning rate and the
    iteration are the step's arguments, computed on the host).

    For most optimizers: the slots and host scalars (Nadam's running product). For a
    ``LossScaleOptimizer``, every variable but the learning rates: whether a step is skipped is
    decided on the device, so the inner optimizer's iteration is device state too.
    """
    inner = getattr(opt, "inner_optimizer", None)
    if inner is None:
        return list(opt._state_handles)
    rates = (opt._learning_rate_handle, inner._learning_rate_handle)
    return [h for h in opt.variables if not any(h is r for r in rates)]


def compiled_apply(opt, handles, grads, tv, ov, iteration, lr):
    """One update inside the compiled train step: ``(new trainable values, new state values)``
    with ``ov`` the values of :func:`step_handles`. A ``LossScaleOptimizer`` runs its
    ``stateless_apply`` (``lax.cond`` on the finite check), with the learning rate ``lr`` of
    this step for its inner optimizer."""
    if getattr(opt, "inner_optimizer", None) is None:
        return run_optimizer(opt, handles, grads, tv, ov, iteration, lr)
    new_tv, new_values = opt.stateless_apply(optimizer_values(opt, handles, ov, lr), grads, tv)
    kept = {id(h) for h in handles}
    return new_tv, [v for h, v in zip(opt.variables, new_values) if id(h) in kept]


def optimizer_values(opt, handles, ov, lr) -> list:
    """Values for all of ``opt.variables`` (Keras 3's ``optimizer_variables``) from the step's
    state ``ov`` (the values of ``handles``, :func:`step_handles`) and its learning rate ``lr``;
    ``ov`` itself when it is not a ``LossScaleOptimizer`` (its steps read only the slots)."""
    inner = getattr(opt, "inner_optimizer", None)
    if inner is None:
        return ov
    held = dict(zip(map(id, handles), ov))
    return [held[id(h)] if id(h) in held else
            jnp.asarray(lr, jnp.float32) if h is inner._learning_rate_handle else state_value(h)
            for h in opt.variables]


def stateless_apply(opt, optimizer_values, grads, trainable_values):
    """Keras 3's ``optimizer.stateless_apply`` under JAX: traceable (usable inside ``jax.jit``).

    ``optimizer_values`` follow ``opt.variables``: the iteration, the learning rate when it is a
    float, then the state handles. A concrete iteration stays a Python int, so the optimizer's
    host-side branches run as in ``apply``.
    """
    handles = opt.variables
    values = list(optimizer_values)
    iteration = values[0]
    iteration = iteration if is_traced(iteration) else int(np.asarray(iteration))
    if len(handles) > 1 and handles[1] is opt._learning_rate_handle:
        lr, ov = values[1], values[2:]
        lr_out = [jnp.asarray(lr, jnp.float32)]
    else:
        sched, lr_out, ov = opt._learning_rate, [], values[1:]
        lr = _schedule_at(sched, iteration) if _is_schedule(sched) else sched()
    lr = lr if is_traced(lr) else float(np.float32(np.asarray(lr)))
    tv = [jnp.asarray(_a(t)) for t in trainable_values]
    ov = [jnp.asarray(_a(v)) for v in ov]
    new_tv, new_ov = run_optimizer(opt, opt._state_handles, list(grads), tv, ov, iteration, lr)
    return new_tv, [jnp.asarray(iteration + 1, jnp.int32)] + lr_out + new_ov


def _schedule_at(schedule, step):
    """``schedule(step)``, also for a traced ``step`` (a ``LossScaleOptimizer``'s inner iteration,
    which only the device knows). A schedule written with ``lamina.ops`` traces; lamina's
    built-in schedules compute with Python numbers, so there the value comes from one host
    callback per step (``jax.pure_callback``), exact for any schedule."""
    if not is_traced(step):
        return schedule(step)
    try:
        return jnp.asarray(schedule(step), jnp.float32)
    except (jax.errors.JAXTypeError, jax.errors.ConcretizationTypeError, TypeError):
        return jax.pure_callback(lambda s: np.float32(schedule(int(s))), jax.ShapeDtypeStruct((), jnp.float32),
                                 step)


def _is_schedule(x) -> bool:
    from lamina.optimizers.schedules import LearningRateSchedule

    return isinstance(x, LearningRateSchedule)
