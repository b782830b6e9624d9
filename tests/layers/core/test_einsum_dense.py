"""EinsumDense against Keras 3.15 on random equations: outputs, gradients, shapes, configs, files."""

import numpy as np
import pytest

import lamina
from lamina import layers

CASES = [
    ("ab,bc->ac", 5, None, "relu", (3, 4)),
    ("ab,bc->ac", (5,), "c", None, (3, 4)),
    ("abc,cd->abd", (None, 6), "d", "tanh", (2, 3, 4)),
    ("abc,cde->abde", (None, 2, 3), "de", None, (2, 5, 4)),
    ("abc,cde->abde", (None, 2, 3), "e", None, (2, 5, 4)),
    ("...b,bc->...c", 6, "c", None, (2, 3, 4, 5)),
    ("abc...,cd->abd...", (None, 5), "d", None, (2, 3, 4, 3)),
    ("abcd,cde->abe", (3, 7), "be", None, (2, 3, 4, 5)),
    ("abc,bcd->ad", 3, None, None, (2, 4, 5)),
]


@pytest.mark.parametrize("equation,output_shape,bias_axes,activation,shape", CASES)
def test_matches_keras(keras, parity, equation, output_shape, bias_axes, activation, shape):
    kwargs = dict(equation=equation, output_shape=output_shape, bias_axes=bias_axes, activation=activation)
    k, lam = keras.layers.EinsumDense(**kwargs), layers.EinsumDense(**kwargs)
    x = np.random.default_rng(len(equation)).standard_normal(shape).astype("float32")
    parity.compare(k, lam, x)
    # (Keras 3.15's compute_output_shape reverses several left-elided axes; its call does not.)
    assert tuple(lam.compute_output_shape(shape)) == tuple(keras.ops.shape(k(x)))
    assert [w.path.split("/")[-1] for w in k.weights] == [v.path.split("/")[-1] for v in lam.weights]
    parity.config_both_ways(keras, k, lam)


def test_glorot_fans_are_the_kernel_input_and_output_axes():
    # kernel (64, 4, 16): fan_in 64, fan_out 64 -> limit sqrt(6 / 128)
    layer = layers.EinsumDense("abc,cde->abde", output_shape=(None, 4, 16))
    layer.build((None, 3, 64))
    w = layer.get_weights()[0]
    limit = np.sqrt(6 / 128)
    assert np.abs(w).max() <= limit and np.abs(w).max() > 0.9 * limit


def test_keras_file_loads(keras, tmp_path):
    inp = keras.Input((3, 4))
    out = keras.layers.EinsumDense("abc,cde->abde", (None, 2, 5), bias_axes="de", activation="gelu")(inp)
    model = keras.Model(inp, out)
    x = np.random.default_rng(0).standard_normal((2, 3, 4)).astype("float32")
    model.save(tmp_path / "e.keras")
    loaded = lamina.models.load_model(tmp_path / "e.keras")
    np.testing.assert_allclose(lamina.ops.convert_to_numpy(loaded(x)),
                               keras.ops.convert_to_numpy(model(x)), atol=1e-6)


def test_errors():
    with pytest.raises(ValueError, match="invalid equation 'ab->b'"):
        layers.EinsumDense("ab->b", 3).build((2, 3))
    with pytest.raises(ValueError, match="bias axis 'z' is not an output axis"):
        layers.EinsumDense("ab,bc->ac", 3, bias_axes="z").build((2, 3))
    with pytest.raises(ValueError, match="axis 'b' is 4 in the input"):
        layers.EinsumDense("abc,cd->abd", (5, 2)).build((2, 4, 3))
    with pytest.raises(NotImplementedError, match="LoRA and quantization"):
        layers.EinsumDense("ab,bc->ac", 3, lora_rank=2)
