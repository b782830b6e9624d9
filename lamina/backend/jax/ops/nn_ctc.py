"""CTC kernels of ``lamina.ops.nn`` under JAX (JAX has no CTC in its core library).

``ctc_loss`` is the forward (alpha) recursion of Graves et al. (2006) over the blank-extended label
sequence, in log space, one ``lax.scan`` step per frame; it equals ``torch.nn.functional.ctc_loss``
(reduction='none', zero_infinity=False): an impossible alignment costs ``inf``. Unreachable states
hold a large finite negative number instead of -inf, so that gradients stay finite.
``ctc_decode`` greedy is written without host loops so that it works inside ``jax.jit``; beam search
runs on the host (``lamina/backend/common/ctc_beam_search.py``), on concrete arrays.
"""

from __future__ import annotations

import functools

import jax
import jax.numpy as jnp
import numpy as np

from lamina.backend.common import ctc_beam_search
from lamina.backend.jax.ops._convert import _t, at_least_float32, to_float

_UNREACHABLE = -1e30


def _logsumexp3(a, b, c):
    m = jnp.maximum(jnp.maximum(a, b), c)
    return m + jnp.log(jnp.exp(a - m) + jnp.exp(b - m) + jnp.exp(c - m))


def ctc_loss(target, output, target_length, output_length, mask_index=0):
    """CTC negative log-likelihood per sample; ``output`` holds (batch, time, classes) logits and
    ``target`` (batch, max_label_length) labels, padded past each ``target_length``."""
    logits, dtype = at_least_float32(output)
    loss = _ctc_loss(_t(target).astype(jnp.int32), logits, _t(target_length).astype(jnp.int32),
                     _t(output_length).astype(jnp.int32), int(mask_index))
    return loss.astype(dtype)


@functools.partial(jax.jit, static_argnums=4)  # one XLA program, also when called eagerly
def _ctc_loss(labels, logits, label_len, frames, mask_index):
    batch, time = logits.shape[:2]
    n_labels = labels.shape[1]
    states = 2 * n_labels + 1
    logp = jax.nn.log_softmax(logits, axis=-1)
    # the extended sequence: blank, l1, blank, l2, ..., blank
    ext = jnp.full((batch, states), mask_index, jnp.int32).at[:, 1::2].set(labels)
    # a label state may skip the blank before it unless it repeats the label two states back
    skip = jnp.zeros((batch, states), bool)
    if n_labels > 1:
        skip = skip.at[:, 3::2].set(labels[:, 1:] != labels[:, :-1])
    emit = jnp.take_along_axis(logp, jnp.broadcast_to(ext[:, None, :], (batch, time, states)), axis=2)
    neg = jnp.asarray(_UNREACHABLE, logp.dtype)
    alpha = jnp.full((batch, states), neg).at[:, 0].set(emit[:, 0, 0])
    if states > 1:
        alpha = alpha.at[:, 1].set(emit[:, 0, 1])

    def step(alpha, inputs):
        t, e = inputs
        one = jnp.concatenate([jnp.full((batch, 1), neg), alpha[:, :-1]], axis=1)
        two = jnp.concatenate([jnp.full((batch, 2), neg), alpha[:, :-2]], axis=1)[:, :states]
        new = _logsumexp3(alpha, one, jnp.where(skip, two, neg)) + e
        return jnp.where((t < frames)[:, None], new, alpha), None

    alpha, _ = jax.lax.scan(step, alpha, (jnp.arange(1, time), jnp.swapaxes(emit[:, 1:], 0, 1)))
    last = 2 * label_len  # the final blank state; the final label state is one before
    at_end = jnp.take_along_axis(alpha, last[:, None], axis=1)[:, 0]
    before = jnp.take_along_axis(alpha, jnp.maximum(last - 1, 0)[:, None], axis=1)[:, 0]
    before = jnp.where(last > 0, before, neg)
    loglik = jnp.logaddexp(at_end, before)
    return jnp.where(loglik < _UNREACHABLE / 2, jnp.inf, -loglik)


def ctc_decode(inputs, sequence_lengths, strategy="greedy", beam_width=100, top_paths=1, merge_repeated=True,
               mask_index=0):
    """CTC decoding. Greedy (traceable): (decoded (1, batch, time) int32 padded with -1, scores
    (batch, 1)). Beam search (on the host, ``backend/common/ctc_beam_search.py``; concrete arrays
    only): (decoded (top_paths, batch, time), log probabilities (batch, top_paths))."""
    if strategy == "beam_search":
        if any(isinstance(a, jax.core.Tracer) for a in (inputs, sequence_lengths)):
            raise ValueError(
                "ctc_decode(strategy='beam_search') searches on the host (NumPy) and cannot run "
                "inside jax.jit or a compiled predict/train step (it received a tracer). Decode "
                "the model's outputs eagerly, e.g. ops.ctc_decode(model.predict(x), lengths, "
                "strategy='beam_search'), or use strategy='greedy', which traces.")
        x = to_float(_t(inputs))
        paths, scores = ctc_beam_search.beam_search(np.asarray(x), np.asarray(_t(sequence_lengths)),
                                                    beam_width, top_paths, mask_index)
        return jnp.asarray(paths), jnp.asarray(scores)
    ctc_beam_search.check_strategy(strategy)
    x = to_float(_t(inputs))
    lengths = _t(sequence_lengths).astype(jnp.int32)
    batch, time = x.shape[:2]
    best, ids = jnp.max(x, axis=-1), jnp.argmax(x, axis=-1).astype(jnp.int32)
    valid = jnp.arange(time)[None, :] < lengths[:, None]
    keep = valid & (ids != mask_index)
    if merge_repeated:
        prev = jnp.concatenate([jnp.full((batch, 1), -1, ids.dtype), ids[:, :-1]], axis=1)
        keep = keep & (ids != prev)
    scores = -jnp.sum(best * valid, axis=1, keepdims=True)  # minus the summed best scores, as Keras
    slot = jnp.where(keep, jnp.cumsum(keep, axis=1) - 1, time)  # kept ids move left, in order
    rows = jnp.broadcast_to(jnp.arange(batch)[:, None], (batch, time))
    out = jnp.full((batch, time), -1, jnp.int32).at[rows, slot].set(ids, mode="drop")
    return out[None], scores
