"""Gradient all-reduce overlapped with the backward pass: buckets launched by gradient hooks.

What ``torch.nn.parallel.DistributedDataParallel``'s Reducer does, for lamina's own steps (which
weigh each rank's loss and may have ranks with an empty shard, so they cannot use DDP's wrapper):
the trainable tensors are grouped into buckets in REVERSE order (backward produces the last
layers' gradients first; the first bucket is small so communication starts early), and a
``post_accumulate_grad`` hook on every tensor copies its gradient into its bucket's flat buffer
as soon as autograd has finished it. When a bucket is full it is all-reduced asynchronously
(``async_op=True``) while backward goes on computing earlier layers. Buckets are launched strictly
in bucket order on every rank (a bucket that fills early waits for the ones before it), because
collectives must be issued in the same order everywhere. :meth:`GradReducer.finish`, called after
``backward()`` returns, launches what is left (tensors that got no gradient count as zeros, the
same on every rank), waits for the collectives and returns the summed gradients as views of the
buffers. The hooks do nothing outside :meth:`begin` ... :meth:`finish`, so a backward pass
elsewhere (a custom step, user code) never starts a collective.
"""

from __future__ import annotations

import weakref

import torch

from lamina.backend.torch import distributed as dist

BUCKET_MB = 25.0  # DDP's defaults: bucket_cap_mb=25, the first bucket 1 MB
FIRST_BUCKET_MB = 1.0


class GradReducer:
    """Sums the gradients of ``params`` over all ranks, bucket by bucket, during backward.

    Args:
        params: the trainable tensors (leaf tensors with ``requires_grad``), in model order.
        bucket_mb: the size of a bucket in MiB (the first bucket: ``first_bucket_mb``).

    Example:

    ```python
    reducer = GradReducer(params)
    reducer.begin(); loss.backward(); grads = reducer.finish()  # summed over ranks
    ```
    """

    def __init__(self, params, bucket_mb=BUCKET_MB, first_bucket_mb=FIRST_BUCKET_MB):
        self.params = list(params)
        buckets, current, size, cap = [], [], 0, min(first_bucket_mb, bucket_mb) * 2**20
        for i in reversed(range(len(self.params))):
            p = self.params[i]
            nbytes = p.numel() * p.element_size()
            if current and (p.dtype != self.params[current[0]].dtype or size + nbytes > cap):
                buckets.append(current)
                current, size, cap = [], 0, bucket_mb * 2**20
            current.append(i)
            size += nbytes
        if current:
            buckets.append(current)
        self.buckets = buckets
        self.where = {}  # param index -> (bucket, offset)
        self.buffers = []
        for b, members in enumerate(buckets):
            offset = 0
            for i in members:
                self.where[i] = (b, offset)
                offset += self.params[i].numel()
            first = self.params[members[0]]
            self.buffers.append(torch.empty(offset, dtype=first.dtype, device=first.device))
        self.active = False
        ref = weakref.ref(self)  # the hooks must not keep a discarded reducer's buffers alive
        self._handles = [p.register_post_accumulate_grad_hook(_hook(ref, i))
                         for i, p in enumerate(self.params) if p.requires_grad]

    def _on_grad(self, i, p):
        if not self.active or self._filled[i]:
            return
        b, offset = self.where[i]
        self.buffers[b][offset:offset + p.numel()].copy_(p.grad.reshape(-1))
        p.grad = None  # the bucket holds it now (no second copy of the gradients)
        self._filled[i] = True
        self._missing[b] -= 1
        if self._missing[b] == 0:
            self._launch_ready()

    def begin(self) -> None:
        """Arm the hooks for one backward pass."""
        self._filled = [False] * len(self.params)
        self._missing = [len(m) for m in self.buckets]
        self._next = 0
        self._works = []
        self.active = True

    def _launch_ready(self):
        while self._next < len(self.buckets) and self._missing[self._next] == 0:
            work = dist._guard("all_reduce", torch.distributed.all_reduce, self.buffers[self._next],
                               async_op=True)
            self._works.append(work)
            self._next += 1

    def finish(self) -> list:
        """Launch the buckets not launched yet, wait for all and return the summed gradients."""
        try:
            for b in range(self._next, len(self.buckets)):
                for i in self.buckets[b]:
                    if not self._filled[i]:  # no gradient on this rank: contributes zeros
                        off = self.where[i][1]
                        self.buffers[b][off:off + self.params[i].numel()].zero_()
                        self._filled[i] = True
                self._missing[b] = 0
            self._launch_ready()
            for work in self._works:
                dist._guard("all_reduce", work.wait)
        finally:
            self.active = False
        grads = []
        for i, p in enumerate(self.params):
            b, off = self.where[i]
            grads.append(self.buffers[b][off:off + p.numel()].view_as(p))
        return grads

    def remove(self) -> None:
        """Take the hooks off the tensors (the reducer is no longer used)."""
        for h in self._handles:
            h.remove()
        self._handles = []

    def __del__(self):
        self.remove()


def _hook(ref, i):
    def hook(p):
        reducer = ref()
        if reducer is not None:
            reducer._on_grad(i, p)
    return hook
