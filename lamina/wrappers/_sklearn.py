"""scikit-learn, imported once for the wrappers, with the error that says how to install it."""

from __future__ import annotations

try:
    import sklearn
    from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin, TransformerMixin
except ImportError:  # the wrappers refuse to be built; the module still imports
    sklearn = None

    class BaseEstimator:  # noqa: D101
        pass

    class ClassifierMixin:  # noqa: D101
        pass

    class RegressorMixin:  # noqa: D101
        pass

    class TransformerMixin:  # noqa: D101
        pass


def require_sklearn(what: str) -> None:
    """Raise the ImportError naming the install command when scikit-learn is missing."""
    if sklearn is None:
        raise ImportError(
            f"{what} needs scikit-learn, which is not installed. Install it with "
            "`pip install scikit-learn` (or `pip install lamina[sklearn]`)."
        )


def model_to_bytes(model) -> bytes:
    """A model (architecture, weights, compile settings, optimizer state) as ``.keras`` bytes,
    so that a fitted wrapper pickles (joblib, ``GridSearchCV(n_jobs=...)``, saving a pipeline)."""
    import os
    import tempfile

    from lamina.saving import save_model

    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "model.keras")
        save_model(model, path)
        with open(path, "rb") as f:
            return f.read()


def model_from_bytes(data: bytes):
    """The model ``model_to_bytes`` wrote."""
    import os
    import tempfile

    from lamina.saving import load_model

    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "model.keras")
        with open(path, "wb") as f:
            f.write(data)
        return load_model(path)


def pickle_state(state: dict, keys=("model", "model_")) -> dict:
    """``state`` (an estimator's ``__dict__``) with its lamina models replaced by ``.keras`` bytes."""
    from lamina.models import Model

    state = dict(state)
    for key in keys:
        if isinstance(state.get(key), Model):
            state[key] = _PickledModel(model_to_bytes(state[key]))
    return state


def unpickle_state(state: dict) -> dict:
    """The inverse of ``pickle_state``."""
    return {k: model_from_bytes(v.data) if isinstance(v, _PickledModel) else v for k, v in state.items()}


class _PickledModel:
    __slots__ = ("data",)

    def __init__(self, data):
        self.data = data

    def __getstate__(self):
        return self.data

    def __setstate__(self, data):
        self.data = data
