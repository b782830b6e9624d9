"""Optimizer update kernels for the torch backend.

``lamina.optimizers`` is backend-neutral: it decides *what* to do each step (clipping, the
learning rate, weight decay, which variables have gradients) and then calls one function here
that updates every variable at once with torch's multi-tensor ``_foreach_*`` ops, the way
``torch.optim``'s ``foreach`` implementations do. Hyperparameters and bias corrections arrive as
Python floats, so a step never synchronises with the device.

The formulas are Keras 3's (``keras.optimizers``), which differ from ``torch.optim`` in places,
most visibly where epsilon sits (Keras: ``sqrt(v) + eps`` for Adam but ``sqrt(v + eps)`` for
RMSprop and Adagrad). Every kernel must be called under :func:`no_grad`.
"""

from __future__ import annotations

import numpy as np
import torch

_NUMPY_DTYPES = {torch.bfloat16: np.float32}


# ---------------------------------------------------------------- state helpers
def no_grad():
    """The context in which an optimizer step runs: no autograd graph is recorded."""
    return torch.no_grad()


def make_slots(variables, fill_value=0.0):
    """One new state tensor per variable: same shape, dtype and device, filled with a constant."""
    with torch.no_grad():
        return [torch.full_like(v, fill_value, memory_format=torch.preserve_format) for v in variables]


def to_numpy(x):
    """A NumPy copy of a state tensor or variable."""
    x = x.detach()
    if x.dtype in _NUMPY_DTYPES:
        x = x.to(torch.float32)
    return x.cpu().numpy().copy()


def assign(target, value) -> None:
    """Overwrite ``target`` in place with ``value`` (an array, tensor or number of the same shape)."""
    with torch.no_grad():
        src = torch.as_tensor(value, dtype=target.dtype, device=target.device)
        target.copy_(src.reshape(target.shape))


def assign_add(target, value) -> None:
    """``target += value`` in place."""
    with torch.no_grad():
        target.add_(value)


# ---------------------------------------------------------------- gradient transforms
def scale(grads, factor):
    """New gradient list multiplied by a number (loss-scale removal, gradient averaging)."""
    return torch._foreach_mul(grads, factor)


def clip_by_value(grads, clipvalue):
    """New gradient list with every element clipped into [-clipvalue, clipvalue]."""
    out = torch._foreach_clamp_min(grads, -clipvalue)
    torch._foreach_clamp_max_(out, clipvalue)
    return out


def clip_by_norm(grads, clipnorm):
    """New gradient list with each tensor rescaled so its own L2 norm is at most ``clipnorm``."""
    norms = torch._foreach_norm(grads)
    torch._foreach_clamp_min_(norms, clipnorm)  # max(norm, c): a zero norm leaves the gradient alone
    torch._foreach_reciprocal_(norms)
    torch._foreach_mul_(norms, clipnorm)
    return torch._foreach_mul(grads, norms)


def clip_by_global_norm(grads, clipnorm):
    """New gradient list rescaled together so that their joint L2 norm is at most ``clipnorm``.

    As in Keras, a non-finite global norm turns every gradient into NaN instead of hiding it.
    """
    norm = torch.linalg.vector_norm(torch.stack(torch._foreach_norm(grads)))
    factor = clipnorm / torch.clamp_min(norm, clipnorm) + (norm - norm)
    return torch._foreach_mul(grads, factor.to(grads[0].dtype))


def accumulate(accumulators, grads) -> None:
    """``acc += g`` for gradient accumulation."""
    torch._foreach_add_(accumulators, grads)


def reset(tensors) -> None:
    """Set every tensor to zero."""
    torch._foreach_zero_(tensors)


def decay_weights(variables, factor) -> None:
    """Decoupled weight decay, ``w -= w * weight_decay * lr``, as ``w *= factor``."""
    torch._foreach_mul_(variables, factor)


def ema_update(averages, variables, momentum) -> None:
    """``average = momentum * average + (1 - momentum) * variable``."""
    torch._foreach_lerp_(averages, variables, 1.0 - momentum)


def copy(targets, sources) -> None:
    """``targets[i] <- sources[i]`` in place."""
    torch._foreach_copy_(targets, sources)


