"""Metrics (``lamina.metrics``): stateful, streaming, Keras 3 names and results.

A metric's state stays on the device; ``update_state`` never synchronises with the host.
Any loss name works as a metric too (``metrics=['mse', 'binary_crossentropy']``).
"""

from __future__ import annotations

import inspect

from lamina.utils.legacy_module import reexport

from lamina import losses as _losses
from lamina.losses.registry import Registry
from lamina.metrics.accuracy import (
    Accuracy,
    BinaryAccuracy,
    CategoricalAccuracy,
    SparseCategoricalAccuracy,
    SparseTopKCategoricalAccuracy,
    TopKCategoricalAccuracy,
    accuracy,
    binary_accuracy,
    categorical_accuracy,
    sparse_categorical_accuracy,
    sparse_top_k_categorical_accuracy,
    top_k_categorical_accuracy,
)
from lamina.metrics.at_threshold import (
    PrecisionAtRecall,
    RecallAtPrecision,
    SensitivityAtSpecificity,
    SpecificityAtSensitivity,
)
from lamina.metrics.auc import AUC
from lamina.metrics.confusion import Precision, Recall
from lamina.metrics.correlation import (
    ConcordanceCorrelation,
    PearsonCorrelation,
    concordance_correlation,
    pearson_correlation,
)
from lamina.metrics.counts import FalseNegatives, FalsePositives, TrueNegatives, TruePositives
from lamina.metrics.f_score import F1Score, FBetaScore
from lamina.metrics.iou import IoU, BinaryIoU, MeanIoU, OneHotIoU, OneHotMeanIoU
from lamina.metrics.metric import Metric
from lamina.metrics.r2 import R2Score
from lamina.metrics.probabilistic import (
    BinaryCrossentropy,
    CategoricalCrossentropy,
    CategoricalHinge,
    Hinge,
    KLDivergence,
    Poisson,
    SparseCategoricalCrossentropy,
    SquaredHinge,
)
from lamina.metrics.reduction import Mean, MeanMetricWrapper, Sum
from lamina.metrics.regression import (
    CosineSimilarity,
    LogCoshError,
    MeanAbsoluteError,
    MeanAbsolutePercentageError,
    MeanSquaredError,
    MeanSquaredLogarithmicError,
    RootMeanSquaredError,
)

# The loss functions are metric functions too (keras.metrics.mean_squared_error ...).
from lamina.losses import (  # noqa: E402,F401
    binary_crossentropy,
    categorical_crossentropy,
    categorical_hinge,
    hinge,
    huber,
    kl_divergence,
    log_cosh,
    mean_absolute_error,
    mean_absolute_percentage_error,
    mean_squared_error,
    mean_squared_logarithmic_error,
    poisson,
    sparse_categorical_crossentropy,
    squared_hinge,
)

mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
mape = MAPE = mean_absolute_percentage_error
msle = MSLE = mean_squared_logarithmic_error

_CLASSES = {
    Metric: None, Mean: "mean", Sum: "sum", MeanMetricWrapper: None,
    Accuracy: "accuracy", BinaryAccuracy: "binary_accuracy",
    CategoricalAccuracy: "categorical_accuracy",
    SparseCategoricalAccuracy: "sparse_categorical_accuracy",
    TopKCategoricalAccuracy: "top_k_categorical_accuracy",
    SparseTopKCategoricalAccuracy: "sparse_top_k_categorical_accuracy",
    MeanSquaredError: "mean_squared_error", MeanAbsoluteError: "mean_absolute_error",
    MeanAbsolutePercentageError: "mean_absolute_percentage_error",
    MeanSquaredLogarithmicError: "mean_squared_logarithmic_error",
    RootMeanSquaredError: "root_mean_squared_error", CosineSimilarity: "cosine_similarity",
    LogCoshError: "log_cosh_error", BinaryCrossentropy: "binary_crossentropy",
    CategoricalCrossentropy: "categorical_crossentropy",
    SparseCategoricalCrossentropy: "sparse_categorical_crossentropy",
    KLDivergence: "kl_divergence", Poisson: "poisson", Hinge: "hinge",
    SquaredHinge: "squared_hinge", CategoricalHinge: "categorical_hinge",
    Precision: "precision", Recall: "recall", AUC: "auc",
    TruePositives: "true_positives", TrueNegatives: "true_negatives",
    FalsePositives: "false_positives", FalseNegatives: "false_negatives",
    PrecisionAtRecall: None, RecallAtPrecision: None, SensitivityAtSpecificity: None,
    SpecificityAtSensitivity: None, F1Score: "f1_score", FBetaScore: None, IoU: None,
    BinaryIoU: "binary_io_u", MeanIoU: None, OneHotIoU: None, OneHotMeanIoU: None,
    R2Score: "r2_score", PearsonCorrelation: "pearson_correlation",
    ConcordanceCorrelation: "concordance_correlation",
}

# As in Keras 3, a name gives a Metric instance: the class name or its snake_case form.
_REGISTRY = Registry("metric", "keras.metrics", Metric)
for _cls, _snake in _CLASSES.items():
    _REGISTRY.add(_cls, *([_cls.__name__, _snake] if _snake else [_cls.__name__]))
for _alias, _cls in (("mse", MeanSquaredError), ("MSE", MeanSquaredError),
                     ("mae", MeanAbsoluteError), ("MAE", MeanAbsoluteError),
                     ("mape", MeanAbsolutePercentageError), ("MAPE", MeanAbsolutePercentageError),
                     ("msle", MeanSquaredLogarithmicError), ("MSLE", MeanSquaredLogarithmicError),
                     ("bce", BinaryCrossentropy), ("BCE", BinaryCrossentropy),
                     ("kld", KLDivergence), ("KLD", KLDivergence), ("logcosh", LogCoshError)):
    _REGISTRY.add(_cls, _alias)
