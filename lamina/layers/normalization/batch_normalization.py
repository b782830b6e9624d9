"""BatchNormalization: normalise each feature with batch statistics (training) or moving ones."""

from __future__ import annotations

from lamina import initializers, ops
from lamina.errors import deprecated
from lamina.layers.input_spec import InputSpec
from lamina.layers.layer import Layer
from lamina.layers.normalization._common import affine_config, build_affine, check_axes, init_affine


class BatchNormalization(Layer):
    """Normalises each feature to zero mean and unit variance, then scales by ``gamma`` and
    shifts by ``beta``.

    In training (``training=True``, e.g. inside ``fit``) the layer uses the batch's mean and
    (biased) variance and updates its moving statistics:
    ``moving = momentum * moving + (1 - momentum) * batch``. In inference it uses the moving
    statistics. As in Keras 2+, a layer with ``trainable = False`` always runs in inference
    mode (fine-tuning keeps the frozen statistics).

    Weights, in Keras order: ``gamma``, ``beta`` (trainable; absent when ``scale`` / ``center``
    is False), ``moving_mean``, ``moving_variance`` (non-trainable buffers). torch equivalents:
    weight, bias, running_mean, running_var; Keras's ``momentum=0.99`` is torch's 0.01 and the
    default ``epsilon`` is 1e-3 (torch: 1e-5).

    Args:
        axis: the features axis (-1 for channels_last data, 1 after a channels_first conv).
        momentum: momentum of the moving averages.
        epsilon: added to the variance before the square root.
        center, scale: whether to learn ``beta`` / ``gamma``.
        beta_initializer, gamma_initializer, moving_mean_initializer,
        moving_variance_initializer: 'zeros', 'ones', 'zeros', 'ones' by default.
        beta_regularizer, gamma_regularizer, beta_constraint, gamma_constraint: as in Keras.
        synchronized: under data parallelism (``lamina.distribution``, torchrun), compute the
            batch statistics over the rows of every process (an all-reduce per layer and step,
            torch's SyncBatchNorm); in one process it changes nothing.
        renorm, renorm_clipping, renorm_momentum: batch renormalization; only ``renorm=False``
            is supported (the arguments are kept for Keras configs).

    Call arguments:
        inputs: a tensor of any rank.
        training: use batch statistics (and update the moving ones) when True.
        mask: optional boolean tensor of the inputs' shape without the last axis; masked
            positions are left out of the batch statistics.

    Input shape: any; output shape: the same.

    Example:
        >>> import lamina
        >>> bn = lamina.layers.BatchNormalization()
        >>> y = bn(lamina.ops.convert_to_tensor([[0.0, 1.0], [2.0, 3.0]]), training=True)
        >>> [round(v, 4) for v in y[:, 0].tolist()]
        [-0.9995, 0.9995]
    """

    _legacy_kwargs = {
        "beta_init": ("beta_initializer", None),
        "gamma_init": ("gamma_initializer", None),
    }

    def __init__(self, axis=-1, momentum=0.99, epsilon=1e-3, center=True, scale=True,
                 beta_initializer="zeros", gamma_initializer="ones", moving_mean_initializer="zeros",
                 moving_variance_initializer="ones", beta_regularizer=None, gamma_regularizer=None,
                 beta_constraint=None, gamma_constraint=None, renorm=False, renorm_clipping=None,
                 renorm_momentum=0.99, synchronized=False, **kwargs):
        _legacy_mode(kwargs)
        super().__init__(**kwargs)
        if isinstance(axis, (list, tuple)):
            if len(axis) != 1:
                raise ValueError(
                    f"BatchNormalization: axis must be one integer (the features axis), received "
                    f"axis={axis!r}. To normalise over several axes use LayerNormalization or "
                    "reshape the data."
                )
            axis = axis[0]
        if isinstance(axis, bool) or not isinstance(axis, int):
            raise TypeError(f"BatchNormalization: axis must be an integer, received axis={axis!r}.")
        if renorm:
            raise NotImplementedError(
                "BatchNormalization(renorm=True) (batch renormalization) is not supported by lamina "
                "yet; use renorm=False."
            )
        self.axis = axis
        self.momentum = float(momentum)
        self.epsilon = float(epsilon)
        init_affine(self, center, scale, beta_initializer, gamma_initializer, beta_regularizer,
                    gamma_regularizer, beta_constraint, gamma_constraint)
        self.moving_mean_initializer = initializers.get(moving_mean_initializer)
        self.moving_variance_initializer = initializers.get(moving_variance_initializer)
        self.renorm = renorm
        self.renorm_clipping = renorm_clipping
        self.renorm_momentum = renorm_momentum
        self.synchronized = synchronized
        self.supports_masking = True

    def build(self, input_shape):
        check_axes(self, [self.axis], input_shape)
        dim = input_shape[self.axis]
        if dim is None:
            raise ValueError(
                f"BatchNormalization layer '{self.name}' needs a known size on axis {self.axis}, "
                f"received input shape {tuple(input_shape)}. Give the model an input_shape."
            )
        shape = (dim,)
        build_affine(self, shape, scale=self.scale, center=self.center)
        self.moving_mean = self.add_weight(shape=shape, initializer=self.moving_mean_initializer,
                                           trainable=False, name="moving_mean")
        self.moving_variance = self.add_weight(shape=shape, initializer=self.moving_variance_initializer,
                                               trainable=False, name="moving_variance")
        self.input_spec = InputSpec(ndim=len(input_shape), axes={self.axis: dim})

    def call(self, inputs, training=None, mask=None):
        if training and self.trainable:
            if mask is not None:
                if self.synchronized and _several_processes():
                    raise NotImplementedError(
                        f"BatchNormalization layer '{self.name}': synchronized=True with a mask is "
                        "not supported by lamina yet under data parallelism. Use "
                        "synchronized=False (per-process statistics) or drop the mask."
                    )
                mask = ops.convert_to_tensor(mask)  # a NumPy mask as Keras 3 accepts it
                if mask.ndim != inputs.ndim - 1:
                    raise ValueError(
                        f"BatchNormalization layer '{self.name}': the mask must have one dimension "
                        f"less than the inputs, received mask shape {tuple(mask.shape)} for inputs "
                        f"of shape {tuple(inputs.shape)}."
                    )
                out, mean, var = ops.batch_norm_train_masked(
                    inputs, mask, self.gamma, self.beta, self.moving_mean, self.moving_variance,
                    self.axis, self.momentum, self.epsilon)
            elif self.synchronized and _several_processes():
                from lamina.distribution import _synchronized_batch_norm_train

                out, mean, var = _synchronized_batch_norm_train(
                    inputs, self.gamma, self.beta, self.moving_mean, self.moving_variance, self.axis,
                    self.momentum, self.epsilon)
            else:
                out, mean, var = ops.batch_norm_train(
                    inputs, self.gamma, self.beta, self.moving_mean, self.moving_variance, self.axis,
                    self.momentum, self.epsilon)
            # The op returns the new statistics; the variables change only through assign.
            self._assign_state("moving_mean", mean)
            self._assign_state("moving_variance", var)
            return out
        return ops.batch_norm_inference(inputs, self.moving_mean, self.moving_variance, self.gamma,
                                        self.beta, self.axis, self.epsilon)

    def compute_output_shape(self, input_shape):
        check_axes(self, [self.axis], input_shape)
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        config.update({
            "axis": self.axis,
            "momentum": self.momentum,
            "epsilon": self.epsilon,
            **affine_config(self),
            "moving_mean_initializer": initializers.serialize(self.moving_mean_initializer),
            "moving_variance_initializer": initializers.serialize(self.moving_variance_initializer),
            "synchronized": self.synchronized,
            "renorm": self.renorm,
            "renorm_clipping": self.renorm_clipping,
            "renorm_momentum": self.renorm_momentum,
        })
        return config


def _legacy_mode(kwargs):
    """Keras 1's ``mode=``: 0 is today's behaviour; 1 and 2 have no BatchNormalization equivalent."""
    if "mode" not in kwargs:
        return
    mode = kwargs.pop("mode")
    if mode == 0:
        deprecated("BatchNormalization(mode=0)", "BatchNormalization()", stacklevel=5)
        return
    fixes = {
        1: "mode=1 normalised each sample over its features: use LayerNormalization(axis=-1)",
        2: "mode=2 used batch statistics at test time too: call the layer with training=True",
    }
    raise ValueError(
        f"BatchNormalization(mode={mode!r}) is a Keras 1 argument that no longer exists. "
        + fixes.get(mode, "valid Keras 1 modes were 0, 1 and 2; remove the argument")
        + "; BatchNormalization() without mode= is Keras 1's mode=0."
    )


def _several_processes() -> bool:
    from lamina import distribution

    return distribution.data_parallel_active()
