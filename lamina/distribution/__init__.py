"""lamina.distribution: training over several processes with Keras 3's distribution API names.

The engine is torch.distributed: launch the same script with ``torchrun --nproc_per_node=N
train.py`` and ``fit`` trains data-parallel (see :class:`DataParallel`). Code here is
backend-neutral; the process group and collectives live in ``lamina.backend.torch.distributed``.
"""

from __future__ import annotations

from lamina import backend
from lamina.distribution.data_parallel import DataParallel
from lamina.distribution.device_mesh import DeviceMesh
from lamina.distribution.model_parallel import LayoutMap, ModelParallel

__all__ = ["DataParallel", "DeviceMesh", "LayoutMap", "ModelParallel", "list_devices", "initialize", "set_distribution",
           "distribution", "process_rank", "num_processes", "is_chief", "chief_writes"]

_CURRENT = None


def list_devices(device_type=None) -> list:
    """This process's devices ('cpu:0' or 'cuda:0', 'cuda:1', ...), as ``keras.distribution``."""
    return backend.distributed.local_devices(device_type)


def initialize(job_addresses=None, num_processes=None, process_id=None) -> None:
    """Join the process group (Keras 3's signature); without arguments torchrun's environment
    says where the coordinator is, how many processes there are and which one this is."""
    address = job_addresses.split(",")[0] if isinstance(job_addresses, str) else (
        job_addresses[0] if job_addresses else None)
    backend.distributed.initialize(address, num_processes, process_id)


def set_distribution(value) -> None:
    """Make ``value`` (a :class:`DataParallel`, or None) the distribution of later ``compile``s."""
    if value is not None and not isinstance(value, DataParallel):
        raise TypeError(
            f"set_distribution() expects a lamina.distribution.DataParallel or None, received "
            f"{type(value).__name__}. ModelParallel is not implemented: shard the model with "
            "FSDP2's fully_shard (see the README's 'GPUs and several processes')."
        )
    global _CURRENT
    _CURRENT = value


def distribution():
    """The distribution set by :func:`set_distribution`; under torchrun with several processes,
    a :class:`DataParallel` created on first use."""
    global _CURRENT
    if _CURRENT is None and backend.distributed.env_world_size() > 1:
        _CURRENT = DataParallel()
    return _CURRENT


def process_rank() -> int:
    return backend.distributed.rank()


def num_processes() -> int:
    return backend.distributed.world_size()


def is_chief() -> bool:
    """True in the process that prints and writes files (rank 0, or the only process)."""
    return backend.distributed.rank() == 0


def chief_writes(fn, *args, **kwargs):
    """Run ``fn`` (a save) on rank 0 only; every rank then waits at a barrier for it."""
    if num_processes() <= 1:
        return fn(*args, **kwargs)
    result = fn(*args, **kwargs) if is_chief() else None
    backend.distributed.barrier()
    return result


def data_parallel_active() -> bool:
    """Whether fit/evaluate/predict should run data-parallel steps (a distribution over >1 process)."""
    current = distribution()
    return current is not None and current.num_processes > 1


def _synchronized_batch_norm_train(x, gamma, beta, moving_mean, moving_variance, axis, momentum, epsilon):
    """``BatchNormalization(synchronized=True)`` in training: the moments of every rank's rows."""
    return backend.distributed.sync_batch_norm_train(x, gamma, beta, moving_mean, moving_variance,
                                                     axis, momentum, epsilon)
