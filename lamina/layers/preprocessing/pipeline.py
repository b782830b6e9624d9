"""Pipeline: apply a list of preprocessing layers in order."""

from __future__ import annotations

from lamina.layers.layer import Layer


class Pipeline(Layer):
    """Applies ``layers`` one after the other, passing ``training`` to those that take it.

    Unlike Sequential it is not a model: it has no fit/compile, and is meant for the data
    pipeline (``dataset.map(Pipeline([...]))``) or as one preprocessing step in a model.

    Args:
        layers: a list of layers.
        name: the layer name.

    Example:
        >>> from lamina import layers
        >>> p = Pipeline([layers.Rescaling(2.0), layers.Rescaling(1.0, offset=1.0)])
        >>> float(p(np.array([1.0]))[0])
        3.0
    """

    def __init__(self, layers, name=None):
        super().__init__(name=name)
        self._pipeline_layers = list(layers)
        for i, layer in enumerate(self._pipeline_layers):
            if isinstance(layer, Layer):
                self.add_module(f"layer_{i}", layer) if hasattr(self, "add_module") else None

    @property
    def layers(self):
        return self._pipeline_layers

    def __call__(self, inputs, training=None, mask=None):
        x = inputs
        for layer in self._pipeline_layers:
            x = layer(x, training=training) if training is not None else layer(x)
        self.built = True  # its layers are: stateless_call (JAX's gradients) may run it now
        return x

    def call(self, inputs, training=None, mask=None):
        return self.__call__(inputs, training=training)

    def get_config(self):
        from lamina.saving.serialization_lib import serialize_keras_object

        return {"layers": [serialize_keras_object(layer) for layer in self._pipeline_layers],
                "name": self.name}

    @classmethod
    def from_config(cls, config):
        from lamina.saving.serialization_lib import deserialize_keras_object

        config = dict(config)
        config["layers"] = [deserialize_keras_object(c) for c in config["layers"]]
        return cls(**config)
