"""Every snippet of the user's tutorial notes (../shared/seeds/) runs with keras -> lamina."""

import numpy as np
import pytest

import lamina
import lamina as keras
from lamina.errors import LaminaDeprecationWarning

rng = np.random.default_rng(0)


def test_seed000_sequential_compile_fit():
    from lamina.layers import Activation, Dense
    from lamina.models import Sequential

    model = Sequential()
    model.add(Dense(32, input_dim=784))
    model.add(Activation("relu"))
    model2 = Sequential([Dense(32, input_shape=(784,)), Activation("relu")])
    assert model.output_shape == model2.output_shape == (None, 32)
    model.add(Dense(10, activation="softmax"))
    # The notes spell the optimizer 'tmsprop': a clear error that suggests the fix.
    with pytest.raises(ValueError, match="Did you mean 'rmsprop'"):
        model.compile(optimizer="tmsprop", loss="categorical_crossentropy", metrics=["accuracy"])
    model.compile(optimizer="rmsprop", loss="categorical_crossentropy", metrics=["accuracy"])
    data = rng.random((64, 784), dtype=np.float32)
    labels = rng.integers(0, 10, 64)
    one_hot_labels = keras.utils.to_categorical(labels, num_classes=10)
    history = model.fit(data, one_hot_labels, epochs=2, batch_size=32, verbose=0)
    assert len(history.history["loss"]) == 2 and "accuracy" in history.history


