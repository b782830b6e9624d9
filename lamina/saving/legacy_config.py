"""Configs written by Keras 1, Keras 2 (tf.keras) and Keras 3's legacy HDF5, brought to one form.

Differences handled (see shared/reference/keras-formats.md, section 2.2):

- Keras <= 2.2.2 wrote a Sequential's ``config`` as a bare list of layer configs;
- ``"class_name": "Model"`` for functional models (Keras 2);
- ``batch_input_shape`` instead of ``batch_shape``; ``dtype`` as a plain string (handled by the
  layer base); BatchNormalization ``axis`` as a one-element list;
- recurrent layers' ``time_major: false`` (dropped as an unset key by the loader);
- functional ``inbound_nodes`` as nested lists ``[[[name, node, tensor, kwargs], ...], ...]``
  (converted in ``model_config``), and a nested model's first outer call numbered node 1.
"""

from __future__ import annotations

import json


def decode(value):
    """An HDF5 attribute or JSON value as ``str`` (h5py returns bytes or str by version)."""
    if isinstance(value, bytes):
        return value.decode("utf-8")
    if hasattr(value, "tobytes") and getattr(value, "dtype", None) is not None and value.dtype.kind == "S":
        return value.tobytes().decode("utf-8")
    return value


def parse_json(value, what="config"):
    value = decode(value)
    if isinstance(value, dict):
        return value
    return json.loads(value)


def normalize_model_config(config: dict) -> dict:
    """A top-level (or nested) model config in the Keras 3 shape: ``{"class_name", "config"}``
    with ``config`` a dict (``layers`` ...)."""
    if not isinstance(config, dict) or "class_name" not in config:
        return config
    out = dict(config)
    cls = out["class_name"]
    inner = out.get("config")
    if cls == "Model":
        out["class_name"] = "Functional"
    if cls == "Sequential" and isinstance(inner, list):
        out["config"] = {"name": "sequential", "layers": inner}
    return out


def fix_layer_config(class_name: str, cfg: dict) -> dict:
    """Per-layer differences between Keras 1/2 and Keras 3 configs."""
    if not isinstance(cfg, dict):
        return cfg
    if class_name == "BatchNormalization" and isinstance(cfg.get("axis"), list) and len(cfg["axis"]) == 1:
        cfg = dict(cfg)
        cfg["axis"] = cfg["axis"][0]
    return cfg


def uses_nested_list_nodes(layer_configs) -> bool:
    """True for Keras 1/2 functional configs (inbound nodes as nested lists)."""
    for lc in layer_configs:
        for node in lc.get("inbound_nodes") or []:
            return isinstance(node, list)
    return False


def owns_first_node(layer_config: dict) -> bool:
    """Keras 2 node-index trap: a nested Functional, or a Sequential that knows its input shape,
    owns its internal node 0, so its first call in the outer graph is node 1."""
    cls = layer_config.get("class_name")
    if cls in ("Functional", "Model"):
        return True
    if cls == "Sequential":
        inner = layer_config.get("config")
        layers = inner if isinstance(inner, list) else (inner or {}).get("layers", [])
        if not layers:
            return False
        first = layers[0]
        return first.get("class_name") == "InputLayer" or "batch_input_shape" in (first.get("config") or {})
    return False


def keras2_metrics(metrics):
    """tf.keras training_config metrics (``MeanMetricWrapper`` configs, nested per output) as
    names lamina's compile() takes."""
    if metrics is None:
        return None
    if isinstance(metrics, dict) and "class_name" not in metrics:
        return {k: keras2_metrics(v) for k, v in metrics.items()}
    if isinstance(metrics, list):
        out = [keras2_metrics(m) for m in metrics]
        if len(out) == 1 and isinstance(out[0], list):
            return out[0]
        return out
    return keras2_metric(metrics)


def keras2_metric(m):
    if isinstance(m, dict) and m.get("class_name") == "MeanMetricWrapper":
        cfg = m.get("config") or {}
        return cfg.get("name") or cfg.get("fn")
    return m


def keras2_loss(loss):
    """A tf.keras loss config: ``reduction: 'auto'`` is Keras 3's ``'sum_over_batch_size'``."""
    if isinstance(loss, dict) and "class_name" in loss:
        cfg = dict(loss.get("config") or {})
        if cfg.get("reduction") == "auto":
            cfg["reduction"] = "sum_over_batch_size"
        out = dict(loss)
        out["config"] = cfg
        return out
    if isinstance(loss, dict):
        return {k: keras2_loss(v) for k, v in loss.items()}
    if isinstance(loss, list):
        return [keras2_loss(v) for v in loss]
    return loss
