"""Benchmark: ResNet50 and MobileNetV2 inference throughput (images/s, batch 32, CPU), in one run.

Three implementations of each architecture, all with random weights, 224x224x3 inputs:
  lamina      ``lamina.applications.ResNet50(weights=None)``, ``model.predict_on_batch(x)`` (NHWC);
  keras3      ``keras.applications.ResNet50(weights=None)`` on Keras 3's torch backend, same call;
  torch       torchvision's model if torchvision imports, otherwise the same architecture written
              in plain ``torch.nn`` below (NCHW, ``model.eval()``, ``torch.inference_mode()``),
              laid out as Keras's (ResNet50 v1 strides on the first 1x1 conv of a block, as in
              Keras; torchvision's "v1.5" strides on the 3x3).
The variants are interleaved round by round so that load from other processes hits them alike.
Prints the median batch time of each, images/s, and the ratio of lamina's time to the others'
(the issue's target: lamina no more than 10% slower than torchvision).

    OMP_NUM_THREADS=1 python benchmarks/applications.py [--rounds 5] [--batch-size 32] [--models resnet50,mobilenetv2]
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
from torch import nn  # noqa: E402

import lamina  # noqa: E402


# -- plain torch.nn references ------------------------------------------------------------------------

class Bottleneck(nn.Module):
    def __init__(self, cin, filters, stride, shortcut):
        super().__init__()
        eps = 1.001e-5
        self.shortcut = nn.Sequential(nn.Conv2d(cin, 4 * filters, 1, stride), nn.BatchNorm2d(4 * filters, eps)) \
            if shortcut else None
        self.body = nn.Sequential(
            nn.Conv2d(cin, filters, 1, stride), nn.BatchNorm2d(filters, eps), nn.ReLU(inplace=True),
            nn.Conv2d(filters, filters, 3, padding=1), nn.BatchNorm2d(filters, eps), nn.ReLU(inplace=True),
            nn.Conv2d(filters, 4 * filters, 1), nn.BatchNorm2d(4 * filters, eps))

    def forward(self, x):
        s = x if self.shortcut is None else self.shortcut(x)
        return torch.relu(s + self.body(x))


def torch_resnet50(classes=1000):
    blocks, cin = [], 64
    for filters, n, stride in ((64, 3, 1), (128, 4, 2), (256, 6, 2), (512, 3, 2)):
        for i in range(n):
            blocks.append(Bottleneck(cin, filters, stride if i == 0 else 1, i == 0))
            cin = 4 * filters
    return nn.Sequential(
        nn.ZeroPad2d(3), nn.Conv2d(3, 64, 7, 2), nn.BatchNorm2d(64, 1.001e-5), nn.ReLU(inplace=True),
        nn.ZeroPad2d(1), nn.MaxPool2d(3, 2), *blocks, nn.AdaptiveAvgPool2d(1), nn.Flatten(),
        nn.Linear(2048, classes), nn.Softmax(dim=1))


class InvertedResidual(nn.Module):
    def __init__(self, cin, cout, stride, expansion):
        super().__init__()
        hidden = cin * expansion
        layers_ = []
        if expansion != 1:
            layers_ += [nn.Conv2d(cin, hidden, 1, bias=False), nn.BatchNorm2d(hidden, 1e-3), nn.ReLU6(inplace=True)]
        pad = nn.ZeroPad2d((0, 1, 0, 1)) if stride == 2 else nn.ZeroPad2d(1)  # Keras: correct_pad, valid
        layers_ += [pad, nn.Conv2d(hidden, hidden, 3, stride, groups=hidden, bias=False), nn.BatchNorm2d(hidden, 1e-3),
                    nn.ReLU6(inplace=True), nn.Conv2d(hidden, cout, 1, bias=False), nn.BatchNorm2d(cout, 1e-3)]
        self.body = nn.Sequential(*layers_)
        self.residual = stride == 1 and cin == cout

    def forward(self, x):
        y = self.body(x)
        return x + y if self.residual else y


def torch_mobilenet_v2(classes=1000):
    spec = ((16, 1, 1), (24, 2, 6), (24, 1, 6), (32, 2, 6), (32, 1, 6), (32, 1, 6), (64, 2, 6), (64, 1, 6),
            (64, 1, 6), (64, 1, 6), (96, 1, 6), (96, 1, 6), (96, 1, 6), (160, 2, 6), (160, 1, 6), (160, 1, 6),
            (320, 1, 6))
    blocks, cin = [], 32
    for cout, stride, expansion in spec:
        blocks.append(InvertedResidual(cin, cout, stride, expansion))
        cin = cout
    return nn.Sequential(
        nn.ZeroPad2d((0, 1, 0, 1)), nn.Conv2d(3, 32, 3, 2, bias=False), nn.BatchNorm2d(32, 1e-3),
        nn.ReLU6(inplace=True), *blocks, nn.Conv2d(320, 1280, 1, bias=False), nn.BatchNorm2d(1280, 1e-3),
        nn.ReLU6(inplace=True), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(1280, classes), nn.Softmax(dim=1))


def torch_reference(name):
    try:
        import torchvision  # noqa: F401
        from torchvision import models

        return (models.resnet50() if name == "resnet50" else models.mobilenet_v2()), "torchvision"
    except Exception as e:  # not installed, or its compiled ops do not match this torch build
        reason = f"{type(e).__name__}: {str(e).splitlines()[0][:80]}" if str(e) else type(e).__name__
        model = torch_resnet50() if name == "resnet50" else torch_mobilenet_v2()
        return model, f"torch.nn (torchvision unavailable: {reason})"


# -- timing -------------------------------------------------------------------------------------------

def build(name, keras):
    fn = {"resnet50": "ResNet50", "mobilenetv2": "MobileNetV2"}[name]
    variants = {"lamina": getattr(lamina.applications, fn)(weights=None)}
    if keras is not None:
        variants["keras3"] = getattr(keras.applications, fn)(weights=None)
    tm, label = torch_reference(name)
    variants["torch"] = tm.eval()
    return variants, label


def run_once(kind, model, x_nhwc, x_nchw):
    """(wall seconds, CPU seconds of this process) of one batch."""
    t, c = time.perf_counter(), time.process_time()
    if kind == "torch":
        with torch.inference_mode():
            model(x_nchw)
    else:
        model.predict_on_batch(x_nhwc)
    return time.perf_counter() - t, time.process_time() - c


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--models", default="resnet50,mobilenetv2")
    args = parser.parse_args()
    os.environ.setdefault("KERAS_BACKEND", "torch")
    try:
        import keras
    except Exception as e:  # noqa: BLE001
        print(f"Keras 3 unavailable ({e}); comparing lamina with torch only")
        keras = None
    if "OMP_NUM_THREADS" in os.environ:  # the same thread count in every arm
        torch.set_num_threads(int(os.environ["OMP_NUM_THREADS"]))
    print(f"torch {torch.__version__}, {torch.get_num_threads()} thread(s), batch {args.batch_size}, 224x224x3")
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, (args.batch_size, 224, 224, 3)).astype("float32")
    x_nchw = torch.from_numpy(np.ascontiguousarray(x.transpose(0, 3, 1, 2)))
    for name in args.models.split(","):
        variants, label = build(name, keras)
        for kind, model in variants.items():  # warm-up (first-call work, allocator)
            run_once(kind, model, x, x_nchw)
        times = {k: [] for k in variants}
        for r in range(args.rounds):
            order = list(variants.items())
            for kind, model in order if r % 2 == 0 else order[::-1]:
                times[kind].append(run_once(kind, model, x, x_nchw))
        med = {k: statistics.median(w for w, _ in v) for k, v in times.items()}
        cpu = {k: statistics.median(c for _, c in v) for k, v in times.items()}
        print(f"\n{name}: median of {args.rounds} batches (torch = {label}); load average "
              f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs (on a shared machine, trust the CPU-time ratio)")
        for kind in variants:
            print(f"  {kind:7s} {med[kind] * 1e3:9.1f} ms/batch  {args.batch_size / med[kind]:7.1f} images/s"
                  f"  lamina/{kind} time ratio {med['lamina'] / med[kind]:.3f}"
                  f"  CPU-time ratio {cpu['lamina'] / cpu[kind]:.3f}")


if __name__ == "__main__":
    main()
