"""Image folder loading: lamina's image_dataset_from_directory against a torch DataLoader, in one process.

Writes a temporary folder of JPEG files (natural-image-like: smooth gradients plus noise, random
sizes around 320x240), then prints medians and ratios for:

1. images per second decoded and resized to 160x160 (bilinear): lamina with 1 thread and with
   ``workers`` threads, against a ``torch.utils.data.DataLoader`` whose Dataset does the same work
   (the same decode-and-resize function) with 0 and ``workers`` worker processes (torch intra-op
   threads set to 1 for this part: see the comment in main);
2. one training epoch of a small CNN fed from image_dataset_from_directory against the same epoch
   fed from the already decoded arrays in memory (the difference should be at most the decode cost).

Run: python benchmarks/image_folder.py [--images 400] [--workers 2] [--repeats 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time

import numpy as np
import torch
from PIL import Image

import lamina
from lamina import layers
from lamina.utils.image_dataset_utils import load_image

SIZE = (160, 160)


def write_folder(root, n, classes=4, seed=0):
    rng = np.random.RandomState(seed)
    for c in range(classes):
        os.makedirs(os.path.join(root, f"class_{c}"), exist_ok=True)
    for i in range(n):
        h, w = rng.randint(200, 280), rng.randint(280, 360)
        yy, xx = np.mgrid[0:h, 0:w]
        base = np.stack([(xx * (c + 1) + yy) % 256 for c in range(3)], -1)
        pixels = np.clip(base + rng.randint(0, 40, (h, w, 3)), 0, 255).astype("uint8")
        Image.fromarray(pixels).save(os.path.join(root, f"class_{i % classes}", f"{i:05d}.jpg"), quality=90)


class TorchFolder(torch.utils.data.Dataset):
    """The same decode-and-resize as lamina's loader, as a map-style torch Dataset."""

    def __init__(self, paths, labels):
        self.paths, self.labels = paths, labels

    def __len__(self):
        return len(self.paths)

    def __getitem__(self, i):
        return torch.from_numpy(load_image(self.paths[i], SIZE, 3, "bilinear")), int(self.labels[i])


def timed(fn, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def drain(iterable):
    return sum(len(batch[1]) for batch in iterable)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--images", type=int, default=400)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    root = tempfile.mkdtemp()
    write_folder(root, args.images)
    n = args.images
    print(f"{n} JPEG files, resized to {SIZE}; {os.cpu_count()} CPUs, torch threads {torch.get_num_threads()}")

    def lamina_ds(workers, batch_size=32, size=SIZE):
        return lamina.utils.image_dataset_from_directory(root, image_size=size, batch_size=batch_size, seed=0,
                                                         verbose=False, workers=workers)

    # torch.stack in the DataLoader's collate runs on torch's intra-op threads; on a shared, loaded
    # machine their spin-waiting made the collate cost more than the decoding, so part 1 uses one.
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    ds = lamina_ds(1)
    torch_set = TorchFolder(ds.file_paths, np.zeros(len(ds.file_paths)))
    rows = []
    for name, make in [
        ("lamina, 1 thread", lambda: lamina_ds(1)),
        (f"lamina, {args.workers} threads", lambda: lamina_ds(args.workers)),
        ("torch DataLoader, 0 workers", lambda: torch.utils.data.DataLoader(torch_set, batch_size=32, shuffle=True)),
        (f"torch DataLoader, {args.workers} workers",
         lambda: torch.utils.data.DataLoader(torch_set, batch_size=32, shuffle=True, num_workers=args.workers)),
    ]:
        seconds = timed(lambda make=make: drain(make()), args.repeats)
        rows.append((name, n / seconds))
    base = rows[2][1]
    print("\n1. Decode + resize throughput (median of %d passes)" % args.repeats)
    for name, rate in rows:
        print(f"  {name:<32} {rate:8.0f} images/s   ({rate / base:.2f}x torch DataLoader, 0 workers)")

    torch.set_num_threads(threads)

    # 2. One epoch of a small CNN: from the folder vs from decoded arrays.
    small = (64, 64)
    folder_ds = lamina_ds(args.workers, size=small)
    decode_only = timed(lambda: drain(folder_ds), args.repeats)
    x = np.concatenate([b[0] for b in lamina_ds(args.workers, size=small)]) / 255.0
    y = np.concatenate([b[1] for b in lamina_ds(args.workers, size=small)])
    lamina.utils.set_random_seed(0)
    model = lamina.Sequential([
        lamina.Input((64, 64, 3)), layers.Conv2D(16, 3, strides=2, activation="relu"),
        layers.Conv2D(32, 3, strides=2, activation="relu"), layers.GlobalAveragePooling2D(), layers.Dense(4),
    ])
    model.compile("adam", lamina.losses.SparseCategoricalCrossentropy(from_logits=True))
    model.fit(x[:64], y[:64], epochs=1, verbose=0)  # warm-up
    arrays = timed(lambda: model.fit(x, y, batch_size=32, epochs=1, verbose=0, shuffle=True), args.repeats)
    print("\n2. One training epoch (small CNN, 64x64, batch 32, median of %d)" % args.repeats)
    print(f"  from in-memory arrays                       {arrays:7.2f} s")
    for workers in sorted({1, args.workers}):
        scaled = lamina_ds(workers, size=small).map(lambda a, b: (a / 255.0, b)).prefetch(2)
        folder = timed(lambda scaled=scaled: model.fit(scaled, epochs=1, verbose=0), args.repeats)
        print(f"  from image_dataset_from_directory, {workers} thread(s) {folder:6.2f} s   ({folder / arrays:.2f}x arrays, "
              f"{folder - arrays:+.2f} s; {folder / (arrays + decode_only):.2f}x arrays + decode, target <= 1)")
    print(f"  decode alone ({args.workers} threads, no model)              {decode_only:7.2f} s")


if __name__ == "__main__":
    main()
