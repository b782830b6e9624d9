"""TorchModuleWrapper: a plain ``torch.nn.Module`` used as a lamina layer."""

from __future__ import annotations

from lamina import backend
from lamina.layers.layer import Layer


class TorchModuleWrapper(Layer):
    """Makes a ``torch.nn.Module`` a lamina layer whose parameters ``fit`` trains.

    The module's parameters become the layer's trainable weights and its persistent buffers
    (BatchNorm statistics...) its non-trainable weights, so ``fit`` updates them, ``summary()``
    counts them and ``save_weights``/``load_weights``/``model.save`` store them. The module runs
    in train mode inside ``fit`` and in eval mode otherwise. A torch module assigned as an
    attribute of a lamina layer or model, or put in a ``Sequential``, is wrapped automatically
    (as Keras 3 does); attributes of the module stay readable through the wrapper
    (``wrapper.weight``).

    Args:
        module: the ``torch.nn.Module``. A lazy module must be called once first.
        name: layer name (default ``'torch_module_wrapper'``, ``'torch_module_wrapper_1'``...).
        output_shape: the output shape (batch dimension included), if lamina should not infer
            it by running the module on zeros.

    Saving: ``get_config()`` stores the whole module as Keras 3 does (``torch.save``'s pickle,
    base64); loading it back executes code from the file, so ``from_config`` refuses unless
    ``safe_mode=False`` is passed (or the enclosing ``load_model(..., safe_mode=False)``).

    Example:
        >>> import torch
        >>> import lamina
        >>> model = lamina.Sequential([lamina.Input((4,)),
        ...                            lamina.layers.TorchModuleWrapper(torch.nn.Linear(4, 3)),
        ...                            lamina.layers.Dense(1)])
        >>> model.count_params()
        19
    """

    _casts_integer_inputs = False

    def __init__(self, module, name=None, output_shape=None, **kwargs):
        kwargs.setdefault("autocast", False)  # the module gets its inputs as given, as in torch
        super().__init__(name=name, **kwargs)
        mw = backend.module_wrapper
        # add_module, not `self.module = ...`: assigning a torch module would wrap it again.
        self.add_module("module", mw.prepare(module, self.name))
        self._own_weights = mw.module_variables(self, self.module)
        self._declared_output_shape = None if output_shape is None else tuple(output_shape)
        self.built = True

    def __getattr__(self, name):
        try:
            return super().__getattr__(name)
        except AttributeError:
            modules = self.__dict__.get("_modules")
            if modules is None or "module" not in modules or name.startswith("__"):
                raise
            return getattr(modules["module"], name)

    def _set_requires_grad(self, flag: bool) -> None:
        backend.module_wrapper.set_requires_grad(self._own_weights, flag)

    def call(self, *args, training=None, **kwargs):
        module = self.module
        if module.training != bool(training):
            module.train(bool(training))
        return module(*args, **kwargs)

    def compute_output_spec(self, *args, **kwargs):
        if self._declared_output_shape is not None:
            from lamina.layers.keras_tensor import KerasTensor

            return KerasTensor(self._declared_output_shape, self.compute_dtype)
        return super().compute_output_spec(*args, **kwargs)

    def get_config(self) -> dict:
        config = super().get_config()
        config["module"] = backend.module_wrapper.serialize_module(self.module)
        config["output_shape"] = (None if self._declared_output_shape is None
                                  else list(self._declared_output_shape))
        return config

    @classmethod
    def from_config(cls, config, safe_mode=None):
        from lamina.saving.lambda_serialization import in_safe_mode

        config = dict(config)
        if isinstance(config.get("module"), str):
            allowed = safe_mode is False or (safe_mode is None and not in_safe_mode())
            if not allowed:
                raise ValueError(
                    f"TorchModuleWrapper '{config.get('name')}': its config holds a pickled "
                    "torch.nn.Module, and unpickling it can run arbitrary code, so lamina refuses "
                    "by default. If you trust the file, pass safe_mode=False: "
                    "lamina.models.load_model(path, safe_mode=False) (or "
                    "TorchModuleWrapper.from_config(config, safe_mode=False))."
                )
            config["module"] = backend.module_wrapper.deserialize_module(config["module"])
        return cls(**config)


def wrap_if_native(value):
    """``value`` wrapped in a TorchModuleWrapper if it is a plain torch module, else ``value``."""
    if backend.module_wrapper.is_native_module(value):
        return TorchModuleWrapper(value)
    return value
