"""The tiny training step: lamina fit() against a hand-written PyTorch loop, interleaved.

Dense(10, softmax) on 784 features, batch 32, categorical_crossentropy on one-hot labels,
metrics=['accuracy'], RMSprop, one thread: each step is a few small kernels, so this measures
lamina's per-step Python overhead. The two loops run in alternating rounds in one process, so a
noisy, shared machine affects both alike; the ratio of medians is what to compare.

Run: python benchmarks/tiny_step.py [--steps 300] [--rounds 7] [--profile]
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import torch

import lamina
from lamina import layers


def data(steps, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.random((32 * steps, 784), dtype=np.float32)
    y = np.eye(10, dtype="float32")[rng.integers(0, 10, 32 * steps)]
    return x, y


class Hand:
    """The loop a torch user writes: shuffle, forward, loss, backward, step, running metrics."""

    def __init__(self, x, y):
        torch.manual_seed(0)
        self.net = torch.nn.Sequential(torch.nn.Linear(784, 10), torch.nn.Softmax(dim=-1))
        self.opt = torch.optim.RMSprop(self.net.parameters(), lr=0.001, alpha=0.9, eps=1e-7)
        self.x, self.y = torch.from_numpy(x), torch.from_numpy(y)

    def epoch(self):
        x, y, net, opt = self.x, self.y, self.net, self.opt
        perm = torch.randperm(len(x))
        loss_sum = torch.zeros(())
        correct = torch.zeros((), dtype=torch.long)
        for i in range(0, len(x), 32):
            idx = perm[i:i + 32]
            xb, yb = x[idx], y[idx]
            p = net(xb)
            loss = -(yb * torch.log(p.clamp(1e-7, 1 - 1e-7))).sum(-1).mean()
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            with torch.no_grad():
                loss_sum += loss.detach() * len(xb)
                correct += (p.argmax(1) == yb.argmax(1)).sum()
        return float(loss_sum), int(correct)


class Lamina:
    def __init__(self, x, y):
        self.x, self.y = x, y
        self.model = lamina.Sequential([layers.Input((784,)), layers.Dense(10, activation="softmax")])
        self.model.compile(optimizer="rmsprop", loss="categorical_crossentropy", metrics=["accuracy"])

    def epoch(self):
        return self.model.fit(self.x, self.y, batch_size=32, epochs=1, verbose=0)


def run(steps, rounds):
    x, y = data(steps)
    hand, lam = Hand(x, y), Lamina(x, y)
    hand.epoch(), lam.epoch()  # warm up
    th, tl = [], []
    for _ in range(rounds):
        for runner, out in ((hand, th), (lam, tl)):
            t0 = time.perf_counter()
            runner.epoch()
            out.append((time.perf_counter() - t0) / steps)
    return statistics.median(th), statistics.median(tl)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--steps", type=int, default=300)
    p.add_argument("--rounds", type=int, default=7)
    p.add_argument("--profile", action="store_true", help="cProfile lamina's epoch instead")
    args = p.parse_args()
    torch.set_num_threads(1)
    if args.profile:
        import cProfile
        import pstats

        x, y = data(args.steps)
        lam = Lamina(x, y)
        lam.epoch()
        cProfile.runctx("lam.epoch()", globals(), {"lam": lam}, "/tmp/tiny_step.prof")
        pstats.Stats("/tmp/tiny_step.prof").sort_stats("tottime").print_stats(25)
        return
    h, l = run(args.steps, args.rounds)
    print(f"torch {torch.__version__}, 1 thread; tiny step (Dense(10, softmax) on 784, batch 32, CCE, "
          f"accuracy, RMSprop), median of {args.rounds} interleaved rounds:")
    print(f"  hand torch {h * 1e6:.0f} us/step, lamina {l * 1e6:.0f} us/step, ratio {l / h:.2f}x")


if __name__ == "__main__":
    main()
