"""Hand-written JAX loops (jax.jit + optax) for the benchmarks' JAX column.

The same models as the lamina runs: the mnist_mlp (784-512-512-10, dropout 0.2, RMSprop, batch
128, loss and accuracy accumulated on the device), the tiny Dense(10) Adam step, and a jitted
one-sample predict. Used by ``LAMINA_BACKEND=jax python benchmarks/mnist_mlp.py``.
"""

from __future__ import annotations

import statistics
import time

import jax
import jax.numpy as jnp
import numpy as np
import optax


def _dense(key, n_in, n_out):
    lim = np.sqrt(6.0 / (n_in + n_out))
    return {"w": jax.random.uniform(key, (n_in, n_out), jnp.float32, -lim, lim), "b": jnp.zeros((n_out,))}


def hand_mlp(x, y, epochs):
    keys = jax.random.split(jax.random.PRNGKey(0), 4)
    params = [_dense(keys[0], 784, 512), _dense(keys[1], 512, 512), _dense(keys[2], 512, 10)]
    tx = optax.rmsprop(0.001, decay=0.9, eps=1e-7)
    opt_state = tx.init(params)

    def forward(params, xb, key):
        h = xb
        k1, k2 = jax.random.split(key)
        for layer, k in zip(params[:2], (k1, k2)):
            h = jax.nn.relu(h @ layer["w"] + layer["b"])
            h = h * jax.random.bernoulli(k, 0.8, h.shape) / 0.8
        return h @ params[2]["w"] + params[2]["b"]

    def loss_fn(params, xb, yb, key):
        logits = forward(params, xb, key)
        return -jnp.mean(jnp.sum(yb * jax.nn.log_softmax(logits), -1)), logits

    @jax.jit
    def step(params, opt_state, xb, yb, key, loss_sum, correct):
        (loss, logits), grads = jax.value_and_grad(loss_fn, has_aux=True)(params, xb, yb, key)
        updates, opt_state = tx.update(grads, opt_state, params)
        params = optax.apply_updates(params, updates)
        correct = correct + jnp.sum(jnp.argmax(logits, -1) == jnp.argmax(yb, -1))
        return params, opt_state, loss_sum + loss * xb.shape[0], correct

    rng = np.random.default_rng(0)
    key = jax.random.PRNGKey(1)
    times = []
    for _ in range(epochs):
        t0 = time.perf_counter()
        perm = rng.permutation(len(x))
        loss_sum, correct = jnp.zeros(()), jnp.zeros((), jnp.int32)
        for i in range(0, len(x), 128):
            idx = perm[i:i + 128]
            key, sub = jax.random.split(key)
            params, opt_state, loss_sum, correct = step(params, opt_state, x[idx], y[idx], sub, loss_sum, correct)
        float(loss_sum), int(correct)
        times.append(time.perf_counter() - t0)
    return times


def hand_tiny(x, y, n_steps):
    params = _dense(jax.random.PRNGKey(0), 20, 10)
    tx = optax.adam(1e-3)
    opt_state = tx.init(params)

    @jax.jit
    def step(params, opt_state, xb, yb, loss_sum):
        loss, grads = jax.value_and_grad(lambda p: jnp.mean((xb @ p["w"] + p["b"] - yb) ** 2))(params)
        updates, opt_state = tx.update(grads, opt_state, params)
        return optax.apply_updates(params, updates), opt_state, loss_sum + loss * 32

    rng = np.random.default_rng(0)
    out = []
    for _ in range(5):
        t0 = time.perf_counter()
        perm = rng.permutation(len(x))
        loss_sum = jnp.zeros(())
        for i in range(0, len(x), 32):
            idx = perm[i:i + 32]
            params, opt_state, loss_sum = step(params, opt_state, x[idx], y[idx], loss_sum)
        float(loss_sum)
        out.append((time.perf_counter() - t0) / n_steps)
    return statistics.median(out[1:])


def hand_predict(x, n):
    k1, k2 = jax.random.split(jax.random.PRNGKey(0))
    params = [_dense(k1, 20, 64), _dense(k2, 64, 10)]
    f = jax.jit(lambda p, x: jax.nn.relu(x @ p[0]["w"] + p[0]["b"]) @ p[1]["w"] + p[1]["b"])
    np.asarray(f(params, x))
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        np.asarray(f(params, x))
        times.append(time.perf_counter() - t0)
    return statistics.median(times)
