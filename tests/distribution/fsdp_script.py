"""The README's FSDP2 recipe on CPU (gloo): run by tests/distribution/test_fsdp2.py under torchrun.

Usage: python fsdp_script.py RESULTS_DIR. Shards a lamina model with ``fully_shard`` (each layer,
then the root), trains 3 AdamW steps on this rank's 16 rows of a 32-row global batch, and writes
RESULTS_DIR/rank{r}.npz: the full (gathered) weights, this rank's shard shapes, and the weights of
a reference copy trained in this process, unsharded, on the whole global batch.
"""

import sys

import numpy as np
import torch
import torch.distributed as dist
from torch.distributed.fsdp import fully_shard

import lamina as keras

dist.init_process_group("gloo")  # "nccl" on GPUs, with torch.cuda.set_device(LOCAL_RANK)
rank, world = dist.get_rank(), dist.get_world_size()


def build():
    keras.utils.set_random_seed(0)  # the same initial weights on every rank
    return keras.Sequential([keras.layers.Input((8,)), keras.layers.Dense(32, activation="relu"),
                             keras.layers.Dense(4)])


def batch(step, r):
    rng = np.random.default_rng(100 * step + r)
    return (torch.tensor(rng.normal(size=(16, 8)), dtype=torch.float32),
            torch.tensor(rng.integers(0, 4, 16)))


model, reference = build(), build()
for layer in model.layers:  # the README shards layers above a size; here every one
    fully_shard(layer)
fully_shard(model)
opt = torch.optim.AdamW(model.parameters(), lr=1e-2)
ref_opt = torch.optim.AdamW(reference.parameters(), lr=1e-2)
for step in range(3):
    x, y = batch(step, rank)
    loss = torch.nn.functional.cross_entropy(model(x, training=True), y)
    loss.backward()
    opt.step()
    opt.zero_grad()
    parts = [batch(step, r) for r in range(world)]  # the global batch, in one process
    xs, ys = torch.cat([p[0] for p in parts]), torch.cat([p[1] for p in parts])
    ref_loss = torch.nn.functional.cross_entropy(reference(xs, training=True), ys)
    ref_loss.backward()
    ref_opt.step()
    ref_opt.zero_grad()
full = [p.full_tensor().detach().numpy() for p in model.parameters()]
local = [tuple(p.to_local().shape) for p in model.parameters()]
np.savez(f"{sys.argv[1]}/rank{rank}.npz",
         **{f"full{i}": w for i, w in enumerate(full)},
         **{f"ref{i}": p.detach().numpy() for i, p in enumerate(reference.parameters())},
         **{f"shape{i}": np.array(s) for i, s in enumerate(local)},
         **{f"init{i}": p.detach().numpy() for i, p in enumerate(build().parameters())})
dist.destroy_process_group()
