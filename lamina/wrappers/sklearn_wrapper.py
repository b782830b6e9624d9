"""Keras 3's scikit-learn wrappers: a lamina model as a scikit-learn estimator.

``SKLearnClassifier(model=build, model_kwargs={...}, fit_kwargs={...})`` fits, predicts and scores
like any scikit-learn estimator, so it works in ``Pipeline``, ``GridSearchCV`` and
``cross_val_score``. ``model`` is a compiled ``Model`` (cloned, with its compile settings, for each
fit) or a function ``model(X=..., y=..., **model_kwargs)`` returning a compiled model.
"""

from __future__ import annotations

import copy

import numpy as np

from lamina.wrappers._sklearn import (
    BaseEstimator,
    ClassifierMixin,
    RegressorMixin,
    TransformerMixin,
    pickle_state,
    require_sklearn,
    unpickle_state,
)

__all__ = ["SKLearnClassifier", "SKLearnRegressor", "SKLearnTransformer"]


def _validate(estimator, X, y=None, reset=True):
    try:
        from sklearn.utils.validation import validate_data
    except ImportError:  # scikit-learn < 1.6
        def validate_data(est, *args, **kwargs):
            return est._validate_data(*args, **kwargs)
    if y is None:
        return validate_data(estimator, X, reset=reset)
    return validate_data(estimator, X, y, reset=reset, multi_output=True, y_numeric=False)


class SKLBase(BaseEstimator):
    """The shared fit / predict of the wrappers (Keras 3 ``keras.wrappers`` semantics).

    Args:
        model: a compiled ``lamina.Model`` (cloned and compiled the same way before each fit,
            unless ``warm_start``), or a callable ``model(X=X, y=y, **model_kwargs)`` returning a
            compiled model (it sees the encoded targets: one-hot for a classifier).
        warm_start: keep training the model of the previous fit instead of starting afresh.
        model_kwargs: keyword arguments for ``model`` when it is a callable.
        fit_kwargs: keyword arguments for ``model.fit`` (``epochs``, ``batch_size``, ``verbose``
            ...); those given to ``fit`` itself take precedence.

    Attributes:
        model_: the fitted model. history_: ``model.fit(...).history``.
        n_features_in_: the number of input features seen in fit.
    """

    def __init__(self, model, warm_start=False, model_kwargs=None, fit_kwargs=None):
        require_sklearn(type(self).__name__)
        self.model = model
        self.warm_start = warm_start
        self.model_kwargs = model_kwargs
        self.fit_kwargs = fit_kwargs

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.non_deterministic = True  # weights start random
        return tags

    def __getstate__(self):
        return pickle_state(self.__dict__)

    def __setstate__(self, state):
        self.__dict__.update(unpickle_state(state))

    def __sklearn_clone__(self):
        # A Model passed as `model` is copied, never shared between clones (GridSearchCV fits
        # clones in turn); a callable is shared.
        model = self.model if not _is_model(self.model) else _copy_model(self.model)
        return type(self)(model=model, warm_start=self.warm_start,
                          model_kwargs=copy.deepcopy(self.model_kwargs),
                          fit_kwargs=copy.deepcopy(self.fit_kwargs))

    def _build_model(self, X, y):
        if self.warm_start and hasattr(self, "model_"):
            return self.model_
        if _is_model(self.model):
            model = _copy_model(self.model)
        elif callable(self.model):
            model = self.model(X=X, y=y, **(self.model_kwargs or {}))
        else:
            raise TypeError(
                f"{type(self).__name__}: model must be a compiled lamina Model or a function "
                f"returning one; received {type(self.model).__name__}."
            )
        if not _is_model(model) or not getattr(model, "compiled", False) or model.optimizer is None:
            raise RuntimeError(
                f"{type(self).__name__}: the model must be compiled with a loss and an optimizer; "
                "call model.compile(optimizer=..., loss=...) before returning it."
            )
        return model

    def fit(self, X, y, **kwargs):
        """Fits a fresh (or, with warm_start, the previous) model to ``X``, ``y``.

        Args:
            X: array-like of shape (n_samples, n_features).
            y: array-like of shape (n_samples,) or (n_samples, n_outputs).
            **kwargs: passed to ``model.fit`` (over ``fit_kwargs``).

        Returns:
            self.
        """
        if y is None:
            raise ValueError(f"{type(self).__name__} requires y to be passed, but the target y is None.")
        X, y = _validate(self, X, y, reset=True)
        y = self._encode_target(y, reset=True)
        model = self._build_model(X, y)
        fit_kwargs = dict(self.fit_kwargs or {})
        fit_kwargs.setdefault("verbose", 0)
        fit_kwargs.update(kwargs)
        self.history_ = model.fit(np.asarray(X, "float32"), y, **fit_kwargs).history
        self.model_ = model
        return self

    def _raw_predict(self, X):
        from sklearn.utils.validation import check_is_fitted

        check_is_fitted(self)
        X = _validate(self, X, reset=False)
        return np.asarray(self.model_.predict(np.asarray(X, "float32"), verbose=0))

    def predict(self, X):
        """The model's predictions for ``X``, decoded back to the targets' form."""
        return self._decode_target(self._raw_predict(X))

    def _encode_target(self, y, reset=False):
        from sklearn.utils.multiclass import type_of_target

        type_of_target(y, raise_unknown=True)
        y = np.asarray(y)
        if reset:
            self._y_ndim = y.ndim
        return (y.reshape(-1, 1) if y.ndim == 1 else y).astype("float32")

    def _decode_target(self, out):
        return out[:, 0] if self._y_ndim == 1 and out.ndim == 2 and out.shape[1] == 1 else out


