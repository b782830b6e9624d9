"""Keras 1/2 spellings of the convolution layers: accepted with a warning that names the fix."""

import numpy as np
import pytest

import lamina
from lamina import layers
from lamina.errors import LaminaDeprecationWarning


def _any(record, text):
    messages = [str(w.message) for w in record]
    assert any(text in m for m in messages), messages


def test_convolution2d_keras1_positionals_mean_nb_row_nb_col():
    with pytest.warns(LaminaDeprecationWarning) as record:
        layer = layers.Convolution2D(32, 3, 3, border_mode="same", subsample=(2, 2), dim_ordering="th")
    _any(record, "Write `Conv2D(32, (3, 3))` instead")
    assert type(layer) is layers.Conv2D
    assert layer.kernel_size == (3, 3) and layer.strides == (2, 2)
    assert layer.padding == "same" and layer.data_format == "channels_first"
    y = layer(np.zeros((1, 3, 8, 8), "float32"))
    assert tuple(y.shape) == (1, 32, 4, 4)


def test_every_keras1_argument_is_named_in_a_warning():
    with pytest.warns(LaminaDeprecationWarning) as record:
        layers.Convolution2D(8, 3, 5, init="he_normal", border_mode="valid", W_regularizer="l2", bias=False)
    text = " ".join(str(w.message) for w in record)
    for fix in ("Conv2D(8, (3, 5))", "kernel_initializer", "padding", "kernel_regularizer", "use_bias"):
        assert fix in text


def test_keras1_positional_init_and_activation():
    with pytest.warns(LaminaDeprecationWarning):
        layer = layers.Convolution2D(4, 2, 2, "zeros", "relu")
    assert layer.activation is lamina.activations.relu
    assert type(layer.kernel_initializer).__name__ == "Zeros"


def test_modern_name_keeps_keras_2_3_meaning_of_the_third_positional():
    layer = layers.Conv2D(32, 3, 3)  # Keras 2/3: kernel_size=3, strides=3 (no warning)
    assert layer.kernel_size == (3, 3) and layer.strides == (3, 3)


def test_alias_with_modern_arguments_is_plain_conv2d():
    layer = layers.Convolution2D(16, (3, 3), strides=2, padding="same")
    assert type(layer) is layers.Conv2D and layer.strides == (2, 2)
    assert isinstance(layer, layers.Convolution2D)
    assert isinstance(layers.Conv2D(2, 3), layers.Convolution2D)


def test_nb_filter_nb_row_nb_col_keywords():
    with pytest.warns(LaminaDeprecationWarning) as record:
        layer = layers.Conv2D(nb_filter=6, nb_row=3, nb_col=5)
    _any(record, "Conv2D(kernel_size=(3, 5))")
    assert layer.filters == 6 and layer.kernel_size == (3, 5)
    with pytest.raises(TypeError, match="nb_row, nb_col must all be given"):
        layers.Conv2D(6, nb_row=3)


def test_convolution3d_and_convolution1d_keras1_forms():
    with pytest.warns(LaminaDeprecationWarning, match=r"Conv3D\(4, \(3, 3, 2\)\)"):
        layer = layers.Convolution3D(4, 3, 3, 2)
    assert layer.kernel_size == (3, 3, 2)
    with pytest.warns(LaminaDeprecationWarning):
        layer = layers.Convolution1D(nb_filter=4, filter_length=5, subsample_length=2, border_mode="same")
    assert (layer.filters, layer.kernel_size, layer.strides, layer.padding) == (4, (5,), (2,), "same")


def test_separable_convolution2d_keras1_form_sets_both_initializers():
    with pytest.warns(LaminaDeprecationWarning):
        layer = layers.SeparableConvolution2D(8, 3, 3, init="he_normal", depth_multiplier=2)
    assert layer.kernel_size == (3, 3) and layer.depth_multiplier == 2
    assert type(layer.depthwise_initializer).__name__ == type(layer.pointwise_initializer).__name__ == "HeNormal"


def test_dim_ordering_default_and_tf():
    with pytest.warns(LaminaDeprecationWarning):
        assert layers.Conv2D(2, 3, dim_ordering="default").data_format == "channels_last"
    with pytest.warns(LaminaDeprecationWarning):
        assert layers.MaxPooling2D(dim_ordering="tf").data_format == "channels_last"


def test_keras1_alias_from_config():
    with pytest.warns(LaminaDeprecationWarning):
        layer = layers.Convolution2D.from_config({"nb_filter": 3, "nb_row": 2, "nb_col": 2, "name": "old"})
    assert layer.name == "old" and layer.kernel_size == (2, 2)


def test_plain_keras3_aliases_are_the_classes():
    assert layers.Convolution1D is layers.Conv1D
    assert layers.Convolution2DTranspose is layers.Conv2DTranspose
    assert layers.SeparableConvolution1D is layers.SeparableConv1D


def test_keras1_module_path_warns():
    with pytest.warns(LaminaDeprecationWarning, match="from lamina.layers import Conv2D"):
        from lamina.layers.convolutional import Conv2D
    assert Conv2D is layers.Conv2D
    with pytest.warns(LaminaDeprecationWarning, match="from lamina.layers import ZeroPadding2D"):
        from lamina.layers.convolutional import ZeroPadding2D  # noqa: F401  (Keras 1 kept it there)
