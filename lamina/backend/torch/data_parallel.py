"""Data-parallel train/test/predict steps on torch.distributed (DDP semantics, one process per device).

Every rank reads the same GLOBAL batch from the one loop (``batch_size`` is the global batch, as in
Keras's distribution API) and keeps its own contiguous shard of it: rank r of N takes rows
``[lo_r, hi_r)`` of an ``m``-row batch, the shards as even as ``numpy.array_split`` makes them. The
shard is cut on the HOST (:meth:`DataParallelSteps.device_batches`), so only ``m / N`` rows are
copied to each rank's device. So that N processes train exactly like one, each rank backpropagates
its mean loss weighted by ``n_r / m`` and the gradients are SUMMED over ranks: the result is the
gradient of the global batch's mean loss, whatever the shard sizes (the last partial batch too,
even a shard of zero rows). The sum runs in buckets launched during backward
(``grad_reducer.GradReducer``, what DDP's Reducer does), so communication overlaps the backward
pass. Every rank then applies the same update, so weights stay identical (they are also broadcast
from rank 0 when ``fit`` starts).

Losses and metric states are summed over ranks when the loop reads the logs at the end of an epoch
or an evaluation (History, EarlyStopping and ``evaluate`` see global values; the progress bar's
per-batch numbers are rank 0's own). ``predict`` gathers the shards back in order.
``BatchNormalization(synchronized=True)`` all-reduces its batch moments (``distributed.py``);
other BatchNormalization layers use their rank's rows, and dropout masks differ from a single
process's.

``LAMINA_DDP_BUCKET_MB`` sets the bucket size (default 25, DDP's; ``0``: one all-reduce of all
gradients after backward, no overlap).
"""

from __future__ import annotations

import collections
import os

import torch

from lamina.backend.torch import distributed as dist
from lamina.backend.torch.data import _map, device_batches
from lamina.backend.torch.grad_reducer import GradReducer
from lamina.backend.torch.ops.core import DEVICE
from lamina.backend.torch.trainer import Steps


def shard_bounds(m, rank, world):
    """Rows ``[lo, hi)`` of an ``m``-row batch that ``rank`` of ``world`` computes on."""
    base, extra = divmod(int(m), int(world))
    lo = rank * base + min(rank, extra)
    return lo, lo + base + (1 if rank < extra else 0)


def _rows(x):
    while isinstance(x, (list, tuple)):
        x = x[0]
    if isinstance(x, dict):
        return _rows(next(iter(x.values())))
    return x.shape[0]


