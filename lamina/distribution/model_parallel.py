"""ModelParallel and LayoutMap (Keras 3's names): the layout map works, model parallelism does not.

lamina does not shard a model's weights itself. A lamina model is a ``torch.nn.Module``, so
PyTorch's FSDP2 (``torch.distributed.fsdp.fully_shard``) shards it as it shards any module: see
the README's "GPUs and several processes" section (tested on CPU with gloo in
tests/distribution/test_fsdp2.py).
"""

from __future__ import annotations

import re

from lamina.distribution.device_mesh import DeviceMesh

_FSDP2 = (
    "Shard the model with PyTorch's FSDP2 instead: a lamina model is a torch.nn.Module, so "
    "torch.distributed.fsdp.fully_shard(layer) for each big layer, then fully_shard(model), and a "
    "torch optimizer over model.parameters() (README, 'GPUs and several processes')."
)


class LayoutMap:
    """Weight layouts by path pattern, as ``keras.distribution.LayoutMap``.

    Keys are regular expressions matched (``re.search``) against a weight's path such as
    ``'dense/kernel'``; values are tuples naming a mesh axis (or None) per dimension of the weight.
    Looking a path up returns the layout of the one key that matches it, None when none does.

    Args:
        device_mesh: the :class:`DeviceMesh` whose axis names the layouts use.

    Example:

    >>> mesh = DeviceMesh((2, 4), ["batch", "model"])
    >>> layouts = LayoutMap(mesh)
    >>> layouts["dense.*kernel"] = (None, "model")
    >>> layouts["dense_1/kernel"]
    (None, 'model')
    """

    def __init__(self, device_mesh):
        if not isinstance(device_mesh, DeviceMesh):
            raise TypeError(
                f"LayoutMap expects a lamina.distribution.DeviceMesh, received "
                f"{type(device_mesh).__name__}."
            )
        self.device_mesh = device_mesh
        self._layouts = {}

    def __setitem__(self, key, layout):
        layout = tuple(layout) if isinstance(layout, (list, tuple)) else (layout,)
        unknown = [a for a in layout if a is not None and a not in self.device_mesh.axis_names]
        if unknown:
            raise ValueError(
                f"LayoutMap[{key!r}]: axis {unknown[0]!r} is not an axis of the mesh "
                f"{self.device_mesh.axis_names}. Use those names, or None for a replicated dimension."
            )
        self._layouts[key] = layout

    def __getitem__(self, path):
        if path in self._layouts:
            return self._layouts[path]
        matches = [k for k in self._layouts if re.search(k, path)]
        if len(matches) > 1:
            raise ValueError(
                f"LayoutMap: the path {path!r} matches several keys {matches}; make the patterns "
                "specific enough that one matches."
            )
        return self._layouts[matches[0]] if matches else None

    def __delitem__(self, key):
        del self._layouts[key]

    def __len__(self):
        return len(self._layouts)

    def __iter__(self):
        return iter(self._layouts)


class ModelParallel:
    """Keras 3's ``ModelParallel``: NOT implemented in lamina; constructing it says what to use.

    Args:
        layout_map: a :class:`LayoutMap`.
        batch_dim_name: the mesh axis of the batch.

    Example:

    ```python
    ModelParallel(layout_map=LayoutMap(mesh))   # raises NotImplementedError naming FSDP2
    ```
    """

    def __init__(self, *args, layout_map=None, batch_dim_name=None, **kwargs):
        raise NotImplementedError("lamina.distribution.ModelParallel is not implemented. " + _FSDP2)
