"""Regression tests for the Keras 3.15 parity bugs of issue 14 (each against Keras itself)."""

import numpy as np
import pytest

import lamina
from lamina import layers
from tests.keras3 import keras3

keras = keras3()

pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation doesn.t accept a copy keyword")

VS_CLASSES = ["VarianceScaling", "GlorotUniform", "GlorotNormal", "HeUniform", "HeNormal", "LecunUniform",
              "LecunNormal"]


# ---------------------------------------------------------------- initializers: input_axes/output_axes
@pytest.mark.parametrize("name", VS_CLASSES)
def test_keras_initializer_configs_with_axes_load_and_round_trip(name):
    kinit = getattr(keras.initializers, name)(seed=3, input_axes=[0], output_axes=[1, 2])
    config = kinit.get_config()
    init = getattr(lamina.initializers, name).from_config(config)
    assert init.get_config() == config
    assert getattr(keras.initializers, name).from_config(init.get_config()).get_config() == config


@pytest.mark.parametrize("name", VS_CLASSES)
@pytest.mark.parametrize("axes", [(None, None), ([0], [1, 2]), ([0, 1], [2]), ([0], None)])
def test_fans_from_axes_as_keras(name, axes):
    shape = (6, 5, 40)
    kw = dict(input_axes=axes[0], output_axes=axes[1])
    x = np.asarray(getattr(lamina.initializers, name)(seed=1, **kw)(shape))
    y = keras.ops.convert_to_numpy(getattr(keras.initializers, name)(seed=1, **kw)(shape))
    # different random streams: the spread is the fact to match (fan-in/out set the scale)
    assert abs(x.std() / y.std() - 1) < 0.1
    assert abs(np.abs(x).max() / np.abs(y).max() - 1) < 0.15


def test_axes_change_the_scale():
    shape = (6, 5, 40)
    plain = np.asarray(lamina.initializers.HeUniform(seed=0)(shape))  # fan_in = 6 * 5 (conv rule)
    axes = np.asarray(lamina.initializers.HeUniform(seed=0, input_axes=[0], output_axes=[1, 2])(shape))
    np.testing.assert_allclose(np.abs(plain).max(), np.sqrt(6 / 30), rtol=0.02)
    np.testing.assert_allclose(np.abs(axes).max(), np.sqrt(6 / 6), rtol=0.02)


def test_bad_axes_are_refused():
    with pytest.raises(TypeError, match=r"GlorotUniform: input_axes must be a list of integer axes or None, received 0"):
        lamina.initializers.GlorotUniform(input_axes=0, output_axes=[1])


@pytest.mark.parametrize("make", [
    lambda L: L.layers.Dense(3), lambda L: L.layers.Conv2D(2, 3), lambda L: L.layers.LSTM(2),
    lambda L: L.layers.MultiHeadAttention(2, 4), lambda L: L.layers.SeparableConv1D(2, 3),
])
def test_layer_configs_written_by_keras_load(make):
    config = make(keras).get_config()
    layer = type(make(lamina)).from_config(config)
    assert layer.get_config()["name"] == config["name"]


# ---------------------------------------------------------------- Embedding
def test_embedding_takes_keras_variant_arguments_at_their_defaults():
    config = keras.layers.Embedding(10, 3).get_config()
    assert "quantization_config" in config
    emb = layers.Embedding.from_config(config)
    assert emb.get_config() == config | {"name": emb.name}
    layers.Embedding(10, 3, lora_rank=None, lora_alpha=None, quantization_config=None)


@pytest.mark.parametrize("kw,shown", [(dict(lora_rank=4), "lora_rank=4"),
                                      (dict(lora_alpha=8.0), "lora_alpha=8.0"),
                                      (dict(quantization_config={"mode": "int8"}), "quantization_config=")])
def test_embedding_refuses_lora_and_quantization(kw, shown):
    with pytest.raises(NotImplementedError, match=rf"Embedding: LoRA and quantization \({shown}.*leave lora_rank"):
        layers.Embedding(10, 3, **kw)


def test_embedding_weights_argument_sets_the_table():
    table = np.arange(12, dtype="float32").reshape(4, 3)
    emb = layers.Embedding(4, 3, weights=[table])
    np.testing.assert_array_equal(lamina.ops.convert_to_numpy(emb(np.array([[2, 0]]))), table[[[2, 0]]])


