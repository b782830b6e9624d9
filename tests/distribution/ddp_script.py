"""Train one small model; launched by tests/distribution/test_data_parallel.py in 1 or N processes.

Usage: python ddp_script.py RESULTS_DIR FILES_DIR [crash]
Writes RESULTS_DIR/rank{r}.npz (final weights, predictions) and rank{r}.json (History, evaluate);
only lamina itself decides which rank writes the user's files under FILES_DIR.
"""

import json
import os
import sys

import numpy as np

import lamina as keras

results, files = sys.argv[1], sys.argv[2]
mode = sys.argv[3] if len(sys.argv) > 3 else "train"
keras.utils.set_random_seed(7)
rng = np.random.default_rng(0)
x = rng.normal(size=(97, 6)).astype("float32")
labels = (x[:, 0] + x[:, 1] > 0).astype("int64") + (x[:, 2] > 1).astype("int64")
y = np.eye(3, dtype="float32")[labels]
x_val, y_val = x[:31] * 0.5, y[:31]

if mode == "syncbn":  # batch moments over every rank's rows; one bucket per gradient tensor
    os.environ["LAMINA_DDP_BUCKET_MB"] = "0.00001"
    model = keras.Sequential([
        keras.layers.Input((6,)),
        keras.layers.Dense(16, use_bias=False),  # (a bias before BN gets only rounding noise)
        keras.layers.BatchNormalization(synchronized=True, momentum=0.8),
        keras.layers.Activation("tanh"),
        keras.layers.Dense(3, activation="softmax"),
    ])
else:
    model = keras.Sequential([
        keras.layers.Input((6,)),
        keras.layers.Dense(16, activation="tanh", kernel_regularizer=keras.regularizers.l2(1e-3)),
        keras.layers.Dense(3, activation="softmax"),
    ])
model.compile(keras.optimizers.Adam(0.01), "categorical_crossentropy", metrics=["accuracy"])
callbacks = [keras.callbacks.CSVLogger(os.path.join(files, "log.csv")),
             keras.callbacks.ModelCheckpoint(os.path.join(files, "ckpt.weights.h5"), save_weights_only=True),
             keras.callbacks.EarlyStopping(monitor="val_loss", patience=1)]
rank = keras.distribution.process_rank()
if mode == "crash":
    def boom(epoch, logs):
        if rank == 1 and epoch == 1:
            raise RuntimeError("boom on rank 1")
    callbacks.append(keras.callbacks.LambdaCallback(on_epoch_end=boom))
if mode == "generator":  # every rank reads the same stream of global batches and keeps its rows
    def batches():
        while True:
            for i in range(0, len(x), 15):
                yield x[i:i + 15], y[i:i + 15]

    history = model.fit(batches(), steps_per_epoch=7, epochs=4, validation_data=(x_val, y_val),
                        callbacks=callbacks, verbose=2)
else:
    history = model.fit(x, y, batch_size=15, epochs=4, shuffle=True, validation_data=(x_val, y_val),
                        callbacks=callbacks, verbose=2)
evaluation = model.evaluate(x_val, y_val, batch_size=9, verbose=0, return_dict=True)
predictions = model.predict(x_val, batch_size=9, verbose=0)
model.save(os.path.join(files, "model.keras"))
np.savez(os.path.join(results, f"rank{rank}.npz"), predictions=predictions,
         **{f"w{i}": w for i, w in enumerate(model.get_weights())})
with open(os.path.join(results, f"rank{rank}.json"), "w") as f:
    json.dump({"history": history.history, "evaluate": evaluation,
               "world": keras.distribution.num_processes()}, f)
