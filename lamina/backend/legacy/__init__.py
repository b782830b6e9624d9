"""Keras 2's backend API (``from keras import backend as K``) on lamina ops.

Every function of Keras 2.x's ``keras.backend`` that means something without TensorFlow
sessions: math and reductions, shapes, linear algebra, nn, losses, random, variables, control
flow, ``placeholder``/``function``/``gradients`` and configuration. ``lamina.backend`` loads
this package on first use of one of these names, so ``K.mean`` and friends are simply there.

Each function takes eager tensors, NumPy arrays and numbers, and the symbolic tensors of the
functional API: on those it adds a node to the graph (a Lambda layer is not needed).
TensorFlow-only names (``K.get_graph``, ``K.tf``...) raise an error that says so.

Example:
    >>> import numpy as np
    >>> from lamina import backend as K
    >>> K.get_value(K.batch_dot(np.ones((2, 3)), np.ones((2, 3)), axes=1)).tolist()
    [[3.0], [3.0]]
"""

from __future__ import annotations

from lamina import config as _config
from lamina.backend.legacy.graph import (
    GraphFunction, function, gradients, in_test_phase, in_train_phase, is_placeholder,
    learning_phase_scope, name_scope, placeholder, set_learning_phase, switch,
)
from lamina.backend.legacy.loops import foldl, foldr, local_conv1d, local_conv2d, map_fn, rnn
from lamina.backend.legacy.losses import (
    binary_crossentropy, binary_focal_crossentropy, categorical_crossentropy,
    categorical_focal_crossentropy, ctc_batch_cost, ctc_decode, sparse_categorical_crossentropy,
)
from lamina.backend.legacy.math import (
    abs, all, any, argmax, argmin, clip, cos, cumprod, cumsum, equal, exp, greater,
    greater_equal, less, less_equal, log, logsumexp, max, maximum, mean, min, minimum,
    not_equal, pow, prod, round, sign, sin, sqrt, square, std, stop_gradient, sum, var,
)
from lamina.backend.legacy.nn import (
    batch_normalization, bias_add, conv1d, conv2d, conv2d_transpose, conv3d, depthwise_conv2d,
    dropout, elu, hard_sigmoid, normalize_batch_in_training, pool2d, pool3d, relu,
    separable_conv2d, sigmoid, softmax, softplus, softsign, tanh,
)
from lamina.backend.legacy.shapes import (
    arange, batch_dot, batch_flatten, cast, cast_to_floatx, concatenate, dot, dtype,
    expand_dims, flatten, gather, in_top_k, l2_normalize, ndim, one_hot, permute_dimensions,
    repeat, repeat_elements, reshape, resize_images, resize_volumes, reverse, shape, slice,
    spatial_2d_padding, spatial_3d_padding, squeeze, stack, temporal_padding, tile, transpose,
)
from lamina.backend.legacy.variables import (
    KerasVariable, batch_get_value, batch_set_value, constant, count_params, eval, eye,
    get_value, identity, is_variable, moving_average_update, ones, ones_like, print_tensor,
    random_bernoulli, random_binomial, random_normal, random_normal_variable, random_uniform,
    random_uniform_variable, set_value, truncated_normal, update, update_add, update_sub,
    variable, zeros, zeros_like,
)

_DIM_ORDERING = {"th": "channels_first", "tf": "channels_last"}


def image_dim_ordering() -> str:
    """Keras 1: 'tf' for channels_last, 'th' for channels_first."""
    from lamina.errors import deprecated

    deprecated("K.image_dim_ordering()", "K.image_data_format()")
    return "tf" if _config.image_data_format() == "channels_last" else "th"


def set_image_dim_ordering(dim_ordering: str) -> None:
    """Keras 1: set 'tf' (channels_last) or 'th' (channels_first)."""
    from lamina.errors import deprecated

    if dim_ordering not in _DIM_ORDERING:
        raise ValueError(
            f"K.set_image_dim_ordering expects 'tf' or 'th'; received {dim_ordering!r}.")
    deprecated("K.set_image_dim_ordering(...)", "K.set_image_data_format('channels_last' or 'channels_first')")
    _config.set_image_data_format(_DIM_ORDERING[dim_ordering])


