"""Xception (Chollet, 2017; Keras's ``keras.applications.xception``); 'tf' preprocessing."""

from __future__ import annotations

from lamina import layers
from lamina.applications import _common, imagenet_utils

_BASE = "https://storage.googleapis.com/tensorflow/keras-applications/xception/"
_FILES = (("xception_weights_tf_dim_ordering_tf_kernels.h5", "0a58e3b7378bc2990ea3b43d5981f1f6"),
          ("xception_weights_tf_dim_ordering_tf_kernels_notop.h5", "b0042744bf5b25fce3cb969f33bebb97"))


def _sep_bn(x, filters, name):
    x = layers.SeparableConv2D(filters, (3, 3), padding="same", use_bias=False, name=name)(x)
    return layers.BatchNormalization(axis=_common.channel_axis(), name=f"{name}_bn")(x)


def _entry_block(x, filters, block, first_relu=True):
    """Two separable convolutions and a strided max pooling, added to a strided 1x1 shortcut."""
    axis = _common.channel_axis()
    residual = layers.Conv2D(filters[1], (1, 1), strides=(2, 2), padding="same", use_bias=False)(x)
    residual = layers.BatchNormalization(axis=axis)(residual)
    if first_relu:
        x = layers.Activation("relu", name=f"block{block}_sepconv1_act")(x)
    x = _sep_bn(x, filters[0], f"block{block}_sepconv1")
    x = layers.Activation("relu", name=f"block{block}_sepconv2_act")(x)
    x = _sep_bn(x, filters[1], f"block{block}_sepconv2")
    x = layers.MaxPooling2D((3, 3), strides=(2, 2), padding="same", name=f"block{block}_pool")(x)
    return layers.add([x, residual])


def _body(img_input):
    axis = _common.channel_axis()
    x = layers.Conv2D(32, (3, 3), strides=(2, 2), use_bias=False, name="block1_conv1")(img_input)
    x = layers.BatchNormalization(axis=axis, name="block1_conv1_bn")(x)
    x = layers.Activation("relu", name="block1_conv1_act")(x)
    x = layers.Conv2D(64, (3, 3), use_bias=False, name="block1_conv2")(x)
    x = layers.BatchNormalization(axis=axis, name="block1_conv2_bn")(x)
    x = layers.Activation("relu", name="block1_conv2_act")(x)
    x = _entry_block(x, (128, 128), 2, first_relu=False)
    x = _entry_block(x, (256, 256), 3)
    x = _entry_block(x, (728, 728), 4)
    for i in range(5, 13):  # middle flow: eight residual blocks of three separable convolutions
        residual = x
        for j in (1, 2, 3):
            x = layers.Activation("relu", name=f"block{i}_sepconv{j}_act")(x)
            x = _sep_bn(x, 728, f"block{i}_sepconv{j}")
        x = layers.add([x, residual])
    x = _entry_block(x, (728, 1024), 13)
    x = _sep_bn(x, 1536, "block14_sepconv1")
    x = layers.Activation("relu", name="block14_sepconv1_act")(x)
    x = _sep_bn(x, 2048, "block14_sepconv2")
    return layers.Activation("relu", name="block14_sepconv2_act")(x)


def Xception(include_top=True, weights="imagenet", input_tensor=None, input_shape=None, pooling=None,
             classes=1000, classifier_activation="softmax", name="xception"):
    def weight_file(top):
        fname, digest = _FILES[0 if top else 1]
        return fname, _BASE + fname, digest

    return _common.build("Xception", _body, default_size=299, min_size=71, weight_file=weight_file,
                         **_common.args(locals()))


_common.document(Xception, "Xception: depthwise-separable convolutions with residual links, default input 299x299.",
                 "        >>> model = Xception(weights=None, include_top=False, input_shape=(71, 71, 3))"
                 "  # doctest: +SKIP")


def preprocess_input(x, data_format=None):
    """Xception's preprocessing: scale pixels to [-1, 1] ('tf' mode)."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="tf")


decode_predictions = imagenet_utils.decode_predictions
