"""lamina.applications: arguments, errors, preprocessing, pretrained-weight fetching, Keras 2 paths.

The comparisons with Keras 3 (same weights file, same predictions) are in test_vs_keras.py (slow).
"""

from __future__ import annotations

import hashlib
import importlib
import json
import os

import numpy as np
import pytest
from local_http import FileServer, unreachable_base

import lamina
from lamina import applications
from lamina.applications import imagenet_utils, mobilenet, mobilenet_v2, vgg16
from lamina.utils.file_utils import DownloadError

# Small models whose build + forward pass takes well under a second: in the default suite.
FAST = ["MobileNet", "MobileNetV2", "MobileNetV3Small", "MobileNetV3Large", "ConvNeXtTiny"]


@pytest.mark.parametrize("name", FAST)
def test_build_and_forward_small(name):
    model = getattr(applications, name)(weights=None, input_shape=(32, 32, 3), classes=7)
    x = np.random.default_rng(0).uniform(0, 255, (2, 32, 32, 3)).astype("float32")
    y = lamina.ops.convert_to_numpy(model(x))
    assert y.shape == (2, 7)
    np.testing.assert_allclose(y.sum(axis=1), 1.0, rtol=1e-5)  # softmax classifier
    assert model.count_params() == sum(int(np.prod(w.shape)) for w in model.weights)


def test_pooling_and_feature_shapes():
    kw = dict(weights=None, include_top=False, input_shape=(64, 64, 3), alpha=0.35)
    assert applications.MobileNetV2(**kw).output_shape == (None, 2, 2, 1280)
    assert applications.MobileNetV2(pooling="avg", **kw).output_shape == (None, 1280)
    feats = applications.MobileNetV2(**kw)
    maxed = applications.MobileNetV2(pooling="max", **kw)
    maxed.set_weights(feats.get_weights())
    x = np.random.default_rng(1).uniform(-1, 1, (2, 64, 64, 3)).astype("float32")
    np.testing.assert_allclose(maxed.predict(x, verbose=0), feats.predict(x, verbose=0).max(axis=(1, 2)), rtol=1e-6)


def test_input_tensor_with_predecessors_is_the_model_input():
    inp = lamina.Input((32, 32, 3))
    scaled = lamina.layers.Rescaling(1 / 127.5, offset=-1)(inp)
    model = applications.MobileNetV3Small(weights=None, input_tensor=scaled, include_top=False,
                                          include_preprocessing=False, pooling="avg")
    assert model.inputs[0] is inp
    assert model.layers[1].name == "rescaling"


def test_classifier_activation_none_gives_logits():
    model = applications.MobileNet(weights=None, input_shape=(32, 32, 3), classes=5, classifier_activation=None)
    y = lamina.ops.convert_to_numpy(model(np.ones((1, 32, 32, 3), "float32")))
    assert not np.allclose(y.sum(), 1.0)


def test_default_names_and_keras_layer_names():
    assert applications.MobileNetV2(weights=None, input_shape=(96, 96, 3), include_top=False).name == "mobilenetv2_1.00_96"
    lamina.backend.clear_session()
    model = applications.ResNet50(weights=None, input_shape=(32, 32, 3), include_top=False)
    assert model.name == "resnet50"
    names = [layer.name for layer in model.layers]
    assert names[:4] == ["input_layer", "conv1_pad", "conv1_conv", "conv1_bn"]
    assert "conv5_block3_out" == names[-1]


@pytest.mark.parametrize("weights, message", [
    ("imagenett", "should be one of None, 'imagenet'"),
    ("/no/such/file.h5", "path to an existing weights file"),
])
def test_bad_weights_argument(weights, message):
    with pytest.raises(ValueError, match=message):
        applications.VGG16(weights=weights)


def test_imagenet_weights_need_1000_classes():
    with pytest.raises(ValueError, match="classes` must be 1000.*Received: classes=10.*include_top=False"):
        applications.ResNet50(weights="imagenet", classes=10)


def test_input_shape_checks():
    with pytest.raises(ValueError, match="at least 32x32"):
        applications.VGG16(weights=None, include_top=False, input_shape=(16, 16, 3))
    with pytest.raises(ValueError, match="must be \\(224, 224, 3\\)"):
        applications.ResNet50(weights="imagenet", input_shape=(128, 128, 3))
    with pytest.raises(ValueError, match="input size must be static"):
        applications.VGG16(weights=None, input_shape=(None, None, 3))
    with pytest.raises(ValueError, match="at least 75x75"):
        applications.InceptionV3(weights=None, include_top=False, input_shape=(64, 64, 3))