def get_variable_shape(x) -> tuple:
    """Keras 2.0-2.2: the shape of a variable as a tuple (``K.int_shape``)."""
    return tuple(x.shape)


def is_tensor(x) -> bool:
    """Whether ``x`` is a backend tensor or a symbolic tensor."""
    from lamina import ops
    from lamina.layers.keras_tensor import KerasTensor

    return ops.is_tensor(x) or isinstance(x, KerasTensor)


def is_sparse(x) -> bool:
    """lamina has no sparse tensors: always False."""
    return False


def to_dense(x):
    """lamina has no sparse tensors: ``x`` itself."""
    return x


def manual_variable_initialization(value) -> None:
    """TensorFlow 1 session detail: lamina initializes variables when they are made."""


def symbolic(func):
    """Keras 2.3 decorator that ran ``func`` in the Keras graph; lamina runs it as it is."""
    return func


def eager(func):
    """Keras 2.3 decorator that ran ``func`` eagerly; lamina always does."""
    return func


def reset_uids() -> None:
    """Restart the automatic layer names ('dense', 'dense_1'...)."""
    from lamina.utils import naming

    naming.reset_uids()


# Names of Keras 2's TensorFlow backend that need a TensorFlow graph or session.
TF_ONLY = {
    "get_graph": "TensorFlow graphs",
    "tf": "the TensorFlow module",
    "get_session_config": "TensorFlow sessions",
    "session": "TensorFlow sessions",
    "configure_and_create_distributed_session": "TensorFlow sessions",
    "track_variable": "TensorFlow sessions",
    "is_tf_keras_tensor": "TensorFlow graphs",
    "unique_object_name": "TensorFlow graphs",
    "ctc_label_dense_to_sparse": "TensorFlow sparse tensors",
}


class TensorFlowOnly:
    """Stands for a TensorFlow-only object: calling it or reading any attribute raises an error
    that says what is missing and what to use instead."""

    def __init__(self, name, what):
        self._name = name
        self._what = what

    def _raise(self, detail=""):
        raise ValueError(
            f"K.{self._name}{detail} is part of Keras 2's TensorFlow backend and needs {self._what}, "
            "which lamina does not have: lamina runs eagerly on PyTorch. Compute directly with "
            "lamina.backend functions, lamina.ops or layers (K.function runs a graph on arrays).")

    def __call__(self, *args, **kwargs):
        self._raise("(...)")

    def __getattr__(self, attr):
        if attr.startswith("__"):
            raise AttributeError(attr)
        self._raise(f".{attr}")

    def __repr__(self):
        return f"<TensorFlow-only K.{self._name}: not available in lamina>"


def tf_only(name):
    """The stand-in for the TensorFlow-only name ``name``."""
    return TensorFlowOnly(name, TF_ONLY[name])


class _NoSession(TensorFlowOnly):
    """What ``K.get_session()`` returns: running anything in it is explained as unsupported."""

    def __init__(self):
        super().__init__("get_session()", "a TensorFlow session")


def get_session():
    """Keras 1/2 (TensorFlow): the session Keras uses. lamina has none: warns and returns a
    stand-in whose ``run``/``graph``... raise an error that explains it."""
    from lamina.backend import _NO_SESSION
    from lamina.errors import deprecated

    deprecated("K.get_session()", _NO_SESSION)
    return _NoSession()


def lookup(name: str):
    """``K.<name>``: the function of this package, a TF-only stand-in, or an AttributeError."""
    value = globals().get(name)
    if value is not None and not name.startswith("_") and name not in _PRIVATE:
        return value
    if name in TF_ONLY:
        return tf_only(name)
    from lamina.errors import suggest

    import lamina.backend as K

    raise AttributeError(
        f"module 'lamina.backend' has no attribute '{name}'."
        f"{suggest(name, [n for n in dir(K) + __all__ if not n.startswith('_')])}")


_PRIVATE = {"annotations", "lookup", "tf_only", "TF_ONLY", "TensorFlowOnly"}
__all__ = sorted(n for n, v in list(globals().items())
                 if not n.startswith("_") and n not in _PRIVATE and callable(v))
