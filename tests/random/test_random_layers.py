"""Random layers honour seed=: same seed, same masks; a whole fit is reproducible from seeds."""

import numpy as np
import pytest

import lamina
from lamina import layers, ops

X = np.random.default_rng(0).random((4, 6, 8), dtype=np.float32) + 0.5

CASES = [
    (layers.Dropout, {"rate": 0.5}),
    (layers.SpatialDropout1D, {"rate": 0.5}),
    (layers.GaussianNoise, {"stddev": 0.3}),
    (layers.GaussianDropout, {"rate": 0.3}),
    (layers.AlphaDropout, {"rate": 0.3}),
]


def _np(x):
    return ops.convert_to_numpy(x)


@pytest.mark.parametrize("cls,kw", CASES, ids=[c.__name__ for c, _ in CASES])
def test_same_seed_same_draws_and_generator_moves_on(cls, kw):
    a, b, c = cls(seed=1, **kw), cls(seed=1, **kw), cls(seed=2, **kw)
    a1, a2 = _np(a(X, training=True)), _np(a(X, training=True))
    np.testing.assert_array_equal(a1, _np(b(X, training=True)))
    np.testing.assert_array_equal(a2, _np(b(X, training=True)))
    assert not np.array_equal(a1, a2)
    assert not np.array_equal(a1, _np(c(X, training=True)))
    np.testing.assert_array_equal(_np(a(X)), X)  # inference: identity
    # The seed state is a variable of the layer, but not a weight (as in Keras).
    assert a.weights == [] and a.non_trainable_variables == [a.seed_generator.state]
    assert a.seed_generator.state.numpy().tolist() == [1, 2]


def test_seed_none_uses_the_global_generator_seeded_by_set_random_seed():
    d = layers.Dropout(0.5)
    assert d.seed_generator is None and d.variables == []
    lamina.utils.set_random_seed(3)
    m1 = _np(d(X, training=True))
    lamina.utils.set_random_seed(3)
    np.testing.assert_array_equal(m1, _np(d(X, training=True)))


def test_rnn_and_attention_dropout_honour_seed():
    def lstm():
        return layers.LSTM(3, dropout=0.5, recurrent_dropout=0.5, seed=4,
                           kernel_initializer=lamina.initializers.GlorotUniform(seed=0),
                           recurrent_initializer=lamina.initializers.Orthogonal(seed=0))

    l1, l2 = lstm(), lstm()
    o1 = _np(l1(X, training=True))
    np.testing.assert_array_equal(o1, _np(l2(X, training=True)))
    assert not np.allclose(o1, _np(l1(X, training=False)))
    assert len(l1.non_trainable_variables) == 1

    def mha():
        return layers.MultiHeadAttention(2, 4, dropout=0.5, seed=5,
                                         kernel_initializer=lamina.initializers.GlorotUniform(seed=0))

    m1, m2 = mha(), mha()
    np.testing.assert_array_equal(_np(m1(X, X, training=True)), _np(m2(X, X, training=True)))
    a1, a2 = layers.Attention(dropout=0.5, seed=6), layers.Attention(dropout=0.5, seed=6)
    np.testing.assert_array_equal(_np(a1([X, X], training=True)), _np(a2([X, X], training=True)))


def _model():
    init = lamina.initializers.GlorotUniform
    return lamina.Sequential([
        layers.Input((8,)),
        layers.Dense(16, activation="relu", kernel_initializer=init(seed=1)),
        layers.Dropout(0.5, seed=2),
        layers.GaussianNoise(0.1, seed=3),
        layers.Dense(3, activation="softmax", kernel_initializer=init(seed=4)),
    ])


def test_two_models_with_the_same_seeds_train_identically():
    rng = np.random.default_rng(1)
    x = rng.random((64, 8), dtype=np.float32)
    y = lamina.utils.to_categorical(rng.integers(0, 3, 64), 3)
    m1, m2 = _model(), _model()
    # Identical dropout masks before training.
    h1 = _np(m1.layers[1](m1.layers[0](x), training=True))
    h2 = _np(m2.layers[1](m2.layers[0](x), training=True))
    np.testing.assert_array_equal(h1, h2)
    assert (h1 == 0).mean() > 0.3
    for m in (m1, m2):
        m.compile("sgd", "categorical_crossentropy")
        lamina.utils.set_random_seed(7)  # the shuffling order
        m.fit(x, y, batch_size=8, epochs=1, shuffle=True, verbose=0)
    for w1, w2 in zip(m1.get_weights(), m2.get_weights()):
        np.testing.assert_array_equal(w1, w2)
    assert not np.array_equal(m1.get_weights()[0], _model().get_weights()[0])  # it did train
