"""ImageNet helpers shared by the applications: ``preprocess_input``, ``decode_predictions``.

``preprocess_input(x, mode=...)`` implements Keras's three conventions: ``'caffe'`` (RGB to BGR,
then subtract the ImageNet channel means, no scaling), ``'tf'`` (scale to [-1, 1]) and
``'torch'`` (scale to [0, 1], then normalise with the ImageNet mean and std). NumPy arrays are
modified in place when their dtype is floating, as in Keras.
"""

from __future__ import annotations

import json
import warnings

import numpy as np

from lamina import backend, ops
from lamina.utils.file_utils import get_file

CLASS_INDEX = None
CLASS_INDEX_PATH = "https://storage.googleapis.com/download.tensorflow.org/data/imagenet_class_index.json"
CLASS_INDEX_HASH = "c2c37ea517e94d9795004a39431a14cb"

_CAFFE_MEAN = (103.939, 116.779, 123.68)  # BGR order
_TORCH_MEAN, _TORCH_STD = (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)


def _check(mode, data_format):
    if mode not in {"caffe", "tf", "torch"}:
        raise ValueError(f"preprocess_input: mode must be one of 'caffe', 'tf' or 'torch'. Received: mode={mode!r}")
    if data_format is None:
        return backend.image_data_format()
    if data_format not in {"channels_first", "channels_last"}:
        raise ValueError(
            "preprocess_input: data_format must be 'channels_first' or 'channels_last'. "
            f"Received: data_format={data_format!r}"
        )
    return data_format


def preprocess_input(x, data_format=None, mode="caffe"):
    """Preprocesses a batch of images (values in [0, 255]) the way an ImageNet model expects.

    Args:
        x: a NumPy array or tensor, 3D or 4D, with 3 colour channels, values in [0, 255]. A
            floating NumPy array is modified in place (pass ``np.copy(x)`` to keep it).
        data_format: ``'channels_last'`` or ``'channels_first'``; the global setting if None.
        mode: ``'caffe'``, ``'tf'`` or ``'torch'`` (see the module docstring).

    Returns:
        The preprocessed array or tensor (float32).

    Example:
        >>> import numpy as np
        >>> preprocess_input(np.full((1, 2, 2, 3), 255.0), mode="tf")[0, 0, 0]
        array([1., 1., 1.])
    """
    data_format = _check(mode, data_format)
    if isinstance(x, np.ndarray):
        return _numpy(x, data_format, mode)
    return _tensor(x, data_format, mode)


def _stats(mode):
    if mode == "torch":
        return _TORCH_MEAN, _TORCH_STD
    return _CAFFE_MEAN, None


def _numpy(x, data_format, mode):
    if not issubclass(x.dtype.type, np.floating):
        x = x.astype(backend.floatx(), copy=False)
    if mode == "tf":
        x /= 127.5
        x -= 1.0
        return x
    axis = -1 if data_format == "channels_last" else x.ndim - 3
    if mode == "torch":
        x /= 255.0
    else:  # caffe: RGB -> BGR
        x = np.flip(x, axis=axis)
    mean, std = _stats(mode)
    shape = [1] * x.ndim
    shape[axis] = 3
    x -= np.reshape(np.asarray(mean, x.dtype), shape)
    if std is not None:
        x /= np.reshape(np.asarray(std, x.dtype), shape)
    return x


def _tensor(x, data_format, mode):
    if backend.is_keras_tensor(x):  # inside a functional model: one layer doing the same on the values
        from functools import partial

        from lamina.layers import Lambda

        return Lambda(partial(_tensor, data_format=data_format, mode=mode), output_shape=tuple(x.shape[1:]))(x)
    x = ops.convert_to_tensor(x)
    if "float" not in str(ops.dtype(x)):
        x = ops.cast(x, backend.floatx())
    if mode == "tf":
        return x / 127.5 - 1.0
    ndim = len(x.shape)
    axis = ndim - 1 if data_format == "channels_last" else ndim - 3
    if mode == "torch":
        x = x / 255.0
    else:
        x = ops.flip(x, axis=axis)
    mean, std = _stats(mode)
    shape = [1] * ndim
    shape[axis] = 3
    x = x - ops.convert_to_tensor(np.reshape(np.asarray(mean, "float32"), shape), dtype=ops.dtype(x))
    if std is not None:
        x = x / ops.convert_to_tensor(np.reshape(np.asarray(std, "float32"), shape), dtype=ops.dtype(x))
    return x


