"""ONE prepared GPU check for lamina: end-to-end CUDA training, then timings against hand-written torch.

On a CUDA machine it checks, each as PASS/FAIL with the reason:
  1. an MLP trains with its weights, optimizer slots and metric state on the GPU;
  2. a CNN (Conv2D/MaxPooling2D) trains;
  3. an LSTM runs torch's fused (cuDNN) kernel (``use_cudnn=True`` raises if it cannot) and matches
     the step loop (``use_cudnn=False``);
  4. mixed precision: fit under ``torch.autocast('cuda', bfloat16)``; float16 autocast is refused
     with lamina's message (no loss scaling yet);
  5. ``compile(jit_compile=True)`` trains like eager (compile time and epoch time printed);
  6. array data stays in host memory and moves per batch (pinned, non_blocking, one ahead).
Then it times (medians, one process, CUDA-synchronised): an epoch of mnist_mlp and mnist_cnn in
lamina vs a hand-written torch loop (data moved per batch from host memory, as lamina does; and
the hand loop with the data resident on the GPU as the upper bound), one-sample predict, and TF32
on vs off; each printed as a ratio lamina / hand. Without a GPU it runs everything at tiny sizes on
the CPU and says that no GPU was found.

Run: python benchmarks/gpu_check.py [--samples 60000] [--epochs 3]   (~3 min on one GPU)
"""

from __future__ import annotations

import argparse
import statistics
import time
import traceback

import numpy as np
import torch

import lamina
from lamina import layers

CUDA = torch.cuda.is_available()
DEV = lamina.backend.ops.DEVICE
RESULTS = []


def sync():
    if CUDA:
        torch.cuda.synchronize()


def check(name):
    def wrap(fn):
        def run(*a):
            t0 = time.perf_counter()
            try:
                detail = fn(*a)
                RESULTS.append((name, "PASS", detail or ""))
            except Exception as e:  # report every check, do not stop at the first failure
                RESULTS.append((name, "FAIL", f"{type(e).__name__}: {e}"))
                traceback.print_exc()
            print(f"[{RESULTS[-1][1]}] {name} ({time.perf_counter() - t0:.1f} s) {RESULTS[-1][2]}", flush=True)
        return run
    return wrap


