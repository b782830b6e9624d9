"""The VGG body shared by VGG16 and VGG19 (Simonyan & Zisserman, 2014)."""

from __future__ import annotations

from lamina import layers
from lamina.applications import _common

_BASE = "https://storage.googleapis.com/tensorflow/keras-applications/"


def _head(x, classes, classifier_activation):
    x = layers.Flatten(name="flatten")(x)
    x = layers.Dense(4096, activation="relu", name="fc1")(x)
    x = layers.Dense(4096, activation="relu", name="fc2")(x)
    return layers.Dense(classes, activation=classifier_activation, name="predictions")(x)


def build_vgg(convs_per_block, app, files, **kwargs):
    """Five blocks of 3x3 'same' convolutions (64, 128, 256, 512, 512 filters), each followed by
    a 2x2 max pooling; the top is Flatten, two 4096-unit Dense layers and the classifier."""

    def body(x):
        for b, (filters, n) in enumerate(zip((64, 128, 256, 512, 512), convs_per_block), start=1):
            for c in range(1, n + 1):
                x = layers.Conv2D(filters, (3, 3), activation="relu", padding="same", name=f"block{b}_conv{c}")(x)
            x = layers.MaxPooling2D((2, 2), strides=(2, 2), name=f"block{b}_pool")(x)
        return x

    def weight_file(include_top):
        fname, digest = files[0 if include_top else 1]
        return fname, f"{_BASE}{app.lower()}/{fname}", digest

    return _common.build(app, body, head=_head, weight_file=weight_file, **kwargs)
