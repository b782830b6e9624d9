"""RMSprop: divide the gradient by a running root-mean-square of recent gradients."""

from __future__ import annotations

from lamina.optimizers import _checks
from lamina.optimizers.optimizer import Optimizer, _pick


class RMSprop(Optimizer):
    """RMSprop (Hinton's lecture 6e), Keras 3 formulas.

    ``v = rho * v + (1 - rho) * g**2`` and ``w -= learning_rate * g / sqrt(v + epsilon)``.
    ``centered=True`` also tracks the mean gradient ``a`` and uses ``sqrt(v - a**2 + epsilon)``;
    ``momentum > 0`` accumulates the increments: ``mom = momentum * mom + increment``,
    ``w -= mom``. Note that epsilon sits *inside* the square root, whereas
    ``torch.optim.RMSprop`` adds it outside (``sqrt(v) + eps``).

    Args:
        learning_rate: float >= 0 or a schedule (default 0.001).
        rho: discount of the running average of squared gradients, in [0, 1] (default 0.9).
        momentum: float in [0, 1] (default 0.0).
        epsilon: small constant for numerical stability (default 1e-7).
        centered: normalise by the estimated variance of the gradient instead of its second
            moment.
        weight_decay, clipnorm, clipvalue, global_clipnorm, use_ema, ema_momentum,
        ema_overwrite_frequency, loss_scale_factor, gradient_accumulation_steps, name:
            see :class:`Optimizer`.

    Example:
        >>> import lamina
        >>> lamina.optimizers.RMSprop().get_config()["rho"]
        0.9
    """

    def __init__(self, learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7, centered=False,
                 weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None,
                 use_ema=False, ema_momentum=0.99, ema_overwrite_frequency=None,
                 loss_scale_factor=None, gradient_accumulation_steps=None, name=None, **kwargs):
        super().__init__(
            learning_rate=learning_rate, weight_decay=weight_decay, clipnorm=clipnorm,
            clipvalue=clipvalue, global_clipnorm=global_clipnorm, use_ema=use_ema,
            ema_momentum=ema_momentum, ema_overwrite_frequency=ema_overwrite_frequency,
            loss_scale_factor=loss_scale_factor,
            gradient_accumulation_steps=gradient_accumulation_steps, name=name, **kwargs)
        self.rho = _checks.unit_interval("RMSprop", "rho", rho)
        self.momentum = _checks.unit_interval(
            "RMSprop", "momentum", momentum, what="Use 0.0 for no momentum or e.g. 0.9.")
        self.epsilon = _checks.epsilon("RMSprop", epsilon)
        self.centered = bool(centered)

    def build(self, variables, paths=None) -> None:
        if self.built:
            return
        super().build(variables, paths)
        variables = self._trainable_variables
        self._velocities = self.add_optimizer_variables(variables, "velocity")
        self._momentums = []
        if self.momentum > 0:
            self._momentums = self.add_optimizer_variables(variables, "momentum")
        self._average_gradients = []
        if self.centered:
            self._average_gradients = self.add_optimizer_variables(variables, "average_gradient")

    def _update(self, grads, variables, learning_rate, index) -> None:
        self._kernels.rmsprop_update(
            variables, grads, _pick(self._velocities, index),
            _pick(self._momentums, index) if self._momentums else [],
            _pick(self._average_gradients, index) if self._average_gradients else [],
            learning_rate, self.rho, self.momentum, self.epsilon, self.centered)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"rho": self.rho, "momentum": self.momentum, "epsilon": self.epsilon,
                       "centered": self.centered})
        return config
