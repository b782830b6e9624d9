"""ModelCheckpoint: save the model (or its weights) during training."""

from __future__ import annotations

import math
import os

from lamina.errors import deprecated

try:
    from lamina.callbacks.callback import Callback
except ImportError:  # the callbacks package arrives from its own branch; the same hooks apply
    class Callback:  # type: ignore[no-redef]
        """Minimal stand-in for lamina.callbacks.callback.Callback (same hooks)."""

        def __init__(self):
            self.model = None
            self.params = {}

        def set_model(self, model):
            self.model = model

        def set_params(self, params):
            self.params = params


_MAX_METRICS = ("acc", "accuracy", "auc", "precision", "recall", "f1", "fmeasure", "iou")


class ModelCheckpoint(Callback):
    """Save the model or its weights at the end of every epoch (or every ``save_freq`` batches).

    ``filepath`` may contain ``{epoch}`` (1-based) and the names of logged values, formatted
    with ``str.format``: ``'weights.{epoch:02d}-{val_loss:.2f}.keras'``. Files are written
    atomically, so an interrupted run never leaves a half-written checkpoint.

    Args:
        filepath: where to save. Whole models: ``.keras`` (or legacy ``.h5``); weights only:
            ``.weights.h5`` (or legacy ``.h5``).
        monitor: the logged value to watch for ``save_best_only`` (default ``'val_loss'``).
        verbose: 1 prints a line at each save.
        save_best_only: save only when ``monitor`` improves (the file is overwritten unless
            ``filepath`` contains a formatting field).
        save_weights_only: save only the weights.
        mode: ``'min'``, ``'max'`` or ``'auto'`` (max for accuracy-like names, else min).
        save_freq: ``'epoch'`` or a number of batches.
        initial_value_threshold: a first "best" value to beat (with ``save_best_only``).
        period: (Keras 1/2) save every ``period`` epochs; use ``save_freq`` instead.

    Example:
        >>> cb = ModelCheckpoint("best.keras", monitor="val_loss", save_best_only=True)
        >>> cb.monitor, cb.mode
        ('val_loss', 'min')
    """

    #: batch-end logs arrive as a callable, read only when a checkpoint is due (no per-step sync)
    accepts_lazy_logs = True

    def __init__(self, filepath, monitor="val_loss", verbose=0, save_best_only=False,
                 save_weights_only=False, mode="auto", save_freq="epoch",
                 initial_value_threshold=None, **kwargs):
        super().__init__()
        self.period = 1
        if "period" in kwargs:
            self.period = int(kwargs.pop("period"))
            deprecated(f"ModelCheckpoint(period={self.period})",
                       "ModelCheckpoint(save_freq='epoch') (every epoch) or save_freq=<batches>")
            if self.period < 1:
                raise ValueError(f"ModelCheckpoint: period must be >= 1, received {self.period}.")
        kwargs.pop("options", None)
        kwargs.pop("load_weights_on_restart", None)
        if kwargs:
            raise TypeError(f"ModelCheckpoint() got unexpected arguments {sorted(kwargs)}.")
        self.filepath = os.fspath(filepath)
        self.monitor = monitor
        self.verbose = verbose
        self.save_best_only = save_best_only
        self.save_weights_only = save_weights_only
        self.save_freq = save_freq
        self._check_filepath()
        if save_freq != "epoch" and not (isinstance(save_freq, int) and save_freq > 0):
            raise ValueError(
                f"ModelCheckpoint: save_freq must be 'epoch' or a positive number of batches, "
                f"received {save_freq!r}.")
        if mode not in ("auto", "min", "max"):
            raise ValueError(f"ModelCheckpoint: mode must be 'auto', 'min' or 'max', received {mode!r}.")
        if mode == "auto":
            name = str(monitor).lower()
            mode = "max" if any(k in name for k in _MAX_METRICS) else "min"
        self.mode = mode
        if initial_value_threshold is not None:
            self.best = float(initial_value_threshold)
        else:
            self.best = -math.inf if mode == "max" else math.inf
        self._current_epoch = 0
        self._batches_seen = 0
        self._last_batch = 0

    def _check_filepath(self):
        name = self.filepath.lower()
        if self.save_weights_only:
            ok = name.endswith((".weights.h5", ".h5", ".hdf5"))
            want = "'.weights.h5' (or a legacy '.h5')"
        else:
            ok = name.endswith((".keras", ".h5", ".hdf5"))
            want = "'.keras' (or a legacy '.h5')"
        if not ok:
            raise ValueError(
                f"ModelCheckpoint: filepath '{self.filepath}' must end in {want} when "
                f"save_weights_only={self.save_weights_only}.")

    # ------------------------------------------------------------------ hooks
    def on_epoch_begin(self, epoch, logs=None):
        self._current_epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        if self.save_freq == "epoch":
            return
        self._batches_seen += 1
        if self._batches_seen >= self.save_freq:
            self._batches_seen = 0
            self._last_batch = batch
            self._save(self._current_epoch, batch, _resolve(logs))

    def on_epoch_end(self, epoch, logs=None):
        self._current_epoch = epoch
        if self.save_freq == "epoch" and (epoch + 1) % self.period == 0:
            self._save(epoch, None, _resolve(logs))

    # ------------------------------------------------------------------ saving
    def _path(self, epoch, batch, logs):
        try:
            return self.filepath.format(epoch=epoch + 1, batch=None if batch is None else batch + 1,
                                        **(logs or {}))
        except KeyError as e:
            raise KeyError(
                f"ModelCheckpoint: filepath '{self.filepath}' uses {e}, which is not among the "
                f"logged values {sorted(logs or {})} (nor epoch/batch).") from None

    def _save(self, epoch, batch, logs):
        path = self._path(epoch, batch, logs)
        if self.save_best_only:
            current = (logs or {}).get(self.monitor)
            if current is None:
                from lamina.callbacks.monitor_callback import check_monitor

                check_monitor(self, self.monitor, logs, "saving the best model")
                return
            current = float(current)
            better = current > self.best if self.mode == "max" else current < self.best
            if not better:
                if self.verbose:
                    print(f"\nEpoch {epoch + 1}: {self.monitor} did not improve from {self.best:.5f}")
                return
            if self.verbose:
                print(f"\nEpoch {epoch + 1}: {self.monitor} improved from {self.best:.5f} to "
                      f"{current:.5f}, saving model to {path}")
            self.best = current
        elif self.verbose:
            print(f"\nEpoch {epoch + 1}: saving model to {path}")
        if self.save_weights_only:
            self.model.save_weights(path, overwrite=True)
        else:
            self.model.save(path, overwrite=True)


def _resolve(logs):
    return logs() if callable(logs) else (logs or {})
