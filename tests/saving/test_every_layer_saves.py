"""Every layer class in lamina.layers survives .keras / .h5 / weights round trips, and Keras 3
reads lamina's file for it. Parametrized over the classes that exist at test time, so the
convolution, recurrent, normalization... layers from other branches are covered once merged."""

from __future__ import annotations

import inspect

import numpy as np
import pytest
from saving_helpers import run

import lamina
from lamina import layers as L

# name -> (factory(layers module), input shapes without batch, input dtype, how to call)
# how: "one" = layer(x), "list" = layer([x, y]), "args" = layer(x, y)
SAMPLES = {
    "Dense": (lambda m: m.Dense(3, activation="relu"), [(4,)], "float32", "one"),
    "Dropout": (lambda m: m.Dropout(0.5), [(4,)], "float32", "one"),
    "Activation": (lambda m: m.Activation("tanh"), [(4,)], "float32", "one"),
    "Flatten": (lambda m: m.Flatten(), [(3, 2)], "float32", "one"),
    "Reshape": (lambda m: m.Reshape((2, 3)), [(6,)], "float32", "one"),
    "Permute": (lambda m: m.Permute((2, 1)), [(3, 2)], "float32", "one"),
    "RepeatVector": (lambda m: m.RepeatVector(3), [(4,)], "float32", "one"),
    "Masking": (lambda m: m.Masking(0.0), [(5, 3)], "float32", "one"),
    "Embedding": (lambda m: m.Embedding(10, 3), [(5,)], "int32", "one"),
    "Conv1D": (lambda m: m.Conv1D(2, 3, padding="same"), [(8, 3)], "float32", "one"),
    "Conv2D": (lambda m: m.Conv2D(2, 3, strides=2, padding="same"), [(6, 6, 3)], "float32", "one"),
    "Conv3D": (lambda m: m.Conv3D(2, 2), [(4, 4, 4, 2)], "float32", "one"),
    "Conv1DTranspose": (lambda m: m.Conv1DTranspose(2, 2, strides=2), [(5, 3)], "float32", "one"),
    "Conv2DTranspose": (lambda m: m.Conv2DTranspose(2, 3, strides=2), [(4, 4, 3)], "float32", "one"),
    "Conv3DTranspose": (lambda m: m.Conv3DTranspose(2, 2, strides=2), [(3, 3, 3, 2)], "float32", "one"),
    "SeparableConv1D": (lambda m: m.SeparableConv1D(4, 3, depth_multiplier=2), [(8, 3)], "float32", "one"),
    "SeparableConv2D": (lambda m: m.SeparableConv2D(4, 3, depth_multiplier=2), [(6, 6, 3)], "float32", "one"),
    "DepthwiseConv1D": (lambda m: m.DepthwiseConv1D(3, depth_multiplier=2), [(8, 3)], "float32", "one"),
    "DepthwiseConv2D": (lambda m: m.DepthwiseConv2D(3, depth_multiplier=2), [(6, 6, 3)], "float32", "one"),
    "MaxPooling1D": (lambda m: m.MaxPooling1D(2), [(6, 3)], "float32", "one"),
    "MaxPooling2D": (lambda m: m.MaxPooling2D(2), [(6, 6, 3)], "float32", "one"),
    "MaxPooling3D": (lambda m: m.MaxPooling3D(2), [(4, 4, 4, 2)], "float32", "one"),
    "AveragePooling1D": (lambda m: m.AveragePooling1D(2), [(6, 3)], "float32", "one"),
    "AveragePooling2D": (lambda m: m.AveragePooling2D(2), [(6, 6, 3)], "float32", "one"),
    "AveragePooling3D": (lambda m: m.AveragePooling3D(2), [(4, 4, 4, 2)], "float32", "one"),
    "GlobalMaxPooling1D": (lambda m: m.GlobalMaxPooling1D(), [(6, 3)], "float32", "one"),
    "GlobalMaxPooling2D": (lambda m: m.GlobalMaxPooling2D(), [(6, 6, 3)], "float32", "one"),
    "GlobalMaxPooling3D": (lambda m: m.GlobalMaxPooling3D(), [(4, 4, 4, 2)], "float32", "one"),
    "GlobalAveragePooling1D": (lambda m: m.GlobalAveragePooling1D(), [(6, 3)], "float32", "one"),
    "GlobalAveragePooling2D": (lambda m: m.GlobalAveragePooling2D(), [(6, 6, 3)], "float32", "one"),
    "GlobalAveragePooling3D": (lambda m: m.GlobalAveragePooling3D(), [(4, 4, 4, 2)], "float32", "one"),
    "BatchNormalization": (lambda m: m.BatchNormalization(), [(5, 3)], "float32", "one"),
    "LayerNormalization": (lambda m: m.LayerNormalization(), [(5, 3)], "float32", "one"),
    "GroupNormalization": (lambda m: m.GroupNormalization(groups=2), [(5, 4)], "float32", "one"),
    "RMSNormalization": (lambda m: m.RMSNormalization(), [(5, 3)], "float32", "one"),
    "UnitNormalization": (lambda m: m.UnitNormalization(), [(5, 3)], "float32", "one"),
    "LSTM": (lambda m: m.LSTM(3, return_sequences=True), [(5, 2)], "float32", "one"),
    "GRU": (lambda m: m.GRU(3), [(5, 2)], "float32", "one"),
    "SimpleRNN": (lambda m: m.SimpleRNN(3), [(5, 2)], "float32", "one"),
    "RNN": (lambda m: m.RNN(m.LSTMCell(3)), [(5, 2)], "float32", "one"),
    "LSTMCell": (lambda m: m.RNN(m.LSTMCell(3)), [(5, 2)], "float32", "one"),
    "GRUCell": (lambda m: m.RNN(m.GRUCell(3)), [(5, 2)], "float32", "one"),
    "SimpleRNNCell": (lambda m: m.RNN(m.SimpleRNNCell(3)), [(5, 2)], "float32", "one"),
    "StackedRNNCells": (lambda m: m.RNN(m.StackedRNNCells([m.LSTMCell(2), m.GRUCell(3)])), [(5, 2)],
                        "float32", "one"),
    "Bidirectional": (lambda m: m.Bidirectional(m.LSTM(2)), [(5, 3)], "float32", "one"),
    "TimeDistributed": (lambda m: m.TimeDistributed(m.Dense(2)), [(3, 4)], "float32", "one"),
    "ConvLSTM2D": (lambda m: m.ConvLSTM2D(2, 3, padding="same"), [(3, 5, 5, 2)], "float32", "one"),
    "Add": (lambda m: m.Add(), [(4,), (4,)], "float32", "list"),
    "Subtract": (lambda m: m.Subtract(), [(4,), (4,)], "float32", "list"),
    "Multiply": (lambda m: m.Multiply(), [(4,), (4,)], "float32", "list"),
    "Average": (lambda m: m.Average(), [(4,), (4,)], "float32", "list"),
    "Maximum": (lambda m: m.Maximum(), [(4,), (4,)], "float32", "list"),
    "Minimum": (lambda m: m.Minimum(), [(4,), (4,)], "float32", "list"),
    "Concatenate": (lambda m: m.Concatenate(), [(4,), (2,)], "float32", "list"),
    "Dot": (lambda m: m.Dot(axes=1), [(4,), (4,)], "float32", "list"),
    "MultiHeadAttention": (lambda m: m.MultiHeadAttention(num_heads=2, key_dim=3), [(5, 4), (3, 4)],
                           "float32", "args"),
    "Attention": (lambda m: m.Attention(), [(5, 4), (3, 4)], "float32", "list"),
    "AdditiveAttention": (lambda m: m.AdditiveAttention(), [(5, 4), (3, 4)], "float32", "list"),
    "ActivityRegularization": (lambda m: m.ActivityRegularization(l1=0.01), [(4,)], "float32", "one"),
    "AlphaDropout": (lambda m: m.AlphaDropout(0.2), [(4,)], "float32", "one"),
    "GaussianDropout": (lambda m: m.GaussianDropout(0.2), [(4,)], "float32", "one"),
    "GaussianNoise": (lambda m: m.GaussianNoise(0.1), [(4,)], "float32", "one"),
    "SpatialDropout1D": (lambda m: m.SpatialDropout1D(0.2), [(5, 3)], "float32", "one"),
    "SpatialDropout2D": (lambda m: m.SpatialDropout2D(0.2), [(4, 4, 3)], "float32", "one"),
    "SpatialDropout3D": (lambda m: m.SpatialDropout3D(0.2), [(3, 3, 3, 2)], "float32", "one"),
    "Cropping1D": (lambda m: m.Cropping1D(1), [(6, 3)], "float32", "one"),
    "Cropping2D": (lambda m: m.Cropping2D(1), [(6, 6, 3)], "float32", "one"),
    "Cropping3D": (lambda m: m.Cropping3D(1), [(4, 4, 4, 2)], "float32", "one"),
    "UpSampling1D": (lambda m: m.UpSampling1D(2), [(3, 2)], "float32", "one"),
    "UpSampling2D": (lambda m: m.UpSampling2D(2), [(3, 3, 2)], "float32", "one"),
    "UpSampling3D": (lambda m: m.UpSampling3D(2), [(2, 2, 2, 2)], "float32", "one"),
    "ZeroPadding1D": (lambda m: m.ZeroPadding1D(1), [(3, 2)], "float32", "one"),
    "ZeroPadding2D": (lambda m: m.ZeroPadding2D(1), [(3, 3, 2)], "float32", "one"),
    "ZeroPadding3D": (lambda m: m.ZeroPadding3D(1), [(2, 2, 2, 2)], "float32", "one"),
    "LeakyReLU": (lambda m: m.LeakyReLU(negative_slope=0.1), [(4,)], "float32", "one"),
    "PReLU": (lambda m: m.PReLU(), [(4,)], "float32", "one"),
    "ELU": (lambda m: m.ELU(), [(4,)], "float32", "one"),
    "ReLU": (lambda m: m.ReLU(max_value=0.5), [(4,)], "float32", "one"),
    "Softmax": (lambda m: m.Softmax(), [(4,)], "float32", "one"),
    # issue 14's missing layers
    "ConvLSTM1D": (lambda m: m.ConvLSTM1D(2, 3, padding="same"), [(3, 5, 2)], "float32", "one"),
    "ConvLSTM2D": (lambda m: m.ConvLSTM2D(2, 2, return_sequences=True), [(2, 4, 4, 1)], "float32", "one"),
    "ConvLSTM3D": (lambda m: m.ConvLSTM3D(1, 2), [(2, 3, 3, 3, 1)], "float32", "one"),
    "LocallyConnected1D": (lambda m: m.LocallyConnected1D(2, 3), [(6, 2)], "float32", "one"),
    "LocallyConnected2D": (lambda m: m.LocallyConnected2D(2, 2, implementation=2), [(4, 4, 2)], "float32", "one"),
    "EinsumDense": (lambda m: m.EinsumDense("abc,cd->abd", (None, 3), bias_axes="d"), [(4, 2)], "float32", "one"),
    "Identity": (lambda m: m.Identity(), [(4,)], "float32", "one"),
    "AdaptiveAveragePooling1D": (lambda m: m.AdaptiveAveragePooling1D(3), [(7, 2)], "float32", "one"),
    "AdaptiveAveragePooling2D": (lambda m: m.AdaptiveAveragePooling2D(2), [(5, 5, 2)], "float32", "one"),
    "AdaptiveAveragePooling3D": (lambda m: m.AdaptiveAveragePooling3D(2), [(3, 4, 5, 1)], "float32", "one"),
    "AdaptiveMaxPooling1D": (lambda m: m.AdaptiveMaxPooling1D(3), [(7, 2)], "float32", "one"),
    "AdaptiveMaxPooling2D": (lambda m: m.AdaptiveMaxPooling2D((2, 3)), [(5, 5, 2)], "float32", "one"),
    "AdaptiveMaxPooling3D": (lambda m: m.AdaptiveMaxPooling3D(2), [(3, 4, 5, 1)], "float32", "one"),
    "ReversibleEmbedding": (lambda m: m.ReversibleEmbedding(10, 3), [(5,)], "int32", "one"),
    "SpectralNormalization": (lambda m: m.SpectralNormalization(m.Dense(3)), [(4,)], "float32", "one"),
    "GroupedQueryAttention": (lambda m: m.GroupedQueryAttention(2, 4, 2), [(3, 4), (5, 4)], "float32", "args"),
    "STFTSpectrogram": (lambda m: m.STFTSpectrogram(frame_length=8, frame_step=4), [(32, 1)], "float32", "one"),
    "MelSpectrogram": (lambda m: m.MelSpectrogram(32, 8, num_mel_bins=4), [(64,)], "float32", "one"),
}
# Covered by their own tests, or not standalone layers.
NOT_SAMPLED = {"Layer", "InputLayer", "Lambda", "OpLayer", "GetItem", "BackendFunction", "Wrapper",
               # cells: tests/layers/rnn/test_conv_lstm.py
               "ConvLSTMCell", "ConvLSTM1DCell", "ConvLSTM2DCell", "ConvLSTM3DCell"}


