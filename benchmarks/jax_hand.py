"""Hand-written JAX loops (jax.jit + optax) for the benchmarks' JAX column.

The same models as the lamina runs: the mnist_mlp (784-512-512-10, dropout 0.2, RMSprop, batch
128, loss and accuracy accumulated on the device), the mnist_cnn (Conv32-Conv64-MaxPool-Dense128,
dropout 0.25/0.5, Adam, batch 128, starting from the lamina model's own initial weights), the tiny
Dense(10) Adam step, and a jitted one-sample predict. Used by ``LAMINA_BACKEND=jax python
benchmarks/mnist_mlp.py`` and ``benchmarks/mnist_cnn.py``.
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


class HandMLP:
    """The mnist_mlp as a jax.jit + optax loop; ``epoch()`` runs one epoch and returns its time."""

    def __init__(self, x, y):
        self.epochs = _mlp_epochs(x, y)

    def epoch(self):
        return next(self.epochs)


def hand_mlp(x, y, epochs):
    """``epochs`` epoch times of the hand-written mnist_mlp loop."""
    runner = HandMLP(x, y)
    return [runner.epoch() for _ in range(epochs)]


def _mlp_epochs(x, y):
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
    while True:
        t0 = time.perf_counter()
        perm = rng.permutation(len(x))
        loss_sum, correct = jnp.zeros(()), jnp.zeros((), jnp.int32)
        for i in range(0, len(x), 128):
            idx = perm[i:i + 128]
            key, sub = jax.random.split(key)
            params, opt_state, loss_sum, correct = step(params, opt_state, x[idx], y[idx], sub, loss_sum, correct)
        float(loss_sum), int(correct)
        yield time.perf_counter() - t0


class HandCNN:
    """The mnist_cnn as a jax.jit + optax loop (NHWC, as lamina), from given initial weights.

    Args:
        weights: the lamina model's ``get_weights()`` (Keras layout: conv kernels HWIO, dense
            kernels (in, out)), so both sides start from the same values.
        x, y: NHWC images and integer labels (host arrays).
        batch_size: the batch size.

    ``epoch(perm)`` runs one epoch over the samples in the order ``perm`` and returns its time.
    """

    def __init__(self, weights, x, y, batch_size=128):
        self.params = [jnp.asarray(w) for w in weights]
        self.tx = optax.adam(1e-3, b1=0.9, b2=0.999, eps=1e-7)
        self.opt_state = self.tx.init(self.params)
        self.x, self.y, self.bs = x, y, batch_size
        self.key = jax.random.PRNGKey(1)
        tx = self.tx

        def forward(p, xb, key):
            k1, k2 = jax.random.split(key)
            dn = ("NHWC", "HWIO", "NHWC")
            h = jax.nn.relu(jax.lax.conv_general_dilated(xb, p[0], (1, 1), "VALID", dimension_numbers=dn) + p[1])
            h = jax.nn.relu(jax.lax.conv_general_dilated(h, p[2], (1, 1), "VALID", dimension_numbers=dn) + p[3])
            h = jax.lax.reduce_window(h, -jnp.inf, jax.lax.max, (1, 2, 2, 1), (1, 2, 2, 1), "VALID")
            h = h * jax.random.bernoulli(k1, 0.75, h.shape) / 0.75
            h = h.reshape(h.shape[0], -1)
            h = jax.nn.relu(h @ p[4] + p[5])
            h = h * jax.random.bernoulli(k2, 0.5, h.shape) / 0.5
            return h @ p[6] + p[7]

        def loss_fn(p, xb, yb, key):
            logp = jax.nn.log_softmax(forward(p, xb, key))
            return -jnp.mean(jnp.take_along_axis(logp, yb[:, None], 1))

        @jax.jit
        def step(p, opt_state, xb, yb, key, loss_sum):
            loss, grads = jax.value_and_grad(loss_fn)(p, xb, yb, key)
            updates, opt_state = tx.update(grads, opt_state, p)
            return optax.apply_updates(p, updates), opt_state, loss_sum + loss * xb.shape[0]

        self.step = step

    def epoch(self, perm):
        t0 = time.perf_counter()
        loss_sum = jnp.zeros(())
        for i in range(0, len(perm), self.bs):
            idx = perm[i:i + self.bs]
            self.key, sub = jax.random.split(self.key)
            self.params, self.opt_state, loss_sum = self.step(
                self.params, self.opt_state, self.x[idx], self.y[idx], sub, loss_sum)
        float(loss_sum)
        return time.perf_counter() - t0


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


def make_hand_predict(x):
    """A jitted one-sample predict of Dense(64, relu) -> Dense(10) (warm), as a no-argument call
    returning NumPy."""
    k1, k2 = jax.random.split(jax.random.PRNGKey(0))
    params = [_dense(k1, 20, 64), _dense(k2, 64, 10)]
    f = jax.jit(lambda p, x: jax.nn.relu(x @ p[0]["w"] + p[0]["b"]) @ p[1]["w"] + p[1]["b"])
    np.asarray(f(params, x))
    return lambda: np.asarray(f(params, x))


def hand_predict(x, n):
    run = make_hand_predict(x)
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        run()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)
