"""BackupAndRestore: continue an interrupted fit() exactly where it stopped."""

from __future__ import annotations

import os
import shutil
import zipfile

import numpy as np

from lamina.callbacks.callback import Callback


class BackupAndRestore(Callback):
    """Back up the whole training state, and resume from it when the same script runs again.

    Every backup holds what the next update depends on: the weights and the layers' random
    seed states, the optimizer's state, the running loss and metrics of the epoch, the epoch
    and the step within it, the data order of the epoch, the random generators (NumPy's,
    Python's and the backend's global one, which dropout with ``seed=None`` draws from), and the
    state of EarlyStopping, ReduceLROnPlateau and ModelCheckpoint. A run killed at any moment
    and started again with the same script (same model, data, callbacks and fit arguments)
    ends with the same weights, bit for bit, as a run that was never interrupted (on CPU, for
    in-memory arrays, an indexed ``PyDataset`` or a torch ``DataLoader``; a plain Python
    generator cannot be rewound, so a new one is read forward past the batches already done).

    A backup is written to a temporary file and then renamed over the previous one, so a kill
    in the middle of a save leaves the previous backup whole. When fit() finishes, the folder
    is deleted (``delete_checkpoint=True``).

    Unlike Keras 3's callback (keras-team/keras#19179), the resumed run is the same run, not
    a similar one: Keras saves only the weights and the epoch.

    Args:
        backup_dir: the folder for the backup; used by this callback only.
        save_freq: ``'epoch'`` to back up at the end of every epoch, or an int ``n`` to back up
            every ``n`` batches.
        double_checkpoint: also keep the backup before the latest one, used when the latest
            cannot be read (a damaged disk, say).
        delete_checkpoint: delete ``backup_dir`` when fit() completes.

    Example:

    ```python
    backup = lamina.callbacks.BackupAndRestore("/tmp/run1", save_freq=100)
    model.fit(x, y, epochs=20, callbacks=[backup])  # killed? run the script again
    ```
    """

    accepts_lazy_logs = True  # never reads the batch logs: no device sync per step

    def __init__(self, backup_dir, save_freq="epoch", double_checkpoint=False, delete_checkpoint=True):
        super().__init__()
        if not backup_dir:
            raise ValueError(
                f"BackupAndRestore: backup_dir must be a folder path; received {backup_dir!r}. "
                "Pass a folder that only this callback uses, e.g. backup_dir='/tmp/backup'.")
        if save_freq != "epoch" and (isinstance(save_freq, bool) or not isinstance(save_freq, int)
                                     or save_freq < 1):
            raise ValueError(
                f"BackupAndRestore: invalid save_freq={save_freq!r}; expected 'epoch' or a "
                "positive integer (a number of batches).")
        self.backup_dir = os.fspath(backup_dir)
        self.save_freq = save_freq
        self.double_checkpoint = double_checkpoint
        self.delete_checkpoint = delete_checkpoint
        self._path = os.path.join(self.backup_dir, "training_state.npz")
        self._prev_path = self._path + ".bkp"
        self._loaded = None
        self._callbacks = []
        self._epoch = 0
        self._epoch_start = None
        self._seen = 0

    # ------------------------------------------------------------------ restore
    def on_train_begin(self, logs=None):
        from lamina.training.training_state import TrainingState

        self._loaded = None
        self._seen = 0
        for path in (self._path, self._prev_path):
            if not os.path.exists(path):
                continue
            try:
                with np.load(path, allow_pickle=False) as f:
                    arrays = {k: f[k] for k in f.files}
            except (OSError, ValueError, EOFError, zipfile.BadZipFile) as e:
                if path == self._path and self.double_checkpoint and os.path.exists(self._prev_path):
                    continue  # the latest is damaged: the previous one
                raise ValueError(
                    f"BackupAndRestore: the backup '{path}' cannot be read ({e}). Delete "
                    f"'{self.backup_dir}' to start training from scratch.") from e
            self._loaded = TrainingState(arrays, path)
            return

    # ------------------------------------------------------------------ save
    def on_epoch_begin(self, epoch, logs=None):
        from lamina.training.training_state import epoch_start_state

        self._epoch = epoch
        self._epoch_start = epoch_start_state()  # fit draws this epoch's order from it next

    def on_train_batch_end(self, batch, logs=None):
        if self.save_freq == "epoch":
            return
        self._seen += 1
        if self._seen % self.save_freq == 0:
            self._save(self._epoch, batch + 1, self._epoch_start)

    def on_epoch_end(self, epoch, logs=None):
        if self.save_freq == "epoch":
            self._save(epoch + 1, 0, None)

    def _save(self, epoch, step, epoch_start):
        from lamina.saving.file_io import atomic_write
        from lamina.training.training_state import capture

        arrays = capture(self.model, self._callbacks, epoch, step, epoch_start)
        os.makedirs(self.backup_dir, exist_ok=True)
        with atomic_write(self._path) as tmp:
            with open(tmp, "wb") as f:
                np.savez(f, **arrays)
            if self.double_checkpoint and os.path.exists(self._path):
                os.replace(self._path, self._prev_path)

    def on_train_end(self, logs=None):
        if self.delete_checkpoint and os.path.isdir(self.backup_dir):
            shutil.rmtree(self.backup_dir)
