"""What TensorBoard logging and BackupAndRestore cost per epoch, in one process.

The mnist_mlp model (784-512-512-10, dropout 0.2, RMSprop, batch 128, accuracy) trains on
synthetic MNIST-shaped data with: no extra callback; TensorBoard() (Keras's defaults: epoch
scalars, graph); TensorBoard(histogram_freq=1); BackupAndRestore(save_freq='epoch'). The
configurations are interleaved over several rounds; each figure is the median over rounds of
(wall time of fit) / epochs, so the one-off work at train begin (the graph trace) counts.

Run: python benchmarks/callback_overhead.py [--samples 12000] [--epochs 3] [--rounds 3]
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


def per_epoch(x, y, epochs, callbacks):
    model = make_model()
    t0 = time.perf_counter()
    model.fit(x, y, batch_size=128, epochs=epochs, verbose=0, callbacks=callbacks,
              validation_split=0.1)
    return (time.perf_counter() - t0) / epochs


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--samples", type=int, default=12000)
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--rounds", type=int, default=3)
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
    times = {k: [] for k in configs}
    per_epoch(x[:512], y[:512], 1, [])  # warm-up
    for _ in range(args.rounds):
        for name, make in configs.items():
            times[name].append(per_epoch(x, y, args.epochs, make()))
            shutil.rmtree(tmp, ignore_errors=True)
            os.makedirs(tmp, exist_ok=True)
    base = statistics.median(times["plain"])
    print(f"{args.samples} samples, {args.epochs} epochs x {args.rounds} rounds; median seconds per epoch")
    for name, ts in times.items():
        med = statistics.median(ts)
        print(f"  {name:32s} {med:7.3f} s   ratio {med / base:.3f}   (rounds: {', '.join(f'{t:.3f}' for t in ts)})")
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
