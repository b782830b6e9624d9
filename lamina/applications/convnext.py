"""ConvNeXt Tiny / Small / Base / Large / XLarge (Liu et al., 2022; Keras's ``keras.applications.convnext``).

The models include their preprocessing (a ``Normalization`` with the ImageNet mean and
variance of [0, 255] pixels) unless ``include_preprocessing=False``; ``preprocess_input`` is the
identity, as in Keras. channels_last only (as in Keras).
"""

from __future__ import annotations

import numpy as np

from lamina import backend, layers
from lamina.applications import _common, imagenet_utils
from lamina.applications.layer_scale import LayerScale
from lamina.applications.stochastic_depth import StochasticDepth

BASE_WEIGHTS_PATH = "https://storage.googleapis.com/tensorflow/keras-applications/convnext/"
WEIGHTS_HASHES = {
    "convnext_tiny": ("8ae6e78ce2933352b1ef4008e6dd2f17bc40771563877d156bc6426c7cf503ff",
                      "d547c096cabd03329d7be5562c5e14798aa39ed24b474157cef5e85ab9e49ef1"),
    "convnext_small": ("ce1277d8f1ee5a0ef0e171469089c18f5233860ceaf9b168049cb9263fd7483c",
                       "6fc8009faa2f00c1c1dfce59feea9b0745eb260a7dd11bee65c8e20843da6eab"),
    "convnext_base": ("52cbb006d3dadd03f6e095a8ca1aca47aecdd75acb4bc74bce1f5c695d0086e6",
                      "40a20c5548a5e9202f69735ecc06c990e6b7c9d2de39f0361e27baeb24cb7c45"),
    "convnext_large": ("070c5ed9ed289581e477741d3b34beffa920db8cf590899d6d2c67fba2a198a6",
                       "96f02b6f0753d4f543261bc9d09bed650f24dd6bc02ddde3066135b63d23a1cd"),
    "convnext_xlarge": ("c1f5ccab661354fc3a79a10fa99af82f0fbf10ec65cb894a3ae0815f17a889ee",
                        "de3f8a54174130e0cecdc71583354753d557fcf1f4487331558e2a16ba0cfe05"),
}
MODEL_CONFIGS = {
    "tiny": {"depths": [3, 3, 9, 3], "projection_dims": [96, 192, 384, 768], "default_size": 224},
    "small": {"depths": [3, 3, 27, 3], "projection_dims": [96, 192, 384, 768], "default_size": 224},
    "base": {"depths": [3, 3, 27, 3], "projection_dims": [128, 256, 512, 1024], "default_size": 224},
    "large": {"depths": [3, 3, 27, 3], "projection_dims": [192, 384, 768, 1536], "default_size": 224},
    "xlarge": {"depths": [3, 3, 27, 3], "projection_dims": [256, 512, 1024, 2048], "default_size": 224},
}


def ConvNeXtBlock(projection_dim, drop_path_rate=0.0, layer_scale_init_value=1e-6, name=None):
    """Depthwise 7x7 conv -> LayerNorm -> Dense 4x (GELU) -> Dense -> LayerScale, added to the input."""
    def apply(inputs):
        x = layers.Conv2D(filters=projection_dim, kernel_size=7, padding="same", groups=projection_dim,
                          name=f"{name}_depthwise_conv")(inputs)
        x = layers.LayerNormalization(epsilon=1e-6, name=f"{name}_layernorm")(x)
        x = layers.Dense(4 * projection_dim, name=f"{name}_pointwise_conv_1")(x)
        x = layers.Activation("gelu", name=f"{name}_gelu")(x)
        x = layers.Dense(projection_dim, name=f"{name}_pointwise_conv_2")(x)
        if layer_scale_init_value is not None:
            x = LayerScale(layer_scale_init_value, projection_dim, name=f"{name}_layer_scale")(x)
        if drop_path_rate:
            layer = StochasticDepth(drop_path_rate, name=f"{name}_stochastic_depth")
        else:
            layer = layers.Activation("linear", name=f"{name}_identity")
        return inputs + layer(x)
    return apply


def PreStem(name):
    """Normalise [0, 255] RGB pixels with the ImageNet mean and variance."""
    return layers.Normalization(mean=[0.485 * 255, 0.456 * 255, 0.406 * 255],
                                variance=[(0.229 * 255) ** 2, (0.224 * 255) ** 2, (0.225 * 255) ** 2],
                                name=f"{name}_prestem_normalization")


def Head(num_classes=1000, classifier_activation=None, name=None):
    def apply(x):
        x = layers.GlobalAveragePooling2D(name=f"{name}_head_gap")(x)
        x = layers.LayerNormalization(epsilon=1e-6, name=f"{name}_head_layernorm")(x)
        return layers.Dense(num_classes, activation=classifier_activation, name=f"{name}_head_dense")(x)
    return apply


