"""fit(validation_split=, class_weight=): the class weights apply to the training part only;
the validation loss is unweighted, as in Keras (which splits the arrays first)."""

import warnings

import numpy as np
import pytest

import lamina as keras
from tests.keras3 import keras3


def _data():
    rng = np.random.RandomState(3)
    x = rng.rand(40, 5).astype("float32")
    y = (rng.rand(40) > 0.7).astype("int32")
    return x, y


def _ours(x, y, w, **fit):
    model = keras.Sequential([keras.Input((5,)), keras.layers.Dense(2, activation="softmax")])
    model.set_weights(w)
    model.compile(keras.optimizers.SGD(0.5), "sparse_categorical_crossentropy")
    return model, model.fit(x, y, batch_size=10, epochs=2, shuffle=False, verbose=0, **fit).history


def test_validation_loss_is_not_class_weighted():
    x, y = _data()
    w = [np.full((5, 2), 0.1, "float32") * np.array([1, -1], "float32"), np.zeros(2, "float32")]
    cw = {0: 1.0, 1: 9.0}
    model, hist = _ours(x, y, w, validation_split=0.25, class_weight=cw)
    # epoch 2's val_loss is the plain (unweighted) loss on the last 10 samples
    assert hist["val_loss"][-1] == pytest.approx(model.evaluate(x[30:], y[30:], verbose=0), rel=1e-6)
    _, plain = _ours(x, y, w, validation_split=0.25)
    assert hist["loss"] != plain["loss"]  # ...while training is weighted


def test_matches_keras_3():
    k3 = keras3()
    x, y = _data()
    w = [np.full((5, 2), 0.1, "float32") * np.array([1, -1], "float32"), np.zeros(2, "float32")]
    cw = {0: 1.0, 1: 9.0}
    _, ours = _ours(x, y, w, validation_split=0.25, class_weight=cw)
    theirs_model = k3.Sequential([k3.Input((5,)), k3.layers.Dense(2, activation="softmax")])
    theirs_model.set_weights(w)
    theirs_model.compile(k3.optimizers.SGD(0.5), "sparse_categorical_crossentropy")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = theirs_model.fit(x, y, batch_size=10, epochs=2, shuffle=False, verbose=0,
                                  validation_split=0.25, class_weight=cw).history
    np.testing.assert_allclose(ours["val_loss"], theirs["val_loss"], rtol=1e-5)
    np.testing.assert_allclose(ours["loss"], theirs["loss"], rtol=1e-5)


def test_class_weight_still_applies_when_validation_data_overrides_the_split():
    x, y = _data()
    w = [np.full((5, 2), 0.1, "float32"), np.zeros(2, "float32")]
    _, a = _ours(x, y, w, validation_split=0.25, validation_data=(x[:5], y[:5]), class_weight={0: 1.0, 1: 9.0})
    _, b = _ours(x, y, w, validation_data=(x[:5], y[:5]), class_weight={0: 1.0, 1: 9.0})
    assert a["loss"] == b["loss"]
