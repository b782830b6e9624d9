"""Sequential: a linear stack of layers."""

from __future__ import annotations

from lamina import backend, ops
from lamina.layers.core.input_layer import InputLayer
from lamina.layers.core.torch_module_wrapper import wrap_if_native
from lamina.layers.keras_tensor import KerasTensor
from lamina.layers.layer import Layer
from lamina.models.input_rank import adjust_input_rank
from lamina.models.model import Model


class Sequential(Model):
    """A plain stack of layers, each with one input and one output.

    The first layer may carry ``input_shape``/``input_dim`` (or start with ``lamina.Input``);
    the shapes of the following layers are inferred.

    Example:
        >>> import lamina
        >>> model = lamina.Sequential([lamina.layers.Dense(8, input_dim=4), lamina.layers.Dense(1)])
        >>> model.output_shape
        (None, 1)
    """

    def __init__(self, layers=None, trainable=True, name=None, **kwargs):
        super().__init__(trainable=trainable, name=name, **kwargs)
        self.__dict__["_stack"] = []
        self.__dict__["_input_layer"] = None
        self.__dict__["_sym_output"] = None
        if layers is not None:
            if isinstance(layers, Layer):
                layers = [layers]
            for layer in layers:
                self.add(layer)

    # ----------------------------------------------------------------- building the stack
    def add(self, layer, rebuild=True):
        """Append a layer (or a ``lamina.Input``) to the stack."""
        if isinstance(layer, KerasTensor):
            owner = layer._keras_history[0] if layer._keras_history else None
            if isinstance(owner, InputLayer):
                layer = owner
        if isinstance(layer, InputLayer):
            if self._input_layer is not None or self._stack:
                raise ValueError(
                    f"Sequential model '{self.name}': an Input can only be the first thing added. "
                    "Give the shape once, with lamina.Input(shape) first or input_shape= on the first layer."
                )
            self.__dict__["_input_layer"] = layer
            self.__dict__["_sym_output"] = layer.output_tensor
            return
        layer = wrap_if_native(layer)
        if not isinstance(layer, Layer):
            raise TypeError(
                f"Sequential.add() expects a lamina layer, received {layer!r} of type "
                f"{type(layer).__name__}. Wrap a function in lamina.layers.Lambda(fn)."
            )
        if getattr(layer, "_requires_multiple_inputs", False):
            raise ValueError(
                f"Layer '{layer.name}' ({type(layer).__name__}) combines several inputs, which a "
                "Sequential model cannot give it (each layer gets the previous layer's single output). "
                "Use the functional API: lamina.Model(inputs=[a, b], outputs=layer([a, b]))."
            )
        if any(l.name == layer.name for l in self._stack):
            raise ValueError(
                f"Sequential model '{self.name}' already has a layer named '{layer.name}'. "
                "Layer names within a model must be unique: pass name=... to one of them."
            )
        if not self._stack and self._input_layer is None and layer._batch_input_shape is not None:
            self.__dict__["_input_layer"] = InputLayer(batch_shape=layer._batch_input_shape,
                                                       name=f"{layer.name}_input")
            self.__dict__["_sym_output"] = self._input_layer.output_tensor
        self._stack.append(layer)
        # Registered by position (state_dict keys '0.kernel', as torch.nn.Sequential), so two
        # identically built models exchange state dicts whatever their automatic layer names.
        self.add_module(str(len(self._stack) - 1), layer)
        if self._sym_output is not None:
            self.__dict__["_sym_output"] = layer(self._sym_output)
            self.built = True

    def pop(self, rebuild=True):
        """Remove the last layer."""
        if not self._stack:
            raise TypeError(f"There are no layers in Sequential model '{self.name}' to pop.")
        layer = self._stack.pop()
        del self._modules[str(len(self._stack))]
        if self._input_layer is not None:
            x = self._input_layer.output_tensor
            for l in self._stack:
                x = l(x)
            self.__dict__["_sym_output"] = x
        return layer

    @property
    def layers(self):
        return list(self._stack)

    # ----------------------------------------------------------------- shapes
    def build(self, input_shape=None):
        if input_shape is None:
            raise ValueError(f"Sequential model '{self.name}' needs an input shape to build.")
        if self._input_layer is None:
            self.__dict__["_input_layer"] = InputLayer(batch_shape=(None,) + tuple(input_shape[1:]))
            x = self._input_layer.output_tensor
            for layer in self._stack:
                x = layer(x)
            self.__dict__["_sym_output"] = x
        self.built = True

    def _build_eagerly(self, args, kwargs):
        x = args[0]
        if isinstance(x, (list, tuple, dict)):
            raise ValueError(
                f"Sequential model '{self.name}' takes a single input, received a {type(x).__name__}. "
                "For several inputs use the functional API."
            )
        self.build(tuple(x.shape))

    def compute_output_spec(self, *args, **kwargs):
        x = args[0]
        for layer in self._stack:
            if not layer.built:
                layer._build_with(layer._build_shapes((x,), {}))
            x = layer.compute_output_spec(x)
        return x

    def _require_graph(self, what):
        if self._sym_output is None:
            raise ValueError(
                f"Sequential model '{self.name}' has no {what} yet: it has not been built. Give the "
                "first layer an input_shape (or start with lamina.Input(shape)), or call the model "
                "on data / fit it first."
            )

    @property
    def inputs(self):
        self._require_graph("inputs")
        return [self._input_layer.output_tensor]

    @property
    def outputs(self):
        self._require_graph("outputs")
        return [self._sym_output]

    @property
    def input(self):
        return self.inputs[0]

    @property
    def output(self):
        return self.outputs[0]

    @property
    def input_shape(self):
        self._require_graph("input shape")
        return self._input_layer.batch_shape

    @property
    def output_shape(self):
        self._require_graph("output shape")
        return self._sym_output.shape

    @property
    def output_names(self):
        return [self._stack[-1].name] if self._stack else []

    @property
    def input_names(self):
        return [self._input_layer.name] if self._input_layer is not None else []

    # ----------------------------------------------------------------- call
    def call(self, inputs, training=None, mask=None):
        x = inputs
        if self._input_layer is not None and not isinstance(x, (list, tuple, dict)):
            shape = self._input_layer.batch_shape
            if shape is not None and getattr(x, "ndim", None) != len(shape):  # (N,) into Input((1,))
                x = adjust_input_rank(self, [x], [shape])[0]
        if mask is not None and ops.is_tensor(x):
            backend.set_mask(x, mask)  # the first layer reads it like any incoming mask
        if training is None:
            for layer in self._stack:
                x = layer(x)
        else:
            for layer in self._stack:
                x = layer(x, training=training)
        return x

    _compiled_call = call  # under JAX an eager call runs compiled (lamina/backend/jax/eager_model.py)

    # ----------------------------------------------------------------- config
    def get_config(self) -> dict:
        from lamina.saving import model_config

        return model_config.sequential_get_config(self)

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from lamina.saving import model_config

        return model_config.sequential_from_config(cls, config, custom_objects)

    def get_build_config(self):
        if self._input_layer is None:
            return None
        return {"input_shape": list(self._input_layer.batch_shape)}
