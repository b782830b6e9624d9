"""Keras 2 backend losses: crossentropies (per sample, unreduced) and CTC.

Argument order is Keras 2's ``(target, output)`` and ``from_logits`` defaults to False: the
output is taken to be probabilities, clipped to ``[epsilon, 1 - epsilon]`` (``K.epsilon()``).
"""

from __future__ import annotations

from lamina import config, ops
from lamina.backend.legacy._symbolic import symbolic
from lamina.backend.legacy.math import tensor

_NEG = -1e30  # log(0) in the CTC recursion: finite, so gradients stay finite


@symbolic
def categorical_crossentropy(target, output, from_logits=False, axis=-1):
    """``-sum(target * log(output))`` along ``axis``, per sample.

    Probabilities are renormalized to sum to 1 and clipped to ``[eps, 1 - eps]``; with
    ``from_logits=True`` a log-softmax is used instead.
    """
    target, output = tensor(target), tensor(output)
    if from_logits:
        return -ops.sum(target * ops.log_softmax(output, axis=axis), axis=axis)
    eps = config.epsilon()
    output = output / ops.sum(output, axis=axis, keepdims=True)
    return -ops.sum(target * ops.log(ops.clip(output, eps, 1.0 - eps)), axis=axis)


@symbolic
def sparse_categorical_crossentropy(target, output, from_logits=False, axis=-1):
    """Categorical crossentropy with integer class ``target`` s, per sample.

    A target with as many axes as the output (e.g. shape (batch, 1)) is flattened, as in
    Keras 2, and the result is then 1-D.
    """
    target, output = tensor(target), tensor(output)
    if not from_logits:
        eps = config.epsilon()
        output = ops.log(ops.clip(output, eps, 1.0 - eps))
    rank = len(output.shape)
    axis %= rank
    if axis != rank - 1:
        output = ops.transpose(output, tuple(i for i in range(rank) if i != axis) + (axis,))
    if len(target.shape) != rank - 1:
        target = ops.reshape(target, (-1,))
        output = ops.reshape(output, (-1, output.shape[-1]))
    index = ops.expand_dims(ops.cast(target, "int64"), -1)
    picked = ops.take_along_axis(ops.log_softmax(output, axis=-1), index, axis=-1)
    return -ops.squeeze(picked, -1)


@symbolic
def binary_crossentropy(target, output, from_logits=False):
    """Elementwise ``-(t * log(p) + (1 - t) * log(1 - p))``.

    Probabilities are clipped to ``[eps, 1 - eps]`` and ``eps`` is added inside the logs, as in
    Keras 2; with ``from_logits=True`` the stable form
    ``max(x, 0) - x * t + log(1 + exp(-|x|))`` is used.
    """
    target, output = tensor(target), tensor(output)
    if from_logits:
        return ops.relu(output) - output * target + ops.log1p(ops.exp(-ops.abs(output)))
    eps = config.epsilon()
    p = ops.clip(output, eps, 1.0 - eps)
    return -(target * ops.log(p + eps) + (1.0 - target) * ops.log(1.0 - p + eps))


@symbolic
def binary_focal_crossentropy(target, output, apply_class_balancing=False, alpha=0.25, gamma=2.0,
                              from_logits=False):
    """Binary crossentropy scaled by ``(1 - p_t) ** gamma`` (and by ``alpha`` weights when
    ``apply_class_balancing``), elementwise (Keras 2.13)."""
    target, output = tensor(target), tensor(output)
    p = ops.sigmoid(output) if from_logits else output
    p_t = target * p + (1.0 - target) * (1.0 - p)
    out = ops.power(1.0 - p_t, gamma) * binary_crossentropy(target, output, from_logits=from_logits)
    if apply_class_balancing:
        out = (target * alpha + (1.0 - target) * (1.0 - alpha)) * out
    return out


@symbolic
def categorical_focal_crossentropy(target, output, alpha=0.25, gamma=2.0, from_logits=False, axis=-1):
    """``sum(alpha * (1 - p) ** gamma * -target * log(p))`` along ``axis`` (Keras 2.13)."""
    target, output = tensor(target), tensor(output)
    if from_logits:
        output = ops.softmax(output, axis=axis)
    eps = config.epsilon()
    output = ops.clip(output / ops.sum(output, axis=axis, keepdims=True), eps, 1.0 - eps)
    return ops.sum(alpha * ops.power(1.0 - output, gamma) * -target * ops.log(output), axis=axis)


