"""TensorBoard event files under JAX: the ``tensorboard`` package's own event-file writer and
protocol buffers (no TensorFlow, no torch), the model's layer graph and ``jax.profiler``'s trace.

The ``TensorBoard`` callback (``lamina.callbacks``) reaches these through ``backend.tensorboard``;
the writer has the methods it calls on torch's ``SummaryWriter`` (``add_scalar``,
``add_histogram``, ``add_image``, ``add_embedding``, ``flush``, ``close``), writing the same
records.
"""

from __future__ import annotations

import io
import os
import time
import warnings

import numpy as np

_INSTALL = ("The TensorBoard callback needs the 'tensorboard' package (its event-file writer): "
            "pip install tensorboard  (or pip install 'lamina[tensorboard]').")


def _protos():
    try:
        from tensorboard.compat.proto import event_pb2, summary_pb2
        from tensorboard.summary.writer.event_file_writer import EventFileWriter
    except ImportError as e:
        raise ImportError(_INSTALL) from e
    return event_pb2, summary_pb2, EventFileWriter


class _Writer:
    """Scalars, histograms, images and projector embeddings as TensorBoard event records."""

    def __init__(self, log_dir):
        self._event_pb2, self._summary_pb2, writer_cls = _protos()
        self.log_dir = str(log_dir)
        self._file = writer_cls(self.log_dir)

    def _add(self, value, step, wall_time=None):
        summary = self._summary_pb2.Summary(value=[value])
        self._event(summary=summary, step=step, wall_time=wall_time)

    def _event(self, step=None, wall_time=None, **fields):
        event = self._event_pb2.Event(wall_time=wall_time or time.time(), **fields)
        if step is not None:
            event.step = int(step)
        self._file.add_event(event)

    def add_scalar(self, tag, value, global_step=None, walltime=None):
        self._add(self._summary_pb2.Summary.Value(tag=tag, simple_value=float(value)), global_step, walltime)

    def add_histogram(self, tag, values, global_step=None, bins=30, walltime=None):
        v = np.asarray(values, dtype=np.float64).ravel()
        counts, edges = np.histogram(v, bins=bins) if v.size else (np.zeros(0), np.zeros(1))
        hist = self._summary_pb2.HistogramProto(
            min=float(v.min()) if v.size else 0.0, max=float(v.max()) if v.size else 0.0,
            num=int(v.size), sum=float(v.sum()), sum_squares=float((v * v).sum()),
            bucket_limit=[float(e) for e in edges[1:]], bucket=[float(c) for c in counts])
        self._add(self._summary_pb2.Summary.Value(tag=tag, histo=hist), global_step, walltime)

    def add_image(self, tag, img, global_step=None, walltime=None, dataformats="CHW"):
        from PIL import Image

        a = np.asarray(img, dtype=np.float64)
        if dataformats == "HW":
            a = a[:, :, None]
        elif dataformats == "CHW":
            a = np.transpose(a, (1, 2, 0))
        elif dataformats != "HWC":
            raise ValueError(f"add_image: dataformats must be 'HW', 'CHW' or 'HWC', received {dataformats!r}.")
        pixels = np.clip(a * 255.0 + 0.5, 0, 255).astype(np.uint8)
        mode = {1: "L", 3: "RGB", 4: "RGBA"}[pixels.shape[2]]
        buf = io.BytesIO()
        Image.fromarray(pixels[:, :, 0] if mode == "L" else pixels, mode).save(buf, format="PNG")
        image = self._summary_pb2.Summary.Image(height=pixels.shape[0], width=pixels.shape[1],
                                                colorspace=pixels.shape[2], encoded_image_string=buf.getvalue())
        self._add(self._summary_pb2.Summary.Value(tag=tag, image=image), global_step, walltime)

    def add_embedding(self, mat, metadata=None, tag="default", global_step=None):
        """The projector plugin's files: ``<step>/<tag>/tensors.tsv`` (and ``metadata.tsv``) and
        an entry appended to ``projector_config.pbtxt``, as torch's writer lays them out."""
        step = int(global_step or 0)
        sub = os.path.join(f"{step:05}", tag)
        folder = os.path.join(self.log_dir, sub)
        os.makedirs(folder, exist_ok=True)
        mat = np.asarray(mat)
        with open(os.path.join(folder, "tensors.tsv"), "w") as f:
            for row in mat.reshape(len(mat), -1):
                f.write("\t".join(repr(float(x)) for x in row) + "\n")
        entry = [f'  tensor_name: "{tag}:{step:05}"', f'  tensor_path: "{sub}/tensors.tsv"']
        if metadata is not None:
            with open(os.path.join(folder, "metadata.tsv"), "w") as f:
                f.write("".join(f"{m}\n" for m in metadata))
            entry.append(f'  metadata_path: "{sub}/metadata.tsv"')
        with open(os.path.join(self.log_dir, "projector_config.pbtxt"), "a") as f:
            f.write("embeddings {\n" + "\n".join(entry) + "\n}\n")

    def add_graph_def(self, graph_def):
        self._event(graph_def=graph_def.SerializeToString())

    def flush(self):
        self._file.flush()

    def close(self):
        self._file.close()


def summary_writer(log_dir):
    """A writer with ``add_scalar``/``add_histogram``/``add_image``/``add_embedding``/``flush``/
    ``close`` that writes event files into ``log_dir``."""
    return _Writer(log_dir)


def write_graph(writer, model, input_shapes, dtypes) -> bool:
    """Write ``model``'s layer graph (one node per layer, named by the layer, its op the layer's
    class, its inputs the layers feeding it): the conceptual graph TensorBoard draws. False (with
    a warning) for a model without a graph of layers (a subclassed model)."""
    from tensorboard.compat.proto import graph_pb2, node_def_pb2

    layers = list(getattr(model, "layers", []))
    if not layers:
        warnings.warn(f"TensorBoard: model '{model.name}' has no graph of layers; no graph is written.",
                      stacklevel=3)
        return False
    graph = graph_pb2.GraphDef()
    previous = None
    for layer in layers:
        inputs = []
        for node in getattr(layer, "_inbound_nodes", []):
            for parent in node.parent_nodes:
                name = parent.layer.name
                if name not in inputs and parent.layer in layers:
                    inputs.append(name)
        if not inputs and previous is not None and type(model).__name__ == "Sequential":
            inputs = [previous]
        graph.node.append(node_def_pb2.NodeDef(name=layer.name, op=type(layer).__name__, input=inputs))
        previous = layer.name
    writer.add_graph_def(graph)
    return True


def start_trace(log_dir):
    """Start ``jax.profiler``'s trace; TensorBoard's profile plugin reads what it writes under
    ``<run>/plugins/profile/`` (``log_dir`` is that folder) when :func:`stop_trace` is called."""
    import jax

    run_dir = os.path.dirname(os.path.dirname(os.path.normpath(log_dir)))  # <run>/plugins/profile
    jax.profiler.start_trace(run_dir)
    return run_dir


def stop_trace(prof) -> None:
    import jax

    jax.profiler.stop_trace()