# ---------------------------------------------------------------- update kernels
# Each kernel returns the variables and slots it updated: under torch the same tensors, updated
# in place (free); a functional backend returns new arrays.
def sgd_update(variables, grads, momentums, lr, momentum, nesterov) -> tuple:
    """Keras SGD: ``m = momentum*m - lr*g``; ``w += m`` (nesterov: ``w += momentum*m - lr*g``)."""
    if not momentums:
        torch._foreach_add_(variables, grads, alpha=-lr)
        return variables, momentums
    torch._foreach_mul_(momentums, momentum)
    torch._foreach_add_(momentums, grads, alpha=-lr)
    if nesterov:
        torch._foreach_add_(variables, momentums, alpha=momentum)
        torch._foreach_add_(variables, grads, alpha=-lr)
    else:
        torch._foreach_add_(variables, momentums)
    return variables, momentums


def rmsprop_update(variables, grads, velocities, momentums, average_grads, lr, rho, momentum,
                   epsilon, centered) -> tuple:
    """Keras RMSprop: ``v = rho*v + (1-rho)*g^2``; ``w -= lr*g / sqrt(v [- a^2] + eps)``."""
    torch._foreach_mul_(velocities, rho)
    torch._foreach_addcmul_(velocities, grads, grads, value=1.0 - rho)
    if centered:
        torch._foreach_lerp_(average_grads, grads, 1.0 - rho)
        denom = torch._foreach_addcmul(velocities, average_grads, average_grads, value=-1.0)
        torch._foreach_add_(denom, epsilon)
    else:
        denom = torch._foreach_add(velocities, epsilon)
    torch._foreach_sqrt_(denom)
    if momentum > 0:
        torch._foreach_mul_(momentums, momentum)
        torch._foreach_addcdiv_(momentums, grads, denom, value=lr)
        torch._foreach_sub_(variables, momentums)
    else:
        torch._foreach_addcdiv_(variables, grads, denom, value=-lr)
    return variables, velocities, momentums, average_grads


def adam_update(variables, grads, m, v, lr, beta_1, beta_2, epsilon, step, amsgrad=False,
                vhat=None) -> tuple:
    """Keras Adam: ``w -= alpha * m / (sqrt(v) + eps)``, ``alpha = lr*sqrt(1-b2^t)/(1-b1^t)``.

    ``step`` is the 1-based step number t.
    """
    alpha = lr * (1.0 - beta_2**step) ** 0.5 / (1.0 - beta_1**step)
    torch._foreach_lerp_(m, grads, 1.0 - beta_1)
    torch._foreach_mul_(v, beta_2)
    torch._foreach_addcmul_(v, grads, grads, value=1.0 - beta_2)
    second = v
    if amsgrad:
        torch._foreach_maximum_(vhat, v)
        second = vhat
    denom = torch._foreach_sqrt(second)
    torch._foreach_add_(denom, epsilon)
    torch._foreach_addcdiv_(variables, m, denom, value=-alpha)
    return variables, m, v


def adagrad_update(variables, grads, accumulators, lr, epsilon) -> tuple:
    """Keras Adagrad: ``acc += g^2``; ``w -= lr*g / sqrt(acc + eps)``."""
    torch._foreach_addcmul_(accumulators, grads, grads)
    denom = torch._foreach_add(accumulators, epsilon)
    torch._foreach_sqrt_(denom)
    torch._foreach_addcdiv_(variables, grads, denom, value=-lr)
    return variables, accumulators


def adadelta_update(variables, grads, accumulated_grads, accumulated_deltas, lr, rho, epsilon) -> tuple:
    """Keras Adadelta: ``delta = sqrt(acc_delta+eps)/sqrt(acc_grad+eps)*g``; ``w -= lr*delta``."""
    torch._foreach_mul_(accumulated_grads, rho)
    torch._foreach_addcmul_(accumulated_grads, grads, grads, value=1.0 - rho)
    std = torch._foreach_add(accumulated_grads, epsilon)
    torch._foreach_sqrt_(std)
    delta = torch._foreach_add(accumulated_deltas, epsilon)
    torch._foreach_sqrt_(delta)
    torch._foreach_div_(delta, std)
    torch._foreach_mul_(delta, grads)
    torch._foreach_mul_(accumulated_deltas, rho)
    torch._foreach_addcmul_(accumulated_deltas, delta, delta, value=1.0 - rho)
    torch._foreach_add_(variables, delta, alpha=-lr)
    return variables, accumulated_grads, accumulated_deltas