del _cls, _snake, _alias

# Plain functions, for MeanMetricWrapper configs.
_FUNCTIONS = {f.__name__: f for f in (
    accuracy, binary_accuracy, categorical_accuracy, sparse_categorical_accuracy,
    top_k_categorical_accuracy, sparse_top_k_categorical_accuracy, pearson_correlation,
    concordance_correlation,
)}

ALL_OBJECTS_DICT = _REGISTRY.names

# Keras 2 metric function names that Keras 3 dropped: they resolve, with a warning naming the new one.
_KERAS2_NAMES = {"cosine_proximity": "lamina.losses:cosine_similarity",
                 "cosine": "lamina.losses:cosine_similarity",
                 "kld": "lamina.losses:kl_divergence", "KLD": "lamina.losses:kl_divergence",
                 "kullback_leibler_divergence": "lamina.losses:kl_divergence",
                 "logcosh": "lamina.losses:log_cosh"}

__getattr__, _ = reexport("lamina.metrics", _KERAS2_NAMES)


def _loss_names():
    return [n for n, obj in _losses.ALL_OBJECTS_DICT.items() if inspect.isfunction(obj)]


def serialize(metric):
    """A metric object or function as a Keras-format config (a string stays a string)."""
    return _REGISTRY.serialize(metric)


def deserialize_function(config, custom_objects=None):
    """A metric or loss function from its name or its {'class_name': 'function'} config."""
    name = config["config"] if isinstance(config, dict) else config
    if custom_objects and name in custom_objects:
        return custom_objects[name]
    if name in _FUNCTIONS:
        return _FUNCTIONS[name]
    return _losses._REGISTRY.lookup(name)


def deserialize(config, custom_objects=None):
    """The metric described by a name or a config written by ``serialize`` (or by Keras)."""
    if isinstance(config, dict) and config.get("class_name") == "function":
        return deserialize_function(config, custom_objects)
    if isinstance(config, str) and config not in _REGISTRY.names and not (
        custom_objects and config in custom_objects
    ):
        return get(config)
    return _REGISTRY.deserialize(config, custom_objects)


def get(identifier):
    """Resolve what a user passes in ``metrics=[...]`` to a Metric or a metric function.

    Names give a Metric instance ('mse' -> MeanSquaredError(), 'binary_accuracy' ->
    BinaryAccuracy()); loss names without a metric class give the loss function ('huber').
    In ``compile``, 'accuracy' / 'acc' is resolved from the loss and shapes instead (see
    ``lamina.training.compile_utils``). Unknown names raise a ValueError suggesting the
    nearest known name.

    Example:

    >>> import lamina
    >>> lamina.metrics.get("mse").name
    'mean_squared_error'
    """
    if identifier is None or isinstance(identifier, Metric):
        return identifier
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        obj = _REGISTRY.names.get(identifier)
        if obj is None:
            if identifier in _FUNCTIONS:
                return _FUNCTIONS[identifier]
            loss = _losses.ALL_OBJECTS_DICT.get(identifier)
            if inspect.isfunction(loss):
                return loss
            from lamina import errors

            raise errors.unknown_identifier(
                "metric", identifier, list(_REGISTRY.names) + list(_FUNCTIONS) + _loss_names()
            )
        return obj()
    if inspect.isclass(identifier) and issubclass(identifier, Metric):
        return identifier()
    if callable(identifier):
        return identifier
    raise TypeError(
        f"Could not interpret metric identifier {identifier!r} of type {type(identifier).__name__}: "
        "expected a metric name such as 'accuracy', a lamina.metrics.Metric, or a function "
        "fn(y_true, y_pred) returning per-sample values."
    )


__all__ = [
    "Metric", "Mean", "Sum", "MeanMetricWrapper", "Accuracy", "BinaryAccuracy",
    "CategoricalAccuracy", "SparseCategoricalAccuracy", "TopKCategoricalAccuracy",
    "SparseTopKCategoricalAccuracy", "MeanSquaredError", "MeanAbsoluteError",
    "MeanAbsolutePercentageError", "MeanSquaredLogarithmicError", "RootMeanSquaredError",
    "CosineSimilarity", "LogCoshError", "BinaryCrossentropy", "CategoricalCrossentropy",
    "SparseCategoricalCrossentropy", "KLDivergence", "Poisson", "Hinge", "SquaredHinge",
    "CategoricalHinge", "Precision", "Recall", "AUC", "TruePositives", "TrueNegatives",
    "FalsePositives", "FalseNegatives", "PrecisionAtRecall", "RecallAtPrecision",
    "SensitivityAtSpecificity", "SpecificityAtSensitivity", "F1Score", "FBetaScore", "IoU",
    "BinaryIoU", "MeanIoU", "OneHotIoU", "OneHotMeanIoU", "R2Score", "PearsonCorrelation",
    "ConcordanceCorrelation", "pearson_correlation", "concordance_correlation",
    "accuracy", "binary_accuracy", "categorical_accuracy", "sparse_categorical_accuracy",
    "top_k_categorical_accuracy", "sparse_top_k_categorical_accuracy",
    "mean_squared_error", "mean_absolute_error", "mean_absolute_percentage_error",
    "mean_squared_logarithmic_error", "binary_crossentropy", "categorical_crossentropy",
    "sparse_categorical_crossentropy", "kl_divergence", "poisson", "hinge", "squared_hinge",
    "categorical_hinge", "huber", "log_cosh", "mse", "MSE", "mae", "MAE", "mape", "MAPE",
    "msle", "MSLE", "get", "serialize", "deserialize",
]
