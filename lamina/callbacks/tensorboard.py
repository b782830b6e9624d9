"""TensorBoard: training curves, weight histograms, the graph and a profile, without TensorFlow."""

from __future__ import annotations

import os

import numpy as np

from lamina import backend, ops
from lamina.callbacks.callback import Callback


class TensorBoard(Callback):
    """Write TensorBoard event files (``tensorboard --logdir <log_dir>``) during fit().

    The files are Keras's: ``<log_dir>/train`` gets ``epoch_<name>`` scalars for every logged
    value and ``epoch_learning_rate``, ``<log_dir>/validation`` gets ``epoch_<name>`` for the
    ``val_`` values (prefix removed) and ``evaluation_<name>_vs_iterations``. They are written
    by the ``tensorboard`` package's event writer (as exposed by the backend:
    ``torch.utils.tensorboard`` under torch); TensorFlow is not needed.

    Args:
        log_dir: the folder to write into.
        histogram_freq: every how many epochs to write a histogram of every weight
            (``<layer>/<weight>/histogram``); 0 for none.
        write_graph: write the model's graph (traced by the backend on zeros of the model's
            input shapes; a model that cannot be traced is skipped with a warning).
        write_images: with ``histogram_freq``, also write 1D and 2D weights as images.
        write_steps_per_second: also log the training speed (``epoch_steps_per_second``).
        update_freq: ``'epoch'``, ``'batch'`` (= 1), or an int ``n``: also write
            ``batch_<name>`` scalars (the epoch's running values) and ``batch_learning_rate``
            every ``n`` batches, with the global batch count as step.
        profile_batch: profile batch ``n`` (an int, counted from 1 over the whole run) or the
            batches ``(start, stop)`` with the backend's profiler (torch.profiler), whose trace
            goes to ``<log_dir>/train/plugins/profile``; 0 for none.
        embeddings_freq: every how many epochs to write the matrices of the ``Embedding``
            layers for TensorBoard's projector; 0 for none.
        embeddings_metadata: a file of labels per layer name (``{layer_name: path}``) or one
            path for all, shown by the projector; optional.

    Example:

    ```python
    tb = lamina.callbacks.TensorBoard("logs/run1", histogram_freq=1, update_freq=50)
    model.fit(x, y, validation_split=0.1, epochs=10, callbacks=[tb])
    ```
    """

    accepts_lazy_logs = True  # batch logs are read only every update_freq batches

    def __init__(self, log_dir="logs", histogram_freq=0, write_graph=True, write_images=False,
                 write_steps_per_second=False, update_freq="epoch", profile_batch=0,
                 embeddings_freq=0, embeddings_metadata=None):
        super().__init__()
        self.log_dir = os.fspath(log_dir)
        self.histogram_freq = _count("histogram_freq", histogram_freq)
        self.write_graph = write_graph
        self.write_images = write_images
        self.write_steps_per_second = write_steps_per_second
        if update_freq == "batch":
            update_freq = 1
        if update_freq != "epoch" and (isinstance(update_freq, bool) or not isinstance(update_freq, int)
                                       or update_freq < 1):
            raise ValueError(f"TensorBoard: invalid update_freq={update_freq!r}; expected 'epoch', "
                             "'batch' or a positive integer (a number of batches).")
        self.update_freq = update_freq
        self.profile_batch = profile_batch
        self._start_batch, self._stop_batch = _profile_range(profile_batch)
        self.embeddings_freq = _count("embeddings_freq", embeddings_freq)
        self.embeddings_metadata = embeddings_metadata
        self._writers = {}
        self._batch = 0
        self._profiler = None

    def _writer(self, which):
        if which not in self._writers:
            self._writers[which] = backend.tensorboard.summary_writer(os.path.join(self.log_dir, which))
        return self._writers[which]

    # ------------------------------------------------------------------ fit
    def on_train_begin(self, logs=None):
        self._batch = 0
        train = self._writer("train")
        if self.write_graph:
            inputs = getattr(self.model, "inputs", None) or []
            if inputs:
                backend.tensorboard.write_graph(train, self.model, [tuple(i.shape) for i in inputs],
                                                [i.dtype for i in inputs])

    def on_epoch_begin(self, epoch, logs=None):
        import time

        self._epoch_start = (time.perf_counter(), self._batch)

    def on_train_batch_begin(self, batch, logs=None):
        self._batch += 1
        if self._start_batch and self._batch == self._start_batch and self._profiler is None:
            self._profiler = backend.tensorboard.start_trace(
                os.path.join(self.log_dir, "train", "plugins", "profile"))

    def on_train_batch_end(self, batch, logs=None):
        if self._profiler is not None and self._batch >= self._stop_batch:
            backend.tensorboard.stop_trace(self._profiler)
            self._profiler = None
        if self.update_freq == "epoch" or self._batch % self.update_freq:
            return
        values = logs() if callable(logs) else (logs or {})
        w = self._writer("train")
        for name, value in values.items():
            w.add_scalar(f"batch_{name}", float(value), self._batch)
        lr = self._learning_rate()
        if lr is not None:
            w.add_scalar("batch_learning_rate", lr, self._batch)

    def on_test_end(self, logs=None):
        opt = getattr(self.model, "optimizer", None)
        if opt is None or not logs:
            return
        w = self._writer("validation")
        for name, value in logs.items():
            w.add_scalar(f"evaluation_{name}_vs_iterations", float(value), int(opt.iterations))
        w.flush()

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        train = {k: v for k, v in logs.items() if not k.startswith("val_")}
        lr = self._learning_rate()
        if lr is not None:
            train["learning_rate"] = lr
        if self.write_steps_per_second:
            import time

            t0, b0 = self._epoch_start
            train["steps_per_second"] = (self._batch - b0) / max(time.perf_counter() - t0, 1e-9)
        w = self._writer("train")
        for name, value in train.items():
            w.add_scalar(f"epoch_{name}", float(value), epoch)
        val = {k[4:]: v for k, v in logs.items() if k.startswith("val_")}
        if val:
            wv = self._writer("validation")
            for name, value in val.items():
                wv.add_scalar(f"epoch_{name}", float(value), epoch)
            wv.flush()
        if self.histogram_freq and epoch % self.histogram_freq == 0:
            self._log_weights(w, epoch)
        if self.embeddings_freq and epoch % self.embeddings_freq == 0:
            self._log_embeddings(w, epoch)
        w.flush()

    def on_train_end(self, logs=None):
        if self._profiler is not None:
            backend.tensorboard.stop_trace(self._profiler)
            self._profiler = None
        for w in self._writers.values():
            w.close()
        self._writers = {}

    # ------------------------------------------------------------------ helpers
    def _learning_rate(self):
        opt = getattr(self.model, "optimizer", None)
        try:
            return float(opt.learning_rate) if opt is not None else None
        except (TypeError, ValueError, AttributeError):
            return None

    def _log_weights(self, w, epoch):
        for v in self.model.weights:
            name = v.path.replace(":", "_")
            value = np.asarray(v.numpy())
            w.add_histogram(f"{name}/histogram", value, epoch)
            if self.write_images:
                img = _weight_image(value)
                if img is not None:
                    w.add_image(f"{name}/image", img, epoch, dataformats="HW")

    def _log_embeddings(self, w, epoch):
        from lamina.layers import Embedding

        for layer in self.model._flatten_layers():
            if not isinstance(layer, Embedding) or not layer.built:
                continue
            matrix = ops.convert_to_numpy(layer.embeddings)  # the value: an array under JAX
            meta = self.embeddings_metadata
            path = meta.get(layer.name) if isinstance(meta, dict) else meta
            labels = None
            if path:
                with open(path) as f:
                    labels = [line.rstrip("\n") for line in f][: len(matrix)]
            w.add_embedding(matrix, metadata=labels, tag=layer.name, global_step=epoch)


