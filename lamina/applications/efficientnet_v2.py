"""EfficientNetV2 B0-B3, S, M, L (Tan & Le, 2021; Keras's ``keras.applications.efficientnet_v2``).

The models include their preprocessing unless ``include_preprocessing=False`` (B0-B3: scale to
[0, 1] and normalise with the ImageNet mean/std; S/M/L: scale to [-1, 1]); ``preprocess_input``
is the identity, as in Keras.
"""

from __future__ import annotations

import copy
import math

from lamina import initializers, layers
from lamina.applications import _common, imagenet_utils
from lamina.applications.efficientnet import CONV_KERNEL_INITIALIZER, DENSE_KERNEL_INITIALIZER

BASE_WEIGHTS_PATH = "https://storage.googleapis.com/tensorflow/keras-applications/efficientnet_v2/"
WEIGHTS_HASHES = {
    "b0": ("21ecbf6da12460d5c40bb2f29ceb2188", "893217f2bb855e2983157299931e43ff"),
    "b1": ("069f0534ff22adf035c89e2d9547a9dc", "0e80663031ca32d657f9caa404b6ec37"),
    "b2": ("424e49f28180edbde1e94797771950a7", "1dfe2e7a5d45b6632553a8961ea609eb"),
    "b3": ("1f1fc43bd98a6e4fd8fdfd551e02c7a0", "f6abf7b5849ac99a89b50dd3fd532856"),
    "-s": ("e1d88a8495beba45748fedd0cecbe016", "af0682fb74e8c54910f2d4393339c070"),
    "-m": ("a3bf6aa3276309f4fc6a34aa114c95cd", "1b8dc055df72dde80d614482840fe342"),
    "-l": ("27e6d408b53c7ebc868fefa357689935", "b0b66b5c863aef5b46e8608fe1711615"),
}
_KEYS = ("kernel_size", "num_repeat", "input_filters", "output_filters", "expand_ratio", "se_ratio", "strides",
         "conv_type")
_B = [(3, 1, 32, 16, 1, 0, 1, 1), (3, 2, 16, 32, 4, 0, 2, 1), (3, 2, 32, 48, 4, 0, 2, 1),
      (3, 3, 48, 96, 4, 0.25, 2, 0), (3, 5, 96, 112, 6, 0.25, 1, 0), (3, 8, 112, 192, 6, 0.25, 2, 0)]
# per stage: kernel, repeats, filters in, out, expansion, squeeze-excite ratio, stride, 1 = fused MBConv
_STAGES = {
    "efficientnetv2-s": [(3, 2, 24, 24, 1, 0.0, 1, 1), (3, 4, 24, 48, 4, 0.0, 2, 1), (3, 4, 48, 64, 4, 0, 2, 1),
                         (3, 6, 64, 128, 4, 0.25, 2, 0), (3, 9, 128, 160, 6, 0.25, 1, 0),
                         (3, 15, 160, 256, 6, 0.25, 2, 0)],
    "efficientnetv2-m": [(3, 3, 24, 24, 1, 0, 1, 1), (3, 5, 24, 48, 4, 0, 2, 1), (3, 5, 48, 80, 4, 0, 2, 1),
                         (3, 7, 80, 160, 4, 0.25, 2, 0), (3, 14, 160, 176, 6, 0.25, 1, 0),
                         (3, 18, 176, 304, 6, 0.25, 2, 0), (3, 5, 304, 512, 6, 0.25, 1, 0)],
    "efficientnetv2-l": [(3, 4, 32, 32, 1, 0, 1, 1), (3, 7, 32, 64, 4, 0, 2, 1), (3, 7, 64, 96, 4, 0, 2, 1),
                         (3, 10, 96, 192, 4, 0.25, 2, 0), (3, 19, 192, 224, 6, 0.25, 1, 0),
                         (3, 25, 224, 384, 6, 0.25, 2, 0), (3, 7, 384, 640, 6, 0.25, 1, 0)],
    **{f"efficientnetv2-b{i}": _B for i in range(4)},
}
DEFAULT_BLOCKS_ARGS = {k: [dict(zip(_KEYS, s)) for s in v] for k, v in _STAGES.items()}


