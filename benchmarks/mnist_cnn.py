"""Benchmark: the classic Keras mnist_cnn in lamina vs a hand-written PyTorch loop, in one run.

Model (both sides): Conv2D(32, 3, relu) -> Conv2D(64, 3, relu) -> MaxPooling2D(2) -> Dropout(0.25)
-> Flatten -> Dense(128, relu) -> Dropout(0.5) -> Dense(10, softmax); Adam(1e-3); batch 128;
synthetic 28x28x1 data. lamina runs channels_last (NHWC, Keras layout) on permuted views; the
PyTorch reference runs NCHW with nn.Conv2d.

Three variants are timed, interleaved batch by batch so that load from other processes hits
them alike (the fit variant runs one torch step from a callback after each fit batch):
  torch        hand-written loop: forward, F.cross_entropy, backward, torch.optim.Adam step;
  lamina-loop  the same hand-written loop around ``model(x, training=True)`` (lamina's layers,
               torch.optim.Adam on ``model.parameters()``): isolates the layers' cost;
  lamina-fit   ``model.compile('adam', 'sparse_categorical_crossentropy'); model.fit(...)``
               (skipped with 'fit not available' where compile/fit cannot run).

Prints the median epoch time of each and its ratio to torch (target <= 1.10), plus the ratio of
the fastest epochs and of the median step (both less sensitive to a busy machine).

    python benchmarks/mnist_cnn.py [--samples 6000] [--epochs 3] [--batch-size 128]

JAX column: ``LAMINA_BACKEND=jax python benchmarks/mnist_cnn.py`` times ``model.fit`` (one epoch
per call) against a hand-written jax.jit + optax loop of the same network (benchmarks/jax_hand.py)
that starts from the lamina model's initial weights and visits the batches in the same order,
epochs interleaved; the first epoch (compiles included) is reported apart.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

import lamina  # noqa: E402
from lamina import layers  # noqa: E402


def lamina_model():
    return lamina.Sequential([
        layers.Conv2D(32, kernel_size=(3, 3), activation="relu", input_shape=(28, 28, 1)),
        layers.Conv2D(64, (3, 3), activation="relu"),
        layers.MaxPooling2D(pool_size=(2, 2)),
        layers.Dropout(0.25),
        layers.Flatten(),
        layers.Dense(128, activation="relu"),
        layers.Dropout(0.5),
        layers.Dense(10, activation="softmax"),
    ])


class TorchCNN(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = torch.nn.Conv2d(1, 32, 3)
        self.conv2 = torch.nn.Conv2d(32, 64, 3)
        self.fc1 = torch.nn.Linear(9216, 128)
        self.fc2 = torch.nn.Linear(128, 10)

    def forward(self, x):
        x = F.relu(self.conv1(x))
        x = F.relu(self.conv2(x))
        x = F.max_pool2d(x, 2)
        x = F.dropout(x, 0.25, self.training)
        x = torch.flatten(x, 1)
        x = F.relu(self.fc1(x))
        x = F.dropout(x, 0.5, self.training)
        return self.fc2(x)  # logits; softmax is folded into cross_entropy


def torch_step(model, opt, x, y):
    loss = F.cross_entropy(model(x), y)
    opt.zero_grad(set_to_none=True)
    loss.backward()
    opt.step()


def lamina_step(model, opt, x, y):
    probs = model(x, training=True)
    loss = F.nll_loss(torch.log(probs.clamp_min(1e-7)), y)
    opt.zero_grad(set_to_none=True)
    loss.backward()
    opt.step()


def interleaved_epoch(steps, n, batch_size):
    """One epoch of every hand-written loop, alternating batch by batch (so that load from other
    processes hits them alike); returns each loop's summed step time."""
    totals = dict.fromkeys(steps, 0.0)
    step_times = {k: [] for k in steps}
    perm = torch.randperm(n)
    for j, i in enumerate(range(0, n, batch_size)):
        idx = perm[i:i + batch_size]
        names = list(steps) if j % 2 == 0 else list(reversed(steps))
        for name in names:
            t0 = time.perf_counter()
            steps[name](idx)
            dt = time.perf_counter() - t0
            totals[name] += dt
            step_times[name].append(dt)
    return totals, step_times


