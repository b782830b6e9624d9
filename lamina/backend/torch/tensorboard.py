"""TensorBoard event files under torch: ``torch.utils.tensorboard``'s writer (the ``tensorboard``
package's own event-file writer, no TensorFlow), the model graph and the profiler trace.

The ``TensorBoard`` callback (``lamina.callbacks``) reaches these through ``backend.tensorboard``.
"""

from __future__ import annotations

import os
import warnings

import torch

from lamina.backend.torch.ops.core import DEVICE, to_torch_dtype


def summary_writer(log_dir):
    """A writer with ``add_scalar``/``add_histogram``/``add_image``/``add_embedding``/``flush``/
    ``close`` that writes event files into ``log_dir``."""
    try:
        from torch.utils.tensorboard import SummaryWriter
    except ImportError as e:  # torch raises this when the tensorboard package is missing
        raise ImportError(
            "The TensorBoard callback needs the 'tensorboard' package (its event-file writer): "
            "pip install tensorboard  (or pip install 'lamina[tensorboard]')."
        ) from e
    return SummaryWriter(log_dir)


class _Inference(torch.nn.Module):
    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, *xs):
        return self.model(xs[0] if len(xs) == 1 else list(xs), training=False)


def write_graph(writer, model, input_shapes, dtypes) -> bool:
    """Trace ``model`` on zeros of ``input_shapes`` (batch 1) and write its graph; False (with a
    warning) when torch cannot trace it."""
    xs = tuple(torch.zeros((1,) + tuple(d or 1 for d in s[1:]), dtype=to_torch_dtype(t), device=DEVICE)
               for s, t in zip(input_shapes, dtypes))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the tracer's own TracerWarnings
            writer.add_graph(_Inference(model), xs)
        return True
    except Exception as e:  # noqa: BLE001  (a graph is a nicety: training goes on)
        warnings.warn(f"TensorBoard: the graph of model '{model.name}' could not be traced by "
                      f"torch.jit ({type(e).__name__}: {e}); no graph is written.", stacklevel=3)
        return False


def start_trace(log_dir):
    """Start the torch profiler; its Chrome trace goes to ``log_dir`` (TensorBoard's profile
    plugin for PyTorch reads it) when :func:`stop_trace` is called."""
    activities = [torch.profiler.ProfilerActivity.CPU]
    if DEVICE.type == "cuda":
        activities.append(torch.profiler.ProfilerActivity.CUDA)
    os.makedirs(log_dir, exist_ok=True)
    prof = torch.profiler.profile(activities=activities, record_shapes=True,
                                  on_trace_ready=torch.profiler.tensorboard_trace_handler(log_dir))
    prof.start()
    return prof


def stop_trace(prof) -> None:
    prof.stop()
