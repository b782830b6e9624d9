"""torch.distributed for lamina: the process group, and the few collectives data parallelism needs.

lamina scales on the engine PyTorch users already run: a script launched with
``torchrun --nproc_per_node=N train.py`` finds ``RANK``/``WORLD_SIZE``/``MASTER_ADDR`` in its
environment and joins the group on first use (NCCL when lamina's device is CUDA, gloo on CPU).
Every collective has a timeout (``LAMINA_DIST_TIMEOUT`` seconds, default 300), and a failed one is
re-raised as :class:`DistributedError` saying that another process probably failed, so a crash in
one rank ends every rank instead of leaving them waiting.
"""

from __future__ import annotations

import datetime
import os

import torch
import torch.distributed as dist

from lamina.backend.torch.ops import core as _core


class DistributedError(RuntimeError):
    """A collective failed or timed out: another process of the job stopped or is stuck."""


def env_world_size() -> int:
    """``WORLD_SIZE`` from the environment (torchrun sets it), 1 when absent."""
    return int(os.environ.get("WORLD_SIZE", "1") or 1)


def is_initialized() -> bool:
    return dist.is_available() and dist.is_initialized()


def rank() -> int:
    return dist.get_rank() if is_initialized() else int(os.environ.get("RANK", "0") or 0)


def world_size() -> int:
    return dist.get_world_size() if is_initialized() else env_world_size()


def local_devices(device_type=None) -> list:
    """This process's devices as Keras 3 spells them ('cpu:0', 'cuda:0', ...)."""
    kind = device_type or ("cuda" if torch.cuda.is_available() else "cpu")
    if kind in ("cuda", "gpu"):
        return [f"cuda:{i}" for i in range(torch.cuda.device_count())]
    if kind == "cpu":
        return ["cpu:0"]
    raise ValueError(f"list_devices(device_type={device_type!r}): expected 'cpu', 'gpu' or 'cuda'.")


def timeout_seconds() -> float:
    return float(os.environ.get("LAMINA_DIST_TIMEOUT", "300"))


def initialize(coordinator_address=None, num_processes=None, process_id=None, timeout=None) -> None:
    """Join (or create) the process group; a no-op when it exists or there is one process.

    Without arguments the address, world size and rank come from torchrun's environment
    (``MASTER_ADDR``/``MASTER_PORT``, ``WORLD_SIZE``, ``RANK``); multi-node jobs therefore work
    through torchrun's rendezvous (``--nnodes``, ``--rdzv-endpoint``).
    """
    if is_initialized():
        return
    n = int(num_processes) if num_processes is not None else env_world_size()
    if n <= 1:
        return
    r = int(process_id) if process_id is not None else int(os.environ.get("RANK", "0"))
    if coordinator_address:
        host, _, port = str(coordinator_address).rpartition(":")
        os.environ.setdefault("MASTER_ADDR", host or "127.0.0.1")
        os.environ.setdefault("MASTER_PORT", port)
    missing = [k for k in ("MASTER_ADDR", "MASTER_PORT") if k not in os.environ]
    if missing:
        raise ValueError(
            f"lamina.distribution: {n} processes were requested but {missing} is not set. Launch "
            "with `torchrun --nproc_per_node=N train.py` (it sets them), or pass "
            "coordinator_address='host:port' to lamina.distribution.initialize()."
        )
    device = _core.DEVICE
    backend = "nccl" if device.type == "cuda" else "gloo"
    if device.type == "cuda":
        torch.cuda.set_device(device)
    secs = float(timeout) if timeout is not None else timeout_seconds()
    dist.init_process_group(backend, rank=r, world_size=n, timeout=datetime.timedelta(seconds=secs))


def shutdown() -> None:
    if is_initialized():
        dist.destroy_process_group()


def _guard(what, fn, *args, **kwargs):
    try:
        return fn(*args, **kwargs)
    except RuntimeError as e:  # gloo/NCCL errors and timeouts (DistBackendError is one)
        raise DistributedError(
            f"lamina data parallelism: {what} failed on rank {rank()} of {world_size()}. Another "
            f"process probably failed or stopped (see its error above) or is stuck for longer than "
            f"the timeout ({timeout_seconds():g} s, set LAMINA_DIST_TIMEOUT). Original error: {e}"
        ) from e