def test_seed001_lesson16():
    from lamina.layers import Dropout

    with pytest.warns(LaminaDeprecationWarning, match="from lamina.layers import"):
        from lamina.layers.core import Activation, Dense, Flatten
    with pytest.warns(LaminaDeprecationWarning):
        from lamina.layers.convolutional import Conv2D
    with pytest.warns(LaminaDeprecationWarning):
        from lamina.layers.pooling import MaxPooling2D
    from lamina.models import Sequential

    model = Sequential()
    model.add(Flatten(input_shape=(32, 32, 3)))
    model.add(Dense(100))
    model.add(Activation("relu"))
    model.add(Dense(60))
    model.add(Activation("relu"))
    model.add(Activation("softmax"))
    model.compile("adam", "categorical_crossentropy", ["accuracy"])
    X = rng.random((40, 32, 32, 3), dtype=np.float32)
    y_one_hot = keras.utils.to_categorical(rng.integers(0, 60, 40), 60)
    history = model.fit(X, y_one_hot, epochs=2, validation_split=0.2, verbose=0)
    assert set(history.history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    metrics = model.evaluate(X, y_one_hot, verbose=0)
    assert len(metrics) == 2

    cnn = Sequential()
    cnn.add(Conv2D(32, kernel_size=(3, 3), activation="relu", input_shape=(28, 28, 1)))
    cnn.add(MaxPooling2D(pool_size=(2, 2)))
    cnn.add(Dropout(0.5))
    assert cnn.output_shape == (None, 13, 13, 32)


def test_seed002_keras1_spellings(tmp_path):
    from lamina.layers import Activation, Dense
    from lamina.models import Sequential

    model = Sequential()
    with pytest.warns(LaminaDeprecationWarning) as rec:
        model.add(Dense(output_dim=64, input_dim=100, init="glorot_uniform"))
    msgs = " ".join(str(w.message) for w in rec)
    assert "Dense(units=...)" in msgs and "Dense(kernel_initializer=...)" in msgs
    model.add(Activation("relu"))
    with pytest.warns(LaminaDeprecationWarning):
        model.add(Dense(output_dim=10, init="glorot_uniform"))
    model.add(Activation("softmax"))
    model.compile(loss="categorical_crossentropy", optimizer="sgd", metrics=["accuracy"])
    X_train = rng.random((64, 100), dtype=np.float32)
    Y_train = keras.utils.to_categorical(rng.integers(0, 10, 64), 10)
    with pytest.warns(LaminaDeprecationWarning, match="epochs="):
        model.fit(X_train, Y_train, nb_epoch=2, batch_size=32, verbose=0)
    with pytest.warns(LaminaDeprecationWarning, match="argmax"):
        classes = model.predict_classes(X_train, batch_size=32)
    with pytest.warns(LaminaDeprecationWarning, match="model.predict"):
        proba = model.predict_proba(X_train, batch_size=32)
    np.testing.assert_array_equal(classes, proba.argmax(-1))
    loss = model.train_on_batch(X_train[:32], Y_train[:32])
    assert np.isfinite(loss).all()
    objective_score = model.evaluate(X_train, Y_train, batch_size=32, verbose=0)
    assert len(objective_score) == 2
    path = str(tmp_path / "weights.h5")
    model.save_weights(path)
    before = model.predict(X_train, verbose=0)
    model.set_weights([np.zeros_like(w) for w in model.get_weights()])
    model.load_weights(path)
    np.testing.assert_allclose(model.predict(X_train, verbose=0), before)
    model3 = Sequential([Dense(32, input_dim=784), Activation("relu"), Dense(10), Activation("softmax")])
    assert model3.output_shape == (None, 10)
    for name in ["Dense", "Activation", "Dropout", "SpatialDropout2D", "SpatialDropout3D",
                 "Flatten", "Reshape", "Permute"]:
        assert hasattr(lamina.layers, name)


def test_seed003_learn_keras():
    from lamina.layers import Dense
    from lamina.models import Sequential

    model = Sequential()
    layer1 = Dense(5, input_dim=4)
    model.add(layer1)
    model.add(Dense(3, activation="relu"))
    model.add(Dense(3, activation="softmax"))
    layer1 = Dense(5, input_dim=4)
    model2 = Sequential([layer1, Dense(3, activation="relu"), Dense(1, activation="sigmoid")])
    model2.compile("adam", loss="binary_crossentropy", metrics=["accuracy"])
    model.compile("adam", loss="categorical_crossentropy", metrics=["accuracy"])
    data = rng.random((60, 4), dtype=np.float32)
    labels = keras.utils.to_categorical(rng.integers(0, 3, 60), 3)
    train_output = model.fit(data, labels, batch_size=20, epochs=5, verbose=0)
    assert len(train_output.history["accuracy"]) == 5
    model2.fit(data, rng.integers(0, 2, (60, 1)).astype("float32"), batch_size=20, epochs=1, verbose=0)
    assert len(model.evaluate(data, labels, verbose=0)) == 2
    assert model.predict(data, verbose=0).shape == (60, 3)


def test_seed004_functional_summary_plot_backend(tmp_path, capsys):
    from lamina import backend as K
    from lamina.layers import Dense, Input
    from lamina.models import Model
    from lamina.utils import plot_model

    visible = Input(shape=(10,))
    hidden1 = Dense(10, activation="relu")(visible)
    hidden2 = Dense(20, activation="relu")(hidden1)
    hidden3 = Dense(10, activation="relu")(hidden2)
    output = Dense(1, activation="sigmoid")(hidden3)
    model = Model(inputs=visible, outputs=output)
    print(model.summary())
    out = capsys.readouterr().out
    assert "Total params: 551" in out and "(None, 20)" in out
    target = tmp_path / "multilayer_perceptron_graph.png"
    plot_model(model, to_file=str(target))
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    K.clear_session()
    assert lamina.layers.Dense(1).name == "dense"
    assert K.floatx() == "float32" and K.epsilon() == 1e-7 and K.image_data_format() == "channels_last"
    with pytest.warns(LaminaDeprecationWarning):
        assert K.learning_phase() == 0
    assert keras.utils.to_categorical(3, 10).tolist() == [0, 0, 0, 1, 0, 0, 0, 0, 0, 0]
    a, b = Input((3,)), Input((3,))
    assert keras.layers.concatenate([a, b]).shape == (None, 6)
    emb = keras.layers.Embedding(100, 8)
    assert emb(np.array([[1, 2, 3]])).shape == (1, 3, 8)
    up = keras.layers.Conv2DTranspose(4, 3, strides=2, activation="relu", padding="same")
    assert up(np.zeros((1, 5, 5, 2), "float32")).shape == (1, 10, 10, 4)