class SKLearnClassifier(ClassifierMixin, SKLBase):
    """A lamina classifier as a scikit-learn estimator (Keras 3 ``keras.wrappers.SKLearnClassifier``).

    The labels (any values scikit-learn accepts: ints, strings ...) are one-hot encoded for the
    model, so its last layer has one unit per class (softmax); ``predict`` returns the label of
    the largest output, ``predict_proba`` the outputs. See ``SKLBase`` for the arguments.

    Example:
        >>> import lamina
        >>> def build(X, y, hidden=8):
        ...     model = lamina.Sequential([lamina.Input((X.shape[1],)),
        ...                                lamina.layers.Dense(hidden, activation="relu"),
        ...                                lamina.layers.Dense(y.shape[1], activation="softmax")])
        ...     model.compile(optimizer="adam", loss="categorical_crossentropy")
        ...     return model
        >>> clf = SKLearnClassifier(build, model_kwargs={"hidden": 4}, fit_kwargs={"epochs": 2})
        >>> clf.fit(np.random.rand(20, 3), np.arange(20) % 2).predict(np.zeros((2, 3))).shape
        (2,)
    """

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.poor_score = True
        return tags

    def _encode_target(self, y, reset=False):
        from sklearn.preprocessing import OneHotEncoder
        from sklearn.utils.multiclass import type_of_target
        from sklearn.utils.validation import column_or_1d

        kind = type_of_target(y, raise_unknown=True)
        if kind not in ("binary", "multiclass"):
            raise ValueError(
                f"{type(self).__name__} handles binary and multiclass targets; received a "
                f"'{kind}' target. For continuous targets use SKLearnRegressor."
            )
        y = column_or_1d(y, warn=True).reshape(-1, 1)  # a (n, 1) column warns, as scikit-learn does
        if reset:
            self._encoder = OneHotEncoder(sparse_output=False).fit(y)
            self.classes_ = self._encoder.categories_[0]
            if len(self.classes_) < 2:
                raise ValueError(
                    f"{type(self).__name__} needs at least 2 classes in y; received one class: "
                    f"{self.classes_.tolist()}."
                )
        return self._encoder.transform(y).astype("float32")

    def _decode_target(self, out):
        if out.ndim == 1 or out.shape[1] == 1:  # one sigmoid unit: the probability of classes_[1]
            return self.classes_[(out.reshape(-1) > 0.5).astype(int)]
        return self.classes_[np.argmax(out, axis=1)]

    def predict_proba(self, X):
        """The model's outputs: one column per class in ``classes_`` order."""
        out = self._raw_predict(X)
        if out.ndim == 1 or out.shape[1] == 1:
            p = out.reshape(-1, 1)
            return np.hstack([1 - p, p])
        return out

    def decision_function(self, X):
        """Scores whose arg-max is the predicted class: the model's outputs for more than two
        classes; for two, one column, the log-odds of ``classes_[1]`` (positive means it)."""
        proba = self.predict_proba(X)
        if proba.shape[1] == 2:
            eps = np.finfo(proba.dtype).tiny
            return np.log(proba[:, 1] + eps) - np.log(proba[:, 0] + eps)
        return proba


class SKLearnRegressor(RegressorMixin, SKLBase):
    """A lamina regressor as a scikit-learn estimator (Keras 3 ``keras.wrappers.SKLearnRegressor``).

    Targets may have several columns (one model output each). Predictions are float64, as
    scikit-learn's regressors return. ``score`` is scikit-learn's R². See ``SKLBase`` for the
    arguments.
    """

    def predict(self, X):
        """The model's predictions for ``X`` as float64 ((n,) for a 1-D target)."""
        return super().predict(X).astype(np.float64)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.regressor_tags.poor_score = True
        tags.target_tags.multi_output = True
        return tags


class SKLearnTransformer(TransformerMixin, SKLBase):
    """A lamina model as a scikit-learn transformer: ``transform(X)`` is ``model.predict(X)``
    (Keras 3 ``keras.wrappers.SKLearnTransformer``), e.g. an encoder feeding a later estimator.
    See ``SKLBase`` for the arguments.
    """

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        tags.transformer_tags.preserves_dtype = []  # the model computes in floatx
        return tags

    def transform(self, X):
        """The fitted model's outputs for ``X`` (n_samples, n_outputs)."""
        return self._raw_predict(X)


def _is_model(obj):
    from lamina.models import Model

    return isinstance(obj, Model)


def _copy_model(model):
    from lamina.saving import clone_model

    clone = clone_model(model)
    config = model.get_compile_config()
    if config is not None:
        clone.compile_from_config(config)
    return clone
