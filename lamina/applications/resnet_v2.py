"""ResNet50V2, ResNet101V2, ResNet152V2 (Keras's ``keras.applications.resnet_v2``); 'tf' preprocessing."""

from __future__ import annotations

from lamina.applications import _common, imagenet_utils
from lamina.applications.resnet_common import ResNet


def ResNet50V2(include_top=True, weights="imagenet", input_tensor=None, input_shape=None, pooling=None,
               classes=1000, classifier_activation="softmax", name="resnet50v2"):
    return ResNet((3, 4, 6, 3), True, "ResNet50V2", "resnet50v2", **_common.args(locals()))


def ResNet101V2(include_top=True, weights="imagenet", input_tensor=None, input_shape=None, pooling=None,
                classes=1000, classifier_activation="softmax", name="resnet101v2"):
    return ResNet((3, 4, 23, 3), True, "ResNet101V2", "resnet101v2", **_common.args(locals()))


def ResNet152V2(include_top=True, weights="imagenet", input_tensor=None, input_shape=None, pooling=None,
                classes=1000, classifier_activation="softmax", name="resnet152v2"):
    return ResNet((3, 8, 36, 3), True, "ResNet152V2", "resnet152v2", **_common.args(locals()))


for _fn in (ResNet50V2, ResNet101V2, ResNet152V2):
    _common.document(_fn, f"{_fn.__name__}: the pre-activation residual network (He et al., 2016).",
                     f"        >>> model = {_fn.__name__}(weights=None, include_top=False, input_shape=(32, 32, 3))"
                     "  # doctest: +SKIP\n        >>> model.output_shape  # doctest: +SKIP\n"
                     "        (None, 1, 1, 2048)")


def preprocess_input(x, data_format=None):
    """ResNetV2's preprocessing: scale pixels to [-1, 1] ('tf' mode)."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="tf")


decode_predictions = imagenet_utils.decode_predictions
