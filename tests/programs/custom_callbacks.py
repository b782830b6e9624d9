"""Writing your own callbacks, as in Keras's guide: a logger of batch/epoch hooks, early stopping
at the minimum loss that restores the best weights, and a learning-rate schedule that sets
model.optimizer.learning_rate at each epoch."""

import numpy as np

import lamina as keras


class LossAndErrorPrintingCallback(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.seen = []

    def on_train_batch_end(self, batch, logs=None):
        self.seen.append(("train", batch, logs["loss"]))

    def on_test_batch_end(self, batch, logs=None):
        self.seen.append(("test", batch, logs["loss"]))

    def on_epoch_end(self, epoch, logs=None):
        print(f"Epoch {epoch}: average loss {logs['loss']:7.2f}, mae {logs['mean_absolute_error']:7.2f}")


class EarlyStoppingAtMinLoss(keras.callbacks.Callback):
    def __init__(self, patience=0):
        super().__init__()
        self.patience = patience
        self.best_weights = None

    def on_train_begin(self, logs=None):
        self.wait = 0
        self.stopped_epoch = 0
        self.best = np.inf

    def on_epoch_end(self, epoch, logs=None):
        current = logs.get("loss")
        if np.less(current, self.best):
            self.best = current
            self.wait = 0
            self.best_weights = self.model.get_weights()
        else:
            self.wait += 1
            if self.wait >= self.patience:
                self.stopped_epoch = epoch
                self.model.stop_training = True
                self.model.set_weights(self.best_weights)

    def on_train_end(self, logs=None):
        if self.stopped_epoch > 0:
            print(f"Epoch {self.stopped_epoch + 1}: early stopping")


class CustomLearningRateScheduler(keras.callbacks.Callback):
    def __init__(self, schedule):
        super().__init__()
        self.schedule = schedule

    def on_epoch_begin(self, epoch, logs=None):
        lr = float(np.array(self.model.optimizer.learning_rate))
        self.model.optimizer.learning_rate = self.schedule(epoch, lr)


def lr_schedule(epoch, lr):
    return lr * 0.5 if epoch in (3, 6) else lr


def get_model():
    model = keras.Sequential([keras.Input((784,)), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.RMSprop(learning_rate=0.1), loss="mean_squared_error",
                  metrics=["mean_absolute_error"])
    return model


def main(epochs=8):
    rng = np.random.default_rng(0)
    x_train = rng.random((256, 784)).astype("float32")
    y_train = (x_train[:, :10].sum(axis=1) > 5).astype("float32")
    printer = LossAndErrorPrintingCallback()
    model = get_model()
    history = model.fit(x_train, y_train, batch_size=64, epochs=epochs, verbose=0,
                        validation_split=0.25,
                        callbacks=[printer, EarlyStoppingAtMinLoss(patience=2),
                                   CustomLearningRateScheduler(lr_schedule)])
    assert {kind for kind, _, _ in printer.seen} == {"train", "test"}
    return history.history["loss"]


if __name__ == "__main__":
    main()
