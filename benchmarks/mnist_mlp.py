"""lamina vs a hand-written PyTorch loop on the classic mnist_mlp, in one process.

Prints median times and ratios for: (1) an epoch of the 784-512-512-10 MLP (dropout 0.2,
RMSprop, batch 128, accuracy metric) on synthetic MNIST-shaped data; (2) the per-step cost of a
tiny model (Dense(10) on 20 features, batch 32, Adam); (3) predict() on one sample.

Run: python benchmarks/mnist_mlp.py [--samples 12000] [--epochs 6]  (epochs run interleaved)
JAX column: LAMINA_BACKEND=jax python benchmarks/mnist_mlp.py (lamina on JAX, against the
hand-written jax.jit + optax loops of benchmarks/jax_hand.py, in the same process).
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import torch

import lamina
from lamina import layers


class HandMLP:
    """The loop a PyTorch user writes for the same model, one epoch per call."""

    def __init__(self, x, y, flush_denormal):
        self.flush = flush_denormal
        torch.manual_seed(0)
        self.net = torch.nn.Sequential(
            torch.nn.Linear(784, 512), torch.nn.ReLU(), torch.nn.Dropout(0.2),
            torch.nn.Linear(512, 512), torch.nn.ReLU(), torch.nn.Dropout(0.2),
            torch.nn.Linear(512, 10))
        self.opt = torch.optim.RMSprop(self.net.parameters(), lr=0.001, alpha=0.9, eps=1e-7)
        self.xt, self.yt = torch.from_numpy(x), torch.from_numpy(y.argmax(1))

    def epoch(self):
        torch.set_flush_denormal(self.flush)
        net, opt, xt, yt = self.net, self.opt, self.xt, self.yt
        t0 = time.perf_counter()
        net.train()
        perm = torch.randperm(len(xt))
        loss_sum = torch.zeros(())
        correct = torch.zeros((), dtype=torch.long)
        for i in range(0, len(xt), 128):
            idx = perm[i:i + 128]
            xb, yb = xt[idx], yt[idx]
            logits = net(xb)
            loss = torch.nn.functional.cross_entropy(logits, yb)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            with torch.no_grad():
                loss_sum += loss.detach() * len(xb)
                correct += (logits.argmax(1) == yb).sum()
        float(loss_sum), int(correct)
        elapsed = time.perf_counter() - t0
        torch.set_flush_denormal(False)
        return elapsed


class LaminaMLP:
    """The classic Keras mnist_mlp in lamina; ``fit`` of one epoch per call."""

    def __init__(self, x, y):
        lamina.utils.set_random_seed(0)
        self.model = lamina.Sequential([
            layers.Dense(512, activation="relu", input_shape=(784,)), layers.Dropout(0.2),
            layers.Dense(512, activation="relu"), layers.Dropout(0.2),
            layers.Dense(10, activation="softmax")])
        self.model.compile(loss="categorical_crossentropy", optimizer=lamina.optimizers.RMSprop(),
                           metrics=["accuracy"])
        self.x, self.y = x, y

    def epoch(self):
        t0 = time.perf_counter()
        self.model.fit(self.x, self.y, batch_size=128, epochs=1, verbose=0)
        return time.perf_counter() - t0


def tiny_steps(n_steps=400):
    x = np.random.randn(32 * n_steps, 20).astype("float32")
    y = np.random.randn(32 * n_steps, 10).astype("float32")
    # hand-written
    torch.manual_seed(0)
    net = torch.nn.Linear(20, 10)
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)
    hand = []
    for _ in range(5):
        t0 = time.perf_counter()
        perm = torch.randperm(len(xt))
        loss_sum = torch.zeros(())
        for i in range(0, len(xt), 32):
            idx = perm[i:i + 32]
            loss = torch.nn.functional.mse_loss(net(xt[idx]), yt[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            with torch.no_grad():
                loss_sum += loss.detach() * 32
        float(loss_sum)
        hand.append((time.perf_counter() - t0) / n_steps)
    model = lamina.Sequential([layers.Dense(10, input_shape=(20,))])
    model.compile(optimizer="adam", loss="mse")
    lam = []
    for _ in range(5):
        t0 = time.perf_counter()
        model.fit(x, y, batch_size=32, epochs=1, verbose=0)
        lam.append((time.perf_counter() - t0) / n_steps)
    return statistics.median(hand[1:]), statistics.median(lam[1:])


def one_sample_predict(n=2000):
    model = lamina.Sequential([layers.Dense(64, activation="relu", input_shape=(20,)), layers.Dense(10)])
    x = np.random.randn(1, 20).astype("float32")
    net = torch.nn.Sequential(torch.nn.Linear(20, 64), torch.nn.ReLU(), torch.nn.Linear(64, 10)).eval()
    hand, lam = [], []
    for _ in range(n):
        t0 = time.perf_counter()
        with torch.no_grad():
            net(torch.from_numpy(x)).numpy()
        hand.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        model.predict(x, verbose=0)
        lam.append(time.perf_counter() - t0)
    return statistics.median(hand), statistics.median(lam)


def mnist_shaped(n, seed=0):
    """Synthetic data shaped like MNIST: strokes are likely near the centre and rare towards the
    border, so some weights get gradients only now and then, as with real digits. (That is what
    lets RMSprop's state decay into denormal floats; uniform noise would hide the effect.)"""
    rng = np.random.default_rng(seed)
    r = np.hypot(*np.meshgrid(np.arange(28) - 13.5, np.arange(28) - 13.5)).ravel()
    p_on = 0.5 * np.exp(-((r / 9.0) ** 4))
    x = (rng.random((n, 784)) < p_on) * rng.random((n, 784))
    y = np.eye(10, dtype="float32")[rng.integers(0, 10, n)]
    return x.astype("float32"), y


class KerasMLP:
    """The same model in Keras 3 on its JAX backend (same process; ``fit`` of one epoch per call)."""

    def __init__(self, x, y):
        import os

        os.environ.setdefault("KERAS_BACKEND", "jax")
        import keras

        if keras.backend.backend() != "jax":
            raise RuntimeError(f"Keras runs on {keras.backend.backend()!r} here (KERAS_BACKEND), not jax")
        keras.utils.set_random_seed(0)
        L = keras.layers
        self.model = keras.Sequential([
            keras.Input((784,)), L.Dense(512, activation="relu"), L.Dropout(0.2),
            L.Dense(512, activation="relu"), L.Dropout(0.2), L.Dense(10, activation="softmax")])
        self.model.compile(loss="categorical_crossentropy", optimizer=keras.optimizers.RMSprop(),
                           metrics=["accuracy"])
        self.x, self.y = x, y
        self.version = keras.__version__

    def epoch(self):
        t0 = time.perf_counter()
        self.model.fit(self.x, self.y, batch_size=128, epochs=1, verbose=0)
        return time.perf_counter() - t0


def jax_column(x, y, epochs):
    """lamina on JAX against hand-written jax.jit + optax loops of the same models, and Keras 3 on
    JAX, interleaved epoch by epoch in one process (the first epoch, compiles included, apart)."""
    import os
    import sys

    import jax

    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import jax_hand

    print(f"jax {jax.__version__}, device {jax.devices()[0]}")
    t0 = time.perf_counter()
    runners = {"lamina": LaminaMLP(x, y), "hand": jax_hand.HandMLP(x, y)}
    try:
        runners["keras"] = KerasMLP(x, y)
        print(f"keras {runners['keras'].version} on jax")
    except Exception as e:  # noqa: BLE001 - report why the column is missing, keep the rest
        print(f"Keras 3 on JAX not available here: {type(e).__name__}: {e}")
    times = {k: [] for k in runners}
    for _ in range(epochs):
        for k, r in runners.items():
            times[k].append(r.epoch())
    lam, hand = times["lamina"], times["hand"]
    m_l, m_h = statistics.median(lam[1:]), statistics.median(hand[1:])
    print(f"\nmnist_mlp epoch ({len(x)} samples), median of epochs 2..{epochs}, interleaved:")
    print(f"  hand jax.jit + optax : {m_h:.3f} s   per epoch {['%.3f' % t for t in hand]}")
    print(f"  lamina fit (JAX)     : {m_l:.3f} s   per epoch {['%.3f' % t for t in lam]}")
    if "keras" in times:
        m_k = statistics.median(times["keras"][1:])
        print(f"  Keras 3 fit (JAX)    : {m_k:.3f} s   per epoch {['%.3f' % t for t in times['keras']]}")
    print(f"  ratio lamina / hand  : {m_l / m_h:.3f}x "
          f"(median of per-round ratios {statistics.median(a / b for a, b in zip(lam[1:], hand[1:])):.3f}x)")
    if "keras" in times:
        print(f"  ratio lamina / Keras : {m_l / m_k:.3f}x")
    first = ", ".join(f"{k} {v[0]:.2f} s" for k, v in times.items())
    print(f"  first epoch (compiles included): {first}; compile overhead (first - median) "
          + ", ".join(f"{k} {v[0] - statistics.median(v[1:]):.2f} s" for k, v in times.items()))
    n_steps = 400
    xt = np.random.randn(32 * n_steps, 20).astype("float32")
    yt = np.random.randn(32 * n_steps, 10).astype("float32")
    h = jax_hand.hand_tiny(xt, yt, n_steps)
    model = lamina.Sequential([layers.Dense(10, input_shape=(20,))])
    model.compile(optimizer="adam", loss="mse")
    lam_t = []
    for _ in range(5):
        t1 = time.perf_counter()
        model.fit(xt, yt, batch_size=32, epochs=1, verbose=0)
        lam_t.append((time.perf_counter() - t1) / n_steps)
    l_t = statistics.median(lam_t[1:])
    print(f"\ntiny step (Dense(10), batch 32, Adam): hand jax {h * 1e6:.0f} us, lamina {l_t * 1e6:.0f} us, "
          f"ratio {l_t / h:.2f}x")
    xs = np.random.randn(1, 20).astype("float32")
    model = lamina.Sequential([layers.Dense(64, activation="relu", input_shape=(20,)), layers.Dense(10)])
    model.predict(xs, verbose=0)
    hand_run = jax_hand.make_hand_predict(xs)
    calls = {"hand": hand_run, "predict": lambda: model.predict(xs, verbose=0),
             "predict_on_batch": lambda: model.predict_on_batch(xs)}
    lat = {k: [] for k in calls}
    for i in range(2000):  # interleaved, order alternating
        for k in (list(calls) if i % 2 else list(reversed(calls))):
            t1 = time.perf_counter()
            calls[k]()
            lat[k].append(time.perf_counter() - t1)
    h_p = statistics.median(lat["hand"])
    print(f"one-sample predict (median of 2000, interleaved): hand jax {h_p * 1e3:.3f} ms, "
          + ", ".join(f"lamina {k} {statistics.median(lat[k]) * 1e3:.3f} ms ({statistics.median(lat[k]) / h_p:.2f}x)"
                      for k in ("predict", "predict_on_batch")) + " (target: predict < 0.3 ms)")
    print(f"(total {time.perf_counter() - t0:.0f} s)")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--samples", type=int, default=12000)
    p.add_argument("--epochs", type=int, default=6)
    args = p.parse_args()
    if lamina.backend.backend() == "jax":
        return jax_column(*mnist_shaped(args.samples), args.epochs)
    torch.set_num_threads(torch.get_num_threads())
    x, y = mnist_shaped(args.samples)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, device {lamina.backend.ops.DEVICE}")

    # Interleaved rounds (lamina epoch, hand epoch with flushed denormals, hand epoch with torch's
    # default): load on a shared machine hits all three alike; the first round is warm-up.
    runners = {"lamina": LaminaMLP(x, y), "flush": HandMLP(x, y, True), "plain": HandMLP(x, y, False)}
    times = {k: [] for k in runners}
    for _ in range(args.epochs):
        for k, r in runners.items():
            times[k].append(r.epoch())
    lam, hand_flush, hand_plain = times["lamina"], times["flush"], times["plain"]
    m_l, m_f, m_p = (statistics.median(t[1:]) for t in (lam, hand_flush, hand_plain))
    pair = statistics.median(a / b for a, b in zip(lam[1:], hand_flush[1:]))
    print(f"\nmnist_mlp epoch ({args.samples} samples), median of epochs 2..{args.epochs}, interleaved:")
    print(f"  hand torch, flush denormals : {m_f:.3f} s   per epoch {['%.3f' % t for t in hand_flush]}")
    print(f"  hand torch, torch default   : {m_p:.3f} s   per epoch {['%.3f' % t for t in hand_plain]}")
    print(f"  lamina fit                  : {m_l:.3f} s   per epoch {['%.3f' % t for t in lam]}")
    print(f"  ratio lamina / hand (same denormal setting) : {m_l / m_f:.3f}x "
          f"(median of per-round ratios {pair:.3f}x)")
    print(f"  ratio lamina / hand (torch default)         : {m_l / m_p:.3f}x")

    h, l = tiny_steps()
    print(f"\ntiny step (Dense(10), batch 32, Adam): hand {h * 1e6:.0f} us, lamina {l * 1e6:.0f} us, ratio {l / h:.2f}x")
    h, l = one_sample_predict()
    print(f"one-sample predict: hand {h * 1e3:.3f} ms, lamina {l * 1e3:.3f} ms, ratio {l / h:.2f}x")


if __name__ == "__main__":
    main()
