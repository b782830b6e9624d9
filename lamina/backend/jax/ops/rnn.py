"""Recurrent loops for the JAX backend: the time loop of an RNN layer as one ``lax.scan``.

``scan_rnn`` runs a step function over the time axis with Keras's semantics: a masked step
keeps the previous states and repeats the previous output (zeros before the first valid step,
or zeros at every masked step with ``zero_output_for_mask``). Any mask works (right- or
left-padded rows, holes) and nothing is read back to the host, so a jitted train step stays
one XLA program whose size does not grow with the number of time steps.

Step 0 runs before the scan, at the level of the caller's trace: per-sequence values that a
cell makes on first use (Keras's dropout masks, made once and reused at every step) are made
there, outside the loop body, and the step's output shape comes from it. The global seed state
(``key=None`` random draws) is threaded through the scan's carry, so a cell that draws random
numbers at every step gets fresh numbers at every step. A step that assigns any other state
(a Variable, a layer loss) cannot be part of a scan: then ``scan_rnn`` undoes what the trace
recorded and returns None, and the layer unrolls its Python loop instead.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

from lamina.backend import stateless_scope as _scope

__all__ = ["scan_rnn"]

_tree_map = jax.tree_util.tree_map


def _fit(m, like):
    """A (batch, 1) mask broadcast against a value of any rank."""
    return m.reshape(m.shape + (1,) * (like.ndim - m.ndim))


def _snapshot(scope):
    if scope is None:
        return None
    return dict(scope._values), len(scope.losses)


def _changed(scope, snap) -> bool:
    if scope is None:
        return False
    values, n_losses = snap
    if len(scope.losses) != n_losses or len(scope._values) != len(values):
        return True
    return any(scope._values.get(k) is not v for k, v in values.items())


def _restore(scope, snap) -> None:
    if scope is not None:
        values, n_losses = snap
        scope._values.clear()
        scope._values.update(values)
        del scope.losses[n_losses:]


def _is_traced(*trees) -> bool:
    return any(isinstance(a, jax.core.Tracer) for t in trees for a in jax.tree_util.tree_leaves(t))


def _check_states(name, new, old):
    got = [tuple(a.shape) for a in jax.tree_util.tree_leaves(new)]
    want = [tuple(a.shape) for a in jax.tree_util.tree_leaves(old)]
    if got != want or jax.tree_util.tree_structure(new) != jax.tree_util.tree_structure(old):
        raise ValueError(
            f"Layer '{name}': the cell's step returned states of shapes {got}, but the initial "
            f"states have shapes {want}. A cell must return new states shaped like its "
            "state_size (and like initial_state)."
        )


def scan_rnn(step, inputs, states, mask=None, zero_output_for_mask=False, return_sequences=True,
             name="rnn"):
    """Run ``step`` over the time axis of ``inputs`` in one ``lax.scan``.

    Args:
        step: ``step(x_t, states) -> (output, new_states)``; ``states`` is a (nested) list.
        inputs: (batch, time, ...) per-step inputs, already reversed for ``go_backwards``.
        states: the initial states (a nested list of (batch, ...) arrays).
        mask: optional (batch, time) booleans (False: a padding step).
        zero_output_for_mask: masked steps output zeros instead of the previous output.
        return_sequences: return every step's output (batch, time, ...) instead of the last.
        name: the layer's name (for error messages).

    Returns:
        ``(outputs, final_states)``, or None when the layer should run its Python loop: eager
        (concrete) inputs, where a scan would compile on every call, or a step that assigns
        state other than the global seed.

    Example:
        >>> import jax, jax.numpy as jnp
        >>> f = jax.jit(lambda x: scan_rnn(lambda xt, s: (xt + s[0], [xt + s[0]]), x,
        ...                                [jnp.zeros((1, 1))])[0])
        >>> f(jnp.ones((1, 3, 1)))[0, :, 0].tolist()
        [1.0, 2.0, 3.0]
    """
    if not _is_traced(inputs, states, mask):
        return None
    from lamina.backend.jax import random as _random  # it imports this package: imported on use

    steps = inputs.shape[1]
    xs = jnp.swapaxes(inputs, 0, 1)
    ms = None if mask is None else jnp.swapaxes(mask.astype(bool), 0, 1)[:, :, None]
    scope = _scope.current()
    snap = _snapshot(scope)
    rng_start = _random.global_state()

    def masked(m, out, new, s, prev):
        if m is None:
            return out, new
        out = jnp.where(_fit(m, out), out, jnp.zeros_like(out) if zero_output_for_mask or prev is None else prev)
        new = _tree_map(lambda a, b: jnp.where(_fit(m, a), a, b), new, s)
        return out, new

    out, new = step(xs[0], states)
    _check_states(name, new, states)
    new = _tree_map(lambda a, b: a.astype(b.dtype), new, states)
    out, new = masked(None if ms is None else ms[0], out, new, states, None)
    if steps == 1:
        return (out[:, None] if return_sequences else out), new

    body_changed = []

    def body(carry, inp):
        s, prev, rng = carry
        x_t, m_t = inp
        saved = _random.swap_global_state(rng)
        try:
            o, n = step(x_t, s)
            rng = _random.global_state()
        finally:
            _random.swap_global_state(saved)
        if _changed(scope, snap_after_first):
            body_changed.append(True)
        n = _tree_map(lambda a, b: a.astype(b.dtype), n, s)
        o, n = masked(m_t, o, n, s, prev)
        return (n, o.astype(prev.dtype), rng), (o if return_sequences else None)

    snap_after_first = _snapshot(scope)
    rng0 = _random.global_state()
    (final, last, rng), ys = jax.lax.scan(body, (new, out, rng0),
                                          (xs[1:], None if ms is None else ms[1:]))
    if body_changed:
        _restore(scope, snap)
        _random.swap_global_state(rng_start)
        return None
    _random.swap_global_state(rng)
    if return_sequences:
        return jnp.swapaxes(jnp.concatenate([out[None], ys], axis=0), 0, 1), final
    return last, final
