"""Data-parallel throughput: the mnist_mlp in 1 process vs N gloo processes, same per-process batch.

Each process trains on ``--batch`` rows per step (so N processes use a global batch of N * batch,
the weak-scaling comparison DDP is judged by) for ``--epochs`` epochs; the script prints the
samples/s of each run (median over epochs 2..E, rank 0's clock, the all-reduce included) and the
ratio. A run of N processes is launched exactly as a user launches one, with the environment
torchrun sets (RANK, WORLD_SIZE, MASTER_ADDR/PORT). On a CPU machine the target is >= 1.6x for
2 processes when 2 cores are free for them; on a machine whose cores are shared the ratio says
how much CPU the processes actually got.

The N processes alternate, fit after fit (``--rounds`` times), the gradient all-reduce in buckets
overlapped with backward (the default) and one all-reduce after backward
(``LAMINA_DDP_BUCKET_MB=0``), so both see the same load; medians. Then a hand-written torch loop
under ``torch.nn.parallel.DistributedDataParallel`` runs the same MLP as the reference.

Run: python benchmarks/ddp_mlp.py [--procs 2] [--samples 12800] [--batch 128] [--epochs 4] [--rounds 1]
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import time


def worker(args):
    import numpy as np

    import lamina
    from lamina import layers

    rng = np.random.default_rng(0)
    x = rng.random((args.samples, 784), dtype=np.float32)
    y = np.eye(10, dtype="float32")[rng.integers(0, 10, args.samples)]
    lamina.utils.set_random_seed(0)
    model = lamina.Sequential([layers.Input((784,)), layers.Dense(512, activation="relu"),
                               layers.Dense(512, activation="relu"), layers.Dense(10, activation="softmax")])
    model.compile("rmsprop", "categorical_crossentropy", metrics=["accuracy"])
    world = int(os.environ.get("WORLD_SIZE", "1"))
    times = []
    timer = lamina.callbacks.LambdaCallback(
        on_epoch_begin=lambda e, logs: times.append(-time.perf_counter()),
        on_epoch_end=lambda e, logs: times.__setitem__(-1, times[-1] + time.perf_counter()))
    steps = -(-args.samples // (args.batch * world))
    # With several processes the same processes alternate the two gradient all-reduce schemes,
    # fit after fit (the reducer is rebuilt when a fit starts): buckets overlapped with backward
    # ("25", the default) and one all-reduce after backward ("0"); medians over the rounds.
    modes = ("25", "0") if world > 1 else ("25",)
    epoch_s = {m: [] for m in modes}
    for _ in range(args.rounds if world > 1 else 1):
        for mode in modes:
            os.environ["LAMINA_DDP_BUCKET_MB"] = mode
            times.clear()
            model.fit(x, y, batch_size=args.batch * world, epochs=args.epochs, verbose=0, callbacks=[timer])
            epoch_s[mode] += times[1:]
    result = {"world": world}
    for mode, key in (("25", ""), ("0", "_flat")):
        if mode in epoch_s:
            t = statistics.median(epoch_s[mode])
            result["samples_per_s" + key] = args.samples / t
            result["step_ms" + key] = 1e3 * t / steps
    if world > 1:  # the cost of the one all-reduce per step, on its own
        import torch

        grads = [torch.zeros_like(v.value) for v in model.trainable_weights]
        lamina.backend.distributed.all_reduce_sum(grads)
        t0 = time.perf_counter()
        for _ in range(20):
            lamina.backend.distributed.all_reduce_sum(grads)
        result["allreduce_ms"] = 1e3 * (time.perf_counter() - t0) / 20
        result["grad_mb"] = sum(g.numel() for g in grads) * 4 / 2**20
    if lamina.distribution.is_chief():
        print("RESULT " + json.dumps(result))


def torch_worker(args):
    """The same MLP and optimizer as a hand-written torch loop under torch's own
    DistributedDataParallel (bucketed all-reduce overlapped with backward): the reference."""
    import numpy as np
    import torch
    import torch.distributed as dist

    world = int(os.environ.get("WORLD_SIZE", "1"))
    rank = int(os.environ.get("RANK", "0"))
    dist.init_process_group("gloo")
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(784, 512), torch.nn.ReLU(), torch.nn.Linear(512, 512),
                              torch.nn.ReLU(), torch.nn.Linear(512, 10))
    ddp = torch.nn.parallel.DistributedDataParallel(net)
    opt = torch.optim.RMSprop(ddp.parameters(), lr=1e-3, alpha=0.9, eps=1e-7)
    rng = np.random.default_rng(0)
    x = torch.tensor(rng.random((args.samples, 784), dtype=np.float32))
    y = torch.tensor(rng.integers(0, 10, args.samples))
    gb = args.batch * world
    times = []
    for _ in range(args.epochs):
        t0 = time.perf_counter()
        perm = torch.randperm(args.samples)
        for i in range(0, args.samples, gb):
            idx = perm[i:i + gb]
            lo = rank * len(idx) // world
            hi = (rank + 1) * len(idx) // world
            loss = torch.nn.functional.cross_entropy(ddp(x[idx[lo:hi]]), y[idx[lo:hi]])
            opt.zero_grad()
            loss.backward()
            opt.step()
        times.append(time.perf_counter() - t0)
    t = statistics.median(times[1:])
    if rank == 0:
        print("RESULT " + json.dumps({"samples_per_s": args.samples / t,
                                      "step_ms": 1e3 * t / -(-args.samples // gb)}))
    dist.destroy_process_group()


def launch(n, args, torch_ddp=False, **extra_env):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    procs = []
    for rank in range(n):
        env = dict(os.environ, OMP_NUM_THREADS="1", MKL_NUM_THREADS="1", **extra_env)
        if n > 1:
            env.update(RANK=str(rank), LOCAL_RANK=str(rank), WORLD_SIZE=str(n), MASTER_ADDR="127.0.0.1",
                       MASTER_PORT=str(port))
        cmd = [sys.executable, __file__, "--worker", "--samples", str(args.samples), "--batch", str(args.batch),
               "--epochs", str(args.epochs), "--rounds", str(args.rounds)] + (["--torch-ddp"] if torch_ddp else [])
        procs.append(subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, text=True))
    outs = [p.communicate()[0] for p in procs]
    if any(p.returncode for p in procs):
        raise SystemExit(f"a worker failed: {[p.returncode for p in procs]}")
    line = next(l for out in outs for l in out.splitlines() if l.startswith("RESULT "))
    return json.loads(line[7:])


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--procs", type=int, default=2)
    p.add_argument("--samples", type=int, default=12800)
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--epochs", type=int, default=4)
    p.add_argument("--rounds", type=int, default=1)
    p.add_argument("--worker", action="store_true")
    p.add_argument("--torch-ddp", action="store_true")
    args = p.parse_args()
    if args.worker:
        return torch_worker(args) if args.torch_ddp else worker(args)
    print(f"{os.cpu_count()} CPU cores, 1 thread per process; load average {os.getloadavg()[0]:.1f}")
    one = launch(1, args)
    many = launch(args.procs, args)
    ref = launch(args.procs, args, torch_ddp=True)
    print(f"1 process : {one['samples_per_s']:8.0f} samples/s (batch {args.batch}), "
          f"{one['step_ms']:.1f} ms per step")
    print(f"{args.procs} processes (batch {args.batch} each, global {args.batch * args.procs}); the all-reduce "
          f"of {many['grad_mb']:.1f} MB of gradients alone takes {many['allreduce_ms']:.1f} ms:")
    for name, key in (("buckets overlapped with backward", ""), ("one all-reduce after backward", "_flat")):
        print(f"  {name:34s}: {many['samples_per_s' + key]:8.0f} samples/s, "
              f"{many['step_ms' + key]:.1f} ms per step, {many['samples_per_s' + key] / one['samples_per_s']:.2f}x "
              "one process")
    print(f"  {'hand-written torch loop under DDP':34s}: {ref['samples_per_s']:8.0f} samples/s, "
          f"{ref['step_ms']:.1f} ms per step")
    print(f"overlapped / not overlapped: {many['samples_per_s'] / many['samples_per_s_flat']:.2f}x; "
          f"lamina (overlapped) / torch DDP: {many['samples_per_s'] / ref['samples_per_s']:.2f}x")
    print(f"load average at the end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