def test_pretrained_weights_only_with_softmax(tmp_path):
    path = tmp_path / "w.weights.h5"
    applications.MobileNet(weights=None, alpha=0.25, input_shape=(32, 32, 3), classes=3).save_weights(str(path))
    with pytest.raises(ValueError, match="Only None and 'softmax'.*classifier_activation='relu'"):
        applications.MobileNet(weights=str(path), alpha=0.25, input_shape=(32, 32, 3), classes=3,
                               classifier_activation="relu")


def test_weights_from_a_local_path(tmp_path):
    src = applications.MobileNet(weights=None, alpha=0.25, input_shape=(32, 32, 3), classes=4)
    path = tmp_path / "mine.weights.h5"
    src.save_weights(str(path))
    dst = applications.MobileNet(weights=str(path), alpha=0.25, input_shape=(32, 32, 3), classes=4)
    x = np.random.default_rng(2).uniform(0, 255, (2, 32, 32, 3)).astype("float32")
    np.testing.assert_array_equal(dst.predict(x, verbose=0), src.predict(x, verbose=0))


def test_imagenet_weights_downloaded_once_and_cached(tmp_path, monkeypatch):
    """MobileNet's files have no published hash: serve one written in the legacy H5 layout."""
    monkeypatch.setenv("LAMINA_HOME", str(tmp_path / "home"))
    shape = (128, 128, 3)
    src = applications.MobileNet(weights=None, alpha=0.25, include_top=False, input_shape=shape)
    fname = "mobilenet_2_5_128_tf_no_top.h5"
    src.save_weights(str(tmp_path / fname))
    server = FileServer()
    try:
        server.files["/" + fname] = (tmp_path / fname).read_bytes()
        monkeypatch.setattr(mobilenet, "BASE_WEIGHT_PATH", server.base + "/")
        x = np.random.default_rng(3).uniform(-1, 1, (1, *shape)).astype("float32")
        for _ in range(2):
            model = applications.MobileNet(weights="imagenet", alpha=0.25, include_top=False, input_shape=shape)
            np.testing.assert_array_equal(model.predict(x, verbose=0), src.predict(x, verbose=0))
        assert server.requests == ["/" + fname]  # the second model used the cache
        assert os.path.exists(tmp_path / "home" / "models" / fname)
    finally:
        server.close()


def test_offline_error_names_the_file_and_where_to_put_it(tmp_path, monkeypatch):
    monkeypatch.setenv("LAMINA_HOME", str(tmp_path / "home"))
    monkeypatch.setattr(importlib.import_module("lamina.applications.vgg"), "_BASE", unreachable_base() + "/")
    fname = "vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5"
    with pytest.raises(DownloadError) as info:
        applications.VGG16(weights="imagenet", include_top=False, input_shape=(32, 32, 3))
    message = str(info.value)
    assert f"VGG16(weights='imagenet') needs Keras's pretrained weights file '{fname}'" in message
    assert str(tmp_path / "home" / "models" / fname) in message
    assert f"weights='/path/to/{fname}'" in message


def test_a_cached_file_with_the_wrong_hash_is_fetched_again(tmp_path, monkeypatch):
    monkeypatch.setenv("LAMINA_HOME", str(tmp_path / "home"))
    monkeypatch.setattr(importlib.import_module("lamina.applications.vgg"), "_BASE", unreachable_base() + "/")
    fname = "vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5"
    os.makedirs(tmp_path / "home" / "models")
    (tmp_path / "home" / "models" / fname).write_bytes(b"not the published file")
    with pytest.raises(DownloadError, match=fname):  # the hash (Keras's) rejects it, the download fails
        applications.VGG16(weights="imagenet", include_top=False, input_shape=(32, 32, 3))


# -- preprocess_input / decode_predictions -----------------------------------------------------------

def _images(shape=(2, 4, 5, 3)):
    return np.random.default_rng(4).uniform(0, 255, shape).astype("float32")


