"""Regression: a model checks the rank of its inputs before any layer runs."""

import numpy as np
import pytest

import lamina as keras
from lamina import layers
from lamina.errors import ShapeError


def _models():
    seq = keras.Sequential([layers.Input((4,)), layers.Dense(2)])
    inputs = keras.Input((4,))
    return [seq, keras.Model(inputs, layers.Dense(2)(inputs))]


@pytest.mark.parametrize("index", [0, 1])
def test_a_sample_without_its_batch_axis_is_a_clear_error(index):
    model = _models()[index]
    msg = r"expects arrays of shape \(None, 4\).*received shape \(4,\).*batch axis is missing.*x\[None\]"
    with pytest.raises(ShapeError, match=msg):
        model.predict(np.zeros(4), verbose=0)
    with pytest.raises(ShapeError, match=msg):
        model(np.zeros(4))
    assert model.predict(np.zeros(4)[None], verbose=0).shape == (1, 2)


def test_a_trailing_unit_axis_is_added_or_dropped_as_keras_does():
    inputs = keras.Input((1,))
    model = keras.Model(inputs, layers.Dense(2)(inputs))
    x = np.arange(5, dtype="float32")
    np.testing.assert_allclose(model.predict(x, verbose=0), model.predict(x[:, None], verbose=0))
    inputs = keras.Input((3,))
    model = keras.Model(inputs, layers.Dense(2)(inputs))
    x = np.ones((5, 3, 1), "float32")
    np.testing.assert_allclose(model.predict(x, verbose=0), model.predict(x[..., 0], verbose=0))


def test_a_wrong_rank_is_an_error_for_each_input():
    a, b = keras.Input((2,)), keras.Input((3, 2))
    model = keras.Model([a, b], layers.Concatenate()([a, layers.Flatten()(b)]))
    with pytest.raises(ShapeError, match=r"input 1 expects arrays of shape \(None, 3, 2\)"):
        model([np.ones((1, 2)), np.ones((3, 2, 2, 2))])
