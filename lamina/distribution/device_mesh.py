"""DeviceMesh: the devices of a distributed job laid out along named axes (Keras 3's name)."""

from __future__ import annotations

import math


class DeviceMesh:
    """A grid of devices with named axes, as in ``keras.distribution.DeviceMesh``.

    With torch.distributed every process drives one device, so the mesh of a data-parallel job
    is one axis (``'batch'``) with one entry per process; lamina keeps the mesh as a description
    (the process group does the communication).

    Args:
        shape: the mesh shape, e.g. ``(8,)`` or ``(2, 4)``.
        axis_names: one name per axis, e.g. ``['batch']``.
        devices: the device names, as many as ``prod(shape)`` (default: one per process).

    Example:

    >>> mesh = DeviceMesh((2,), ["batch"], devices=["cpu:0", "cpu:1"])
    >>> mesh.shape, mesh.axis_names
    ((2,), ['batch'])
    """

    def __init__(self, shape, axis_names, devices=None):
        shape = tuple(int(s) for s in shape)
        axis_names = list(axis_names)
        if len(shape) != len(axis_names):
            raise ValueError(
                f"DeviceMesh: shape {shape} has {len(shape)} axes but axis_names {axis_names} has "
                f"{len(axis_names)}. Give one name per axis, e.g. DeviceMesh((8,), ['batch'])."
            )
        if devices is not None:
            devices = [str(d) for d in devices]
            if len(devices) != math.prod(shape):
                raise ValueError(
                    f"DeviceMesh: shape {shape} holds {math.prod(shape)} devices but {len(devices)} "
                    "were given. Pass as many devices as the mesh has places."
                )
        self.shape = shape
        self.axis_names = axis_names
        self.devices = devices

    def __repr__(self):
        return f"DeviceMesh(shape={self.shape}, axis_names={self.axis_names})"