def test_preprocess_modes_match_their_formulas():
    x = _images()
    np.testing.assert_allclose(imagenet_utils.preprocess_input(x.copy(), mode="tf"), x / 127.5 - 1, rtol=1e-6)
    torch_mode = (x / 255 - np.array([0.485, 0.456, 0.406])) / np.array([0.229, 0.224, 0.225])
    np.testing.assert_allclose(imagenet_utils.preprocess_input(x.copy(), mode="torch"), torch_mode, rtol=1e-5)
    caffe = x[..., ::-1] - np.array([103.939, 116.779, 123.68])
    np.testing.assert_allclose(vgg16.preprocess_input(x.copy()), caffe, rtol=1e-5)
    first = np.moveaxis(x, -1, 1).copy()
    np.testing.assert_allclose(vgg16.preprocess_input(first, data_format="channels_first"),
                               np.moveaxis(caffe, -1, 1), rtol=1e-5)


def test_preprocess_tensor_equals_numpy_and_ints_are_converted():
    x = _images()
    for mode in ("tf", "torch", "caffe"):
        got = lamina.ops.convert_to_numpy(imagenet_utils.preprocess_input(lamina.ops.convert_to_tensor(x), mode=mode))
        np.testing.assert_allclose(got, imagenet_utils.preprocess_input(x.copy(), mode=mode), rtol=1e-5, atol=1e-5)
    as_int = imagenet_utils.preprocess_input(x.astype("uint8"), mode="tf")
    assert as_int.dtype == np.float32


def test_preprocess_inside_a_model():
    inp = lamina.Input((4, 5, 3))
    model = lamina.Model(inp, applications.resnet.preprocess_input(inp))
    x = _images()
    np.testing.assert_allclose(model.predict(x, verbose=0), applications.resnet.preprocess_input(x.copy()),
                               rtol=1e-5, atol=1e-4)


def test_preprocess_errors():
    with pytest.raises(ValueError, match="mode must be one of 'caffe', 'tf' or 'torch'. Received: mode='tff'"):
        imagenet_utils.preprocess_input(_images(), mode="tff")
    with pytest.raises(ValueError, match="data_format must be"):
        imagenet_utils.preprocess_input(_images(), data_format="nhwc")


def test_decode_predictions_downloads_the_class_index(tmp_path, monkeypatch):
    monkeypatch.setenv("LAMINA_HOME", str(tmp_path / "home"))
    index = {str(i): [f"n{i:08d}", f"class_{i}"] for i in range(1000)}
    body = json.dumps(index).encode()
    server = FileServer()
    try:
        server.files["/imagenet_class_index.json"] = body
        monkeypatch.setattr(imagenet_utils, "CLASS_INDEX", None)
        monkeypatch.setattr(imagenet_utils, "CLASS_INDEX_PATH", server.url("/imagenet_class_index.json"))
        monkeypatch.setattr(imagenet_utils, "CLASS_INDEX_HASH", hashlib.md5(body).hexdigest())
        preds = np.random.default_rng(5).random((2, 1000)).astype("float32")
        out = applications.resnet50.decode_predictions(preds, top=3)
        for row, p in zip(out, preds):
            best = np.argsort(p)[::-1][:3]
            assert [r[0] for r in row] == [f"n{i:08d}" for i in best]
            assert [r[1] for r in row] == [f"class_{i}" for i in best]
            np.testing.assert_allclose([r[2] for r in row], p[best])
        assert os.path.exists(tmp_path / "home" / "models" / "imagenet_class_index.json")
    finally:
        server.close()
    with pytest.raises(ValueError, match="shape \\(samples, 1000\\). Received an array of shape \\(2, 10\\)"):
        imagenet_utils.decode_predictions(np.zeros((2, 10)))


# -- module paths -------------------------------------------------------------------------------------

KERAS2_MODULES = {
    "vgg16": ["VGG16"], "vgg19": ["VGG19"], "resnet": ["ResNet50", "ResNet101", "ResNet152"],
    "resnet50": ["ResNet50"], "resnet_v2": ["ResNet50V2", "ResNet101V2", "ResNet152V2"],
    "mobilenet": ["MobileNet"], "mobilenet_v2": ["MobileNetV2"],
    "mobilenet_v3": ["MobileNetV3Small", "MobileNetV3Large"],
    "efficientnet": [f"EfficientNetB{i}" for i in range(8)],
    "efficientnet_v2": [f"EfficientNetV2{v}" for v in ("B0", "B1", "B2", "B3", "S", "M", "L")],
    "densenet": ["DenseNet121", "DenseNet169", "DenseNet201"], "inception_v3": ["InceptionV3"],
    "inception_resnet_v2": ["InceptionResNetV2"], "xception": ["Xception"],
    "convnext": ["ConvNeXtTiny", "ConvNeXtSmall", "ConvNeXtBase", "ConvNeXtLarge", "ConvNeXtXLarge"],
    "nasnet": ["NASNetMobile", "NASNetLarge"],
}