def fit_interleaved(model, x, y, epochs, batch_size, torch_step_fn):
    """Time ``model.fit`` batch by batch, running one torch step after each fit batch (from a
    callback) so both see the same machine load. Returns ({'lamina-fit': [...], 'torch (in fit)':
    [...]} epoch times, per-step times), or None where compile/fit/callbacks are not available."""
    try:
        from lamina.callbacks import Callback

        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        model.fit(x[:2 * batch_size], y[:2 * batch_size], batch_size=batch_size, epochs=1, verbose=0)
    except (AttributeError, ImportError) as e:
        print(f"fit not available ({type(e).__name__}: {e})")
        return None

    class Pacer(Callback):
        accepts_lazy_logs = True  # never read the logs: no host sync per step

        def __init__(self):
            super().__init__()
            self.fit, self.ref, self.bounds, self.mark = [], [], [], 0.0

        def on_train_begin(self, logs=None):
            self.mark = time.perf_counter()

        def on_train_batch_end(self, batch, logs=None):
            t0 = time.perf_counter()
            self.fit.append(t0 - self.mark)  # data, step and loop overhead since the last batch
            torch_step_fn()
            t1 = time.perf_counter()
            self.ref.append(t1 - t0)
            self.mark = t1

        def on_epoch_end(self, epoch, logs=None):
            self.bounds.append(len(self.fit))

    pacer = Pacer()
    model.fit(x, y, batch_size=batch_size, epochs=epochs, verbose=0, shuffle=True, callbacks=[pacer])
    cuts = [0] + pacer.bounds
    epoch_times = {
        "lamina-fit": [sum(pacer.fit[a:b]) for a, b in zip(cuts, cuts[1:])],
        "torch": [sum(pacer.ref[a:b]) for a, b in zip(cuts, cuts[1:])],
    }
    return epoch_times, {"lamina-fit": pacer.fit, "torch": pacer.ref}


def report(title, epochs, steps, other):
    base, base_min = statistics.median(epochs["torch"]), min(epochs["torch"])
    step_base = statistics.median(steps["torch"])
    print(f"{title}:")
    print(f"  median epoch: torch {base:.3f}s (min {base_min:.3f}s, median step {step_base * 1e3:.1f} ms)")
    med, step = statistics.median(epochs[other]), statistics.median(steps[other])
    print(f"  median epoch: {other} {med:.3f}s  ratio {med / base:.3f}x (target <= 1.10)")
    print(f"    min-epoch ratio {min(epochs[other]) / base_min:.3f}x, median-step ratio {step / step_base:.3f}x")


def jax_column(args):
    """lamina fit on JAX against the hand-written jax.jit + optax CNN, interleaved epochs."""
    import jax

    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import jax_hand
    from lamina.utils.rng_utils import host_rng

    epochs = max(args.epochs, 3)
    rng = np.random.default_rng(0)
    x = rng.random((args.samples, 28, 28, 1), dtype=np.float32)
    y = rng.integers(0, 10, args.samples).astype(np.int32)
    print(f"mnist_cnn on JAX: {args.samples} samples, batch {args.batch_size}, {epochs} epochs, "
          f"jax {jax.__version__}, device {jax.devices()[0]}")
    lamina.utils.set_random_seed(0)
    model = lamina_model()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    hand = jax_hand.HandCNN(model.get_weights(), x, y, args.batch_size)
    times = {"lamina": [], "hand": []}
    keras_model = _keras_cnn(model.get_weights())
    if keras_model is not None:
        times["keras"] = []
    for e in range(epochs):
        # fit draws the epoch's order from a generator seeded by NumPy's global state (host_rng),
        # so seeding it alike gives the hand loop the very same batches.
        np.random.seed(e)
        t0 = time.perf_counter()
        model.fit(x, y, batch_size=args.batch_size, epochs=1, verbose=0, shuffle=True)
        times["lamina"].append(time.perf_counter() - t0)
        np.random.seed(e)
        times["hand"].append(hand.epoch(host_rng().permutation(args.samples)))
        if keras_model is not None:
            t0 = time.perf_counter()
            keras_model.fit(x, y, batch_size=args.batch_size, epochs=1, verbose=0, shuffle=True)
            times["keras"].append(time.perf_counter() - t0)
        print(f"  epoch {e + 1}: " + ", ".join(f"{k} {v[-1]:.2f}s" for k, v in times.items()), flush=True)
    m_l, m_h = statistics.median(times["lamina"][1:]), statistics.median(times["hand"][1:])
    pair = statistics.median(a / b for a, b in zip(times["lamina"][1:], times["hand"][1:]))
    print(f"median epoch 2..{epochs}: hand jax.jit + optax {m_h:.3f}s, lamina fit (JAX) {m_l:.3f}s, "
          f"ratio {m_l / m_h:.3f}x (median of per-round ratios {pair:.3f}x; target <= 1.10)")
    print(f"first epoch (compiles included): lamina {times['lamina'][0]:.2f}s, hand {times['hand'][0]:.2f}s; "
          f"compile overhead (first - median): lamina {times['lamina'][0] - m_l:.2f}s, "
          f"hand {times['hand'][0] - m_h:.2f}s")
    if keras_model is not None:
        m_k = statistics.median(times["keras"][1:])
        print(f"Keras 3 fit (JAX) median epoch {m_k:.3f}s, first {times['keras'][0]:.2f}s; "
              f"ratio lamina / Keras {m_l / m_k:.3f}x (target <= 1.0)")