def round_filters(filters, width_coefficient, min_depth, depth_divisor):
    filters *= width_coefficient
    return int(max(min_depth or depth_divisor, int(filters + depth_divisor / 2) // depth_divisor * depth_divisor))


def round_repeats(repeats, depth_coefficient):
    return int(math.ceil(depth_coefficient * repeats))


def _conv(filters, kernel_size, strides, name, activation=None, use_bias=False):
    return layers.Conv2D(filters, kernel_size, strides=strides, padding="same", use_bias=use_bias,
                         activation=activation, kernel_initializer=CONV_KERNEL_INITIALIZER, name=name)


def _se(x, input_filters, filters, se_ratio, activation, name):
    se = layers.GlobalAveragePooling2D(name=f"{name}se_squeeze")(x)
    se = layers.Reshape((filters, 1, 1) if _common.channel_axis() == 1 else (1, 1, filters), name=f"{name}se_reshape")(se)
    se = layers.Conv2D(max(1, int(input_filters * se_ratio)), 1, padding="same", activation=activation,
                       kernel_initializer=CONV_KERNEL_INITIALIZER, name=f"{name}se_reduce")(se)
    se = layers.Conv2D(filters, 1, padding="same", activation="sigmoid", kernel_initializer=CONV_KERNEL_INITIALIZER,
                       name=f"{name}se_expand")(se)
    return layers.multiply([x, se], name=f"{name}se_excite")


def _residual(x, inputs, strides, input_filters, output_filters, survival_probability, name):
    if strides == 1 and input_filters == output_filters:
        if survival_probability:  # Keras's rate here is the drop rate despite the name
            x = layers.Dropout(survival_probability, noise_shape=(None, 1, 1, 1), name=f"{name}drop")(x)
        x = layers.add([x, inputs], name=f"{name}add")
    return x


def MBConvBlock(input_filters, output_filters, expand_ratio=1, kernel_size=3, strides=1, se_ratio=0.0,
                bn_momentum=0.9, activation="swish", survival_probability=0.8, name=None):
    """Expand 1x1 -> depthwise kxk -> squeeze-excite -> project 1x1 (+ residual)."""
    axis = _common.channel_axis()

    def apply(inputs):
        filters = input_filters * expand_ratio
        x = inputs
        if expand_ratio != 1:
            x = _conv(filters, 1, 1, f"{name}expand_conv")(x)
            x = layers.BatchNormalization(axis=axis, momentum=bn_momentum, name=f"{name}expand_bn")(x)
            x = layers.Activation(activation, name=f"{name}expand_activation")(x)
        x = layers.DepthwiseConv2D(kernel_size=kernel_size, strides=strides, padding="same", use_bias=False,
                                   depthwise_initializer=CONV_KERNEL_INITIALIZER, name=f"{name}dwconv2")(x)
        x = layers.BatchNormalization(axis=axis, momentum=bn_momentum, name=f"{name}bn")(x)
        x = layers.Activation(activation, name=f"{name}activation")(x)
        if 0 < se_ratio <= 1:
            x = _se(x, input_filters, filters, se_ratio, activation, name)
        x = _conv(output_filters, 1, 1, f"{name}project_conv")(x)
        x = layers.BatchNormalization(axis=axis, momentum=bn_momentum, name=f"{name}project_bn")(x)
        return _residual(x, inputs, strides, input_filters, output_filters, survival_probability, name)
    return apply


def FusedMBConvBlock(input_filters, output_filters, expand_ratio=1, kernel_size=3, strides=1, se_ratio=0.0,
                     bn_momentum=0.9, activation="swish", survival_probability=0.8, name=None):
    """Fused MBConv: one regular kxk conv replaces expand + depthwise (+ squeeze-excite, project, residual)."""
    axis = _common.channel_axis()

    def apply(inputs):
        filters = input_filters * expand_ratio
        x = inputs
        if expand_ratio != 1:
            x = _conv(filters, kernel_size, strides, f"{name}expand_conv")(x)
            x = layers.BatchNormalization(axis=axis, momentum=bn_momentum, name=f"{name}expand_bn")(x)
            x = layers.Activation(activation=activation, name=f"{name}expand_activation")(x)
        if 0 < se_ratio <= 1:
            x = _se(x, input_filters, filters, se_ratio, activation, name)
        fused = expand_ratio == 1
        x = _conv(output_filters, kernel_size if fused else 1, strides if fused else 1, f"{name}project_conv")(x)
        x = layers.BatchNormalization(axis=axis, momentum=bn_momentum, name=f"{name}project_bn")(x)
        if fused:
            x = layers.Activation(activation=activation, name=f"{name}project_activation")(x)
        return _residual(x, inputs, strides, input_filters, output_filters, survival_probability, name)
    return apply


def EfficientNetV2(width_coefficient, depth_coefficient, default_size, dropout_rate=0.2, drop_connect_rate=0.2,
                   depth_divisor=8, min_depth=8, bn_momentum=0.9, activation="swish", blocks_args="default",
                   name="efficientnetv2", include_top=True, weights="imagenet", input_tensor=None, input_shape=None,
                   pooling=None, classes=1000, classifier_activation="softmax", include_preprocessing=True,
                   weights_name=None):
    """The EfficientNetV2 family; B0-B3/S/M/L are presets (``weights_name`` 'b0'...'b3', '-s', '-m', '-l')."""
    variant = f"efficientnetv2{weights_name if weights_name and weights_name.startswith('-') else '-' + str(weights_name)}"
    if blocks_args == "default":
        blocks_args = DEFAULT_BLOCKS_ARGS[variant if variant in DEFAULT_BLOCKS_ARGS else name]
    axis = _common.channel_axis()

    def rf(filters):
        return round_filters(filters, width_coefficient, min_depth, depth_divisor)

    def body(x):
        if include_preprocessing:
            if variant.split("-")[-1].startswith("b") and x.shape[axis] == 3:
                x = layers.Rescaling(scale=1.0 / 255)(x)
                x = layers.Normalization(mean=[0.485, 0.456, 0.406], variance=[0.229**2, 0.224**2, 0.225**2],
                                         axis=axis)(x)
            else:
                x = layers.Rescaling(scale=1.0 / 128.0, offset=-1)(x)
        x = _conv(rf(blocks_args[0]["input_filters"]), 3, 2, "stem_conv")(x)
        x = layers.BatchNormalization(axis=axis, momentum=bn_momentum, name="stem_bn")(x)
        x = layers.Activation(activation, name="stem_activation")(x)
        stages = copy.deepcopy(blocks_args)
        total = float(sum(a["num_repeat"] for a in stages))
        b = 0
        for i, args in enumerate(stages):
            if args["num_repeat"] <= 0:
                raise ValueError(f"EfficientNetV2: num_repeat must be > 0. Received: {args['num_repeat']}")
            args["input_filters"], args["output_filters"] = rf(args["input_filters"]), rf(args["output_filters"])
            block = FusedMBConvBlock if args.pop("conv_type") == 1 else MBConvBlock
            for j in range(round_repeats(args.pop("num_repeat"), depth_coefficient)):
                if j > 0:
                    args["strides"], args["input_filters"] = 1, args["output_filters"]
                x = block(activation=activation, bn_momentum=bn_momentum,
                          survival_probability=drop_connect_rate * b / total, name=f"block{i + 1}{chr(j + 97)}_",
                          **args)(x)
                b += 1
        x = _conv(rf(1280), 1, 1, "top_conv")(x)
        x = layers.BatchNormalization(axis=axis, momentum=bn_momentum, name="top_bn")(x)
        return layers.Activation(activation=activation, name="top_activation")(x)

    def head(x, classes, classifier_activation):
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
        if dropout_rate > 0:
            x = layers.Dropout(dropout_rate, name="top_dropout")(x)
        return layers.Dense(classes, activation=classifier_activation, kernel_initializer=DENSE_KERNEL_INITIALIZER,
                            bias_initializer=initializers.Constant(0.0), name="predictions")(x)

    def weight_file(top):
        if weights_name not in WEIGHTS_HASHES:
            raise ValueError(f"{name}: Keras publishes no ImageNet weights for this configuration.")
        fname = f"{variant}{'.h5' if top else '_notop.h5'}"
        return fname, BASE_WEIGHTS_PATH + fname, WEIGHTS_HASHES[weights_name][0 if top else 1]

    return _common.build(name, body, head=head, weight_file=weight_file, default_size=default_size,
                         pool_names=("avg_pool", "max_pool"), include_top=include_top, weights=weights,
                         input_tensor=input_tensor, input_shape=input_shape, pooling=pooling, classes=classes,
                         classifier_activation=classifier_activation, name=name)


_PRESETS = {"b0": (1.0, 1.0, 224), "b1": (1.0, 1.1, 240), "b2": (1.1, 1.2, 260), "b3": (1.2, 1.4, 300),
            "-s": (1.0, 1.0, 384), "-m": (1.0, 1.0, 480), "-l": (1.0, 1.0, 480)}


def _preset(key, local_vars):
    w, d, size = _PRESETS[key]
    return EfficientNetV2(w, d, size, weights_name=key, include_preprocessing=local_vars["include_preprocessing"],
                          **_common.args(local_vars))


def EfficientNetV2B0(include_top=True, weights="imagenet", input_tensor=None, input_shape=None, pooling=None,
                     classes=1000, classifier_activation="softmax", include_preprocessing=True,
                     name="efficientnetv2-b0"):
    return _preset("b0", locals())


def EfficientNetV2B1(include_top=True, weights="imagenet", input_tensor=None, input_shape=None, pooling=None,
                     classes=1000, classifier_activation="softmax", include_preprocessing=True,
                     name="efficientnetv2-b1"):
    return _preset("b1", locals())


def EfficientNetV2B2(include_top=True, weights="imagenet", input_tensor=None, input_shape=None, pooling=None,
                     classes=1000, classifier_activation="softmax", include_preprocessing=True,
                     name="efficientnetv2-b2"):
    return _preset("b2", locals())


def EfficientNetV2B3(include_top=True, weights="imagenet", input_tensor=None, input_shape=None, pooling=None,
                     classes=1000, classifier_activation="softmax", include_preprocessing=True,
                     name="efficientnetv2-b3"):
    return _preset("b3", locals())


def EfficientNetV2S(include_top=True, weights="imagenet", input_tensor=None, input_shape=None, pooling=None,
                    classes=1000, classifier_activation="softmax", include_preprocessing=True,
                    name="efficientnetv2-s"):
    return _preset("-s", locals())


def EfficientNetV2M(include_top=True, weights="imagenet", input_tensor=None, input_shape=None, pooling=None,
                    classes=1000, classifier_activation="softmax", include_preprocessing=True,
                    name="efficientnetv2-m"):
    return _preset("-m", locals())


def EfficientNetV2L(include_top=True, weights="imagenet", input_tensor=None, input_shape=None, pooling=None,
                    classes=1000, classifier_activation="softmax", include_preprocessing=True,
                    name="efficientnetv2-l"):
    return _preset("-l", locals())


for _key, (_w, _d, _size) in _PRESETS.items():
    _fn = globals()[f"EfficientNetV2{_key.strip('-').upper()}"]
    _common.document(_fn, f"{_fn.__name__}: EfficientNetV2 (fused MBConv early, MBConv late), default input "
                          f"{_size}x{_size}; takes images in [0, 255].",
                     f"        >>> model = {_fn.__name__}(weights=None, include_top=False, input_shape=(32, 32, 3))"
                     "  # doctest: +SKIP")


def preprocess_input(x, data_format=None):
    """The identity: EfficientNetV2 models preprocess their input themselves."""
    return x


decode_predictions = imagenet_utils.decode_predictions
