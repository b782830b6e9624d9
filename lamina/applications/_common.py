"""What every application builder shares: argument checks, the input, the head, the weights.

Keras's application functions all follow one pattern (check ``weights``, make or adopt the input,
build the body, add the classifier or the pooling, make a ``Functional`` model, load weights);
these helpers hold that pattern once so each architecture file only states its body.
"""

from __future__ import annotations

import os

from lamina import activations, backend, layers
from lamina.utils.file_utils import DownloadError, get_file

CACHE_SUBDIR = "models"


def channel_axis() -> int:
    """The channel axis of a 4D image batch under the current ``image_data_format``."""
    return 1 if backend.image_data_format() == "channels_first" else -1


def check_weights(name, weights, include_top, classes, pretrained=("imagenet",)):
    """Keras's checks of ``weights`` and ``classes``, with messages that say what to pass."""
    if not (weights in {None, *pretrained} or (isinstance(weights, (str, os.PathLike))
                                                and os.path.exists(weights))):
        choices = ", ".join(repr(w) for w in (None, *pretrained))
        raise ValueError(
            f"{name}: the `weights` argument should be one of {choices} (random initialization or "
            f"pre-training) or the path to an existing weights file. Received: weights={weights!r}"
        )
    if weights in pretrained and include_top and classes != 1000:
        raise ValueError(
            f"{name}: with weights={weights!r} and include_top=True, `classes` must be 1000 (the "
            f"ImageNet classes the weights were trained on). Received: classes={classes}. Pass "
            f"include_top=False to put your own classifier on top."
        )


def validate_activation(classifier_activation, weights):
    """Pretrained classifiers only accept ``None`` or ``'softmax'`` as their activation."""
    if weights is None:
        return
    fn = activations.get(classifier_activation)
    if fn not in (activations.get("softmax"), activations.get(None)):
        raise ValueError(
            "Only None and 'softmax' are allowed for `classifier_activation` with pretrained "
            f"weights and include_top=True. Received: classifier_activation={classifier_activation!r}. "
            "Pass weights=None, or use the logits (classifier_activation=None) and apply your "
            "activation afterwards."
        )


def image_input(input_tensor, input_shape):
    """The model's image input: a new ``Input``, or ``input_tensor`` when one is given."""
    if input_tensor is None:
        return layers.Input(shape=input_shape)
    if not backend.is_keras_tensor(input_tensor):
        raise TypeError(
            "`input_tensor` must be a symbolic tensor from lamina.Input(...) or from a layer "
            f"called on one. Received: {type(input_tensor).__name__}. Wrap your data with "
            "lamina.Input(shape=...) instead."
        )
    return input_tensor


def model_inputs(input_tensor, img_input):
    """The inputs of the final model: the sources of ``input_tensor`` if one was given."""
    if input_tensor is None:
        return img_input
    from lamina.utils.legacy_helpers import get_source_inputs

    return get_source_inputs(input_tensor)


def make_model(input_tensor, img_input, x, name):
    from lamina.models.functional import Functional

    return Functional(model_inputs(input_tensor, img_input), x, name=name)


def fetch(fname, origin, file_hash, app):
    """Keras's published weights for ``app``: downloaded once to ``~/.lamina/models`` and checked.

    Offline, the error names the application, the file, the URL and the path to put it at by hand
    (``get_file``'s message), and the alternative of passing the file's path as ``weights``.
    """
    try:
        return get_file(fname, origin, cache_subdir=CACHE_SUBDIR, file_hash=file_hash)
    except DownloadError as e:
        raise DownloadError(
            f"{app}(weights='imagenet') needs Keras's pretrained weights file '{fname}'. {e} "
            f"You can also pass the file's path: {app}(weights='/path/to/{fname}')."
        ) from None


def load_weights(model, weights, pretrained_file=None, app=None):
    """Load ``weights``: ``'imagenet'`` through ``fetch(*pretrained_file())``, a path as is."""
    if weights is None:
        return model
    if weights == "imagenet":
        if pretrained_file is None:
            raise ValueError(f"{app}: Keras publishes no ImageNet weights for this configuration; "
                             "pass weights=None or the path of a weights file.")
        model.load_weights(fetch(*pretrained_file(), app=app))
    else:
        model.load_weights(weights)
    return model


def gap_head(x, classes, classifier_activation, pool_name="avg_pool"):
    """The usual top: global average pooling, then the ``predictions`` Dense layer."""
    x = layers.GlobalAveragePooling2D(name=pool_name)(x)
    return layers.Dense(classes, activation=classifier_activation, name="predictions")(x)


