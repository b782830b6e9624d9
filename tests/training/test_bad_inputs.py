"""Bad arguments to fit/evaluate/predict and Input get an error naming the object, the value
received, the value expected and the fix (issue 8, bad-input cases)."""

from __future__ import annotations

import numpy as np
import pytest

import lamina
from lamina.callbacks import EarlyStopping, ModelCheckpoint, ReduceLROnPlateau


def _classifier(n_classes=3, loss="sparse_categorical_crossentropy"):
    model = lamina.Sequential([lamina.Input((4,)), lamina.layers.Dense(n_classes, activation="softmax")])
    model.compile(optimizer="sgd", loss=loss)
    return model


X = np.random.default_rng(0).normal(size=(20, 4)).astype("float32")


def test_sparse_labels_out_of_range():
    model = _classifier(3)
    y = np.array([0, 1, 2, 5] * 5)
    with pytest.raises(ValueError, match=r"Loss 'sparse_categorical_crossentropy' received the label 5, "
                       r"but model 'sequential' outputs 3 classes, so labels must be integers in "
                       r"\[0, 2\]\. Give the last layer as many units as there are classes \(max label "
                       r"\+ 1 = 6\)"):
        model.fit(X, y, epochs=1, verbose=0)
    with pytest.raises(ValueError, match="received the label -1"):
        model.evaluate(X, np.array([-1] + [0] * 19), verbose=0)


def test_sparse_labels_in_range_train():
    model = _classifier(3)
    model.fit(X, np.arange(20) % 3, epochs=1, verbose=0)


@pytest.mark.parametrize("shape,match", [
    ("12", r"Input shape must be a tuple of sizes, e\.g\. shape=\(784,\).*received '12' \(str\)"),
    ((-1, 4), r"Input shape \(-1, 4\) holds the negative size -1.*Write None \(not -1\)"),
    ((2.5,), r"Input shape \(2\.5,\) holds 2\.5; each size must be an integer >= 0"),
    ((True,), r"holds True"),
])
def test_input_shape_is_checked(shape, match):
    with pytest.raises(ValueError, match=match):
        lamina.Input(shape)


def test_input_batch_shape_is_checked():
    with pytest.raises(ValueError, match=r"Input batch_shape \(None, -3\) holds the negative size -3"):
        lamina.layers.InputLayer(batch_shape=(None, -3))
    assert lamina.Input((None, 3)).shape == (None, None, 3)
    assert lamina.Input(np.int64(5)).shape == (None, 5)


def test_class_weight_must_be_a_dict():
    model = _classifier(3)
    with pytest.raises(TypeError, match=r"fit\(class_weight=\.\.\.\) must be a dict mapping class index "
                       r"to weight.*received a list \(\[1\.0, 2\.0, 1\.0\]\)\. For a list of weights pass "
                       r"dict\(enumerate\(weights\)\)"):
        model.fit(X, np.arange(20) % 3, class_weight=[1.0, 2.0, 1.0], epochs=1, verbose=0)
    with pytest.raises(ValueError, match=r"the weight -1 of class 0 must be a finite number >= 0"):
        model.fit(X, np.arange(20) % 3, class_weight={0: -1}, epochs=1, verbose=0)
    model.fit(X, np.arange(20) % 3, class_weight=dict(enumerate([1.0, 2.0, 1.0])), epochs=1, verbose=0)


def test_dict_inputs_must_use_the_input_names():
    model = _classifier(3)
    with pytest.raises(ValueError, match=r"predict\(\) received a dict of inputs with keys \['foo'\], but "
                       r"model 'sequential' has 1 input\(s\) named \[.*\]\..*Key the dict by input name"):
        model.predict({"foo": X}, verbose=0)


def test_fit_without_targets_for_a_loss_that_needs_them():
    model = _classifier(3, loss="categorical_crossentropy")
    with pytest.raises(ValueError, match=r"fit\(\) received inputs x but no targets y, and the loss "
                       r"'categorical_crossentropy' compares the model's outputs with targets\. Pass "
                       r"them: model\.fit\(x, y, \.\.\.\)"):
        model.fit(X, None, epochs=1, verbose=0)