@symbolic
def ctc_batch_cost(y_true, y_pred, input_length, label_length):
    """Connectionist temporal classification loss of each sample, shape (samples, 1).

    Args:
        y_true: (samples, max_label_length) integer labels, padded past ``label_length``.
        y_pred: (samples, time_steps, classes) softmax outputs; the last class is the blank.
        input_length: (samples, 1) number of valid time steps of each sample.
        label_length: (samples, 1) number of labels of each sample.

    As Keras 2 (TensorFlow's ``ctc_loss`` on ``log(y_pred + epsilon)``) the probabilities are
    renormalized at each step; the loss is ``-log`` of the total probability of the alignments
    that collapse to the labels (repeats merged, blanks removed). The forward recursion runs in
    log space on lamina ops, so it is differentiable.
    """
    y_true, y_pred = tensor(y_true), tensor(y_pred)
    batch, steps, classes = y_pred.shape
    blank = classes - 1
    in_len = ops.cast(ops.reshape(tensor(input_length), (-1,)), "int64")
    lab_len = ops.cast(ops.reshape(tensor(label_length), (-1,)), "int64")
    logp = ops.log_softmax(ops.log(y_pred + config.epsilon()), axis=-1)
    labels = ops.cast(y_true, "int64")
    width = 2 * labels.shape[1] + 1
    # The extended label sequence: blank, l1, blank, l2, ..., blank.
    ext = ops.reshape(ops.stack([ops.full_like(labels, blank), labels], axis=-1), (batch, -1))
    ext = ops.concatenate([ext, ops.full((batch, 1), blank, dtype="int64")], axis=1)
    prev2 = ops.concatenate([ops.full((batch, 2), blank, dtype="int64"), ext[:, :-2]], axis=1)
    skip = ops.logical_and(ops.not_equal(ext, blank), ops.not_equal(ext, prev2))
    neg = ops.full((batch, width), _NEG, dtype=ops.dtype(logp))
    start = ops.less(ops.arange(width), 2)
    alpha = ops.where(start, ops.take_along_axis(logp[:, 0], ext, axis=1), neg)
    for t in range(1, steps):
        shift1 = ops.concatenate([neg[:, :1], alpha[:, :-1]], axis=1)
        shift2 = ops.where(skip, ops.concatenate([neg[:, :2], alpha[:, :-2]], axis=1), neg)
        paths = ops.logsumexp(ops.stack([alpha, shift1, shift2]), axis=0)
        step = paths + ops.take_along_axis(logp[:, t], ext, axis=1)
        alpha = ops.where(ops.expand_dims(ops.greater(in_len, t), 1), step, alpha)
    last = ops.expand_dims(2 * lab_len, 1)
    ends = ops.concatenate([ops.take_along_axis(alpha, last, axis=1),
                            ops.take_along_axis(alpha, ops.maximum(last - 1, 0), axis=1)], axis=1)
    ends = ops.where(ops.expand_dims(ops.greater(lab_len, 0), 1), ends,
                     ops.concatenate([ends[:, :1], neg[:, :1]], axis=1))
    return -ops.logsumexp(ends, axis=1, keepdims=True)


def ctc_decode(y_pred, input_length, greedy=True, beam_width=100, top_paths=1):
    """CTC decoding of softmax outputs ``y_pred`` (samples, time_steps, classes; the last class is
    the blank), as Keras 2 did it with TensorFlow.

    Greedy: the most likely class at each step, repeats merged, blanks removed. Beam search
    (``greedy=False``): ``ops.ctc_decode(strategy="beam_search")`` on ``log(y_pred + epsilon)``,
    then, as TensorFlow 1's decoder with its default ``merge_repeated=True``, equal consecutive
    labels of each decoded path merged ('a blank a' decodes to 'a').

    Returns:
        ``(decoded, log_prob)``: ``decoded`` is a list of ``top_paths`` (one when greedy)
        (samples, time_steps) tensors padded with -1, best first; ``log_prob`` is (samples,
        top_paths): the paths' log probabilities, or for greedy decoding minus the sum over valid
        steps of the best ``log(y_pred + epsilon)`` (TensorFlow's greedy decoder value).
    """
    import numpy as np

    if not greedy:
        probs = tensor(y_pred)
        lengths = ops.reshape(tensor(input_length), (-1,))
        paths, log_prob = ops.ctc_decode(ops.log(probs + config.epsilon()), lengths, strategy="beam_search",
                                         beam_width=beam_width, top_paths=top_paths,
                                         mask_index=probs.shape[-1] - 1)
        decoded = []
        for top in ops.convert_to_numpy(paths):
            out = np.full(top.shape, -1, dtype="int64")
            for b, row in enumerate(top):
                labels = [int(c) for i, c in enumerate(row) if c != -1 and (i == 0 or c != row[i - 1])]
                out[b, :len(labels)] = labels
            decoded.append(ops.convert_to_tensor(out))
        return decoded, log_prob

    probs = ops.convert_to_numpy(tensor(y_pred))
    lengths = ops.convert_to_numpy(tensor(input_length)).reshape(-1).astype(int)
    batch, steps, classes = probs.shape
    best = probs.argmax(-1)
    logs = np.log(probs.max(-1) + config.epsilon())
    decoded = np.full((batch, steps), -1, dtype="int64")
    log_prob = np.zeros((batch, 1), dtype=probs.dtype)
    for b in range(batch):
        path = best[b, :lengths[b]]
        keep = [c for i, c in enumerate(path) if c != classes - 1 and (i == 0 or c != path[i - 1])]
        decoded[b, :len(keep)] = keep
        log_prob[b, 0] = -logs[b, :lengths[b]].sum()
    return [ops.convert_to_tensor(decoded)], ops.convert_to_tensor(log_prob)
