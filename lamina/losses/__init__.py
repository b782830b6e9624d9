"""Losses (``lamina.losses``): Keras 3 names, defaults and numerics.

Every loss exists as a function returning one value per sample (``mean_squared_error``,
aliases ``mse`` ...) and as a class reducing over the batch (``MeanSquaredError``).
``get`` turns what users write in ``compile(loss=...)`` into one of them.
"""

from __future__ import annotations

import inspect

from lamina.utils.legacy_module import reexport

from lamina.losses.checks import check_targets  # noqa: F401
from lamina.losses.hinge import (
    CategoricalHinge,
    Hinge,
    SquaredHinge,
    categorical_hinge,
    hinge,
    squared_hinge,
)
from lamina.losses.loss import Loss, LossFunctionWrapper, reduce_weighted_values
from lamina.losses.probabilistic import (
    BinaryCrossentropy,
    CategoricalCrossentropy,
    KLDivergence,
    Poisson,
    SparseCategoricalCrossentropy,
    binary_crossentropy,
    categorical_crossentropy,
    kl_divergence,
    poisson,
    sparse_categorical_crossentropy,
)
from lamina.losses.registry import Registry
from lamina.losses.regression import (
    CosineSimilarity,
    Huber,
    LogCosh,
    MeanAbsoluteError,
    MeanAbsolutePercentageError,
    MeanSquaredError,
    MeanSquaredLogarithmicError,
    cosine_similarity,
    huber,
    log_cosh,
    mean_absolute_error,
    mean_absolute_percentage_error,
    mean_squared_error,
    mean_squared_logarithmic_error,
)
from lamina.ops.symbolic_dispatch import dispatching as _dispatching

# On symbolic tensors of the functional API (Keras 2's VAE: ``binary_crossentropy(x, x_decoded)``)
# each loss function records a graph node, as in Keras 3.
for _n, _f in list(globals().items()):
    if (callable(_f) and not isinstance(_f, type) and not _n.startswith("_")
            and getattr(_f, "__module__", "").startswith("lamina.losses.")
            and _n not in ("check_targets", "reduce_weighted_values")):
        globals()[_n] = _dispatching(f"losses.{_n}", _f)
del _n, _f

# Keras aliases (and the Keras 2 names lamina keeps accepting).
mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
mape = MAPE = mean_absolute_percentage_error
msle = MSLE = mean_squared_logarithmic_error
kld = KLD = kullback_leibler_divergence = kl_divergence
logcosh = log_cosh
bce = BCE = binary_crossentropy

_REGISTRY = Registry("loss", "keras.losses", Loss)
for _obj in (
    Loss, LossFunctionWrapper, MeanSquaredError, MeanAbsoluteError, MeanAbsolutePercentageError,
    MeanSquaredLogarithmicError, CosineSimilarity, Huber, LogCosh, BinaryCrossentropy,
    CategoricalCrossentropy, SparseCategoricalCrossentropy, KLDivergence, Poisson, Hinge,
    SquaredHinge, CategoricalHinge, mean_squared_error, mean_absolute_error,
    mean_absolute_percentage_error, mean_squared_logarithmic_error, cosine_similarity, huber,
    log_cosh, binary_crossentropy, categorical_crossentropy, sparse_categorical_crossentropy,
    kl_divergence, poisson, hinge, squared_hinge, categorical_hinge,
):
    _REGISTRY.add(_obj)
for _alias in ("mse", "MSE", "mae", "MAE", "mape", "MAPE", "msle", "MSLE", "kld", "KLD",
               "kullback_leibler_divergence", "logcosh", "bce", "BCE"):
    _REGISTRY.add(globals()[_alias], _alias)
_REGISTRY.add(cosine_similarity, "cosine_proximity", "cosine")  # Keras 2 loss names
del _obj, _alias

# Keras 2 function names that Keras 3 dropped: they resolve, with a warning naming the new one.
_KERAS2_NAMES = {"cosine_proximity": "lamina.losses:cosine_similarity",
                 "cosine": "lamina.losses:cosine_similarity"}

__getattr__, _ = reexport("lamina.losses", _KERAS2_NAMES)


ALL_OBJECTS_DICT = _REGISTRY.names


class _TorchLossAdapter(Loss):
    """A torch.nn loss module (called as module(input, target)) used as a lamina loss."""

    def __init__(self, module):
        super().__init__(name=type(module).__name__.lower(), reduction="sum_over_batch_size")
        self.module = module

    def call(self, y_true, y_pred):
        return self.module(y_pred, y_true)


def serialize(loss):
    """A loss object or function as a Keras-format config (a string stays a string)."""
    return _REGISTRY.serialize(loss)


def deserialize(config, custom_objects=None):
    """The loss described by a name or a config written by ``serialize`` (or by Keras)."""
    return _REGISTRY.deserialize(config, custom_objects)


def get(identifier):
    """Resolve what a user passes as ``loss``: a name, a Loss class or instance, a function,
    a config dict, or a ``torch.nn`` loss module.

    Names give the function ('mse' -> mean_squared_error) or, for class names, an instance
    ('MeanSquaredError' -> MeanSquaredError()). Unknown names raise a ValueError suggesting
    the nearest known name.

    Example:

    >>> import lamina
    >>> lamina.losses.get("mse") is lamina.losses.mean_squared_error
    True
    """
    if identifier is None or isinstance(identifier, Loss):
        return identifier
    if isinstance(identifier, (str, dict)):
        return deserialize(identifier)
    if inspect.isclass(identifier) and issubclass(identifier, Loss):
        return identifier()
    if type(identifier).__module__.startswith("torch.nn.modules.loss"):
        return _TorchLossAdapter(identifier)
    if callable(identifier):
        return identifier
    raise TypeError(
        f"Could not interpret loss identifier {identifier!r} of type {type(identifier).__name__}: "
        "expected a loss name such as 'mse', a lamina.losses.Loss, or a function "
        "fn(y_true, y_pred) returning per-sample losses."
    )


__all__ = [
    "Loss", "LossFunctionWrapper", "reduce_weighted_values", "check_targets",
    "MeanSquaredError", "MeanAbsoluteError", "MeanAbsolutePercentageError",
    "MeanSquaredLogarithmicError", "CosineSimilarity", "Huber", "LogCosh", "BinaryCrossentropy",
    "CategoricalCrossentropy", "SparseCategoricalCrossentropy", "KLDivergence", "Poisson",
    "Hinge", "SquaredHinge", "CategoricalHinge",
    "mean_squared_error", "mean_absolute_error", "mean_absolute_percentage_error",
    "mean_squared_logarithmic_error", "cosine_similarity", "huber", "log_cosh",
    "binary_crossentropy", "categorical_crossentropy", "sparse_categorical_crossentropy",
    "kl_divergence", "poisson", "hinge", "squared_hinge", "categorical_hinge",
    "mse", "MSE", "mae", "MAE", "mape", "MAPE", "msle", "MSLE", "kld", "KLD",
    "kullback_leibler_divergence", "logcosh", "bce", "BCE",
    "get", "serialize", "deserialize",
]