@pytest.mark.parametrize("module", sorted(KERAS2_MODULES))
def test_family_modules(module):
    mod = importlib.import_module(f"lamina.applications.{module}")
    for fn in KERAS2_MODULES[module]:
        assert getattr(mod, fn) is getattr(applications, fn)
    assert callable(mod.preprocess_input) and callable(mod.decode_predictions)


def test_keras_style_import_works():
    import lamina as keras

    from lamina.applications.vgg16 import VGG16, preprocess_input  # noqa: F401
    assert keras.applications.vgg16.VGG16 is VGG16


# -- the small layers and the docstring examples --------------------------------------------------------

def test_docstring_examples_run():
    import doctest

    from lamina.applications import (custom_scale_layer, layer_scale, mobilenet_v3, stochastic_depth,
                                     vgg16 as vgg16_module)

    for module in (imagenet_utils, custom_scale_layer, layer_scale, stochastic_depth, mobilenet, mobilenet_v2,
                   mobilenet_v3, vgg16_module):
        result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
        assert result.failed == 0, module.__name__


def test_stochastic_depth_drops_whole_samples_in_training():
    from lamina.applications.stochastic_depth import StochasticDepth

    lamina.utils.set_random_seed(0)
    y = lamina.ops.convert_to_numpy(StochasticDepth(0.5)(np.ones((400, 3), "float32"), training=True))
    per_sample = np.unique(y, axis=1)
    assert per_sample.shape == (400, 1)  # every sample kept or dropped as a whole
    assert set(np.unique(y)) == {0.0, 2.0}  # kept samples scaled by 1 / (1 - rate)
    assert 150 < (y[:, 0] == 0).sum() < 250
    with pytest.raises(ValueError, match="drop_path_rate must be in \\[0, 1\\). Received: 1.5"):
        StochasticDepth(1.5)


def test_small_layers_round_trip_their_config():
    from lamina.applications.custom_scale_layer import CustomScaleLayer
    from lamina.applications.layer_scale import LayerScale
    from lamina.applications.stochastic_depth import StochasticDepth

    for layer in (CustomScaleLayer(0.17, name="s"), LayerScale(1e-6, 8, name="g"), StochasticDepth(0.1, name="d")):
        config = layer.get_config()
        clone = type(layer).from_config(config)
        assert clone.get_config() == config
    g = LayerScale(1e-6, 8)
    g.build((None, 8))
    assert [w.name for w in g.weights] == ["gamma"] and tuple(g.weights[0].shape) == (8,)


# -- summary() and plot_model (issue 14 item 5) ---------------------------------------------------------

def test_summary_counts_and_expands_nested_models():
    model = applications.ConvNeXtTiny(weights=None, input_shape=(32, 32, 3), include_top=False)
    flat, expanded = [], []
    model.summary(print_fn=flat.append)
    model.summary(print_fn=expanded.append, expand_nested=True)
    assert f"Total params: {model.count_params():,}" in "\n".join(flat)
    assert not any("└ convnext_tiny_stem_conv" in line for line in flat)
    stem = next(i for i, line in enumerate(expanded) if line.startswith("convnext_tiny_stem (Sequential)"))
    inner = [line for line in expanded[stem + 1:stem + 5] if line.startswith("   └ ")]
    assert inner[0].startswith("   └ convnext_tiny_stem_conv") and "4,704" in inner[0]
    assert inner[1].startswith("   └ convnext_tiny_stem_layernor") and "192" in inner[1]


@pytest.mark.slow
def test_plot_model_of_applications(tmp_path):
    for fn, kwargs in ((applications.MobileNetV3Small, {}), (applications.ConvNeXtTiny, dict(expand_nested=True))):
        model = fn(weights=None, input_shape=(32, 32, 3))
        path = tmp_path / f"{model.name}.png"
        lamina.utils.plot_model(model, to_file=str(path), show_shapes=True, **kwargs)
        assert path.stat().st_size > 10_000
