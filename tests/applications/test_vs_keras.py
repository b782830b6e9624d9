"""Every application against Keras 3: the same weights file gives the same predictions.

Keras builds the architecture with random weights (``weights=None``), its biases, BatchNorm
statistics and scales are randomised too, and it saves a ``.weights.h5``; lamina builds the same
function, loads that file and predicts on the same batch. Parameter counts and layer names are
compared as well. Slow (one to eighty seconds per model): run with ``-m slow``.
"""

from __future__ import annotations

import numpy as np
import pytest
from keras_reference import compare
from tests.keras3 import keras3

# (function, input shape, kwargs): the smallest inputs each architecture accepts; half with the
# classifier, half without (with and without global pooling).
CASES = [
    ("VGG16", (32, 32, 3), dict(classes=10)),
    ("VGG19", (32, 32, 3), dict(include_top=False, pooling="max")),
    ("ResNet50", (32, 32, 3), dict(classes=10)),
    ("ResNet101", (32, 32, 3), dict(include_top=False, pooling="avg")),
    ("ResNet152", (32, 32, 3), dict(include_top=False)),
    ("ResNet50V2", (32, 32, 3), dict(classes=10)),
    ("ResNet101V2", (32, 32, 3), dict(include_top=False, pooling="avg")),
    ("ResNet152V2", (32, 32, 3), dict(include_top=False)),
    ("MobileNet", (33, 33, 3), dict(classes=10, alpha=0.75)),
    ("MobileNetV2", (35, 35, 3), dict(classes=10, alpha=1.4)),
    ("MobileNetV3Small", (32, 32, 3), dict(classes=10)),
    ("MobileNetV3Large", (33, 33, 3), dict(include_top=False, minimalistic=True, pooling="avg")),
    ("EfficientNetB0", (32, 32, 3), dict(classes=10)),
    ("EfficientNetB1", (33, 33, 3), dict(include_top=False, pooling="avg")),
    ("EfficientNetB2", (32, 32, 3), dict(include_top=False)),
    ("EfficientNetB3", (32, 32, 3), dict(classes=10)),
    ("EfficientNetB4", (32, 32, 3), dict(include_top=False, pooling="max")),
    ("EfficientNetB5", (32, 32, 3), dict(classes=10)),
    ("EfficientNetB6", (32, 32, 3), dict(include_top=False, pooling="avg")),
    ("EfficientNetB7", (32, 32, 3), dict(classes=10)),
    ("DenseNet121", (32, 32, 3), dict(classes=10)),
    ("DenseNet169", (32, 32, 3), dict(include_top=False, pooling="avg")),
    ("DenseNet201", (32, 32, 3), dict(include_top=False)),
    ("InceptionV3", (75, 75, 3), dict(classes=10)),
    ("Xception", (71, 71, 3), dict(include_top=False, pooling="avg")),
    ("InceptionResNetV2", (75, 75, 3), dict(classes=10)),
    ("ConvNeXtTiny", (32, 32, 3), dict(classes=10)),
    ("ConvNeXtSmall", (32, 32, 3), dict(include_top=False, pooling="avg")),
    ("ConvNeXtBase", (32, 32, 3), dict(include_top=False)),
    ("ConvNeXtLarge", (32, 32, 3), dict(classes=10)),
    ("ConvNeXtXLarge", (32, 32, 3), dict(include_top=False, pooling="max")),
    ("EfficientNetV2B0", (32, 32, 3), dict(classes=10)),
    ("EfficientNetV2B1", (32, 32, 3), dict(include_top=False, pooling="avg")),
    ("EfficientNetV2B2", (32, 32, 3), dict(include_top=False)),
    ("EfficientNetV2B3", (32, 32, 3), dict(classes=10)),
    ("EfficientNetV2S", (32, 32, 3), dict(include_top=False, pooling="avg")),
    ("EfficientNetV2M", (32, 32, 3), dict(classes=10)),
    ("EfficientNetV2L", (32, 32, 3), dict(include_top=False, pooling="max")),
    ("NASNetMobile", (33, 33, 3), dict(classes=10)),
    ("NASNetLarge", (32, 32, 3), dict(include_top=False, pooling="avg")),
]


@pytest.mark.slow
@pytest.mark.parametrize("name, shape, kwargs", CASES, ids=[c[0] for c in CASES])
def test_same_predictions_as_keras(tmp_path, name, shape, kwargs):
    diff, keras_params, lamina_params, names_equal, expected = compare(tmp_path, name, shape, **kwargs)
    print(f"\nAPPS {name} max_abs_diff={diff:.3g} scale={np.abs(expected).max():.3g} "
          f"params={lamina_params} keras_params={keras_params}")
    assert lamina_params == keras_params
    assert names_equal
    assert np.abs(expected).max() > 1e-3  # the comparison is not between two zero outputs
    assert diff <= 1e-5 * max(1.0, float(np.abs(expected).max()))


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["caffe", "tf", "torch"])
@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_preprocess_input_as_keras(mode, data_format):
    keras = keras3()
    from lamina.applications import imagenet_utils

    x = np.random.default_rng(0).uniform(0, 255, (2, 3, 4, 3) if data_format == "channels_last" else (2, 3, 4, 4))
    x = x.astype("float32")
    expected = keras.applications.imagenet_utils.preprocess_input(x.copy(), data_format=data_format, mode=mode)
    got = imagenet_utils.preprocess_input(x.copy(), data_format=data_format, mode=mode)
    np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-5)