def mnist_like(n, image=False, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.random((n, 28, 28, 1) if image else (n, 784), dtype=np.float32)
    labels = rng.integers(0, 10, n)
    flat = x.reshape(n, -1)
    flat[np.arange(n), labels * 70] = 3.0  # a learnable signal
    return x, np.eye(10, dtype="float32")[labels]


def mlp():
    return lamina.Sequential([layers.Input((784,)), layers.Dense(512, activation="relu"), layers.Dropout(0.2),
                              layers.Dense(512, activation="relu"), layers.Dropout(0.2),
                              layers.Dense(10, activation="softmax")])


def cnn():
    return lamina.Sequential([layers.Input((28, 28, 1)), layers.Conv2D(32, 3, activation="relu"),
                              layers.Conv2D(64, 3, activation="relu"), layers.MaxPooling2D(2),
                              layers.Dropout(0.25), layers.Flatten(), layers.Dense(128, activation="relu"),
                              layers.Dropout(0.5), layers.Dense(10, activation="softmax")])


def _devices(tensors):
    return {t.device.type for t in tensors if t is not None}  # scalar slots are Python numbers


@check("MLP trains on the device (weights, optimizer slots, metric state)")
def check_mlp(n):
    x, y = mnist_like(n)
    model = mlp()
    model.compile("rmsprop", "categorical_crossentropy", metrics=["accuracy"])
    h = model.fit(x, y, batch_size=128, epochs=3, verbose=0)
    places = _devices([v.value for v in model.weights])
    places |= _devices([v.value for v in model.optimizer.variables])
    places |= _devices([v.value for m in model._compile_metrics.metrics for v in m.variables])
    if places != {DEV.type}:
        raise AssertionError(f"state on {places}, expected {DEV.type}")
    if not h.history["loss"][-1] < h.history["loss"][0]:
        raise AssertionError(f"loss did not fall: {h.history['loss']}")
    return f"loss {h.history['loss'][0]:.3f} -> {h.history['loss'][-1]:.3f}, all state on {DEV}"


@check("CNN trains")
def check_cnn(n):
    x, y = mnist_like(n, image=True)
    model = cnn()
    model.compile("adam", "categorical_crossentropy", metrics=["accuracy"])
    h = model.fit(x, y, batch_size=128, epochs=2, verbose=0)
    if not h.history["loss"][-1] < h.history["loss"][0]:
        raise AssertionError(f"loss did not fall: {h.history['loss']}")
    return f"loss {h.history['loss'][0]:.3f} -> {h.history['loss'][-1]:.3f}"


@check("LSTM runs the fused kernel (cuDNN on CUDA) and matches the step loop")
def check_lstm(n):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(n, 20, 8)).astype("float32")
    y = x.sum(axis=(1, 2))[:, None].astype("float32") / 10
    lamina.utils.set_random_seed(1)
    fused = lamina.Sequential([layers.Input((20, 8)), layers.LSTM(32, use_cudnn=True), layers.Dense(1)])
    loop = lamina.Sequential([layers.Input((20, 8)), layers.LSTM(32, use_cudnn=False), layers.Dense(1)])
    loop.set_weights(fused.get_weights())
    diff = np.abs(fused.predict(x[:64], verbose=0) - loop.predict(x[:64], verbose=0)).max()
    if diff > 1e-4:
        raise AssertionError(f"fused and step-loop outputs differ by {diff:.2e}")
    fused.compile("adam", "mse")
    h = fused.fit(x, y, batch_size=64, epochs=3, verbose=0)
    if not h.history["loss"][-1] < h.history["loss"][0]:
        raise AssertionError(f"loss did not fall: {h.history['loss']}")
    cudnn = CUDA and torch.backends.cudnn.is_available() and torch.backends.cudnn.enabled
    return f"max |fused - loop| = {diff:.1e}; cuDNN {'on' if cudnn else 'not in use (CPU)'}; loss {h.history['loss'][0]:.3f} -> {h.history['loss'][-1]:.3f}"


@check("mixed precision (bfloat16 autocast trains; float16 autocast refused clearly)")
def check_mixed(n):
    x, y = mnist_like(n)
    out = []
    bf16 = torch.cuda.is_bf16_supported() if CUDA else True
    if bf16:
        model = mlp()
        model.compile("adam", "categorical_crossentropy")
        with torch.autocast(DEV.type, dtype=torch.bfloat16):
            h = model.fit(x, y, batch_size=128, epochs=2, verbose=0)
        if not h.history["loss"][-1] < h.history["loss"][0]:
            raise AssertionError(f"bfloat16 loss did not fall: {h.history['loss']}")
        out.append(f"bfloat16 loss {h.history['loss'][0]:.3f} -> {h.history['loss'][-1]:.3f}")
    else:
        out.append("bfloat16 not supported by this GPU")
    model = mlp()
    model.compile("adam", "categorical_crossentropy")
    try:
        with torch.autocast(DEV.type, dtype=torch.float16):
            model.fit(x[:256], y[:256], batch_size=128, epochs=1, verbose=0)
        out.append("float16 autocast ran (unexpected: lamina has no loss scaling)")
    except ValueError as e:
        out.append("float16 refused: " + str(e)[:60] + "...")
    return "; ".join(out)