class DataParallelSteps(Steps):
    """The torch ``Steps`` of one model, data-parallel over the process group."""

    def __init__(self, model, logic):
        super().__init__(model, logic)
        dist.initialize()
        self.rank, self.world = dist.rank(), dist.world_size()
        self._weight = 1.0
        self._global_rows = None  # set by device_batches for the batch it hands out
        self._reducer = None

    def device_batches(self, batches):
        """This rank's shard of every global batch, cut on the host, then moved to the device.

        The loop calls the step with each batch as soon as it receives it, so the global row
        count of the batch handed out is kept for that step (the device copy runs one batch
        ahead, hence the queue). A batch given to a step directly (``train_on_batch``,
        ``predict`` of one small array) is sharded by the step itself.
        """
        rows = collections.deque()

        def shards():
            for batch in batches:
                m = _rows(batch[0] if isinstance(batch, tuple) else batch)
                lo, hi = shard_bounds(m, self.rank, self.world)
                rows.append(m)
                yield _map(lambda t: t[lo:hi], batch)

        for batch in device_batches(shards()):
            self._global_rows = rows.popleft()
            yield batch

    def _shard(self, *parts):
        m, self._global_rows = self._global_rows, None
        if m is None:  # the whole global batch (train_on_batch, ...): keep this rank's rows
            m = _rows(parts[0])
            lo, hi = shard_bounds(m, self.rank, self.world)
            parts = tuple(_map(lambda t: t[lo:hi], p) for p in parts)
        n = _rows(parts[0])
        self._weight = n / max(m, 1)
        self._global_rows_seen = m
        return n, parts

    # -------------------------------------------------------------- bookkeeping
    def begin_fit(self):
        super().begin_fit()
        dist.broadcast_from_zero([v.value for v in self.model.weights])

    def build(self, first_batch=None):
        params = super().build(first_batch)
        bucket_mb = float(os.environ.get("LAMINA_DDP_BUCKET_MB", "25"))
        same = self._reducer is not None and len(self._reducer.params) == len(params) and all(
            a is b for a, b in zip(self._reducer.params, params))
        if not same:
            if self._reducer is not None:
                self._reducer.remove()
            self._reducer = GradReducer(params, bucket_mb) if bucket_mb > 0 else None
        return params

    def batch_logs(self) -> dict:
        """This rank's running values (no collective: only rank 0's progress bar asks)."""
        return self.logic.logs()

    def logs(self) -> dict:
        """The running loss and metrics summed over all ranks (a collective: every rank calls it)."""
        logic, cm = self.logic, self.model._compile_metrics
        mvars = [v for m in cm.metrics for v in m.variables] if cm is not None and cm.built else []
        keys = sorted(logic._per_output)
        zero = torch.zeros((), dtype=torch.float64)
        local = [logic._loss_sum if logic._loss_sum is not None else zero,
                 torch.tensor(float(logic._count))] + [logic._per_output[k] for k in keys]
        local += [v.value for v in mvars]
        flat = torch.cat([torch.as_tensor(t).detach().reshape(-1).to(torch.float64).cpu() for t in local])
        flat = flat.to(DEVICE)  # NCCL reduces device tensors
        dist.all_reduce_sum([flat])
        saved = (logic._loss_sum, logic._count, dict(logic._per_output), [v.value.clone() for v in mvars])
        try:
            logic._loss_sum, logic._count = flat[0], int(round(float(flat[1])))
            offset = 2
            for k in keys:
                logic._per_output[k] = flat[offset]
                offset += 1
            for v in mvars:
                n = v.value.numel()
                v.assign(flat[offset:offset + n].view(v.value.shape).to(v.value.dtype))
                offset += n
            if logic._count == 0:
                logic._loss_sum = None
            return logic.logs()
        finally:
            logic._loss_sum, logic._count, logic._per_output = saved[0], saved[1], saved[2]
            for v, old in zip(mvars, saved[3]):
                v.assign(old)

    # -------------------------------------------------------------- steps
    def _backward(self, loss):
        if self._reducer is not None:
            self._reducer.begin()  # buckets are all-reduced while backward runs
        (loss * self._weight).backward()

    def _gradients(self, params):
        if self._reducer is not None:
            if not self._reducer.active:  # an empty shard: no backward ran on this rank
                self._reducer.begin()
            return self._reducer.finish()
        grads = [p.grad if p.grad is not None else torch.zeros_like(p) for p in params]
        dist.all_reduce_sum(grads)
        return grads

    def train(self, x, y, sw):
        n, (x, y, sw) = self._shard(x, y, sw)
        if n:
            return super().train(x, y, sw)
        # An empty shard (a last batch smaller than the number of ranks): no forward pass, but
        # this rank still takes part in the all-reduce and applies the same update.
        synced = [m.name for m in self.model.modules()
                  if getattr(m, "synchronized", False) is True and hasattr(m, "moving_mean")]
        if synced:
            raise ValueError(
                f"Model '{self.model.name}': a batch of {self._global_rows_seen} rows over "
                f"{self.world} processes leaves process {self.rank} no rows, and the synchronized "
                f"BatchNormalization layer(s) {synced} need every process in their all-reduce. "
                "Use a batch_size (and data size) that leaves every process at least one row of "
                "every batch, or steps_per_epoch to drop the short last batch."
            )
        params = self._params if self._params is not None else self.build()
        self.logic._layers()  # the constraints to apply
        with torch.no_grad():
            for p in params:
                p.grad = None
            self.model.optimizer.apply(self._gradients(params), params)
            if self.logic._constrained:
                self.logic.apply_constraints()

    def test(self, x, y, sw):
        n, (x, y, sw) = self._shard(x, y, sw)
        if n:
            super().test(x, y, sw)

    def predict(self, x):
        _, (x,) = self._shard(x)
        return _map(dist.all_gather_rows, super().predict(x))