def _layer_classes():
    seen, out = set(), []
    for name in sorted(dir(L)):
        obj = getattr(L, name)
        if inspect.isclass(obj) and issubclass(obj, L.Layer) and obj not in seen:
            seen.add(obj)
            out.append(obj.__name__)
    return out


CLASSES = _layer_classes()


def _build(name):
    factory, shapes, dtype, how = SAMPLES[name]
    inputs = [lamina.Input(s, dtype=dtype, name=f"in{i}") for i, s in enumerate(shapes)]
    layer = factory(L)
    if how == "one":
        out = layer(inputs[0])
    elif how == "list":
        out = layer(inputs)
    else:
        out = layer(*inputs)
    model = lamina.Model(inputs if len(inputs) > 1 else inputs[0], out, name=f"m_{name.lower()}")
    rng = np.random.default_rng(0)
    for v in model.weights:  # every weight matters: positive random values (valid variances too)
        if v.dtype.startswith("float"):
            v.assign(rng.uniform(0.2, 1.0, v.shape).astype(v.dtype))
    data = []
    for s in shapes:
        if dtype.startswith("int"):
            data.append(rng.integers(1, 10, (2,) + s).astype(dtype))
        else:
            data.append(rng.uniform(-1, 1, (2,) + s).astype(dtype))
    return model, data if len(data) > 1 else data[0]