@check("jit_compile=True trains like eager")
def check_jit(n):
    x, y = mnist_like(n)
    models = []
    for jit in (False, True):
        lamina.utils.set_random_seed(0)
        model = lamina.Sequential([layers.Input((784,)), layers.Dense(128, activation="relu"),
                                   layers.Dense(10, activation="softmax")])
        model.compile("adam", "categorical_crossentropy", jit_compile=jit)
        times = []
        timer = lamina.callbacks.LambdaCallback(
            on_epoch_begin=lambda e, logs: (sync(), times.append(-time.perf_counter())),
            on_epoch_end=lambda e, logs: (sync(), times.__setitem__(-1, times[-1] + time.perf_counter())))
        model.fit(x, y, batch_size=128, epochs=3, verbose=0, shuffle=False, callbacks=[timer])
        models.append((model, times))
    (eager, te), (jit, tj) = models
    diff = max(float(np.abs(a - b).max()) for a, b in zip(eager.get_weights(), jit.get_weights()))
    if diff > 1e-3:
        raise AssertionError(f"weights differ by {diff:.2e}")
    return (f"max weight diff {diff:.1e}; first epoch (compile) {tj[0]:.2f} s vs eager {te[0]:.2f} s; "
            f"later epochs jit/eager = {statistics.median(tj[1:]) / statistics.median(te[1:]):.2f}x")


@check("array data stays on the host and moves per batch")
def check_host_data(n):
    from lamina.training.data_adapter import make_data

    x, y = mnist_like(n)
    data = make_data(x, y, batch_size=128, shuffle=True)
    if data.x.device.type != "cpu":
        raise AssertionError(f"fit would keep the arrays on {data.x.device}")
    batch = next(iter(lamina.backend.data.device_batches(data.epoch())))
    return f"host arrays on cpu, batches arrive on {batch[0].device}"


# ------------------------------------------------------------------ timings
def lamina_epochs(build, x, y, epochs, tf32=False):
    lamina.backend.enable_tensor_float_32_execution(tf32)
    lamina.utils.set_random_seed(0)
    model = build()
    model.compile("rmsprop", "categorical_crossentropy", metrics=["accuracy"])
    times = []
    timer = lamina.callbacks.LambdaCallback(
        on_epoch_begin=lambda e, logs: (sync(), times.append(-time.perf_counter())),
        on_epoch_end=lambda e, logs: (sync(), times.__setitem__(-1, times[-1] + time.perf_counter())))
    model.fit(x, y, batch_size=128, epochs=epochs, verbose=0, callbacks=[timer])
    lamina.backend.enable_tensor_float_32_execution(False)
    return statistics.median(times[1:])


def torch_net(kind):
    nn = torch.nn
    if kind == "mlp":
        net = nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Dropout(0.2), nn.Linear(512, 512), nn.ReLU(),
                            nn.Dropout(0.2), nn.Linear(512, 10))
    else:
        net = nn.Sequential(nn.Conv2d(1, 32, 3), nn.ReLU(), nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
                            nn.Dropout(0.25), nn.Flatten(), nn.Linear(9216, 128), nn.ReLU(), nn.Dropout(0.5),
                            nn.Linear(128, 10))
    return net.to(DEV)


def hand_epochs(kind, x, y, epochs, resident):
    """The loop a torch user writes: shuffled batches, forward, loss, backward, step, running loss
    and accuracy kept on the device. Data either moved per batch from pinned host memory (as
    lamina does) or resident on the GPU."""
    torch.manual_seed(0)
    net = torch_net(kind)
    opt = torch.optim.RMSprop(net.parameters(), lr=0.001, alpha=0.9, eps=1e-7)
    xt = torch.from_numpy(x if kind == "mlp" else x.transpose(0, 3, 1, 2).copy())
    yt = torch.from_numpy(y.argmax(1))
    if resident:
        xt, yt = xt.to(DEV), yt.to(DEV)
    times = []
    for _ in range(epochs):
        sync()
        t0 = time.perf_counter()
        net.train()
        perm = torch.randperm(len(xt), device=xt.device)
        loss_sum = torch.zeros((), device=DEV)
        correct = torch.zeros((), dtype=torch.long, device=DEV)
        for i in range(0, len(xt), 128):
            idx = perm[i:i + 128]
            xb, yb = xt[idx], yt[idx]
            if not resident and CUDA:
                xb, yb = xb.pin_memory().to(DEV, non_blocking=True), yb.pin_memory().to(DEV, non_blocking=True)
            logits = net(xb)
            loss = torch.nn.functional.cross_entropy(logits, yb)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            with torch.no_grad():
                loss_sum += loss.detach() * len(xb)
                correct += (logits.argmax(1) == yb).sum()
        float(loss_sum), int(correct)
        sync()
        times.append(time.perf_counter() - t0)
    return statistics.median(times[1:])


