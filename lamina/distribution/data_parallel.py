"""DataParallel: every process holds the whole model and trains on its shard of each batch."""

from __future__ import annotations

from lamina import backend
from lamina.distribution.device_mesh import DeviceMesh


class DataParallel:
    """Data parallelism with Keras 3's name, run by torch.distributed (DDP semantics).

    One process per device (``torchrun --nproc_per_node=N train.py``); each process keeps a full
    copy of the model. ``batch_size`` in ``fit``/``evaluate``/``predict`` is the GLOBAL batch:
    each of the N processes computes on its ``batch_size / N`` rows of every batch, gradients are
    summed so the update is the one a single process would make on the whole batch, and weights
    stay identical on every rank. Losses and metrics are reduced over ranks, ``predict`` gathers
    in order, and only rank 0 prints progress and writes files. Under torchrun this is the
    default; constructing it joins the process group (NCCL on CUDA, gloo on CPU).

    Args:
        device_mesh: a one-axis :class:`DeviceMesh` (default: one entry per process).
        devices: device names, instead of a mesh.
        auto_shard_dataset: accepted for Keras compatibility; sharding is always per batch.

    Example:

    ```python
    import lamina as keras
    keras.distribution.set_distribution(keras.distribution.DataParallel())
    model.fit(x, y, batch_size=256)   # 256 rows per step over all processes
    ```
    """

    def __init__(self, device_mesh=None, devices=None, auto_shard_dataset=True):
        dist = backend.distributed
        dist.initialize()
        if device_mesh is None:
            n = dist.world_size()
            kind = getattr(backend.ops.DEVICE, "type", None) or backend.ops.DEVICE.platform  # torch, jax
            devices = devices or [f"{kind}:{r}" for r in range(n)]
            device_mesh = DeviceMesh((len(devices),), ["batch"], devices)
        if len(device_mesh.shape) != 1:
            raise ValueError(
                f"DataParallel: the device mesh must have one axis, received shape "
                f"{device_mesh.shape}. Model parallelism (several axes) is not implemented; see the "
                "README's 'GPUs and several processes' section for FSDP2."
            )
        self.device_mesh = device_mesh
        self.batch_dim_name = device_mesh.axis_names[0]
        self.auto_shard_dataset = auto_shard_dataset

    @property
    def num_processes(self) -> int:
        return backend.distributed.world_size()

    @property
    def process_id(self) -> int:
        return backend.distributed.rank()

    def __repr__(self):
        return f"DataParallel(mesh={self.device_mesh}, process {self.process_id} of {self.num_processes})"
