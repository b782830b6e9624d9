"""Identity and the Wrapper base (Keras 3.15 names, configs, files)."""

import numpy as np

import lamina
from lamina import layers


def test_identity_passes_values_masks_and_structures(keras, parity):
    x = np.arange(6, dtype="float32").reshape(2, 3)
    layer = layers.Identity()
    assert layer(x) is not None and np.array_equal(parity.np(layer(x)), x)
    assert layer.compute_mask(x, mask=np.array([True, False])) is not None
    out = layer([x, x])
    assert isinstance(out, list) and len(out) == 2
    parity.config_both_ways(keras, keras.layers.Identity(), layer)
    inp = lamina.Input((3,))
    model = lamina.Model(inp, layers.Identity()(layers.Masking()(inp)))
    np.testing.assert_array_equal(lamina.ops.convert_to_numpy(model(x)), x)


def test_wrapper_is_the_base_of_time_distributed_and_spectral_normalization(keras, parity, tmp_path):
    assert issubclass(layers.TimeDistributed, layers.Wrapper)
    assert issubclass(layers.SpectralNormalization, layers.Wrapper)
    td = layers.TimeDistributed(layers.Dense(2))
    k = keras.layers.TimeDistributed(keras.layers.Dense(2))
    parity.compare(k, td, np.ones((2, 3, 4), "float32"))
    parity.config_both_ways(keras, k, td)


def test_custom_wrapper_round_trips(tmp_path):
    @lamina.saving.register_keras_serializable("tests")
    class Twice(layers.Wrapper):
        def call(self, x):
            return 2 * self.layer(x)

        def compute_output_shape(self, shape):
            return self.layer.compute_output_shape(shape)

    inp = lamina.Input((3,))
    model = lamina.Model(inp, Twice(layers.Dense(2))(inp))
    x = np.ones((1, 3), "float32")
    model.save(tmp_path / "w.keras")
    again = lamina.models.load_model(tmp_path / "w.keras")
    np.testing.assert_allclose(lamina.ops.convert_to_numpy(again(x)), lamina.ops.convert_to_numpy(model(x)))
    assert len(model.trainable_weights) == 2
