"""Shape analysis of EinsumDense equations (Keras 3's rules, written for lamina).

An equation is ``ab,bc->ac``, ``...b,bc->...c`` (batch-like axes elided on the left) or
``ab...,bc->ac...`` (elided on the right). From it, the input shape and the partial output
shape (without the batch axis) follow the kernel shape, the bias shape and which kernel axes
are inputs (fan-in) and outputs (fan-out).
"""

from __future__ import annotations

import re

_PLAIN = re.compile(r"^([a-zA-Z]+),([a-zA-Z]+)->([a-zA-Z]+)$")
_LEFT = re.compile(r"^\.\.\.([a-zA-Z]+),([a-zA-Z]+)->\.\.\.([a-zA-Z]+)$")
_RIGHT = re.compile(r"^([a-zA-Z]{2,})\.\.\.,([a-zA-Z]+)->([a-zA-Z]+)\.\.\.$")


def analyze(equation, bias_axes, input_shape, output_shape):
    """(kernel_shape, bias_shape or None, full_output_shape, input_axes, output_axes)."""
    left = False
    match = _PLAIN.match(equation) or _RIGHT.match(equation)
    if match is None:
        match, left = _LEFT.match(equation), True
    if match is None:
        raise ValueError(
            f"EinsumDense: invalid equation {equation!r}. Equations have the form 'X,Y->Z', "
            "'...X,Y->...Z' or 'X...,Y->Z...' with letters for axes, e.g. 'ab,bc->ac'."
        )
    x_spec, w_spec, out_spec = match.groups()
    input_shape = tuple(input_shape)
    elided = len(input_shape) - len(x_spec)
    out = [input_shape[0]] + list(output_shape)
    if elided > 0 and left:
        out[1:1] = list(input_shape[1:elided])
    elif elided > 0:
        out.extend(input_shape[len(input_shape) - elided:])
    if left:
        x_axis = {d: i + elided - len(input_shape) for i, d in enumerate(x_spec)}
        out_axis = {d: i + elided for i, d in enumerate(out_spec)}
    else:
        x_axis = {d: i for i, d in enumerate(x_spec)}
        out_axis = {d: i for i, d in enumerate(out_spec)}
    for d in x_spec:
        if d in out_axis and out[out_axis[d]] is not None and out[out_axis[d]] != input_shape[x_axis[d]]:
            raise ValueError(
                f"EinsumDense {equation!r}: axis '{d}' is {input_shape[x_axis[d]]} in the input "
                f"shape {input_shape} but {out[out_axis[d]]} in output_shape={tuple(output_shape)}."
                " Shared axes must have the same size."
            )
        if d in out_axis and out[out_axis[d]] is None:
            out[out_axis[d]] = input_shape[x_axis[d]]  # None in output_shape: the input's size
    for d in out_spec:
        if d not in x_spec and d not in w_spec:
            raise ValueError(
                f"EinsumDense {equation!r}: output axis '{d}' appears in neither the input spec "
                f"'{x_spec}' nor the kernel spec '{w_spec}'."
            )
    kernel, in_axes, out_axes = [], [], []
    for i, d in enumerate(w_spec):
        if d in out_axis:
            kernel.append(out[out_axis[d]])
            out_axes.append(i)
        elif d in x_axis:
            kernel.append(input_shape[x_axis[d]])
            in_axes.append(i)
        else:
            raise ValueError(
                f"EinsumDense {equation!r}: kernel axis '{d}' appears in neither the input spec "
                f"'{x_spec}' nor the output spec '{out_spec}'; every kernel axis needs a size."
            )
    bias = None
    if bias_axes is not None:
        for c in bias_axes:
            if c not in out_spec:
                raise ValueError(
                    f"EinsumDense {equation!r}: bias axis '{c}' is not an output axis "
                    f"('{out_spec}'). Choose bias_axes among those letters."
                )
        shift = elided if left else 0
        size = {c: out[i + shift] for i, c in enumerate(out_spec)}
        first = min(out_spec.find(c) for c in bias_axes)
        bias = [size[c] if c in bias_axes else 1 for c in out_spec[first:]]
        if not left:
            bias.extend([1] * max(elided, 0))
    return kernel, bias, out, in_axes, out_axes
