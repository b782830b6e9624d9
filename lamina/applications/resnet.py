"""ResNet50, ResNet101, ResNet152 (Keras's ``keras.applications.resnet``); 'caffe' preprocessing."""

from __future__ import annotations

from lamina.applications import _common, imagenet_utils
from lamina.applications.resnet_common import ResNet


def ResNet50(include_top=True, weights="imagenet", input_tensor=None, input_shape=None, pooling=None,
             classes=1000, classifier_activation="softmax", name="resnet50"):
    return ResNet((3, 4, 6, 3), False, "ResNet50", "resnet50", **_common.args(locals()))


def ResNet101(include_top=True, weights="imagenet", input_tensor=None, input_shape=None, pooling=None,
              classes=1000, classifier_activation="softmax", name="resnet101"):
    return ResNet((3, 4, 23, 3), False, "ResNet101", "resnet101", **_common.args(locals()))


def ResNet152(include_top=True, weights="imagenet", input_tensor=None, input_shape=None, pooling=None,
              classes=1000, classifier_activation="softmax", name="resnet152"):
    return ResNet((3, 8, 36, 3), False, "ResNet152", "resnet152", **_common.args(locals()))


for _fn, _depth, _params in ((ResNet50, 50, "25.6M"), (ResNet101, 101, "44.7M"), (ResNet152, 152, "60.4M")):
    _common.document(_fn, f"The {_depth}-layer residual network (He et al., 2015), {_params} parameters with the top.",
                     f"        >>> model = {_fn.__name__}(weights=None, include_top=False, input_shape=(32, 32, 3))"
                     "  # doctest: +SKIP\n        >>> model.output_shape  # doctest: +SKIP\n"
                     "        (None, 1, 1, 2048)")


def preprocess_input(x, data_format=None):
    """ResNet's preprocessing: RGB to BGR and ImageNet mean subtraction ('caffe' mode)."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="caffe")


decode_predictions = imagenet_utils.decode_predictions