@pytest.mark.parametrize("call", ["fit", "evaluate", "predict"])
@pytest.mark.parametrize("batch_size", [0, -2, 2.5, True])
def test_batch_size_must_be_positive(call, batch_size):
    model = _classifier(3)
    args = (X,) if call == "predict" else (X, np.arange(20) % 3)
    with pytest.raises(ValueError, match=rf"{call}\(batch_size={batch_size!r}\): batch_size must be a "
                       r"positive integer \(or None for the default of 32\)"):
        getattr(model, call)(*args, batch_size=batch_size, verbose=0)


def test_epochs_and_initial_epoch():
    model = _classifier(3)
    y = np.arange(20) % 3
    with pytest.raises(ValueError, match=r"fit\(epochs=-1\): epochs must be an integer >= 1"):
        model.fit(X, y, epochs=-1, verbose=0)
    with pytest.raises(ValueError, match=r"fit\(epochs=5, initial_epoch=5\) would train nothing: epochs "
                       r"is the index of the final epoch, not a number of extra epochs\. To train N more "
                       r"epochs after epoch 5, pass epochs=5 \+ N"):
        model.fit(X, y, epochs=5, initial_epoch=5, verbose=0)
    with pytest.raises(ValueError, match=r"initial_epoch=-1"):
        model.fit(X, y, epochs=2, initial_epoch=-1, verbose=0)
    history = model.fit(X, y, epochs=3, initial_epoch=1, verbose=0)
    assert len(history.history["loss"]) == 2


def test_steps_larger_than_the_data():
    model = _classifier(3)
    y = np.arange(20) % 3
    with pytest.raises(ValueError, match=r"fit\(steps_per_epoch=10\) asks for more batches than the data "
                       r"holds: 20 samples in batches of 8 give 3 step\(s\)\. Pass steps_per_epoch <= 3"):
        model.fit(X, y, batch_size=8, steps_per_epoch=10, epochs=1, verbose=0)
    with pytest.raises(ValueError, match=r"evaluate\(steps=0\): steps must be a positive integer"):
        model.evaluate(X, y, steps=0, verbose=0)
    model.fit(X, y, batch_size=8, steps_per_epoch=2, epochs=1, verbose=0)


@pytest.mark.parametrize("make", [
    lambda: EarlyStopping(monitor="val_acuracy"),
    lambda: ReduceLROnPlateau(monitor="val_acuracy"),
    lambda: ModelCheckpoint("/nonexistent/x.keras", monitor="val_acuracy", save_best_only=True),
])
def test_monitor_typo_is_an_error_at_the_end_of_the_first_epoch(make):
    model = _classifier(3)
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    cb = make()
    seen = []
    with pytest.raises(ValueError, match=rf"{type(cb).__name__}: .* is conditioned on "
                       r"monitor='val_acuracy', which is not among the logged values at the end of the "
                       r"epoch: 'loss', 'accuracy', 'val_loss', 'val_accuracy'.*Did you mean 'val_accuracy'\?"):
        model.fit(X, np.arange(20) % 3, validation_split=0.25, epochs=3, verbose=0,
                  callbacks=[cb, lamina.callbacks.LambdaCallback(on_epoch_end=lambda e, l: seen.append(e))])
    assert seen == []  # raised at the end of the first epoch, before later callbacks ran


def test_val_monitor_waits_for_validation_freq():
    model = _classifier(3)
    stop = EarlyStopping(monitor="val_loss", patience=5)
    model.fit(X, np.arange(20) % 3, validation_split=0.25, validation_freq=2, epochs=3, verbose=0,
              callbacks=[stop])
    with pytest.raises(ValueError, match="monitor='val_loss'.*'loss'.*validation_data or validation_split"):
        model.fit(X, np.arange(20) % 3, epochs=2, verbose=0, callbacks=[EarlyStopping()])
