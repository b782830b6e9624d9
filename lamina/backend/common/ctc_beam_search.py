"""CTC prefix beam search on the host (NumPy), shared by the torch and JAX ``ctc_decode`` kernels.

Keras 3's semantics, step for step (``keras/src/backend/jax/nn.py``): the logits go through a log
softmax; each beam is a label prefix (repeats merged, blanks dropped) with two log scores, the
probability of the prefix ending in a label and ending in a blank. At every step each beam is
extended by every class: the blank keeps the prefix (now ending in a blank), the prefix's last
label keeps it when the beam ended in that label (a repeat merges) and extends it otherwise, any
other label extends it. Candidates with the same prefix are merged (log-sum-exp of each score
kind) and the ``beam_width`` best totals are kept; the first step keeps the ``beam_width`` best
classes. After the last step the prefixes are merged once more and the ``top_paths`` best returned.
Ties are broken as Keras's JAX kernel breaks them (classes searched in reverse order, prefixes in
lexicographic order, a stable sort), so the outputs match it. ``merge_repeated`` is greedy decoding's
option only: the search always merges repeats not separated by a blank, as CTC (and Keras 3) does.

Decoding is a search over a variable number of distinct prefixes, so this runs on concrete arrays:
the kernels convert their inputs to NumPy (and refuse tracers with a clear error).
"""

from __future__ import annotations

import numpy as np

_PAD = -1


def check_strategy(strategy) -> None:
    """ValueError unless ``strategy`` is 'greedy' or 'beam_search' (the kernels handle those)."""
    if strategy not in ("greedy", "beam_search"):
        from lamina.errors import suggest

        raise ValueError(f"ctc_decode(): unknown strategy {strategy!r}; expected 'greedy' or "
                         f"'beam_search'.{suggest(str(strategy), ['greedy', 'beam_search'])}")


def check_arguments(beam_width, top_paths, mask_index, num_classes):
    """The blank's index (``mask_index``; None means the last class); ValueError for bad values."""
    for name, v in (("beam_width", beam_width), ("top_paths", top_paths)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1:
            raise ValueError(f"ctc_decode(strategy='beam_search'): {name} must be a positive int, "
                             f"received {v!r}.")
    if top_paths > beam_width:
        raise ValueError(f"ctc_decode(strategy='beam_search'): top_paths ({top_paths}) cannot exceed "
                         f"beam_width ({beam_width}): the search keeps only beam_width paths. "
                         "Raise beam_width or lower top_paths.")
    if mask_index is None:
        return num_classes - 1
    if not -num_classes <= int(mask_index) < num_classes:
        raise ValueError(f"ctc_decode(): mask_index {mask_index} is out of range for {num_classes} "
                         f"classes; pass the blank's class index, 0 to {num_classes - 1}.")
    return int(mask_index) % num_classes


def beam_search(logits, lengths, beam_width=100, top_paths=1, mask_index=0):
    """CTC beam search decoding of ``logits`` (batch, time, classes), unnormalized.

    Args:
        logits: NumPy float array (batch, time, classes).
        lengths: NumPy int array (batch,): the valid steps of each sequence.
        beam_width: the number of prefixes kept at each step.
        top_paths: how many of the best prefixes to return (at most ``beam_width``).
        mask_index: the blank class (None: the last class).

    Returns:
        ``(paths, log_probs)``: int32 (top_paths, batch, time), each prefix padded with -1, best
        first; and float (batch, top_paths), the log probability of each prefix.
    """
    x = np.asarray(logits)
    x = x.astype(np.float64 if x.dtype == np.float64 else np.float32)
    batch, time, classes = x.shape
    blank = check_arguments(beam_width, top_paths, mask_index, classes)
    lengths = np.asarray(lengths).reshape(-1).astype(np.int64)
    shifted = x - x.max(axis=-1, keepdims=True)
    logp = shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))
    # Classes in reverse order (class c is searched as classes - 1 - c), as Keras's kernel does to
    # break ties between equal scores the way TensorFlow's decoder does.
    logp = logp[:, :, ::-1]
    blank = classes - 1 - blank
    paths_out = np.full((batch, top_paths, time), _PAD, np.int32)
    scores_out = np.full((batch, top_paths), -np.inf, x.dtype)
    for b in range(batch):
        p, s = _decode_one(logp[b], int(lengths[b]), beam_width, top_paths, blank)
        paths_out[b, :len(p)], scores_out[b, :len(s)] = p, s
    paths_out = np.where(paths_out == _PAD, _PAD, classes - 1 - paths_out).astype(np.int32)
    return np.ascontiguousarray(paths_out.transpose(1, 0, 2)), scores_out