def adamax_update(variables, grads, m, u, lr, beta_1, beta_2, epsilon, step) -> tuple:
    """Keras Adamax: ``u = max(b2*u, |g|)``; ``w -= lr*m / ((1-b1^t) * (u + eps))``."""
    torch._foreach_lerp_(m, grads, 1.0 - beta_1)
    torch._foreach_mul_(u, beta_2)
    torch._foreach_maximum_(u, torch._foreach_abs(grads))
    denom = torch._foreach_add(u, epsilon)
    torch._foreach_addcdiv_(variables, m, denom, value=-lr / (1.0 - beta_1**step))
    return variables, m, u


def nadam_update(variables, grads, m, v, lr, beta_1, beta_2, epsilon, step, u_t, u_t_1,
                 u_product_t, u_product_t_1) -> tuple:
    """Keras Nadam (Dozat's momentum schedule ``u_t = b1*(1 - 0.5*0.96^t)``)::

        m_hat = u_{t+1}*m / (1 - prod_{t+1}) + (1 - u_t)*g / (1 - prod_t)
        w -= lr * m_hat / (sqrt(v / (1 - b2^t)) + eps)
    """
    torch._foreach_lerp_(m, grads, 1.0 - beta_1)
    torch._foreach_mul_(v, beta_2)
    torch._foreach_addcmul_(v, grads, grads, value=1.0 - beta_2)
    denom = torch._foreach_sqrt(v)
    torch._foreach_div_(denom, (1.0 - beta_2**step) ** 0.5)
    torch._foreach_add_(denom, epsilon)
    torch._foreach_addcdiv_(variables, grads, denom, value=-lr * (1.0 - u_t) / (1.0 - u_product_t))
    torch._foreach_addcdiv_(variables, m, denom, value=-lr * u_t_1 / (1.0 - u_product_t_1))
    return variables, m, v


def lion_update(variables, grads, momentums, lr, beta_1, beta_2) -> tuple:
    """Keras Lion: ``w -= lr * sign(b1*m + (1-b1)*g)``; then ``m = b2*m + (1-b2)*g``."""
    direction = torch._foreach_mul(momentums, beta_1)
    torch._foreach_add_(direction, grads, alpha=1.0 - beta_1)
    torch._foreach_sign_(direction)
    torch._foreach_add_(variables, direction, alpha=-lr)
    torch._foreach_lerp_(momentums, grads, 1.0 - beta_2)
    return variables, momentums


def lamb_update(variables, grads, m, v, lr, beta_1, beta_2, epsilon, step) -> tuple:
    """Keras Lamb: the Adam direction ``r = m_hat / (sqrt(v_hat) + eps)`` rescaled per variable by
    the trust ratio ``||w|| / ||r||`` (1 when either norm is 0); ``w -= ratio * lr * r``."""
    torch._foreach_lerp_(m, grads, 1.0 - beta_1)
    torch._foreach_mul_(v, beta_2)
    torch._foreach_addcmul_(v, grads, grads, value=1.0 - beta_2)
    denom = torch._foreach_div(v, 1.0 - beta_2**step)
    torch._foreach_sqrt_(denom)
    torch._foreach_add_(denom, epsilon)
    update = torch._foreach_div(m, denom)
    torch._foreach_div_(update, 1.0 - beta_1**step)
    w_norms = torch._foreach_norm(variables)
    u_norms = torch._foreach_norm(update)
    ratios = [torch.where((wn > 0) & (un > 0), wn / un, torch.ones_like(wn)) for wn, un in zip(w_norms, u_norms)]
    torch._foreach_mul_(update, ratios)
    torch._foreach_add_(variables, update, alpha=-lr)
    return variables, m, v


