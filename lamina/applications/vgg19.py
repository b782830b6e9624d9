"""VGG19 (Keras's ``keras.applications.vgg19``): the model, ``preprocess_input`` ('caffe')."""

from __future__ import annotations

from lamina.applications import imagenet_utils
from lamina.applications.vgg import build_vgg

_FILES = (("vgg19_weights_tf_dim_ordering_tf_kernels.h5", "cbe5617147190e668d6c5d5026f83318"),
          ("vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5", "253f8cb515780f3b799900260a226db6"))


def VGG19(include_top=True, weights="imagenet", input_tensor=None, input_shape=None, pooling=None,
          classes=1000, classifier_activation="softmax", name="vgg19"):
    """The VGG19 network: 16 convolutions and 3 dense layers, 144M parameters with the top.

    Args:
        include_top: whether to include the 3 fully connected layers at the top.
        weights: None (random), ``'imagenet'`` (Keras's published weights, downloaded once
            through ``lamina.utils.get_file``) or the path of a weights file.
        input_tensor: optional symbolic tensor to use as the image input.
        input_shape: optional shape tuple, only with ``include_top=False`` (default (224, 224, 3));
            at least 32x32.
        pooling: with ``include_top=False``: None (4D feature map), ``'avg'`` or ``'max'``.
        classes: number of classes, with ``include_top=True`` and no pretrained weights.
        classifier_activation: activation of the top layer (None returns logits).
        name: the model's name.

    Returns:
        A functional ``Model``. Inputs need ``vgg19.preprocess_input``.

    Example:
        >>> model = VGG19(weights=None, include_top=False, input_shape=(32, 32, 3))
        >>> model.output_shape
        (None, 1, 1, 512)
    """
    return build_vgg((2, 2, 4, 4, 4), "VGG19", _FILES, include_top=include_top, weights=weights,
                     input_tensor=input_tensor, input_shape=input_shape, pooling=pooling, classes=classes,
                     classifier_activation=classifier_activation, name=name)


def preprocess_input(x, data_format=None):
    """VGG19's preprocessing: RGB to BGR and ImageNet mean subtraction ('caffe' mode)."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="caffe")


decode_predictions = imagenet_utils.decode_predictions