# ---------------------------------------------------------------- SparseTopKCategoricalAccuracy
@pytest.mark.parametrize("k", [1, 2, 3])
def test_sparse_top_k_from_sorted_ids_matches_keras(k):
    rng = np.random.default_rng(0)
    y_true = rng.integers(0, 6, (8, 1))
    ids = np.stack([rng.permutation(6)[:4] for _ in range(8)]).astype("int32")
    ids[0, :2] = y_true[0, 0]  # a repeated id counts once
    m = lamina.metrics.SparseTopKCategoricalAccuracy(k=k, from_sorted_ids=True)
    km = keras.metrics.SparseTopKCategoricalAccuracy(k=k, from_sorted_ids=True)
    m.update_state(y_true, ids)
    km.update_state(y_true, ids)
    assert float(m.result()) == pytest.approx(float(km.result()))
    expected = np.mean([y_true[i, 0] in ids[i, :k] for i in range(8)])
    assert float(m.result()) == pytest.approx(expected)
    assert m.get_config() == km.get_config()


# ---------------------------------------------------------------- Lambda.compute_output_shape
@pytest.mark.parametrize("fn,output_shape,input_shape", [
    (lambda x: x[:, :2] * 2, None, (None, 5)),
    (lambda x: x[:, :2] * 2, None, (3, 5)),
    (lambda xs: xs[0] + xs[1], None, [(None, 5), (None, 5)]),
    (lambda x: [x, x[:, :1]], None, (None, 4)),
    (lambda x: x, (7,), (4, 5)),
    (lambda x: x, lambda s: s[:1], (4, 5)),
])
def test_lambda_compute_output_shape_as_keras(fn, output_shape, input_shape):
    got = layers.Lambda(fn, output_shape=output_shape).compute_output_shape(input_shape)
    expected = keras.layers.Lambda(fn, output_shape=output_shape).compute_output_shape(input_shape)
    assert got == expected


def test_lambda_that_cannot_be_traced_says_what_to_pass():
    def fails(x):
        raise RuntimeError("boom")
    with pytest.raises(NotImplementedError, match=r"could not infer its output shape.*Pass output_shape="):
        layers.Lambda(fails, name="lam").compute_output_shape((None, 3))


# ---------------------------------------------------------------- InputSpec
def test_input_spec_config_matches_keras_and_keeps_allow_last_axis_squeeze():
    kw = dict(ndim=3, axes={-1: 4}, allow_last_axis_squeeze=True)
    spec = layers.InputSpec(**kw)
    assert spec.allow_last_axis_squeeze is True
    config = spec.get_config()
    kconfig = keras.layers.InputSpec(**kw).get_config()
    assert config == kconfig | {"allow_last_axis_squeeze": True}
    assert layers.InputSpec.from_config(config).get_config() == config
    assert keras.layers.InputSpec.from_config(config).allow_last_axis_squeeze is True
    plain = layers.InputSpec(shape=(None, 3))
    assert plain.get_config() == keras.layers.InputSpec(shape=(None, 3)).get_config()


def test_input_spec_allow_last_axis_squeeze_accepts_what_keras_accepts():
    from lamina.errors import ShapeError
    from lamina.layers.input_spec import check_input

    class Probe(layers.Layer):
        pass

    layer = Probe(name="probe")
    squeeze = layers.InputSpec(shape=(None, 5, 1), allow_last_axis_squeeze=True)
    check_input(layer, squeeze, (2, 5))        # rank N - 1: the spec's last axis is 1
    check_input(layer, squeeze, (2, 5, 1))
    with pytest.raises(ShapeError):
        check_input(layer, squeeze, (2, 4))
    with pytest.raises(ShapeError, match="expected ndim=3"):
        check_input(layer, layers.InputSpec(shape=(None, 5, 1)), (2, 5))


# ---------------------------------------------------------------- activity_regularizer in configs
@pytest.mark.parametrize("make", [
    lambda L, **kw: L.layers.Dense(3, **kw), lambda L, **kw: L.layers.Activation("relu", **kw),
    lambda L, **kw: L.layers.Dropout(0.5, **kw), lambda L, **kw: L.layers.Flatten(**kw),
])
@pytest.mark.parametrize("reg", [None, "l2"])
def test_activity_regularizer_written_only_when_keras_writes_it(make, reg):
    kw = {} if reg is None else {"activity_regularizer": reg}
    config, kconfig = make(lamina, **kw).get_config(), make(keras, **kw).get_config()
    assert ("activity_regularizer" in config) == ("activity_regularizer" in kconfig)
    if reg:
        assert config["activity_regularizer"]["class_name"] == kconfig["activity_regularizer"]["class_name"]
        layer = type(make(lamina)).from_config(config)
        assert layer.activity_regularizer is not None
