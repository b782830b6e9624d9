"""DenseNet121 / 169 / 201 (Huang et al., 2016; Keras's ``keras.applications.densenet``); 'torch' preprocessing."""

from __future__ import annotations

from lamina import layers
from lamina.applications import _common, imagenet_utils

BASE_WEIGHTS_PATH = "https://storage.googleapis.com/tensorflow/keras-applications/densenet/"
_HASHES = {  # blocks -> (depth, hash with top, hash without)
    (6, 12, 24, 16): (121, "9d60b8095a5708f2dcce2bca79d332c7", "30ee3e1110167f948a6b9946edeeb738"),
    (6, 12, 32, 32): (169, "d699b8f76981ab1b30698df4c175e90b", "b8c4d4c20dd625c148057b9ff1c1176b"),
    (6, 12, 48, 32): (201, "1ceb130c1ea1b78c3bf6114dbdfd8807", "c13680b51ded0fb44dff2d8f86ac8bb1"),
}
_EPS = 1.001e-5


def conv_block(x, growth_rate, name):
    """BN-ReLU-1x1 conv (4*growth) - BN-ReLU-3x3 conv (growth), concatenated to the input."""
    axis = _common.channel_axis()
    x1 = layers.BatchNormalization(axis=axis, epsilon=_EPS, name=f"{name}_0_bn")(x)
    x1 = layers.Activation("relu", name=f"{name}_0_relu")(x1)
    x1 = layers.Conv2D(4 * growth_rate, 1, use_bias=False, name=f"{name}_1_conv")(x1)
    x1 = layers.BatchNormalization(axis=axis, epsilon=_EPS, name=f"{name}_1_bn")(x1)
    x1 = layers.Activation("relu", name=f"{name}_1_relu")(x1)
    x1 = layers.Conv2D(growth_rate, 3, padding="same", use_bias=False, name=f"{name}_2_conv")(x1)
    return layers.Concatenate(axis=axis, name=f"{name}_concat")([x, x1])


def dense_block(x, blocks, name):
    for i in range(blocks):
        x = conv_block(x, 32, name=f"{name}_block{i + 1}")
    return x


def transition_block(x, reduction, name):
    axis = _common.channel_axis()
    x = layers.BatchNormalization(axis=axis, epsilon=_EPS, name=f"{name}_bn")(x)
    x = layers.Activation("relu", name=f"{name}_relu")(x)
    x = layers.Conv2D(int(x.shape[axis] * reduction), 1, use_bias=False, name=f"{name}_conv")(x)
    return layers.AveragePooling2D(2, strides=2, name=f"{name}_pool")(x)


def DenseNet(blocks, include_top=True, weights="imagenet", input_tensor=None, input_shape=None, pooling=None,
             classes=1000, classifier_activation="softmax", name="densenet"):
    """A DenseNet with ``blocks`` conv blocks in each of its four dense blocks."""
    blocks = tuple(blocks)
    axis = _common.channel_axis()

    def body(img_input):
        x = layers.ZeroPadding2D(padding=((3, 3), (3, 3)))(img_input)
        x = layers.Conv2D(64, 7, strides=2, use_bias=False, name="conv1_conv")(x)
        x = layers.BatchNormalization(axis=axis, epsilon=_EPS, name="conv1_bn")(x)
        x = layers.Activation("relu", name="conv1_relu")(x)
        x = layers.ZeroPadding2D(padding=((1, 1), (1, 1)))(x)
        x = layers.MaxPooling2D(3, strides=2, name="pool1")(x)
        for i, n in enumerate(blocks):
            x = dense_block(x, n, name=f"conv{i + 2}")
            if i < 3:
                x = transition_block(x, 0.5, name=f"pool{i + 2}")
        x = layers.BatchNormalization(axis=axis, epsilon=_EPS, name="bn")(x)
        return layers.Activation("relu", name="relu")(x)

    def weight_file(top):
        if blocks not in _HASHES:
            raise ValueError(f"DenseNet: Keras publishes ImageNet weights only for DenseNet121/169/201, "
                             f"not for blocks={list(blocks)}.")
        depth, with_top, no_top = _HASHES[blocks]
        fname = f"densenet{depth}_weights_tf_dim_ordering_tf_kernels{'' if top else '_notop'}.h5"
        return fname, BASE_WEIGHTS_PATH + fname, with_top if top else no_top

    return _common.build("DenseNet", body, pool_names=("avg_pool", "max_pool"), weight_file=weight_file,
                         include_top=include_top, weights=weights, input_tensor=input_tensor,
                         input_shape=input_shape, pooling=pooling, classes=classes,
                         classifier_activation=classifier_activation, name=name)


def DenseNet121(include_top=True, weights="imagenet", input_tensor=None, input_shape=None, pooling=None,
                classes=1000, classifier_activation="softmax", name="densenet121"):
    return DenseNet([6, 12, 24, 16], **_common.args(locals()))


def DenseNet169(include_top=True, weights="imagenet", input_tensor=None, input_shape=None, pooling=None,
                classes=1000, classifier_activation="softmax", name="densenet169"):
    return DenseNet([6, 12, 32, 32], **_common.args(locals()))


def DenseNet201(include_top=True, weights="imagenet", input_tensor=None, input_shape=None, pooling=None,
                classes=1000, classifier_activation="softmax", name="densenet201"):
    return DenseNet([6, 12, 48, 32], **_common.args(locals()))


for _fn in (DenseNet121, DenseNet169, DenseNet201):
    _common.document(_fn, f"{_fn.__name__}: a densely connected convolutional network (Huang et al., 2016).",
                     f"        >>> model = {_fn.__name__}(weights=None, include_top=False, input_shape=(32, 32, 3))"
                     "  # doctest: +SKIP")


def preprocess_input(x, data_format=None):
    """DenseNet's preprocessing: scale to [0, 1], then normalise with the ImageNet mean and std ('torch')."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="torch")


decode_predictions = imagenet_utils.decode_predictions
