"""lamina.models: Model, Sequential, and loading/serialization entry points."""

from lamina.models.functional import Functional
from lamina.models.model import Model
from lamina.models.sequential import Sequential


def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):
    """Load a model saved with ``model.save`` (.keras or .h5), including Keras-written files."""
    from lamina.saving import api

    return api.load_model(filepath, custom_objects=custom_objects, compile=compile, safe_mode=safe_mode)


def model_from_json(json_string, custom_objects=None):
    """Rebuild a model (untrained) from ``model.to_json()`` output."""
    from lamina.saving import api

    return api.model_from_json(json_string, custom_objects=custom_objects)


def save_model(model, filepath, overwrite=True, **kwargs):
    """Save a model (``.keras`` archive or legacy ``.h5``); same as ``model.save(filepath)``."""
    from lamina.saving import api

    return api.save_model(model, filepath, overwrite=overwrite, **kwargs)


def clone_model(model, input_tensors=None, clone_function=None):
    """A new model with the same architecture and freshly initialised weights."""
    from lamina.saving import api

    return api.clone_model(model, input_tensors=input_tensors, clone_function=clone_function)


__all__ = ["Model", "Sequential", "Functional", "load_model", "save_model", "model_from_json", "clone_model"]