def all_reduce_sum(tensors) -> None:
    """Sum each tensor over all ranks, in place, with ONE collective (a flat buffer per dtype)."""
    if not tensors:
        return
    by_dtype = {}
    for t in tensors:
        by_dtype.setdefault(t.dtype, []).append(t)
    for group in by_dtype.values():
        flat = torch.cat([t.reshape(-1) for t in group])
        _guard("all_reduce", dist.all_reduce, flat)
        offset = 0
        for t in group:
            n = t.numel()
            t.copy_(flat[offset:offset + n].view_as(t))
            offset += n


def broadcast_from_zero(tensors) -> None:
    """Overwrite each tensor with rank 0's value (initial weights and state: identical ranks)."""
    if not tensors:
        return
    flat = torch.cat([t.detach().reshape(-1).to(torch.float64) for t in tensors])
    _guard("broadcast", dist.broadcast, flat, 0)
    offset = 0
    with torch.no_grad():
        for t in tensors:
            n = t.numel()
            t.copy_(flat[offset:offset + n].view(t.shape).to(t.dtype))
            offset += n


def all_gather_rows(t):
    """The rows of ``t`` from every rank, concatenated in rank order (shards may differ in size)."""
    n = world_size()
    size = torch.tensor([t.shape[0]], dtype=torch.int64, device=t.device)
    sizes = [torch.zeros_like(size) for _ in range(n)]
    _guard("all_gather", dist.all_gather, sizes, size)
    sizes = [int(s) for s in sizes]
    biggest = max(sizes)
    if t.shape[0] < biggest:
        pad = torch.zeros((biggest - t.shape[0],) + tuple(t.shape[1:]), dtype=t.dtype, device=t.device)
        t = torch.cat([t, pad])
    parts = [torch.empty_like(t) for _ in range(n)]
    _guard("all_gather", dist.all_gather, parts, t.contiguous())
    return torch.cat([p[:k] for p, k in zip(parts, sizes)])


def barrier() -> None:
    if is_initialized():
        _guard("barrier", dist.barrier)


def _sum_over_ranks(t):
    """``t`` summed over ranks, differentiable: the backward pass sums the gradients over ranks."""
    import torch.distributed._functional_collectives as funcol  # differentiable, traceable

    return _guard("all_reduce (synchronized BatchNormalization)",
                  lambda: funcol.wait_tensor(funcol.all_reduce(t, "sum", dist.group.WORLD)))


def sync_batch_norm_train(x, gamma, beta, moving_mean, moving_variance, axis, momentum, epsilon):
    """Batch normalisation with the moments of the GLOBAL batch (the rows of every rank).

    What ``ops.batch_norm_train`` returns, ``(y, new_moving_mean, new_moving_variance)``, with the
    mean and the biased variance of all ranks' rows together, computed in two passes (the sum, then
    the sum of squared deviations from the global mean: exact, not E[x^2] - E[x]^2). The
    all-reduces are differentiable, so each rank's gradient includes what its rows contribute to
    the other ranks' statistics, as torch's SyncBatchNorm does. Every rank must call it with at
    least the same layers in the same order (collectives are matched by order).
    """
    from lamina.backend.torch.ops.norm_attn import _channels_second, _new_moving

    xc, back = _channels_second(x, axis)
    work = xc.float() if xc.dtype in (torch.float16, torch.bfloat16) else xc
    dims = [d for d in range(work.dim()) if d != 1]
    channels = work.shape[1]
    count = torch.tensor([work.numel() // max(channels, 1)], dtype=work.dtype, device=work.device)
    totals = _sum_over_ranks(torch.cat([work.sum(dims), count]))
    rows = totals[-1].clamp_min(1)
    shape = [1] * work.dim()
    shape[1] = -1
    mean = totals[:-1] / rows
    centered = work - mean.reshape(shape)
    var = _sum_over_ranks(centered.square().sum(dims)) / rows
    out = centered * torch.rsqrt(var.reshape(shape) + epsilon)
    if gamma is not None:
        out = out * gamma.reshape(shape)
    if beta is not None:
        out = out + beta.reshape(shape)
    new_mean, new_var = _new_moving(moving_mean, moving_variance, mean, var, momentum)
    return back(out.to(xc.dtype)), new_mean, new_var
