"""SpectralNormalization against Keras 3.15: weights order, training updates, configs, files."""

import numpy as np
import pytest

import lamina
from lamina import layers


@pytest.mark.parametrize("make", [
    lambda L: L.Dense(5),
    lambda L: L.Conv2D(3, 2),
])
def test_training_steps_match_keras(keras, parity, make):
    k = keras.layers.SpectralNormalization(make(keras.layers), power_iterations=2)
    lam = layers.SpectralNormalization(make(layers), power_iterations=2)
    rng = np.random.default_rng(0)
    if isinstance(lam.layer, layers.Conv2D):
        x = rng.standard_normal((2, 4, 4, 2)).astype("float32")
    else:
        x = rng.standard_normal((3, 4)).astype("float32")
    parity.compare(k, lam, x, rng)
    assert [w.path.split("/")[-1] for w in k.weights] == [
        v.path.split("/")[-1] for v in lam.weights]
    for _ in range(3):  # each training call renormalizes the kernel and updates vector_u
        np.testing.assert_allclose(parity.np(lam(x, training=True)),
                                   keras.ops.convert_to_numpy(k(x, training=True)), atol=1e-5)
    for a, b in zip(k.get_weights(), lam.get_weights()):
        np.testing.assert_allclose(b, a, atol=1e-5)
    kernel = lam.get_weights()[0].reshape(-1, lam.get_weights()[0].shape[-1])
    assert abs(np.linalg.svd(kernel, compute_uv=False)[0] - 1.0) < 0.2
    parity.config_both_ways(keras, k, lam)


def test_embedding_output_stays_float(parity):
    # Keras 3.15 casts the output to the inputs' dtype (int64 for token ids); lamina keeps floats.
    sn = layers.SpectralNormalization(layers.Embedding(7, 4))
    ids = np.array([[0, 3], [6, 1]])
    out = parity.np(sn(ids, training=True))
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, sn.layer.get_weights()[0][ids], atol=1e-7)
    assert abs(np.linalg.svd(sn.layer.get_weights()[0], compute_uv=False)[0] - 1.0) < 0.5


def test_keras_file_loads(keras, tmp_path):
    inp = keras.Input((4,))
    model = keras.Model(inp, keras.layers.SpectralNormalization(keras.layers.Dense(3))(inp))
    x = np.random.default_rng(0).standard_normal((2, 4)).astype("float32")
    model(x, training=True)
    model.save(tmp_path / "sn.keras")
    loaded = lamina.models.load_model(tmp_path / "sn.keras")
    for a, b in zip(model.get_weights(), loaded.get_weights()):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_allclose(lamina.ops.convert_to_numpy(loaded(x)),
                               keras.ops.convert_to_numpy(model(x)), atol=1e-6)
    loaded.save(tmp_path / "again.keras")
    back = keras.models.load_model(tmp_path / "again.keras")
    for a, b in zip(model.get_weights(), back.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_errors():
    with pytest.raises(ValueError, match="power_iterations must be a positive integer"):
        layers.SpectralNormalization(layers.Dense(2), power_iterations=0)
    with pytest.raises(ValueError, match="neither a 'kernel' nor an 'embeddings'"):
        layers.SpectralNormalization(layers.LayerNormalization())(np.ones((2, 3), "float32"))
    with pytest.raises(ValueError, match="needs a lamina layer instance"):
        layers.SpectralNormalization("dense")


def test_one_fit_step_steps_the_normalized_kernel():
    # In training the kernel takes the normalized value W / sigma and the SGD step starts there,
    # with the gradient at that value (under JAX too: no Python branch on the kernel, and the
    # compiled train step keeps a weight assigned in call()).
    rng = np.random.default_rng(0)
    x = rng.standard_normal((6, 4)).astype("float32")
    t = rng.standard_normal((6, 3)).astype("float32")
    inp = lamina.Input((4,))
    sn = layers.SpectralNormalization(layers.Dense(3, use_bias=False), power_iterations=1)
    model = lamina.Model(inp, sn(inp))
    w, u = (rng.standard_normal(s).astype("float32") for s in [(4, 3), (1, 3)])
    sn.set_weights([w, u])
    v = u @ w.T / np.linalg.norm(u @ w.T)
    u1 = v @ w / np.linalg.norm(v @ w)
    w_n = w / (v @ w @ u1.T).item()
    grad = 2.0 * x.T @ (x @ w_n - t) / t.size  # d mean((x W - t)^2) / dW at W = w_n
    model.compile(optimizer=lamina.optimizers.SGD(0.1), loss="mse")
    model.fit(x, t, batch_size=6, epochs=1, shuffle=False, verbose=0)
    kernel, vector_u = sn.get_weights()
    np.testing.assert_allclose(vector_u, u1, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(kernel, w_n - 0.1 * grad, rtol=1e-5, atol=1e-6)
