"""Sequence ops for the torch backend: fused recurrent kernels and the embedding lookup.

The recurrent layers keep their weights in Keras layout (kernel (in, G*units), recurrent_kernel
(units, G*units), Keras gate order). ``fused_rnn`` converts them to torch's layout with
differentiable views/concatenations on every call, so gradients reach the Keras-layout
parameters, and runs torch's own LSTM/GRU/RNN kernel (cuDNN on GPU, ATen's fused loop on CPU).

Masks follow Keras: a masked step carries the previous state and repeats the previous output
(zeros before the first valid step). A mask whose valid steps form one contiguous block per
row (right padding, left padding, or none) runs exactly in the fused kernel: each row's block
is moved to the front and its outputs gathered back (an LSTM's final carry needs a packed
sequence). Any other mask makes ``fused_rnn`` return None and the layer runs its step loop.
"""

from __future__ import annotations

import torch
from torch.nn.utils.rnn import PackedSequence, pack_padded_sequence, pad_packed_sequence

__all__ = ["fused_rnn", "scan_rnn", "embedding_lookup", "id_range"]

_MODES = ("lstm", "gru", "rnn_tanh", "rnn_relu")


def _gru_blocks(w, units):
    # Keras gate blocks z, r, h along the last axis -> torch's r, z, n.
    return torch.cat([w[..., units:2 * units], w[..., :units], w[..., 2 * units:]], dim=-1)


def _gru_weight(w, units):
    # (in, 3u) Keras layout -> torch's contiguous (3u, in) with blocks r, z, n: one copy.
    wt = w.t()
    return torch.cat([wt[units:2 * units], wt[:units], wt[2 * units:]], dim=0)


def _torch_params(mode, kernel, recurrent_kernel, bias):
    """Keras-layout weights -> [weight_ih, weight_hh(, bias_ih, bias_hh)] for torch's kernels."""
    units = recurrent_kernel.shape[0]
    if mode == "gru":
        w_ih = _gru_weight(kernel, units)
        w_hh = _gru_weight(recurrent_kernel, units)
        if bias is None:
            return [w_ih, w_hh]
        b = _gru_blocks(bias, units)  # (2, 3u): input bias, recurrent bias
        return [w_ih, w_hh, b[0], b[1]]
    w_ih, w_hh = kernel.t(), recurrent_kernel.t()
    if bias is None:
        return [w_ih, w_hh]
    return [w_ih, w_hh, bias, torch.zeros_like(bias)]


def _run(mode, data, hx, params, batch_sizes=None):
    has_bias = len(params) == 4
    train = torch.is_grad_enabled()
    fn = getattr(torch, mode)
    if batch_sizes is None:
        out = fn(data, hx, params, has_bias, 1, 0.0, train, False, True)
    else:
        out = fn(data, batch_sizes, hx, params, has_bias, 1, 0.0, train, False)
    return out[0], list(out[1:])


def _block_layout(mask):
    """(starts, lengths, lengths on the host, any row starts late) if each row's True entries
    form one contiguous block, else None. One host transfer per call (to choose the path)."""
    m = mask if mask.dtype == torch.bool else mask.bool()
    steps = m.shape[1]
    lengths = m.sum(dim=1)
    starts = torch.argmax(m.to(torch.uint8), dim=1)
    t = torch.arange(steps, device=m.device)
    block = (t >= starts[:, None]) & (t < (starts + lengths)[:, None])
    flags = torch.stack([torch.all(block == m), torch.any(starts > 0)]).to(lengths.dtype)
    host = torch.cat([flags, lengths]).cpu()
    if not bool(host[0]):
        return None
    return starts, lengths, host[2:], bool(host[1])


