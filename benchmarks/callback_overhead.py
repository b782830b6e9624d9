"""What TensorBoard logging and BackupAndRestore cost per epoch, in one process.

The mnist_mlp model (784-512-512-10, dropout 0.2, RMSprop, batch 128, accuracy) trains on
synthetic MNIST-shaped data with: no extra callback; TensorBoard() (Keras's defaults: epoch
scalars, graph); TensorBoard(histogram_freq=1); BackupAndRestore(save_freq='epoch'). The
configurations are interleaved over several rounds. All figures are CPU time (robust on a loaded
machine), medians over rounds: the whole process per epoch of fit (the event writer's thread
counts too), the time inside the measured callback's hooks per epoch as a fraction of a plain
epoch, and the one-off on_train_begin work (TensorBoard's graph trace) separately.

Run: python benchmarks/callback_overhead.py [--samples 6000] [--epochs 2] [--rounds 5]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
import time

import numpy as np

import lamina
from lamina import layers


def make_model():
    lamina.utils.set_random_seed(0)
    model = lamina.Sequential([
        layers.Dense(512, activation="relu", input_shape=(784,)), layers.Dropout(0.2),
        layers.Dense(512, activation="relu"), layers.Dropout(0.2),
        layers.Dense(10, activation="softmax")])
    model.compile(loss="categorical_crossentropy", optimizer=lamina.optimizers.RMSprop(), metrics=["accuracy"])
    return model


_HOOKS = ("on_train_begin", "on_train_end", "on_epoch_begin", "on_epoch_end", "on_train_batch_begin",
          "on_train_batch_end", "on_test_begin", "on_test_end")


def _timed(callbacks, spent):
    """Wrap every hook of ``callbacks`` so the CPU time of the calling thread spent inside them
    adds up in ``spent`` (``spent['begin']`` for on_train_begin, the one-off graph trace)."""
    for cb in callbacks:
        for name in _HOOKS:
            fn = getattr(cb, name)
            key = "begin" if name == "on_train_begin" else "epochs"

            def hook(*a, _fn=fn, _key=key, **k):
                t0 = time.thread_time()
                try:
                    return _fn(*a, **k)
                finally:
                    spent[_key] += time.thread_time() - t0
            setattr(cb, name, hook)
    return callbacks


def per_epoch(x, y, epochs, callbacks):
    """(process CPU seconds per epoch, hook CPU seconds per epoch, one-off train-begin seconds)."""
    model = make_model()
    spent = {"begin": 0.0, "epochs": 0.0}
    c0 = time.process_time()
    model.fit(x, y, batch_size=128, epochs=epochs, verbose=0, callbacks=_timed(callbacks, spent),
              validation_split=0.1)
    return (time.process_time() - c0) / epochs, spent["epochs"] / epochs, spent["begin"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--samples", type=int, default=6000)
    ap.add_argument("--epochs", type=int, default=2)
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    rng = np.random.RandomState(0)
    x = rng.rand(args.samples, 784).astype("float32")
    y = np.eye(10, dtype="float32")[rng.randint(0, 10, args.samples)]
    tmp = tempfile.mkdtemp()
    configs = {
        "plain": lambda: [],
        "TensorBoard()": lambda: [lamina.callbacks.TensorBoard(os.path.join(tmp, "tb"))],
        "TensorBoard(histogram_freq=1)": lambda: [
            lamina.callbacks.TensorBoard(os.path.join(tmp, "tbh"), histogram_freq=1)],
        "BackupAndRestore('epoch')": lambda: [lamina.callbacks.BackupAndRestore(os.path.join(tmp, "bk"))],
    }
    cpu = {k: [] for k in configs}
    hooks = {k: [] for k in configs}
    begin = {k: [] for k in configs}
    for make in configs.values():  # warm-up, and the one-off imports (tensorboard's writer)
        per_epoch(x[:512], y[:512], 1, make())
    for _ in range(args.rounds):
        for name, make in configs.items():
            c, h, b = per_epoch(x, y, args.epochs, make())
            cpu[name].append(c)
            hooks[name].append(h)
            begin[name].append(b)
            shutil.rmtree(tmp, ignore_errors=True)
            os.makedirs(tmp, exist_ok=True)
    base = statistics.median(cpu["plain"])
    print(f"{args.samples} samples, {args.epochs} epochs x {args.rounds} rounds; medians of CPU seconds:")
    print(f"  {'':30s} {'per epoch':>9s} {'ratio':>6s} {'in hooks/epoch':>14s} {'/ plain epoch':>13s} "
          f"{'train begin (once)':>18s}")
    for name in configs:
        c, h, b = (statistics.median(v[name]) for v in (cpu, hooks, begin))
        print(f"  {name:30s} {c:9.3f} {c / base:6.3f} {h:14.4f} {h / base:13.2%} {b:18.3f}")
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