def _skip_unsampled(name):
    if name in NOT_SAMPLED:
        pytest.skip(f"{name} is covered by its own tests")
    if name not in SAMPLES:
        pytest.skip(f"no sample config for {name}: add one to SAMPLES in {__file__}")


@pytest.mark.parametrize("name", CLASSES)
def test_layer_round_trips_through_every_format(name, tmp_path):
    _skip_unsampled(name)
    model, x = _build(name)
    want = run(model, x)
    for fname in ("m.keras", "m.h5"):
        model.save(tmp_path / fname)
        loaded = lamina.models.load_model(tmp_path / fname)
        assert [type(l).__name__ for l in loaded.layers] == [type(l).__name__ for l in model.layers]
        np.testing.assert_array_equal(run(loaded, x), want, err_msg=f"{name} via {fname}")
    for fname in ("w.weights.h5", "w.h5"):
        model.save_weights(tmp_path / fname)
        fresh = lamina.models.clone_model(model)
        fresh.load_weights(tmp_path / fname)
        np.testing.assert_array_equal(run(fresh, x), want, err_msg=f"{name} via {fname}")
    config = model.get_config()
    assert lamina.Model.from_config(config).get_config() == config


@pytest.mark.parametrize("name", CLASSES)
def test_keras3_reads_lamina_file_for_layer(name, keras, tmp_path):
    _skip_unsampled(name)
    if not hasattr(keras.layers, name):
        pytest.skip(f"Keras 3 has no layer {name}")
    own = SAMPLES[name][0](keras.layers)
    try:
        type(own).from_config(own.get_config())
    except Exception as e:  # noqa: BLE001
        pytest.skip(f"Keras {keras.__version__} cannot rebuild its own {name} from its config ({e})")
    model, x = _build(name)
    model.save(tmp_path / "m.keras")
    theirs = keras.saving.load_model(str(tmp_path / "m.keras"))
    np.testing.assert_allclose(theirs.predict(x, verbose=0), run(model, x), rtol=2e-5, atol=2e-5)
