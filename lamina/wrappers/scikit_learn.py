"""Keras 2's ``keras.wrappers.scikit_learn``: ``KerasClassifier`` and ``KerasRegressor``.

``KerasClassifier(build_fn=make_model, epochs=10, batch_size=32, hidden=64)``: the keyword
arguments (Keras 2's ``sk_params``) go where they are accepted: to ``build_fn`` (``hidden``), to
``model.fit`` (``epochs``, ``batch_size``), to ``predict`` / ``evaluate``. Keras 3 replaced these
classes by ``lamina.wrappers.SKLearnClassifier`` / ``SKLearnRegressor``; they keep working here,
with a deprecation warning, and work in ``Pipeline`` and ``GridSearchCV``.
"""

from __future__ import annotations

import copy
import inspect
import types

import numpy as np

from lamina.errors import deprecated, suggest
from lamina.wrappers._sklearn import BaseEstimator, ClassifierMixin, RegressorMixin, require_sklearn

__all__ = ["KerasClassifier", "KerasRegressor"]

_FIT_ARGS = ("batch_size", "epochs", "verbose", "callbacks", "validation_split", "validation_data",
             "shuffle", "class_weight", "sample_weight", "initial_epoch", "steps_per_epoch",
             "validation_steps", "validation_freq", "nb_epoch")
_PREDICT_ARGS = ("batch_size", "verbose", "steps", "callbacks")
_EVALUATE_ARGS = ("batch_size", "verbose", "sample_weight", "steps", "callbacks")


class BaseWrapper(BaseEstimator):
    """What KerasClassifier and KerasRegressor share: ``build_fn`` and the ``sk_params`` split.

    Args:
        build_fn: a function (or callable object) returning a compiled model; its arguments can
            be set through ``sk_params``. None: the subclass's own ``__call__`` builds the model.
        **sk_params: arguments for ``build_fn``, ``fit``, ``predict`` and ``evaluate``; each goes
            to every one of them that accepts it. Unknown names are a ValueError.
    """

    def __init__(self, build_fn=None, **sk_params):
        require_sklearn(type(self).__name__)
        deprecated(f"lamina.wrappers.scikit_learn.{type(self).__name__}(build_fn, ...)",
                   f"lamina.wrappers.SKLearn{type(self).__name__[5:]}(model=build_fn, model_kwargs=..., fit_kwargs=...)")
        self.build_fn = build_fn
        self.sk_params = sk_params
        self.check_params(sk_params)

    def _build_target(self):
        if self.build_fn is None:
            return self.__call__
        if isinstance(self.build_fn, (types.FunctionType, types.MethodType)):
            return self.build_fn
        return self.build_fn.__call__

    def check_params(self, params):
        """Raises a ValueError for a parameter that neither build_fn, fit, predict nor evaluate takes."""
        legal = set(_FIT_ARGS) | set(_PREDICT_ARGS) | set(_EVALUATE_ARGS)
        target = self._build_target()
        build_params = inspect.signature(target).parameters
        takes_any = any(p.kind is p.VAR_KEYWORD for p in build_params.values())
        legal |= set(build_params)
        for name in params:
            if name not in legal and not takes_any:
                raise ValueError(
                    f"{type(self).__name__}: '{name}' is not a parameter of build_fn, fit, predict "
                    f"or evaluate.{suggest(name, sorted(legal))} build_fn takes {sorted(build_params)}."
                )

    def get_params(self, deep=True):
        """``build_fn`` and the sk_params (scikit-learn's clone and grid search use this)."""
        params = dict(self.sk_params)
        params["build_fn"] = self.build_fn
        return params

    def set_params(self, **params):
        """Updates sk_params (and build_fn); scikit-learn's grid search calls it."""
        if "build_fn" in params:
            self.build_fn = params.pop("build_fn")
        self.check_params(params)
        self.sk_params.update(params)
        return self

    def __sklearn_clone__(self):
        clone = type(self).__new__(type(self))
        clone.build_fn = self.build_fn
        clone.sk_params = copy.deepcopy(self.sk_params)
        return clone

    def filter_sk_params(self, fn, override=None, names=None):
        """The sk_params (then ``override``) that ``fn`` (or the argument list ``names``) accepts."""
        accepted = set(names) if names is not None else set(inspect.signature(fn).parameters)
        out = {k: v for k, v in self.sk_params.items() if k in accepted}
        out.update({k: v for k, v in (override or {}).items() if k in accepted or names is None})
        return out

    def _fit(self, x, y, **kwargs):
        target = self._build_target()
        self.model = target(**self.filter_sk_params(target))
        if not getattr(self.model, "compiled", False):
            raise RuntimeError(
                f"{type(self).__name__}: build_fn must return a compiled model; call "
                "model.compile(optimizer=..., loss=...) in it."
            )
        if _loss_name(_compiled_loss(self.model)) == "categorical_crossentropy" and np.ndim(y) != 2:
            from lamina.utils import to_categorical

            y = to_categorical(y)
        fit_args = self.filter_sk_params(None, names=_FIT_ARGS)
        fit_args.update(kwargs)
        if "nb_epoch" in fit_args:
            fit_args["epochs"] = fit_args.pop("nb_epoch")
        fit_args.setdefault("verbose", 0)
        self.history_ = self.model.fit(np.asarray(x, "float32"), y, **fit_args)
        return self.history_

    def _predict_args(self, kwargs):
        args = self.filter_sk_params(None, kwargs, names=_PREDICT_ARGS)
        args.setdefault("verbose", 0)
        return args

    def _evaluate(self, x, y, kwargs):
        args = self.filter_sk_params(None, kwargs, names=_EVALUATE_ARGS)
        args.setdefault("verbose", 0)
        return self.model.evaluate(np.asarray(x, "float32"), y, return_dict=True, **args)