def ftrl_update(variables, grads, accumulators, linears, lr, lr_power, l1, l2, l2_shrinkage) -> tuple:
    """Keras Ftrl (McMahan et al., 2013), per variable; ``l2`` already includes ``beta / (2 lr)``."""
    for w, g, acc, lin in zip(variables, grads, accumulators, linears):
        new_acc = acc + g * g
        g_used = g + (2.0 * l2_shrinkage) * w if l2_shrinkage else g
        sigma = (new_acc.pow(-lr_power) - acc.pow(-lr_power)) / lr
        lin.add_(g_used - sigma * w)
        quadratic = new_acc.pow(-lr_power) / lr + 2.0 * l2
        w.copy_((lin.clamp(-l1, l1) - lin) / quadratic)
        acc.copy_(new_acc)
    return variables, accumulators, linears


def adafactor_update(variables, grads, rows, cols, velocities, lr, step, beta_2_decay, epsilon_1,
                     epsilon_2, clip_threshold) -> tuple:
    """Keras Adafactor (Shazeer & Stern, 2018), per variable: factored second moments for
    variables of rank >= 2 (row and column means), a full one otherwise. ``lr`` is already
    the relative step size min(lr, 1/sqrt(t))."""
    beta_2_t = 1.0 - step**beta_2_decay
    for w, g, r, c, v in zip(variables, grads, rows, cols, velocities):
        alpha = torch.clamp_min(w.square().mean().sqrt(), epsilon_2) * lr
        g2 = g.square() + epsilon_1
        if w.ndim >= 2:
            r.mul_(beta_2_t).add_(g2.mean(dim=-1), alpha=1.0 - beta_2_t)
            c.mul_(beta_2_t).add_(g2.mean(dim=-2), alpha=1.0 - beta_2_t)
            v.copy_((r / r.mean(dim=-1, keepdim=True)).unsqueeze(-1) * c.unsqueeze(-2))
        else:
            v.mul_(beta_2_t).add_(g2, alpha=1.0 - beta_2_t)
        u = g / v.sqrt()
        u = u / torch.clamp_min(u.square().mean().sqrt() / clip_threshold, 1.0)
        w.sub_(alpha * u)
    return variables, rows, cols, velocities


def all_finite(grads):
    """A 0-d bool tensor: True when every gradient element is finite (no host sync)."""
    flags = [torch.isfinite(g).all() for g in grads]
    return torch.stack(flags).all() if flags else torch.tensor(True)


def select(condition, new_values, old_values) -> None:
    """``old[i] <- new[i]`` where the 0-d ``condition`` holds, else unchanged, in place."""
    for old, new in zip(old_values, new_values):
        old.copy_(torch.where(condition, new, old))


def zeros_like_shape(reference, shape):
    """A zero state tensor of ``shape`` with ``reference``'s dtype and device."""
    return torch.zeros(tuple(shape), dtype=reference.dtype, device=reference.device)


def muon_update(variables, grads, momentums, lr, momentum, nesterov, ns_steps, a, b, c, rms_rate) -> tuple:
    """Keras Muon for 2-D variables: momentum, then the update orthogonalised by ``ns_steps``
    quintic Newton-Schulz iterations, scaled by ``sqrt(max(rows, cols)) * rms_rate``."""
    for w, g, m in zip(variables, grads, momentums):
        m.mul_(momentum).add_(g)
        x = g + momentum * m if nesterov else m.clone()
        tall = x.shape[-2] > x.shape[-1]
        if tall:
            x = x.transpose(-2, -1)
        x = x / (torch.linalg.matrix_norm(x, keepdim=True) + 1e-7)
        for _ in range(ns_steps):
            gram = x @ x.transpose(-2, -1)
            x = a * x + (b * gram + c * gram @ gram) @ x
        if tall:
            x = x.transpose(-2, -1)
        step = lr * x
        if rms_rate is not None:
            step = step * (max(w.shape[0], w.shape[1]) ** 0.5 * rms_rate)
        w.sub_(step)
    return variables, momentums


def cell(variable):
    """The tensor an optimizer updates in place for a lamina ``Variable`` (its Parameter)."""
    return variable.value


def when(pred, fn, cells) -> None:
    """Run ``fn()`` only if ``pred`` holds (torch runs eagerly: a Python branch)."""
    if pred:
        fn()


def choose(pred, a, b):
    """``a`` if ``pred`` else ``b`` (one host read when ``pred`` is a tensor)."""
    return a if bool(pred) else b