def ConvNeXt(depths, projection_dims, drop_path_rate=0.0, layer_scale_init_value=1e-6, default_size=224,
             name="convnext", include_preprocessing=True, include_top=True, weights=None, input_tensor=None,
             input_shape=None, pooling=None, classes=1000, classifier_activation="softmax", weights_name=None):
    """A ConvNeXt with ``depths`` blocks per stage of widths ``projection_dims``."""
    from lamina.models.sequential import Sequential

    if backend.image_data_format() == "channels_first":
        raise ValueError("ConvNeXt does not support the channels_first image data format (nor does Keras's). "
                         "Call lamina.backend.set_image_data_format('channels_last').")
    if weights == "imagenet":
        expected = MODEL_CONFIGS[weights_name.split("convnext_")[-1]]
        if list(depths) != expected["depths"] or list(projection_dims) != expected["projection_dims"]:
            raise ValueError(f"{weights_name}: ImageNet weights need depths={expected['depths']} and "
                             f"projection_dims={expected['projection_dims']}.")

    def body(x):
        if include_preprocessing and x.shape[-1] == 3:
            x = PreStem(name)(x)
        stages = [Sequential([layers.Conv2D(projection_dims[0], kernel_size=4, strides=4, name=f"{name}_stem_conv"),
                              layers.LayerNormalization(epsilon=1e-6, name=f"{name}_stem_layernorm")],
                             name=f"{name}_stem")]
        for i in range(3):
            stages.append(Sequential(
                [layers.LayerNormalization(epsilon=1e-6, name=f"{name}_downsampling_layernorm_{i}"),
                 layers.Conv2D(projection_dims[i + 1], kernel_size=2, strides=2, name=f"{name}_downsampling_conv_{i}")],
                name=f"{name}_downsampling_block_{i}"))
        rates = [float(r) for r in np.linspace(0.0, drop_path_rate, sum(depths))]
        cur = 0
        for i in range(4):
            x = stages[i](x)
            for j in range(depths[i]):
                x = ConvNeXtBlock(projection_dims[i], rates[cur + j], layer_scale_init_value,
                                  name=f"{name}_stage_{i}_block_{j}")(x)
            cur += depths[i]
        return x

    def head(x, classes, classifier_activation):
        return Head(classes, classifier_activation, name)(x)

    def weight_file(top):
        fname = f"{weights_name}{'.h5' if top else '_notop.h5'}"
        return fname, BASE_WEIGHTS_PATH + fname, WEIGHTS_HASHES[weights_name][0 if top else 1]

    def final_norm(x):  # without the top, Keras normalises the features (pooled or not)
        return layers.LayerNormalization(epsilon=1e-6)(x)

    return _common.build(name, body, head=head, weight_file=weight_file, default_size=default_size,
                         after_pooling=final_norm, include_top=include_top, weights=weights,
                         input_tensor=input_tensor, input_shape=input_shape, pooling=pooling, classes=classes,
                         classifier_activation=classifier_activation, name=name)


def _preset(size, weights_name, local_vars):
    cfg = MODEL_CONFIGS[size]
    kwargs = _common.args(local_vars)
    return ConvNeXt(cfg["depths"], cfg["projection_dims"], drop_path_rate=0.0, layer_scale_init_value=1e-6,
                    default_size=cfg["default_size"], include_preprocessing=local_vars["include_preprocessing"],
                    weights_name=weights_name, **kwargs)


def ConvNeXtTiny(include_top=True, include_preprocessing=True, weights="imagenet", input_tensor=None,
                 input_shape=None, pooling=None, classes=1000, classifier_activation="softmax", name="convnext_tiny"):
    return _preset("tiny", "convnext_tiny", locals())


def ConvNeXtSmall(include_top=True, include_preprocessing=True, weights="imagenet", input_tensor=None,
                  input_shape=None, pooling=None, classes=1000, classifier_activation="softmax",
                  name="convnext_small"):
    return _preset("small", "convnext_small", locals())


def ConvNeXtBase(include_top=True, include_preprocessing=True, weights="imagenet", input_tensor=None,
                 input_shape=None, pooling=None, classes=1000, classifier_activation="softmax", name="convnext_base"):
    return _preset("base", "convnext_base", locals())


def ConvNeXtLarge(include_top=True, include_preprocessing=True, weights="imagenet", input_tensor=None,
                  input_shape=None, pooling=None, classes=1000, classifier_activation="softmax",
                  name="convnext_large"):
    return _preset("large", "convnext_large", locals())


def ConvNeXtXLarge(include_top=True, include_preprocessing=True, weights="imagenet", input_tensor=None,
                   input_shape=None, pooling=None, classes=1000, classifier_activation="softmax",
                   name="convnext_xlarge"):
    return _preset("xlarge", "convnext_xlarge", locals())


for _fn in (ConvNeXtTiny, ConvNeXtSmall, ConvNeXtBase, ConvNeXtLarge, ConvNeXtXLarge):
    _common.document(_fn, f"{_fn.__name__}: a ConvNet modernised after vision transformers; takes images in "
                          "[0, 255] (``include_preprocessing=False`` to normalise them yourself).",
                     f"        >>> model = {_fn.__name__}(weights=None, include_top=False, input_shape=(32, 32, 3))"
                     "  # doctest: +SKIP")


def preprocess_input(x, data_format=None):
    """The identity: ConvNeXt models normalise their input themselves."""
    return x


decode_predictions = imagenet_utils.decode_predictions
