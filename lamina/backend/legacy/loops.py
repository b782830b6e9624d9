"""Keras 2 backend functions that loop in Python: ``K.rnn``, ``K.map_fn``, ``K.foldl``,
``K.foldr`` and the locally-connected convolutions ``K.local_conv1d``/``K.local_conv2d``."""

from __future__ import annotations

import itertools

from lamina import config, ops
from lamina.backend.legacy._symbolic import symbolic
from lamina.backend.legacy.math import tensor


def rnn(step_function, inputs, initial_states, go_backwards=False, mask=None, constants=None,
        unroll=False, input_length=None, time_major=False, zero_output_for_mask=False,
        return_all_outputs=True):
    """Runs ``step_function`` over the time axis of ``inputs``.

    Args:
        step_function: ``(input_t, states) -> (output_t, new_states)``; ``states`` is a list
            (followed by ``constants``, when given).
        inputs: (samples, time, ...) tensor ((time, samples, ...) with ``time_major``).
        initial_states: list of (samples, ...) tensors.
        go_backwards: iterate from the last step to the first.
        mask: optional (samples, time) boolean tensor; at masked steps the output and the
            states of the previous step are carried over (outputs are zeros with
            ``zero_output_for_mask``).
        constants: tensors passed to every step after the states.
        unroll, input_length: accepted for compatibility (the loop is always unrolled).
        return_all_outputs: False returns only the last output, as a time axis of size 1.

    Returns:
        ``(last_output, outputs, new_states)``; ``outputs`` is (samples, time, ...) in the
        order the steps ran.
    """
    inputs = tensor(inputs)
    steps = ops.unstack(inputs, axis=0 if time_major else 1)
    masks = None
    if mask is not None:
        mask = ops.cast(tensor(mask), "bool")
        masks = ops.unstack(mask, axis=0 if time_major else 1)
    order = list(range(len(steps)))[::-1] if go_backwards else list(range(len(steps)))
    states = [tensor(s) for s in initial_states]
    extra = [tensor(c) for c in constants or []]
    outputs, previous = [], None
    for t in order:
        output, new_states = step_function(steps[t], states + extra)
        new_states = list(new_states) if isinstance(new_states, (list, tuple)) else [new_states]
        if masks is not None:
            keep = masks[t]

            def carry(new, old, keep=keep):
                k = ops.reshape(keep, tuple(keep.shape) + (1,) * (len(new.shape) - 1))
                return ops.where(k, new, old)

            if previous is None:
                previous = ops.zeros_like(output)
            output = carry(output, ops.zeros_like(output) if zero_output_for_mask else previous)
            new_states = [carry(n, o) for n, o in zip(new_states, states)]
        outputs.append(output)
        previous, states = output, new_states
    if return_all_outputs:
        stacked = ops.stack(outputs, axis=0 if time_major else 1)
    else:
        stacked = ops.expand_dims(outputs[-1], 0 if time_major else 1)
    return outputs[-1], stacked, states


def map_fn(fn, elems, name=None, dtype=None):
    """``fn`` applied to each slice of ``elems`` along the first axis, results stacked."""
    return ops.stack([fn(e) for e in ops.unstack(tensor(elems), axis=0)], axis=0)


def foldl(fn, elems, initializer=None, name=None):
    """Reduces the slices of ``elems`` from the first: ``acc = fn(acc, x)``."""
    items = ops.unstack(tensor(elems), axis=0)
    acc, items = (items[0], items[1:]) if initializer is None else (tensor(initializer), items)
    for e in items:
        acc = fn(acc, e)
    return acc


def foldr(fn, elems, initializer=None, name=None):
    """Reduces the slices of ``elems`` from the last: ``acc = fn(acc, x)``."""
    return foldl(fn, ops.flip(tensor(elems), axis=0), initializer=initializer)


def _local_conv(inputs, kernel, kernel_size, strides, output_shape, data_format):
    inputs, kernel = tensor(inputs), tensor(kernel)
    channels_last = config.standardize_data_format(data_format) == "channels_last"
    ndims = len(output_shape)
    patches = []
    for position in itertools.product(*(range(n) for n in output_shape)):
        window = tuple(slice(p * s, p * s + k) for p, s, k in zip(position, strides, kernel_size))
        key = (slice(None),) + (window + (slice(None),) if channels_last else (slice(None),) + window)
        patches.append(ops.reshape(inputs[key], (inputs.shape[0], -1)))
    # (positions, batch, features) x (positions, features, filters) -> (positions, batch, filters)
    out = ops.einsum("pbf,pfo->pbo", ops.stack(patches, axis=0), kernel)
    out = ops.reshape(out, tuple(output_shape) + (inputs.shape[0], kernel.shape[-1]))
    spatial = list(range(ndims))
    perm = [ndims] + spatial + [ndims + 1] if channels_last else [ndims, ndims + 1] + spatial
    return ops.transpose(out, tuple(perm))


@symbolic
def local_conv1d(inputs, kernel, kernel_size, strides, data_format=None):
    """1D convolution with a different kernel at each output step (unshared weights).

    ``kernel`` is (output_length, kernel_size * input_dim, filters).
    """
    return _local_conv(inputs, kernel, tuple(kernel_size), tuple(strides), (tensor(kernel).shape[0],),
                       data_format)


@symbolic
def local_conv2d(inputs, kernel, kernel_size, strides, output_shape, data_format=None):
    """2D convolution with a different kernel at each output position (unshared weights).

    ``kernel`` is (output_rows * output_cols, kh * kw * input_filters, filters).
    """
    return _local_conv(inputs, kernel, tuple(kernel_size), tuple(strides), tuple(output_shape),
                       data_format)
