"""compile(jit_compile=True) vs eager: compile time and epoch time, in one process.

Trains the same MLP twice (eager, then torch.compile'd steps) and prints: the first epoch of each
(the compiled one includes compiling, and the recompile for the last partial batch), the median
of the later epochs, and their ratio. ``jit_compile='auto'`` stays eager on CPU because of what
this prints on CPU machines.

Run: python benchmarks/jit_compile.py [--samples 6000] [--epochs 4] [--units 256]
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import torch

import lamina
from lamina import layers


def sync():
    if torch.cuda.is_available():
        torch.cuda.synchronize()


def run(jit, x, y, epochs, units):
    lamina.utils.set_random_seed(0)
    model = lamina.Sequential([layers.Input((x.shape[1],)), layers.Dense(units, activation="relu"),
                               layers.Dense(units, activation="relu"), layers.Dense(10, activation="softmax")])
    model.compile("adam", "categorical_crossentropy", metrics=["accuracy"], jit_compile=jit)
    times = []
    timer = lamina.callbacks.LambdaCallback(
        on_epoch_begin=lambda e, logs: (sync(), times.append(-time.perf_counter())),
        on_epoch_end=lambda e, logs: (sync(), times.__setitem__(-1, times[-1] + time.perf_counter())))
    model.fit(x, y, batch_size=128, epochs=epochs, verbose=0, shuffle=False, callbacks=[timer])
    return times, model.get_weights()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--samples", type=int, default=6000)  # 46 batches of 128 + one of 112
    p.add_argument("--epochs", type=int, default=4)
    p.add_argument("--units", type=int, default=256)
    args = p.parse_args()
    rng = np.random.default_rng(0)
    x = rng.random((args.samples, 784), dtype=np.float32)
    y = np.eye(10, dtype="float32")[rng.integers(0, 10, args.samples)]
    print(f"device {lamina.backend.ops.DEVICE}, torch {torch.__version__}, {torch.get_num_threads()} threads")
    eager, w_eager = run(False, x, y, args.epochs, args.units)
    jit, w_jit = run(True, x, y, args.epochs, args.units)
    diff = max(float(np.abs(a - b).max()) for a, b in zip(w_eager, w_jit))
    e, j = statistics.median(eager[1:]), statistics.median(jit[1:])
    print(f"first epoch: eager {eager[0]:.2f} s, jit {jit[0]:.2f} s (compile ~ {jit[0] - e:.1f} s)")
    print(f"later epochs (median): eager {e:.3f} s, jit {j:.3f} s, ratio jit/eager {j / e:.2f}x")
    print(f"max |w_jit - w_eager| after {args.epochs} epochs: {diff:.2e}")


if __name__ == "__main__":
    main()
