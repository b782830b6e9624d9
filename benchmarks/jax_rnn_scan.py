"""LSTM(64) over 100 steps under the JAX backend: the time loop as one ``lax.scan`` (default)
against the unrolled Python loop (``unroll=True``). Prints compile time (first jitted train
step, tracing included) and the median step time of a jitted value-and-grad step, and ratios.

Run: ``LAMINA_BACKEND=jax OMP_NUM_THREADS=1 python benchmarks/jax_rnn_scan.py``.
"""

from __future__ import annotations

import statistics
import time

import jax
import jax.numpy as jnp
import numpy as np

import lamina
from lamina import layers


def measure(unroll, batch=32, steps=100, features=32, units=64, repeats=20):
    lamina.backend.clear_session()
    layer = layers.LSTM(units, unroll=unroll)
    x = np.random.default_rng(0).normal(size=(batch, steps, features)).astype("float32")
    layer(x[:1])
    tv = [v.value for v in layer.trainable_variables]

    def loss(tv, x):
        y, _ = layer.stateless_call(tv, [], x)
        return jnp.mean(y ** 2)

    step = jax.jit(jax.value_and_grad(loss))
    t0 = time.perf_counter()
    jax.block_until_ready(step(tv, x))
    compile_s = time.perf_counter() - t0
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        jax.block_until_ready(step(tv, x))
        times.append(time.perf_counter() - t0)
    return compile_s, statistics.median(times)


if __name__ == "__main__":
    assert lamina.backend.backend() == "jax", "run with LAMINA_BACKEND=jax"
    scan = measure(False)
    unrolled = measure(True)
    print(f"scan:     compile {scan[0]:.2f} s, step {scan[1] * 1e3:.2f} ms")
    print(f"unrolled: compile {unrolled[0]:.2f} s, step {unrolled[1] * 1e3:.2f} ms")
    print(f"unrolled/scan: compile {unrolled[0] / scan[0]:.1f}x, step {unrolled[1] / scan[1]:.2f}x")