def _count(name, value):
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"TensorBoard: {name} must be a non-negative integer (a number of "
                         f"epochs, 0 to turn it off); received {name}={value!r}.")
    return value


def _profile_range(profile_batch):
    message = (f"TensorBoard: profile_batch must be a non-negative integer or a pair of positive "
               f"integers (start, stop) with start <= stop; received profile_batch={profile_batch!r}.")
    if isinstance(profile_batch, str):
        try:
            profile_batch = [int(p) for p in profile_batch.split(",")]
        except ValueError:
            raise ValueError(message) from None
        profile_batch = profile_batch[0] if len(profile_batch) == 1 else tuple(profile_batch)
    if isinstance(profile_batch, int) and not isinstance(profile_batch, bool) and profile_batch >= 0:
        return profile_batch, profile_batch
    if (isinstance(profile_batch, (tuple, list)) and len(profile_batch) == 2
            and all(isinstance(p, int) and p > 0 for p in profile_batch) and profile_batch[0] <= profile_batch[1]):
        return tuple(profile_batch)
    raise ValueError(message)


def _weight_image(value):
    """A 2D grayscale image (values in [0, 1]) of a 1D or 2D weight (a kernel is drawn wide)."""
    w = np.squeeze(value)
    if w.ndim == 1:
        w = w[None, :]
    elif w.ndim == 2:
        if w.shape[0] > w.shape[1]:
            w = w.T
    else:
        return None
    lo, hi = float(w.min()), float(w.max())
    return (w - lo) / (hi - lo) if hi > lo else np.zeros_like(w)
