"""What TensorBoard logging and BackupAndRestore cost per epoch, in one process.

The mnist_mlp model (784-512-512-10, dropout 0.2, RMSprop, batch 128, accuracy) trains on
synthetic MNIST-shaped data with: no extra callback; TensorBoard() (Keras's defaults: epoch
scalars, graph); TensorBoard(histogram_freq=1); BackupAndRestore(save_freq='epoch'). The
configurations are interleaved over several rounds. Two medians per epoch: the process's CPU
time of the whole fit (robust to a loaded machine; the event writer's thread counts too) and
the wall time spent inside the measured callback's hooks (including the one-off graph trace at
train begin), as a fraction of a plain epoch.

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
    """Wrap every hook of ``callbacks`` so the wall time spent inside them adds up in ``spent``."""
    for cb in callbacks:
        for name in _HOOKS:
            fn = getattr(cb, name)

            def hook(*a, _fn=fn, **k):
                t0 = time.perf_counter()
                try:
                    return _fn(*a, **k)
                finally:
                    spent[0] += time.perf_counter() - t0
            setattr(cb, name, hook)
    return callbacks


def per_epoch(x, y, epochs, callbacks):
    """(CPU seconds of the process, wall seconds inside the callbacks' hooks) per epoch."""
    model = make_model()
    spent = [0.0]
    c0 = time.process_time()
    model.fit(x, y, batch_size=128, epochs=epochs, verbose=0, callbacks=_timed(callbacks, spent),
              validation_split=0.1)
    return (time.process_time() - c0) / epochs, spent[0] / epochs


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
    for make in configs.values():  # warm-up, and the one-off imports (tensorboard's writer)
        per_epoch(x[:512], y[:512], 1, make())
    for _ in range(args.rounds):
        for name, make in configs.items():
            c, h = per_epoch(x, y, args.epochs, make())
            cpu[name].append(c)
            hooks[name].append(h)
            shutil.rmtree(tmp, ignore_errors=True)
            os.makedirs(tmp, exist_ok=True)
    base = statistics.median(cpu["plain"])
    print(f"{args.samples} samples, {args.epochs} epochs x {args.rounds} rounds, medians per epoch:")
    print(f"  {'':32s} {'CPU s':>7s} {'CPU ratio':>9s} {'in hooks s':>10s} {'hooks / plain epoch':>19s}")
    for name in configs:
        c, h = statistics.median(cpu[name]), statistics.median(hooks[name])
        print(f"  {name:32s} {c:7.3f} {c / base:9.3f} {h:10.4f} {h / base:18.2%}")
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