def decode_predictions(preds, top=5):
    """The ``top`` ImageNet classes of each prediction: ``[(class_id, name, score), ...]`` per sample.

    The class index (``imagenet_class_index.json``) is downloaded once through ``get_file`` from
    the URL Keras uses, checked against Keras's hash, and kept in ``~/.lamina/models``.

    Args:
        preds: an array of shape ``(samples, 1000)``.
        top: how many classes to return per sample.

    Returns:
        A list (one per sample) of lists of ``(class_id, class_name, score)``, best first.

    Example:
        >>> decode_predictions(model.predict(images))[0][0]  # doctest: +SKIP
        ('n02504458', 'African_elephant', 0.82)
    """
    global CLASS_INDEX
    preds = ops.convert_to_numpy(preds)
    if preds.ndim != 2 or preds.shape[1] != 1000:
        raise ValueError(
            "decode_predictions expects a batch of ImageNet predictions, an array of shape "
            f"(samples, 1000). Received an array of shape {preds.shape}."
        )
    if CLASS_INDEX is None:
        path = get_file("imagenet_class_index.json", CLASS_INDEX_PATH, cache_subdir="models",
                        file_hash=CLASS_INDEX_HASH)
        with open(path) as f:
            CLASS_INDEX = json.load(f)
    results = []
    for pred in preds:
        best = np.argsort(pred, kind="stable")[-top:][::-1]
        results.append([tuple(CLASS_INDEX[str(i)]) + (pred[i],) for i in best])
    return results


def obtain_input_shape(input_shape, default_size, min_size, data_format, require_flatten, weights=None):
    """The model's input shape: ``input_shape`` checked, or the default for the architecture.

    With ``include_top`` (``require_flatten``) the shape must be static; with ImageNet weights and
    a top it must be the default size; the spatial sizes must be at least ``min_size``.
    """
    last = data_format != "channels_first"
    if weights != "imagenet" and input_shape and len(input_shape) == 3:
        channels = input_shape[-1] if last else input_shape[0]
        if channels not in {1, 3}:
            warnings.warn(f"This model usually expects 1 or 3 input channels; input_shape={input_shape} "
                          f"has {channels}.", stacklevel=3)
        default = (default_size, default_size, channels) if last else (channels, default_size, default_size)
    else:
        default = (default_size, default_size, 3) if last else (3, default_size, default_size)
    if weights == "imagenet" and require_flatten:
        if input_shape is not None and tuple(input_shape) != default:
            raise ValueError(
                "With include_top=True and weights='imagenet', input_shape must be "
                f"{default} (the size the classifier was trained at). Received: input_shape={input_shape}. "
                "Pass include_top=False to use another size."
            )
        return default
    if input_shape:
        input_shape = tuple(input_shape)
        if len(input_shape) != 3:
            raise ValueError(f"`input_shape` must be a tuple of three integers. Received: input_shape={input_shape}")
        channels = input_shape[-1] if last else input_shape[0]
        spatial = input_shape[:2] if last else input_shape[1:]
        if channels != 3 and weights == "imagenet":
            raise ValueError(f"With weights='imagenet' the input must have 3 channels. Received: input_shape={input_shape}")
        if any(s is not None and s < min_size for s in spatial):
            raise ValueError(f"Input size must be at least {min_size}x{min_size}. Received: input_shape={input_shape}")
    elif require_flatten:
        input_shape = default
    else:
        input_shape = (None, None, 3) if last else (3, None, None)
    if require_flatten and None in input_shape:
        raise ValueError(
            "With include_top=True the input size must be static (the classifier's size depends on "
            f"it). Received: input_shape={input_shape}. Pass a full input_shape or include_top=False."
        )
    return input_shape


def correct_pad(inputs, kernel_size):
    """The ``ZeroPadding2D`` padding Keras uses before a strided 'valid' convolution."""
    first = backend.image_data_format() == "channels_first"
    size = inputs.shape[2:4] if first else inputs.shape[1:3]
    if isinstance(kernel_size, int):
        kernel_size = (kernel_size, kernel_size)
    adjust = (1, 1) if size[0] is None else (1 - size[0] % 2, 1 - size[1] % 2)
    correct = (kernel_size[0] // 2, kernel_size[1] // 2)
    return ((correct[0] - adjust[0], correct[0]), (correct[1] - adjust[1], correct[1]))


def validate_activation(classifier_activation, weights):
    """Keras's name for ``_common.validate_activation``."""
    from lamina.applications._common import validate_activation as check

    check(classifier_activation, weights)
