"""bfloat16 vs float32 on CPU: one epoch of mnist_mlp and mnist_cnn under the 'mixed_bfloat16'
policy (float32 variables, bfloat16 compute through torch.autocast) against float32, in one
process. Prints the median epoch time of each and the ratio (mixed / float32; < 1 is faster).

Run: python benchmarks/mixed_precision.py [--mlp-samples 6000] [--cnn-samples 1500] [--epochs 3]
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import torch

import lamina
from lamina import layers


def mlp():
    return lamina.Sequential([
        layers.Dense(512, activation="relu", input_shape=(784,)), layers.Dropout(0.2),
        layers.Dense(512, activation="relu"), layers.Dropout(0.2),
        layers.Dense(10), layers.Activation("softmax", dtype="float32")])


def cnn():
    return lamina.Sequential([
        layers.Conv2D(32, (3, 3), activation="relu", input_shape=(28, 28, 1)),
        layers.Conv2D(64, (3, 3), activation="relu"), layers.MaxPooling2D((2, 2)),
        layers.Dropout(0.25), layers.Flatten(), layers.Dense(128, activation="relu"),
        layers.Dropout(0.5), layers.Dense(10), layers.Activation("softmax", dtype="float32")])


def epoch_times(build, x, y, policy, epochs):
    lamina.mixed_precision.set_global_policy(policy)
    lamina.utils.set_random_seed(0)
    model = build()
    model.compile(loss="categorical_crossentropy", optimizer="rmsprop", metrics=["accuracy"])
    times = []
    timer = lamina.callbacks.LambdaCallback(
        on_epoch_begin=lambda e, logs: times.append(-time.perf_counter()),
        on_epoch_end=lambda e, logs: times.__setitem__(-1, times[-1] + time.perf_counter()))
    history = model.fit(x, y, batch_size=128, epochs=epochs + 1, verbose=0, callbacks=[timer])
    lamina.mixed_precision.set_global_policy(None)
    return times[1:], history.history["loss"][-1]  # the first epoch warms up


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--mlp-samples", type=int, default=6000)
    parser.add_argument("--cnn-samples", type=int, default=1500)
    parser.add_argument("--epochs", type=int, default=3)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    print(f"torch {torch.__version__}, threads {torch.get_num_threads()}, "
          f"CPU bf16 matmul via oneDNN: {torch.backends.mkldnn.is_available()}")
    for name, build, shape, n in (("mnist_mlp", mlp, (784,), args.mlp_samples),
                                  ("mnist_cnn", cnn, (28, 28, 1), args.cnn_samples)):
        x = rng.random((n,) + shape, dtype=np.float32)
        y = np.eye(10, dtype="float32")[rng.integers(0, 10, n)]
        f32, loss32 = epoch_times(build, x, y, "float32", args.epochs)
        b16, loss16 = epoch_times(build, x, y, "mixed_bfloat16", args.epochs)
        m32, m16 = statistics.median(f32), statistics.median(b16)
        print(f"{name}: {n} samples, epoch median float32 {m32:.3f}s, mixed_bfloat16 {m16:.3f}s, "
              f"ratio {m16 / m32:.2f}x (final loss {loss32:.4f} vs {loss16:.4f})")


if __name__ == "__main__":
    main()