def _decode_one(logp, length, beam_width, top_paths, blank):
    time, classes = logp.shape
    n_init = min(classes, beam_width)
    first = np.argsort(logp[0], kind="stable")[-n_init:]
    paths = np.full((2 * beam_width, time), _PAD, np.int32)
    paths[:n_init, 0] = np.where(first == blank, _PAD, first)
    scores = np.full(2 * beam_width, -np.inf, logp.dtype)
    scores[:n_init] = logp[0, first]
    ended_blank = paths[:, 0] == _PAD
    labels = np.arange(classes, dtype=np.int32)
    labels[blank] = _PAD
    labels = np.tile(labels, 2 * beam_width)
    rows = np.arange(2 * beam_width * classes)
    size = 2 * beam_width * classes
    for t in range(1, min(length, time)):
        # extend every beam by every class
        cand = np.repeat(paths, classes, axis=0)
        cand_scores = np.repeat(scores, classes) + np.tile(logp[t], 2 * beam_width)
        was_blank = np.repeat(ended_blank, classes)
        tail = np.argmax(cand == _PAD, axis=1)
        last = np.where(tail == 0, _PAD, cand[rows, tail - 1])
        now_blank = labels == _PAD
        cand[rows, tail] = np.where(~was_blank & (last == labels), _PAD, labels)  # a repeat merges
        # merge equal prefixes, keep the beam_width best
        uniq, inverse = _unique(cand, size)
        label_scores = _merge(inverse, np.where(now_blank, -np.inf, cand_scores), size)
        blank_scores = _merge(inverse, np.where(now_blank, cand_scores, -np.inf), size)
        best = np.argsort(np.logaddexp(label_scores, blank_scores), kind="stable")[-beam_width:]
        paths = np.tile(uniq[best], (2, 1))
        scores = np.concatenate([label_scores[best], blank_scores[best]])
        ended_blank = np.repeat([False, True], beam_width)
    uniq, inverse = _unique(paths, size)
    totals = _merge(inverse, scores, len(scores))
    best = np.argsort(totals, kind="stable")[-top_paths:][::-1]
    return uniq[best], totals[best]


def _unique(paths, size):
    """The distinct rows in lexicographic order, padded with rows of -1 to ``size`` rows (as
    ``jnp.unique(..., size=size, fill_value=-1, axis=0)``), and each row's index among them."""
    # Each row as one byte string of big-endian unsigned labels (-1 -> 0): bytes compare in the
    # rows' lexicographic order, and sorting them is much faster than np.unique(axis=0).
    keys = np.ascontiguousarray((paths + 1).astype(">u2" if paths.max(initial=0) < 65535 else ">u4"))
    rows = keys.view(np.dtype((np.void, keys.dtype.itemsize * keys.shape[1]))).reshape(-1)
    _, first, inverse = np.unique(rows, return_index=True, return_inverse=True)
    uniq = paths[first]
    if len(uniq) < size:
        uniq = np.concatenate([uniq, np.full((size - len(uniq), paths.shape[1]), _PAD, paths.dtype)])
    return uniq, inverse.reshape(-1)


def _merge(inverse, scores, size):
    """Log-sum-exp of ``scores`` per prefix (the scatter-add of Keras's kernel, in log space)."""
    top = scores.max()
    if top == -np.inf:  # nothing reaches these prefixes (a single class, the blank)
        return np.full(size, -np.inf, scores.dtype)
    out = np.zeros(size, scores.dtype)
    np.add.at(out, inverse, np.exp(scores - top))
    with np.errstate(divide="ignore"):
        return np.log(out) + top
