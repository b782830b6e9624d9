"""The ResNet / ResNetV2 skeleton: stem, the four stacks, (V2) the final BN + ReLU, the head."""

from __future__ import annotations

from lamina import layers
from lamina.applications import _common
from lamina.applications.resnet_blocks import EPS, stack_v1, stack_v2

BASE_WEIGHTS_PATH = "https://storage.googleapis.com/tensorflow/keras-applications/resnet/"
WEIGHTS_HASHES = {
    "resnet50": ("2cb95161c43110f7111970584f804107", "4d473c1dd8becc155b73f8504c6f6626"),
    "resnet101": ("f1aeb4b969a6efcfb50fad2f0c20cfc5", "88cf7a10940856eca736dc7b7e228a21"),
    "resnet152": ("100835be76be38e30d865e96f2aaae62", "ee4c566cf9a93f14d82f913c2dc6dd0c"),
    "resnet50v2": ("3ef43a0b657b3be2300d5770ece849e0", "fac2f116257151a9d068a22e544a4917"),
    "resnet101v2": ("6343647c601c52e1368623803854d971", "c0ed64b8031c3730f411d2eb4eea35b5"),
    "resnet152v2": ("a49b44d1979771252814e80f8ec446f9", "ed17cf2e0169df9d443503ef94b23b33"),
}


def weight_file(weights_name):
    def pick(include_top):
        fname = f"{weights_name}_weights_tf_dim_ordering_tf_kernels{'' if include_top else '_notop'}.h5"
        return fname, BASE_WEIGHTS_PATH + fname, WEIGHTS_HASHES[weights_name][0 if include_top else 1]
    return pick


def ResNet(depths, preact, app, weights_name, **kwargs):
    """A ResNet with ``depths`` blocks per stack (``(3, 4, 6, 3)`` is ResNet50); V2 when ``preact``."""

    def body(img_input):
        x = layers.ZeroPadding2D(padding=((3, 3), (3, 3)), name="conv1_pad")(img_input)
        x = layers.Conv2D(64, 7, strides=2, use_bias=True, name="conv1_conv")(x)
        if not preact:
            x = layers.BatchNormalization(axis=_common.channel_axis(), epsilon=EPS, name="conv1_bn")(x)
            x = layers.Activation("relu", name="conv1_relu")(x)
        x = layers.ZeroPadding2D(padding=((1, 1), (1, 1)), name="pool1_pad")(x)
        x = layers.MaxPooling2D(3, strides=2, name="pool1_pool")(x)
        for i, (filters, n) in enumerate(zip((64, 128, 256, 512), depths)):
            name = f"conv{i + 2}"
            if preact:
                x = stack_v2(x, filters, n, stride1=1 if i == 3 else 2, name=name)
            else:
                x = stack_v1(x, filters, n, stride1=1 if i == 0 else 2, name=name)
        if preact:
            x = layers.BatchNormalization(axis=_common.channel_axis(), epsilon=EPS, name="post_bn")(x)
            x = layers.Activation("relu", name="post_relu")(x)
        return x

    return _common.build(app, body, pool_names=("avg_pool", "max_pool"), weight_file=weight_file(weights_name),
                         **kwargs)
