"""Keras 1/2 spellings work, warn with the modern spelling, and mean what they meant."""

import numpy as np
import pytest

import lamina
from lamina import layers
from lamina.errors import LaminaDeprecationWarning


def test_dense_keras1_kwargs_map_to_modern_arguments():
    with pytest.warns(LaminaDeprecationWarning) as rec:
        d = layers.Dense(output_dim=4, init="zeros", bias=False, W_regularizer="l2", input_dim=3)
    msgs = " ".join(str(w.message) for w in rec)
    for new in ("units=", "kernel_initializer=", "use_bias=", "kernel_regularizer="):
        assert new in msgs
    assert d.units == 4 and not d.use_bias and d.kernel_regularizer is not None
    d(np.ones((1, 3), "float32"))
    assert not d.get_weights()[0].any()


def test_dropout_p_and_weights_kwarg():
    with pytest.warns(LaminaDeprecationWarning, match="rate="):
        assert layers.Dropout(p=0.3).rate == 0.3
    w = [np.full((2, 3), 0.5, "float32"), np.ones(3, "float32")]
    d = layers.Dense(3, weights=w)
    d(np.ones((1, 2), "float32"))
    np.testing.assert_array_equal(d.get_weights()[0], w[0])


def test_model_input_output_kwargs():
    x = lamina.Input((3,))
    y = layers.Dense(2)(x)
    with pytest.warns(LaminaDeprecationWarning) as rec:
        m = lamina.Model(input=x, output=y)
    assert [("inputs=" in str(w.message), "outputs=" in str(w.message)) for w in rec] == [(True, False), (False, True)]
    assert m.output_shape == (None, 2)


def test_fit_generator_family():
    x = np.random.rand(32, 3).astype("float32")
    y = np.random.rand(32, 1).astype("float32")

    def gen():
        while True:
            yield x, y

    m = lamina.Sequential([layers.Dense(1, input_dim=3)])
    m.compile("sgd", "mse")
    with pytest.warns(LaminaDeprecationWarning) as rec:
        h = m.fit_generator(gen(), steps_per_epoch=2, nb_epoch=2, verbose=0)
    msgs = [str(w.message) for w in rec]
    assert any("model.fit(gen" in t for t in msgs) and any("epochs=" in t for t in msgs)
    assert len(h.history["loss"]) == 2
    with pytest.warns(LaminaDeprecationWarning):
        assert np.isfinite(m.evaluate_generator(gen(), steps=2))
    with pytest.warns(LaminaDeprecationWarning):
        assert m.predict_generator(gen(), steps=2).shape == (64, 1)


def test_predict_classes_for_sigmoid_output():
    m = lamina.Sequential([layers.Dense(1, input_dim=2, activation="sigmoid", kernel_initializer="ones")])
    x = np.array([[5.0, 5.0], [-5.0, -5.0]], "float32")
    with pytest.warns(LaminaDeprecationWarning):
        assert m.predict_classes(x).ravel().tolist() == [1, 0]


def test_optimizer_lr_and_decay():
    with pytest.warns(LaminaDeprecationWarning, match="learning_rate="):
        opt = lamina.optimizers.Adam(lr=0.01)
    assert opt.learning_rate == pytest.approx(0.01)


def test_old_module_paths():
    from lamina.utils.np_utils import to_categorical

    with pytest.warns(LaminaDeprecationWarning, match="lamina.utils.to_categorical"):
        assert to_categorical([1], 3).tolist() == [[0, 1, 0]]
    with pytest.warns(LaminaDeprecationWarning):
        from lamina.layers.core import Dense  # noqa: F401
    from lamina.preprocessing.sequence import pad_sequences

    assert pad_sequences([[1, 2]], maxlen=3).tolist() == [[0, 1, 2]]


def test_unknown_names_suggest_the_nearest():
    m = lamina.Sequential([layers.Dense(1, input_dim=2)])
    with pytest.raises(ValueError, match="Did you mean 'rmsprop'"):
        m.compile(optimizer="tmsprop", loss="mse")
    with pytest.raises(ValueError, match="Did you mean 'categorical_crossentropy'"):
        m.compile(optimizer="sgd", loss="categorical_crosentropy")
    with pytest.raises(ValueError, match="Did you mean 'accuracy'"):
        m.compile(optimizer="sgd", loss="mse", metrics=["acuracy"])
    with pytest.raises(ValueError, match="Did you mean 'relu'"):
        layers.Dense(2, activation="rellu")
    with pytest.raises(ValueError, match="Did you mean 'he_normal'"):
        layers.Dense(2, kernel_initializer="he_normall")
