"""Data-parallel throughput: the mnist_mlp in 1 process vs N gloo processes, same per-process batch.

Each process trains on ``--batch`` rows per step (so N processes use a global batch of N * batch,
the weak-scaling comparison DDP is judged by) for ``--epochs`` epochs; the script prints the
samples/s of each run (median over epochs 2..E, rank 0's clock, the all-reduce included) and the
ratio. A run of N processes is launched exactly as a user launches one, with the environment
torchrun sets (RANK, WORLD_SIZE, MASTER_ADDR/PORT). On a CPU machine the target is >= 1.6x for
2 processes when 2 cores are free for them; on a machine whose cores are shared the ratio says
how much CPU the processes actually got.

The N-process run is done twice: with the gradient all-reduce in buckets overlapped with backward
(the default) and with one all-reduce after backward (``LAMINA_DDP_BUCKET_MB=0``).

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
    model.fit(x, y, batch_size=args.batch * world, epochs=args.epochs, verbose=0, callbacks=[timer])
    result = {"world": world, "samples_per_s": args.samples / statistics.median(times[1:]),
              "step_ms": 1e3 * statistics.median(times[1:]) / -(-args.samples // (args.batch * world))}
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


def launch(n, args, **extra_env):
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
               "--epochs", str(args.epochs)]
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
    args = p.parse_args()
    if args.worker:
        return worker(args)
    print(f"{os.cpu_count()} CPU cores, 1 thread per process; load average {os.getloadavg()[0]:.1f}")
    one = launch(1, args)
    # Gradients all-reduced in buckets during backward (the default) against one all-reduce after
    # backward, alternated over --rounds so that both see the same load; medians.
    runs = {"many": [], "flat": []}
    for _ in range(args.rounds):
        runs["many"].append(launch(args.procs, args))
        runs["flat"].append(launch(args.procs, args, LAMINA_DDP_BUCKET_MB="0"))
    many, flat = ({k: statistics.median(r[k] for r in runs[mode]) for k in runs[mode][0]}
                  for mode in ("many", "flat"))
    print(f"1 process : {one['samples_per_s']:8.0f} samples/s (batch {args.batch}), "
          f"{one['step_ms']:.1f} ms per step")
    for name, run in (("overlapped buckets", many), ("one all-reduce after backward", flat)):
        print(f"{args.procs} processes, {name}: {run['samples_per_s']:8.0f} samples/s (batch {args.batch} "
              f"each, global {args.batch * args.procs}), {run['step_ms']:.1f} ms per step; the all-reduce "
              f"of {run['grad_mb']:.1f} MB of gradients alone takes {run['allreduce_ms']:.1f} ms")
    print(f"ratio {args.procs} / 1: {many['samples_per_s'] / one['samples_per_s']:.2f}x overlapped, "
          f"{flat['samples_per_s'] / one['samples_per_s']:.2f}x not overlapped; overlapped / not: "
          f"{many['samples_per_s'] / flat['samples_per_s']:.2f}x")
    print(f"load average at the end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