def one_sample_predict(n):
    model = lamina.Sequential([layers.Input((20,)), layers.Dense(64, activation="relu"), layers.Dense(10)])
    net = torch.nn.Sequential(torch.nn.Linear(20, 64), torch.nn.ReLU(), torch.nn.Linear(64, 10)).to(DEV).eval()
    x = np.random.randn(1, 20).astype("float32")
    hand, lam = [], []
    for _ in range(n):
        t0 = time.perf_counter()
        with torch.no_grad():
            net(torch.from_numpy(x).to(DEV)).cpu().numpy()
        hand.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        model.predict(x, verbose=0)
        lam.append(time.perf_counter() - t0)
    return statistics.median(hand), statistics.median(lam)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--samples", type=int, default=60000 if CUDA else 512)
    p.add_argument("--epochs", type=int, default=3)
    args = p.parse_args()
    n = args.samples
    if CUDA:
        print(f"GPU: {torch.cuda.get_device_name(DEV)}, torch {torch.__version__}, CUDA {torch.version.cuda}, "
              f"cuDNN {torch.backends.cudnn.version()}, lamina device {DEV}")
    else:
        print(f"No GPU was found (torch.cuda.is_available() is False): running the same checks at "
              f"tiny size ({n} samples) on {DEV}. Figures below are NOT GPU figures.")
    small = min(n, 4096)
    check_mlp(small)
    check_cnn(min(small, 2048))
    check_lstm(min(small, 1024))
    check_mixed(min(small, 2048))
    check_jit(min(small, 2048))
    check_host_data(small)

    print("\nTimings (median of epochs 2..N, batch 128, RMSprop, accuracy metric):")
    for kind, build, image in (("mnist_mlp", mlp, False), ("mnist_cnn", cnn, True)):
        m = n if kind == "mnist_mlp" else (n if CUDA else n // 2)
        x, y = mnist_like(m, image=image)
        lam = lamina_epochs(build, x, y, args.epochs)
        hand = hand_epochs("mlp" if not image else "cnn", x, y, args.epochs, resident=False)
        line = f"  {kind:10s} ({m} samples): lamina {lam:.3f} s, hand torch {hand:.3f} s, ratio {lam / hand:.2f}x"
        if CUDA:
            res = hand_epochs("mlp" if not image else "cnn", x, y, args.epochs, resident=True)
            tf32 = lamina_epochs(build, x, y, args.epochs, tf32=True)
            line += (f"; hand with data resident on the GPU {res:.3f} s (lamina/that {lam / res:.2f}x); "
                     f"lamina with TF32 {tf32:.3f} s ({lam / tf32:.2f}x faster)")
        print(line, flush=True)
    h, l = one_sample_predict(2000 if CUDA else 300)
    print(f"  one-sample predict: hand {h * 1e3:.3f} ms, lamina {l * 1e3:.3f} ms, ratio {l / h:.2f}x")

    failed = [r for r in RESULTS if r[1] == "FAIL"]
    print(f"\n{len(RESULTS) - len(failed)}/{len(RESULTS)} checks passed" + (" (no GPU: CPU only)" if not CUDA else ""))
    raise SystemExit(1 if failed else 0)


if __name__ == "__main__":
    main()
