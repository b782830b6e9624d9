"""Benchmark: lamina's CPU differentiation rules for conv and max pooling against XLA's own (JAX).

For each shape it times, in one process and interleaved round by round, the jitted gradient of
``sum(op(x, k) ** 2)`` with respect to the input and the kernel under XLA's default rules and under
lamina's (lamina/backend/jax/ops/cpu_grads.py), and prints the medians and their ratio. Shapes:
the classic mnist_cnn, ResNet/CIFAR/U-Net-like 2-D convolutions, a depthwise one, strided
transposed convolutions, and disjoint max pooling. 1-D, dilated and 3-D convolutions keep XLA's rule (it measured as fast or faster); two
of them are listed to show that choice.

    python benchmarks/conv_grads.py [--rounds 5] [--only mnist]
"""

from __future__ import annotations

import argparse
import importlib
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402

conv_mod = importlib.import_module("lamina.backend.jax.ops.conv")
cpu_grads = importlib.import_module("lamina.backend.jax.ops.cpu_grads")

# name, input shape, kernel shape (or pool size), strides, padding, dilation, kind
CASES = [
    ("mnist_cnn conv2 3x3 32->64", (128, 26, 26, 32), (3, 3, 32, 64), 1, "valid", 1, "conv"),
    ("mnist_cnn conv1 3x3 1->32", (128, 28, 28, 1), (3, 3, 1, 32), 1, "valid", 1, "conv"),
    ("resnet stem 7x7/2 3->64", (8, 224, 224, 3), (7, 7, 3, 64), 2, "same", 1, "conv"),
    ("resnet 3x3 64->64 @56", (8, 56, 56, 64), (3, 3, 64, 64), 1, "same", 1, "conv"),
    ("resnet 1x1 256->64 @56", (8, 56, 56, 256), (1, 1, 256, 64), 1, "valid", 1, "conv"),
    ("3x3/2 128->256 @28", (16, 28, 28, 128), (3, 3, 128, 256), 2, "same", 1, "conv"),
    ("cifar 3x3 64->128 @16", (64, 16, 16, 64), (3, 3, 64, 128), 1, "same", 1, "conv"),
    ("depthwise 3x3 @112", (8, 112, 112, 32), (3, 3, 32, 1), 1, "same", 1, "depthwise"),
    ("DCGAN transposed 4x4/2 128->64 @7", (64, 7, 7, 128), (4, 4, 64, 128), 2, "same", 1, "transpose"),
    ("U-Net transposed 3x3/2 64->32 @14", (32, 14, 14, 64), (3, 3, 32, 64), 2, "same", 1, "transpose"),
    ("maxpool 2x2 (mnist_cnn)", (128, 24, 24, 64), 2, None, "valid", 1, "pool"),
    ("maxpool 2x2 same, odd size", (32, 57, 57, 64), 2, None, "same", 1, "pool"),
    ("conv1d k5 (XLA's rule kept)", (32, 1000, 64), (5, 64, 64), 1, "same", 1, "conv"),
    ("dilated 3x3 d2 (XLA's rule kept)", (8, 64, 64, 32), (3, 3, 32, 32), 1, "same", 2, "conv"),
]


def _fn(kind, k_or_pool, strides, padding, dilation):
    if kind == "pool":
        return lambda x, k: conv_mod.max_pool(x, k_or_pool, strides, padding)
    if kind == "transpose":
        return lambda x, k: conv_mod.conv_transpose(x, k, strides, padding)
    if kind == "depthwise":
        return lambda x, k: conv_mod.depthwise_conv(x, k, strides, padding, None, dilation)
    return lambda x, k: conv_mod.conv(x, k, strides, padding, None, dilation)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--only", default="")
    args = p.parse_args(argv)
    print(f"jax {jax.__version__}, device {jax.devices()[0]}, {os.cpu_count()} CPUs")
    print(f"{'case':36s} {'XLA rule':>10s} {'lamina':>10s} {'ratio':>7s}   (jitted grad wrt input and kernel)")
    rng = np.random.default_rng(0)
    for name, xs, ks, strides, padding, dilation, kind in CASES:
        if args.only and args.only not in name:
            continue
        x = jnp.asarray(rng.standard_normal(xs).astype("float32"))
        k = jnp.zeros(()) if kind == "pool" else jnp.asarray(rng.standard_normal(ks).astype("float32") * 0.1)
        f = _fn(kind, ks, strides, padding, dilation)
        argnums = (0,) if kind == "pool" else (0, 1)
        steps = {}
        for enabled in (False, True):  # each traced under its own setting; the jitted program keeps it
            cpu_grads.ENABLED = enabled
            step = jax.jit(jax.grad(lambda x, k: jnp.sum(f(x, k) ** 2), argnums=argnums))
            jax.block_until_ready(step(x, k))
            steps[enabled] = step
        cpu_grads.ENABLED = True
        times = {False: [], True: []}
        for r in range(args.rounds):
            for enabled in ((False, True) if r % 2 == 0 else (True, False)):
                t0 = time.perf_counter()
                jax.block_until_ready(steps[enabled](x, k))
                times[enabled].append(time.perf_counter() - t0)
        old, new = statistics.median(times[False]) * 1e3, statistics.median(times[True]) * 1e3
        print(f"{name:36s} {old:8.1f}ms {new:8.1f}ms {new / old:6.2f}x", flush=True)


if __name__ == "__main__":
    main()
