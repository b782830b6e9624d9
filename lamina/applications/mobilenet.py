"""MobileNet (Howard et al., 2017; Keras's ``keras.applications.mobilenet``); 'tf' preprocessing."""

from __future__ import annotations

import warnings

from lamina import backend, layers
from lamina.applications import _common, imagenet_utils

BASE_WEIGHT_PATH = "https://storage.googleapis.com/tensorflow/keras-applications/mobilenet/"
_SIZES = (128, 160, 192, 224)
# (pointwise filters, stride) of the 13 depthwise-separable blocks
_BLOCKS = ((64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2), (512, 1), (512, 1), (512, 1),
           (512, 1), (512, 1), (1024, 2), (1024, 1))


def _conv_block(x, filters, alpha, kernel=(3, 3), strides=(1, 1)):
    x = layers.Conv2D(int(filters * alpha), kernel, padding="same", use_bias=False, strides=strides,
                      name="conv1")(x)
    x = layers.BatchNormalization(axis=_common.channel_axis(), name="conv1_bn")(x)
    return layers.ReLU(6.0, name="conv1_relu")(x)


def _depthwise_conv_block(x, filters, alpha, depth_multiplier=1, strides=(1, 1), block_id=1):
    if strides != (1, 1):
        x = layers.ZeroPadding2D(((0, 1), (0, 1)), name=f"conv_pad_{block_id}")(x)
    x = layers.DepthwiseConv2D((3, 3), padding="same" if strides == (1, 1) else "valid",
                               depth_multiplier=depth_multiplier, strides=strides, use_bias=False,
                               name=f"conv_dw_{block_id}")(x)
    x = layers.BatchNormalization(axis=_common.channel_axis(), name=f"conv_dw_{block_id}_bn")(x)
    x = layers.ReLU(6.0, name=f"conv_dw_{block_id}_relu")(x)
    x = layers.Conv2D(int(filters * alpha), (1, 1), padding="same", use_bias=False, strides=(1, 1),
                      name=f"conv_pw_{block_id}")(x)
    x = layers.BatchNormalization(axis=_common.channel_axis(), name=f"conv_pw_{block_id}_bn")(x)
    return layers.ReLU(6.0, name=f"conv_pw_{block_id}_relu")(x)


def MobileNet(input_shape=None, alpha=1.0, depth_multiplier=1, dropout=1e-3, include_top=True,
              weights="imagenet", input_tensor=None, pooling=None, classes=1000,
              classifier_activation="softmax", name=None):
    """MobileNet: depthwise-separable convolutions, width ``alpha``, 4.2M parameters at alpha=1.

    Args:
        input_shape: optional shape tuple (default (224, 224, 3)); square 128/160/192/224 inputs
            select the matching pretrained weights.
        alpha: width multiplier (0.25, 0.5, 0.75 or 1.0 for pretrained weights).
        depth_multiplier: depthwise convolutions' depth multiplier (1 for pretrained weights).
        dropout: dropout rate before the classifier.
        include_top, weights, input_tensor, pooling, classes, classifier_activation, name: as for
            every application (see ``lamina.applications.VGG16``). ``name`` defaults to
            ``mobilenet_<alpha>_<rows>``.

    Returns:
        A functional ``lamina.Model``.

    Example:
        >>> model = MobileNet(weights=None, input_shape=(32, 32, 3), include_top=False)
        >>> model.output_shape
        (None, 1, 1, 1024)
    """
    _common.check_weights("MobileNet", weights, include_top, classes)
    input_shape = imagenet_utils.obtain_input_shape(
        input_shape, default_size=_common.default_size(input_shape, None, _SIZES), min_size=32,
        data_format=backend.image_data_format(), require_flatten=include_top, weights=weights)
    rows, cols = _common.spatial(input_shape)
    if weights == "imagenet":
        if depth_multiplier != 1:
            raise ValueError(f"MobileNet: ImageNet weights need depth_multiplier=1. Received: {depth_multiplier}")
        if alpha not in (0.25, 0.50, 0.75, 1.0):
            raise ValueError(f"MobileNet: ImageNet weights exist for alpha 0.25, 0.5, 0.75 or 1.0. Received: alpha={alpha}")
        if rows != cols or rows not in _SIZES:
            rows = 224
            warnings.warn("MobileNet: the input shape is undefined, non-square or not one of 128, 160, "
                          "192, 224: the weights for 224x224 are loaded.", stacklevel=2)

    def body(img_input):
        x = _conv_block(img_input, 32, alpha, strides=(2, 2))
        for i, (filters, stride) in enumerate(_BLOCKS, start=1):
            x = _depthwise_conv_block(x, filters, alpha, depth_multiplier, strides=(stride, stride), block_id=i)
        return x

    def head(x, classes, activation):
        x = layers.GlobalAveragePooling2D(keepdims=True)(x)
        x = layers.Dropout(dropout, name="dropout")(x)
        x = layers.Conv2D(classes, (1, 1), padding="same", name="conv_preds")(x)
        x = layers.Reshape((classes,), name="reshape_2")(x)
        return layers.Activation(activation=activation, name="predictions")(x)

    def weight_file(top):
        text = {1.0: "1_0", 0.75: "7_5", 0.5: "5_0", 0.25: "2_5"}[alpha]
        fname = f"mobilenet_{text}_{rows}_tf{'' if top else '_no_top'}.h5"
        return fname, BASE_WEIGHT_PATH + fname, None

    return _common.build("MobileNet", body, head=head, weight_file=weight_file, check_input=False,
                         include_top=include_top, weights=weights, input_tensor=input_tensor,
                         input_shape=input_shape, pooling=pooling, classes=classes,
                         classifier_activation=classifier_activation,
                         name=name or f"mobilenet_{alpha:0.2f}_{rows}")


def preprocess_input(x, data_format=None):
    """MobileNet's preprocessing: scale pixels to [-1, 1] ('tf' mode)."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="tf")


decode_predictions = imagenet_utils.decode_predictions
