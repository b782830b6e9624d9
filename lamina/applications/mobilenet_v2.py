"""MobileNetV2 (Sandler et al., 2018; Keras's ``keras.applications.mobilenet_v2``); 'tf' preprocessing."""

from __future__ import annotations

import warnings

from lamina import backend, layers
from lamina.applications import _common, imagenet_utils
from lamina.applications._common import make_divisible

BASE_WEIGHT_PATH = "https://storage.googleapis.com/tensorflow/keras-applications/mobilenet_v2/"
_SIZES = (96, 128, 160, 192, 224)
# (filters, stride, expansion) of the 17 inverted residual blocks
_BLOCKS = ((16, 1, 1), (24, 2, 6), (24, 1, 6), (32, 2, 6), (32, 1, 6), (32, 1, 6), (64, 2, 6), (64, 1, 6),
           (64, 1, 6), (64, 1, 6), (96, 1, 6), (96, 1, 6), (96, 1, 6), (160, 2, 6), (160, 1, 6),
           (160, 1, 6), (320, 1, 6))


def _bn(name):
    return layers.BatchNormalization(axis=_common.channel_axis(), epsilon=1e-3, momentum=0.999, name=name)


def inverted_res_block(inputs, expansion, stride, alpha, filters, block_id):
    """Expand (1x1, ReLU6) -> depthwise 3x3 (ReLU6) -> linear projection (1x1), residual when shapes allow."""
    in_channels = inputs.shape[_common.channel_axis()]
    pointwise_filters = make_divisible(int(filters * alpha), 8)
    x = inputs
    prefix = f"block_{block_id}_" if block_id else "expanded_conv_"
    if block_id:
        x = layers.Conv2D(expansion * in_channels, kernel_size=1, padding="same", use_bias=False,
                          activation=None, name=f"{prefix}expand")(x)
        x = _bn(f"{prefix}expand_BN")(x)
        x = layers.ReLU(6.0, name=f"{prefix}expand_relu")(x)
    if stride == 2:
        x = layers.ZeroPadding2D(padding=imagenet_utils.correct_pad(x, 3), name=f"{prefix}pad")(x)
    x = layers.DepthwiseConv2D(kernel_size=3, strides=stride, activation=None, use_bias=False,
                               padding="same" if stride == 1 else "valid", name=f"{prefix}depthwise")(x)
    x = _bn(f"{prefix}depthwise_BN")(x)
    x = layers.ReLU(6.0, name=f"{prefix}depthwise_relu")(x)
    x = layers.Conv2D(pointwise_filters, kernel_size=1, padding="same", use_bias=False, activation=None,
                      name=f"{prefix}project")(x)
    x = _bn(f"{prefix}project_BN")(x)
    if in_channels == pointwise_filters and stride == 1:
        return layers.Add(name=f"{prefix}add")([inputs, x])
    return x


def MobileNetV2(input_shape=None, alpha=1.0, include_top=True, weights="imagenet", input_tensor=None,
                pooling=None, classes=1000, classifier_activation="softmax", name=None):
    """MobileNetV2: inverted residual blocks with linear bottlenecks, 3.5M parameters at alpha=1.

    Args:
        input_shape: optional shape tuple (default (224, 224, 3)); square 96/128/160/192/224 inputs
            select the matching pretrained weights.
        alpha: width multiplier (0.35, 0.5, 0.75, 1.0, 1.3 or 1.4 for pretrained weights).
        include_top, weights, input_tensor, pooling, classes, classifier_activation, name: as for
            every application (see ``lamina.applications.VGG16``). ``name`` defaults to
            ``mobilenetv2_<alpha>_<rows>``.

    Returns:
        A functional ``lamina.Model``.

    Example:
        >>> model = MobileNetV2(weights=None, input_shape=(32, 32, 3), include_top=False, pooling="avg")
        >>> model.output_shape
        (None, 1280)
    """
    _common.check_weights("MobileNetV2", weights, include_top, classes)
    size = _common.default_size(input_shape, input_tensor if backend.is_keras_tensor(input_tensor) else None, _SIZES)
    input_shape = imagenet_utils.obtain_input_shape(
        input_shape, default_size=size, min_size=32, data_format=backend.image_data_format(),
        require_flatten=include_top, weights=weights)
    rows, cols = _common.spatial(input_shape)
    if weights == "imagenet":
        if alpha not in (0.35, 0.50, 0.75, 1.0, 1.3, 1.4):
            raise ValueError("MobileNetV2: ImageNet weights exist for alpha 0.35, 0.5, 0.75, 1.0, 1.3 or 1.4. "
                             f"Received: alpha={alpha}")
        if rows != cols or rows not in _SIZES:
            rows = 224
            warnings.warn("MobileNetV2: the input shape is undefined, non-square or not one of 96, 128, "
                          "160, 192, 224: the weights for 224x224 are loaded.", stacklevel=2)

    def body(img_input):
        x = layers.Conv2D(make_divisible(32 * alpha, 8), kernel_size=3, strides=(2, 2), padding="same",
                          use_bias=False, name="Conv1")(img_input)
        x = _bn("bn_Conv1")(x)
        x = layers.ReLU(6.0, name="Conv1_relu")(x)
        for i, (filters, stride, expansion) in enumerate(_BLOCKS):
            x = inverted_res_block(x, filters=filters, alpha=alpha, stride=stride, expansion=expansion, block_id=i)
        last = make_divisible(1280 * alpha, 8) if alpha > 1.0 else 1280
        x = layers.Conv2D(last, kernel_size=1, use_bias=False, name="Conv_1")(x)
        x = _bn("Conv_1_bn")(x)
        return layers.ReLU(6.0, name="out_relu")(x)

    def head(x, classes, activation):
        x = layers.GlobalAveragePooling2D()(x)
        return layers.Dense(classes, activation=activation, name="predictions")(x)

    def weight_file(top):
        fname = (f"mobilenet_v2_weights_tf_dim_ordering_tf_kernels_{float(alpha)}_{rows}"
                 f"{'' if top else '_no_top'}.h5")
        return fname, BASE_WEIGHT_PATH + fname, None

    return _common.build("MobileNetV2", body, head=head, weight_file=weight_file, check_input=False,
                         include_top=include_top, weights=weights, input_tensor=input_tensor,
                         input_shape=input_shape, pooling=pooling, classes=classes,
                         classifier_activation=classifier_activation,
                         name=name or f"mobilenetv2_{alpha:0.2f}_{rows}")


def preprocess_input(x, data_format=None):
    """MobileNetV2's preprocessing: scale pixels to [-1, 1] ('tf' mode)."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="tf")


decode_predictions = imagenet_utils.decode_predictions