def _keras_cnn(weights):
    """The same CNN in Keras 3 on its JAX backend, from lamina's initial weights (None, with the
    reason printed, when Keras 3 on JAX is not available)."""
    os.environ.setdefault("KERAS_BACKEND", "jax")
    try:
        import keras

        if keras.backend.backend() != "jax":
            raise RuntimeError(f"Keras runs on {keras.backend.backend()!r} here (KERAS_BACKEND), not jax")
    except Exception as e:  # noqa: BLE001 - report why the column is missing, keep the rest
        print(f"Keras 3 on JAX not available here: {type(e).__name__}: {e}")
        return None
    L = keras.layers
    m = keras.Sequential([
        keras.Input((28, 28, 1)), L.Conv2D(32, (3, 3), activation="relu"), L.Conv2D(64, (3, 3), activation="relu"),
        L.MaxPooling2D((2, 2)), L.Dropout(0.25), L.Flatten(), L.Dense(128, activation="relu"), L.Dropout(0.5),
        L.Dense(10, activation="softmax")])
    m.set_weights(weights)
    m.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    print(f"keras {keras.__version__} on jax")
    return m


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--samples", type=int, default=6000)
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--batch-size", type=int, default=128)
    args = p.parse_args(argv)
    if lamina.backend.backend() == "jax":
        return jax_column(args)

    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    x_np = rng.random((args.samples, 28, 28, 1), dtype=np.float32)
    y_np = rng.integers(0, 10, args.samples)
    x_nhwc = torch.from_numpy(x_np)
    x_nchw = x_nhwc.permute(0, 3, 1, 2).contiguous()
    y_t = torch.from_numpy(y_np)
    print(f"mnist_cnn: {args.samples} samples, batch {args.batch_size}, {args.epochs} epochs, "
          f"torch {torch.__version__}, {torch.get_num_threads()} threads")

    # 1. Hand-written loops, alternating batch by batch.
    ref = TorchCNN()
    ref_opt = torch.optim.Adam(ref.parameters(), lr=1e-3)
    loop_model = lamina_model()
    loop_opt = torch.optim.Adam(loop_model.parameters(), lr=1e-3)
    steps = {
        "torch": lambda idx: torch_step(ref, ref_opt, x_nchw[idx], y_t[idx]),
        "lamina-loop": lambda idx: lamina_step(loop_model, loop_opt, x_nhwc[idx], y_t[idx]),
    }
    interleaved_epoch(steps, 4 * args.batch_size, args.batch_size)  # warm-up
    epochs = {k: [] for k in steps}
    step_times = {k: [] for k in steps}
    for epoch in range(args.epochs):
        totals, per_step = interleaved_epoch(steps, args.samples, args.batch_size)
        for k in steps:
            epochs[k].append(totals[k])
            step_times[k].extend(per_step[k])
        print(f"  loop epoch {epoch + 1}: " + ", ".join(f"{k} {v[-1]:.2f}s" for k, v in epochs.items()), flush=True)
    report("hand-written loops (forward + backward + torch.optim.Adam)", epochs, step_times, "lamina-loop")

    # 2. model.fit, with a torch step after each fit batch.
    ref2 = TorchCNN()
    ref2_opt = torch.optim.Adam(ref2.parameters(), lr=1e-3)
    perm = {"i": 0, "p": torch.randperm(args.samples)}

    def ref_step():
        i = perm["i"] % (args.samples // args.batch_size)
        idx = perm["p"][i * args.batch_size:(i + 1) * args.batch_size]
        perm["i"] += 1
        torch_step(ref2, ref2_opt, x_nchw[idx], y_t[idx])

    fit = fit_interleaved(lamina_model(), x_np, y_np, args.epochs, args.batch_size, ref_step)
    if fit is not None:
        for e, (a, b) in enumerate(zip(fit[0]["lamina-fit"], fit[0]["torch"])):
            print(f"  fit epoch {e + 1}: lamina-fit {a:.2f}s, torch {b:.2f}s")
        report("model.fit (lamina Adam, loss, metrics loop) vs torch loop", fit[0], fit[1], "lamina-fit")


if __name__ == "__main__":
    main()