def _compiled_loss(model):
    return (getattr(model, "_compile_config", None) or {}).get("loss")


def _loss_name(loss):
    if isinstance(loss, str):
        return loss
    return getattr(loss, "__name__", None) or getattr(loss, "name", None)


class KerasClassifier(ClassifierMixin, BaseWrapper):
    """Keras 2's scikit-learn classifier around ``build_fn`` (deprecated; see ``SKLearnClassifier``).

    Labels may be any values: they are mapped to 0..n-1 (``classes_``), and one-hot encoded when
    the model's loss is ``categorical_crossentropy``. ``predict`` returns labels (the arg-max, or
    the 0.5 threshold of one sigmoid unit), ``predict_proba`` one column per class, ``score``
    the model's accuracy (compile it with ``metrics=['accuracy']``).

    Example:
        >>> import warnings, lamina
        >>> def make_model(hidden=8):
        ...     model = lamina.Sequential([lamina.Input((3,)), lamina.layers.Dense(hidden, activation="relu"),
        ...                                lamina.layers.Dense(2, activation="softmax")])
        ...     model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
        ...     return model
        >>> with warnings.catch_warnings():
        ...     warnings.simplefilter("ignore")
        ...     clf = KerasClassifier(build_fn=make_model, hidden=4, epochs=2, batch_size=8)
        >>> history = clf.fit(np.random.rand(16, 3), np.arange(16) % 2)
        >>> clf.predict(np.zeros((2, 3))).shape, len(history.history["loss"])
        ((2,), 2)
    """

    def fit(self, x, y, sample_weight=None, **kwargs):
        """Builds the model and fits it; ``y`` holds labels (or one-hot rows).

        Returns:
            The ``History`` of ``model.fit`` (as Keras 2 did; scikit-learn ignores it).
        """
        y = np.asarray(y)
        if y.ndim == 2 and y.shape[1] > 1:
            self.classes_ = np.arange(y.shape[1])
        elif y.ndim == 1 or y.ndim == 2 and y.shape[1] == 1:
            self.classes_ = np.unique(y)
            y = np.searchsorted(self.classes_, y.reshape(-1))
        else:
            raise ValueError(f"KerasClassifier: y must be labels (n,) or one-hot rows (n, classes); received shape {y.shape}.")
        self.n_classes_ = len(self.classes_)
        if sample_weight is not None:
            kwargs["sample_weight"] = sample_weight
        return self._fit(x, y, **kwargs)

    def predict_proba(self, x, **kwargs):
        """Class probabilities (n, n_classes); one sigmoid unit p becomes [1 - p, p]."""
        probs = np.asarray(self.model.predict(np.asarray(x, "float32"), **self._predict_args(kwargs)))
        if probs.ndim == 1 or probs.shape[1] == 1:
            probs = probs.reshape(-1, 1)
            probs = np.hstack([1 - probs, probs])
        return probs

    def predict(self, x, **kwargs):
        """Labels from ``classes_`` (Keras 2's ``predict_classes``)."""
        probs = np.asarray(self.model.predict(np.asarray(x, "float32"), **self._predict_args(kwargs)))
        if probs.ndim == 2 and probs.shape[1] > 1:
            index = probs.argmax(axis=-1)
        else:
            index = (probs.reshape(-1) > 0.5).astype("int32")
        return self.classes_[index]

    def score(self, x, y, **kwargs):
        """The model's accuracy on ``(x, y)`` (needs ``metrics=['accuracy']`` in compile)."""
        y = np.searchsorted(self.classes_, np.asarray(y).reshape(-1)) if np.ndim(y) == 1 else np.asarray(y)
        if _loss_name(_compiled_loss(self.model)) == "categorical_crossentropy" and y.ndim == 1:
            from lamina.utils import to_categorical

            y = to_categorical(y, self.n_classes_)
        logs = self._evaluate(x, y, kwargs)
        for name in ("accuracy", "acc", "categorical_accuracy", "sparse_categorical_accuracy",
                     "binary_accuracy"):
            if name in logs:
                return float(logs[name])
        raise ValueError(
            "KerasClassifier.score returns the model's accuracy, but the model has no accuracy "
            f"metric (its logs are {sorted(logs)}). Compile it with metrics=['accuracy']."
        )


class KerasRegressor(RegressorMixin, BaseWrapper):
    """Keras 2's scikit-learn regressor around ``build_fn`` (deprecated; see ``SKLearnRegressor``).

    ``predict`` returns the model's outputs (squeezed); ``score`` is minus the loss, as in Keras 2
    (greater is better for grid search).
    """

    def fit(self, x, y, sample_weight=None, **kwargs):
        """Builds the model and fits it. Returns the ``History`` of ``model.fit``."""
        if sample_weight is not None:
            kwargs["sample_weight"] = sample_weight
        return self._fit(x, np.asarray(y, "float32"), **kwargs)

    def predict(self, x, **kwargs):
        """The model's predictions, with axes of size 1 removed."""
        out = np.asarray(self.model.predict(np.asarray(x, "float32"), **self._predict_args(kwargs)))
        return np.squeeze(out, axis=-1) if out.ndim == 2 and out.shape[1] == 1 else out

    def score(self, x, y, **kwargs):
        """Minus the model's loss on ``(x, y)``."""
        return -float(self._evaluate(x, np.asarray(y, "float32"), kwargs)["loss"])
