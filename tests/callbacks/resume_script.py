"""A training script for the BackupAndRestore kill tests (run as a subprocess, not collected).

Usage: python resume_script.py BACKUP_DIR OUT.npy SAVE_FREQ [KILL_AT_BATCH]

Shuffling, dropout from the global generator and from a seeded SeedGenerator, Adam, a
ReduceLROnPlateau and an EarlyStopping that both act during the run: every kind of state that
BackupAndRestore must carry over. With KILL_AT_BATCH the process SIGKILLs itself after that
many batches (counted from its own start).
"""

import os
import signal
import sys

import numpy as np

import lamina as keras
from lamina import layers

backup_dir, out, freq = sys.argv[1], sys.argv[2], sys.argv[3]
freq = "epoch" if freq == "epoch" else int(freq)
kill_at = int(sys.argv[4]) if len(sys.argv) > 4 else None

keras.utils.set_random_seed(1)
rng = np.random.RandomState(0)
x = rng.rand(240, 8).astype("float32")
y = (x[:, :4].sum(1) > x[:, 4:].sum(1)).astype("int32")
model = keras.Sequential([
    keras.Input((8,)),
    layers.Dense(16, activation="relu"),
    layers.Dropout(0.3),
    layers.Dense(16, activation="relu"),
    layers.Dropout(0.2, seed=3),
    layers.Dense(2, activation="softmax"),
])
model.compile(keras.optimizers.Adam(0.01), "sparse_categorical_crossentropy", metrics=["accuracy"])


class Kill(keras.callbacks.Callback):
    def __init__(self, at):
        super().__init__()
        self.at, self.n = at, 0

    def on_train_batch_end(self, batch, logs=None):
        self.n += 1
        if self.n == self.at:
            os.kill(os.getpid(), signal.SIGKILL)


class Started(keras.callbacks.Callback):
    def on_train_batch_begin(self, batch, logs=None):
        if not getattr(self, "said", False):
            print("training", flush=True)
            self.said = True


callbacks = [
    keras.callbacks.ReduceLROnPlateau("loss", factor=0.5, patience=0, min_delta=0.05),
    keras.callbacks.EarlyStopping("val_loss", patience=2, min_delta=0.03),
    keras.callbacks.BackupAndRestore(backup_dir, save_freq=freq),
    Started(),
]
if kill_at is not None:
    callbacks.append(Kill(kill_at))
history = model.fit(x, y, batch_size=16, epochs=12, validation_split=0.25, callbacks=callbacks, verbose=0)
np.save(out, np.concatenate([w.ravel() for w in model.get_weights()]))
print("done", len(history.history["loss"]), float(model.optimizer.learning_rate), history.history["loss"], flush=True)