def fused_rnn(mode, inputs, initial_states, kernel, recurrent_kernel, bias=None, mask=None,
              zero_output_for_mask=False, return_states=True):
    """Run a whole sequence through torch's fused recurrent kernel, with Keras semantics.

    Args:
        mode: 'lstm' (gates i, f, c, o), 'gru' (Keras reset_after=True GRU, gates z, r, h),
            'rnn_tanh' or 'rnn_relu' (SimpleRNN).
        inputs: (batch, time, features), already reversed if the layer goes backwards.
        initial_states: [h] or [h, c] (LSTM), each (batch, units).
        kernel, recurrent_kernel, bias: Keras-layout weights (GRU bias is (2, 3*units)).
        mask: optional (batch, time) boolean mask.
        zero_output_for_mask: masked steps output zeros instead of the previous output.
        return_states: whether the caller needs the final states (an LSTM's final carry under
            a mask needs a packed sequence, whose CPU backward pass is slow; the outputs alone
            do not).

    Returns:
        (outputs (batch, time, units), final states or None) or None when the mask is not
        one contiguous block per row (the caller then runs its step loop).
    """
    if mode not in _MODES:
        raise ValueError(f"fused_rnn: mode must be one of {_MODES}, received {mode!r}.")
    if torch._C._functorch.peek_interpreter_stack() is not None:
        return None  # torch.func has no batching rule for the fused kernels: run the step loop
    params = _torch_params(mode, kernel, recurrent_kernel, bias)
    dtype = params[0].dtype
    if inputs.dtype != dtype:
        inputs = inputs.to(dtype)
    states = [s.to(dtype).unsqueeze(0) for s in initial_states]
    hx = tuple(states) if mode == "lstm" else states[0]
    if mask is None:
        out, final = _run(mode, inputs, hx, params)
        return out, [s.squeeze(0) for s in final]

    layout = _block_layout(mask)
    if layout is None:
        return None
    starts, lengths, host_lengths, late_starts = layout
    steps = inputs.shape[1]
    if bool((host_lengths == steps).all()):
        out, final = _run(mode, inputs, hx, params)
        return out, [s.squeeze(0) for s in final]

    t = torch.arange(steps, device=inputs.device)
    shifted = inputs
    if late_starts:  # rows padded at the front: move each row's valid block to the front
        idx = (starts[:, None] + t).clamp(max=steps - 1)
        shifted = inputs.gather(1, idx[:, :, None].expand(-1, -1, inputs.shape[2]))
    last = (lengths - 1).clamp(min=0)
    final = None
    if mode == "lstm" and return_states:
        # The final carry is not among the outputs: stop each row at its length.
        packed = pack_padded_sequence(shifted, host_lengths.clamp(min=1), batch_first=True,
                                      enforce_sorted=False)
        order, unorder = packed.sorted_indices, packed.unsorted_indices
        data, final = _run(mode, packed.data, tuple(h.index_select(1, order) for h in hx), params,
                           packed.batch_sizes)
        y, _ = pad_packed_sequence(PackedSequence(data, packed.batch_sizes, order, unorder),
                                   batch_first=True, total_length=steps)
        final = [s.index_select(1, unorder).squeeze(0) for s in final]
    else:
        # Every row runs all steps (the steps after its block are computed and discarded):
        # the outputs of the block are exact, and for GRU/SimpleRNN the state is the output.
        y, _ = _run(mode, shifted, hx, params)
        if return_states:
            final = [y.gather(1, last[:, None, None].expand(-1, 1, y.shape[2])).squeeze(1)]

    # Back to the original time positions: step t of row b is block step k = t - start_b;
    # before the block the output is 0, after it the last block output (Keras repeats the
    # previous output at masked steps) or 0 with zero_output_for_mask.
    k = torch.minimum((t - starts[:, None]).clamp(min=0), last[:, None])
    out = y.gather(1, k[:, :, None].expand(-1, -1, y.shape[2]))
    keep = (t >= starts[:, None]) & (lengths > 0)[:, None]
    if zero_output_for_mask:
        keep = keep & (t < (starts + lengths)[:, None])
    out = out * keep[:, :, None].to(out.dtype)
    if final is not None:
        empty = (lengths == 0)[:, None]
        final = [torch.where(empty, s0.squeeze(0), s) for s0, s in zip(states, final)]
    return out, final


def scan_rnn(step, inputs, states, mask=None, zero_output_for_mask=False, return_sequences=True,
             name="rnn"):
    """None: torch runs an RNN layer's time loop eagerly in Python (the JAX backend compiles it
    into one ``lax.scan``, see lamina/backend/jax/ops/rnn.py)."""
    return None


def id_range(ids, n):
    """(min, max) of integer ``ids`` as Python ints (one host transfer); ``n`` is the table size
    (the JAX backend uses it to check traced ids on the host before a compiled step)."""
    if ids.numel() == 0:
        return 0, 0
    both = torch.stack([ids.min(), ids.max()]).tolist()
    return int(both[0]), int(both[1])


def embedding_lookup(embeddings, ids):
    """Rows of ``embeddings`` (input_dim, output_dim) for integer ``ids`` of any shape.

    Raises IndexError naming the valid range if an id is negative or >= input_dim.
    """
    if ids.dtype not in (torch.int64, torch.int32):
        ids = ids.to(torch.int64)
    n = embeddings.shape[0]
    if ids.device.type != "cpu":
        # On accelerators an out-of-range id is a device-side assert that kills the process:
        # check first (one host transfer per call).
        bad = ((ids < 0) | (ids >= n)).any()
        if bool(bad):
            _raise_out_of_range(ids, n)
        return torch.nn.functional.embedding(ids, embeddings)
    try:
        return torch.nn.functional.embedding(ids, embeddings)
    except IndexError:
        _raise_out_of_range(ids, n)


def _raise_out_of_range(ids, n):
    lo, hi = int(ids.min()), int(ids.max())
    raise IndexError(
        f"Embedding lookup received ids in [{lo}, {hi}], but the layer's input_dim is {n}, so "
        f"valid ids are 0 to {n - 1}. Increase input_dim to the vocabulary size (largest id + 1) "
        "or fix the ids."
    )
