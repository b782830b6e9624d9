"""Wrapper: the base of layers that hold one other layer (TimeDistributed, SpectralNormalization)."""

from __future__ import annotations

from lamina.layers.layer import Layer
from lamina.layers.rnn.serialization import deserialize_layer, serialize_layer


class Wrapper(Layer):
    """Abstract base of layers that wrap another layer and change what it does.

    The wrapped layer is ``self.layer``; its weights are the wrapper's weights. Subclasses
    implement ``call``. The config holds the wrapped layer's serialized form under ``'layer'``
    (Keras's key), so files written by Keras load.

    Args:
        layer: the layer instance to wrap.

    Example:
        >>> import lamina
        >>> class Twice(lamina.layers.Wrapper):
        ...     def call(self, x):
        ...         return 2 * self.layer(x)
        >>> w = Twice(lamina.layers.Dense(2, kernel_initializer="ones"))
        >>> w(lamina.ops.ones((1, 3))).tolist()
        [[6.0, 6.0]]
    """

    def __init__(self, layer, **kwargs):
        if not isinstance(layer, Layer):
            raise ValueError(
                f"{type(self).__name__} needs a lamina layer instance to wrap (e.g. "
                f"{type(self).__name__}(Dense(10))), received {layer!r}."
            )
        super().__init__(**kwargs)
        self.layer = layer

    def build(self, input_shape=None):
        if not self.layer.built:
            self.layer._build_with((input_shape,))

    def get_config(self):
        config = super().get_config()
        config["layer"] = serialize_layer(self.layer)
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        config["layer"] = deserialize_layer(config["layer"], custom_objects)
        return cls(**config)