def build(app, body, *, include_top, weights, input_tensor, input_shape, pooling, classes,
          classifier_activation, name, default_size=224, min_size=32, head=gap_head,
          pool_names=(None, None), weight_file=None, check_input=True, after_pooling=None):
    """Keras's application pattern: checks, input, ``body(img_input)``, top or pooling, weights.

    Args:
        app: the public name (``'ResNet50'``), used in error messages.
        body: ``img_input -> feature map``.
        head: ``(x, classes, classifier_activation) -> predictions`` with ``include_top``.
        pool_names: the names of the avg / max pooling layers without top (None: automatic).
        weight_file: ``include_top -> (fname, url, hash)`` of Keras's published weights.
        after_pooling: ``x -> x`` applied without the top, after the optional pooling.
    """
    from lamina.applications.imagenet_utils import obtain_input_shape

    check_weights(app, weights, include_top, classes)
    if check_input:
        input_shape = obtain_input_shape(input_shape, default_size=default_size, min_size=min_size,
                                         data_format=backend.image_data_format(),
                                         require_flatten=include_top, weights=weights)
    img_input = image_input(input_tensor, input_shape)
    x = body(img_input)
    if include_top:
        validate_activation(classifier_activation, weights)
        x = head(x, classes, classifier_activation)
    elif pooling == "avg":
        x = layers.GlobalAveragePooling2D(name=pool_names[0])(x)
    elif pooling == "max":
        x = layers.GlobalMaxPooling2D(name=pool_names[1])(x)
    elif pooling is not None:
        raise ValueError(f"{app}: `pooling` must be None, 'avg' or 'max'. Received: pooling={pooling!r}")
    if not include_top and after_pooling is not None:
        x = after_pooling(x)
    model = make_model(input_tensor, img_input, x, name)
    return load_weights(model, weights, (lambda: weight_file(include_top)) if weight_file else None, app)


def args(local_vars):
    """The standard application arguments from a public function's ``locals()``."""
    return {k: local_vars[k] for k in ("include_top", "weights", "input_tensor", "input_shape", "pooling",
                                       "classes", "classifier_activation", "name") if k in local_vars}


ARGS_DOC = """
    Args:
        include_top: whether to include the classifier at the top of the network.
        weights: None (random initialization), ``'imagenet'`` (Keras's published weights,
            downloaded once through ``lamina.utils.get_file`` into ``~/.lamina/models`` and checked
            against Keras's hash), or the path of a weights file to load.
        input_tensor: optional symbolic tensor (from ``lamina.Input``) to use as the image input.
        input_shape: optional shape tuple, only with ``include_top=False`` (otherwise the default
            size of the architecture).
        pooling: with ``include_top=False``: None (the 4D feature map), ``'avg'`` or ``'max'``
            (global pooling, a 2D output).
        classes: number of classes, with ``include_top=True`` and no pretrained weights.
        classifier_activation: activation of the top layer; None returns logits. With pretrained
            weights only None or ``'softmax'``.
        name: the model's name.

    Returns:
        A functional ``lamina.Model``.
"""


def document(fn, summary, example):
    """Give a public application function Keras's argument documentation and an example."""
    fn.__doc__ = f"{summary}\n{ARGS_DOC}\n    Example:\n{example}\n"
    return fn


def default_size(input_shape, input_tensor, sizes, fallback=224):
    """MobileNet's rule: a square input of one of the pretrained ``sizes`` picks that size."""
    shape = input_shape
    if shape is None and input_tensor is not None:
        shape = tuple(input_tensor.shape[1:])
    if shape is None or len(shape) != 3:
        return fallback
    rows, cols = (shape[1], shape[2]) if backend.image_data_format() == "channels_first" else (shape[0], shape[1])
    return rows if rows == cols and rows in sizes else fallback


def spatial(input_shape):
    """(rows, cols) of a 3D input shape under the current ``image_data_format``."""
    if backend.image_data_format() == "channels_first":
        return input_shape[1], input_shape[2]
    return input_shape[0], input_shape[1]


def make_divisible(v, divisor=8, min_value=None):
    """Round a channel count to a multiple of ``divisor``, never more than 10% down (MobileNet)."""
    min_value = divisor if min_value is None else min_value
    new_v = max(min_value, int(v + divisor / 2) // divisor * divisor)
    return new_v + divisor if new_v < 0.9 * v else new_v
