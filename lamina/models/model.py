"""Model: a Layer with training (compile/fit/evaluate/predict), saving and a summary.

``Model(inputs, outputs)`` builds a functional model; subclass ``Model`` and define ``call``
for anything else; ``Sequential`` stacks layers.
"""

from __future__ import annotations

from lamina.errors import deprecated
from lamina.layers.layer import Layer
from lamina.training.trainer import Trainer


class Model(Trainer, Layer):
    """A trainable graph of layers.

    Example (functional):
        >>> import lamina
        >>> x = lamina.Input(shape=(4,))
        >>> y = lamina.layers.Dense(2)(x)
        >>> model = lamina.Model(inputs=x, outputs=y)
        >>> model.output_shape
        (None, 2)
    """

    _casts_integer_inputs = False  # integer inputs are indices/values to keep

    def __new__(cls, *args, **kwargs):
        if cls is Model and (len(args) >= 2 or "inputs" in kwargs or "input" in kwargs):
            from lamina.models.functional import Functional

            return Functional.__new__(Functional)
        if cls is not Model and _functional_arguments(args, kwargs):
            from lamina.models.functional import functional_subclass

            # Keras 3: a Model subclass called as CustomModel(inputs, outputs) is functional.
            return super().__new__(functional_subclass(cls))
        return super().__new__(cls)

    def __init__(self, *args, **kwargs):
        trainable = kwargs.pop("trainable", True)
        name = kwargs.pop("name", None)
        dtype = kwargs.pop("dtype", None)
        if args or kwargs:
            raise ValueError(
                f"Model() got unexpected arguments {list(args)} {sorted(kwargs)}. A subclassed model "
                "takes only name/trainable/dtype in super().__init__(); a functional model is "
                "Model(inputs=..., outputs=...)."
            )
        Layer.__init__(self, name=name, trainable=trainable, dtype=dtype)
        Trainer.__init__(self)

    # ----------------------------------------------------------------- structure
    @property
    def layers(self) -> list:
        return list(self._child_layers())

    def get_layer(self, name=None, index=None):
        """A layer by name or by index in ``model.layers``."""
        layers = self.layers
        if index is not None:
            if not -len(layers) <= index < len(layers):
                raise ValueError(
                    f"Model '{self.name}' has {len(layers)} layers; index {index} is out of range."
                )
            return layers[index]
        if name is None:
            raise ValueError("get_layer() needs a name or an index.")
        for layer in layers:
            if layer.name == name:
                return layer
        from lamina.errors import suggest

        raise ValueError(
            f"No such layer: '{name}' in model '{self.name}'.{suggest(name, [l.name for l in layers])} "
            f"Existing layers are: {[l.name for l in layers]}."
        )

    def summary(self, line_length=None, positions=None, print_fn=None, expand_nested=False,
                show_trainable=False, layer_range=None):
        """Print a table of the layers with output shapes and parameter counts."""
        from lamina.utils.summary_utils import print_summary

        print_summary(self, line_length=line_length, print_fn=print_fn,
                      expand_nested=expand_nested, show_trainable=show_trainable)

    # ----------------------------------------------------------------- legacy
    def predict_classes(self, x, batch_size=32, verbose=0):
        """Keras 1/2: class indices. Use ``np.argmax(model.predict(x), -1)`` (softmax outputs)
        or ``(model.predict(x) > 0.5).astype('int32')`` (a single sigmoid unit)."""
        deprecated("model.predict_classes(x)",
                   "np.argmax(model.predict(x), axis=-1) (or (model.predict(x) > 0.5).astype('int32') for a sigmoid output)")
        proba = self.predict(x, batch_size=batch_size, verbose=verbose)
        if proba.shape[-1] > 1:
            return proba.argmax(axis=-1)
        return (proba > 0.5).astype("int32")

    def predict_proba(self, x, batch_size=32, verbose=0):
        """Keras 1/2: class probabilities, i.e. ``model.predict(x)``."""
        deprecated("model.predict_proba(x)", "model.predict(x)")
        return self.predict(x, batch_size=batch_size, verbose=verbose)

    def reset_states(self):
        """Reset the state of every stateful layer (stateful RNNs)."""
        for layer in self._flatten_layers(include_self=False):
            if hasattr(layer, "reset_states") and getattr(layer, "stateful", False):
                layer.reset_states()

    # ----------------------------------------------------------------- config (lamina.saving)
    def get_config(self) -> dict:
        """The model's config. A subclassed model whose constructor takes arguments overrides
        this (calling ``super().get_config()`` and adding them) to be saved as a whole."""
        return {"name": self.name, "trainable": self.trainable}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        """A new model from ``get_config()``'s dict (a functional config builds a Functional)."""
        from lamina.saving import model_config

        return model_config.model_from_config(cls, config, custom_objects)

    def get_build_config(self):
        """``{"input_shape": ...}``: what ``build_from_config`` needs to create the weights."""
        record = self.__dict__.get("_build_shapes_record")
        if record is None or not self.built:
            return None
        shape = record[0]
        return {"input_shape": list(shape) if isinstance(shape, tuple) else shape}

    def build_from_config(self, config):
        from lamina.saving import model_config

        model_config.build_from_config(self, config)

    def get_compile_config(self):
        """The arguments ``compile()`` was called with, serialized (None if not compiled)."""
        from lamina.saving import model_config

        return model_config.get_compile_config(self)

    def compile_from_config(self, config):
        """Compile as ``get_compile_config()`` (or a Keras 1/2 ``training_config``) describes."""
        from lamina.saving import model_config

        model_config.compile_from_config(self, config)

    def _build_with(self, shapes):
        self.__dict__["_build_shapes_record"] = shapes
        super()._build_with(shapes)

    # ----------------------------------------------------------------- saving (lamina.saving)
    def save(self, filepath, overwrite=True, **kwargs):
        from lamina.distribution import chief_writes
        from lamina.saving import api

        return chief_writes(api.save_model, self, filepath, overwrite=overwrite, **kwargs)

    def save_weights(self, filepath, overwrite=True, **kwargs):
        from lamina.distribution import chief_writes
        from lamina.saving import api

        return chief_writes(api.save_weights, self, filepath, overwrite=overwrite, **kwargs)

    def load_weights(self, filepath, skip_mismatch=False, by_name=False, **kwargs):
        from lamina.saving import api

        return api.load_weights(self, filepath, skip_mismatch=skip_mismatch, by_name=by_name, **kwargs)

    def to_json(self, **kwargs) -> str:
        from lamina.saving import api

        return api.model_to_json(self, **kwargs)

    def export(self, filepath, format="onnx", **kwargs):
        from lamina.saving import api

        return api.export(self, filepath, format=format, **kwargs)


def _functional_arguments(args, kwargs) -> bool:
    from lamina.layers.keras_tensor import KerasTensor, flatten

    # Keras's rule: Model(inputs, outputs), Model(inputs, outputs=...) or both by keyword.
    if not (len(args) == 2 or len(args) == 1 and "outputs" in kwargs
            or "inputs" in kwargs and "outputs" in kwargs):
        return False
    inputs = args[0] if args else kwargs["inputs"]
    return any(isinstance(t, KerasTensor) for t in flatten(inputs))
