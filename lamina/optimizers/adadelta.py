"""Adadelta: step sizes from running averages of squared gradients and squared updates."""

from __future__ import annotations

from lamina.optimizers import _checks
from lamina.optimizers.optimizer import Optimizer, _pick


class Adadelta(Optimizer):
    """Adadelta (Zeiler, 2012), Keras 3 formulas (the same as ``torch.optim.Adadelta``'s).

    ``G = rho*G + (1-rho)*g**2``; ``delta = sqrt(D + eps) / sqrt(G + eps) * g``;
    ``D = rho*D + (1-rho)*delta**2``; ``w -= learning_rate * delta``. The paper uses no learning
    rate (1.0); Keras's default is 0.001.

    Args:
        learning_rate: float >= 0 or a schedule (default 0.001).
        rho: decay rate of the running averages, in [0, 1] (default 0.95).
        epsilon: small constant for numerical stability (default 1e-7).
        weight_decay, clipnorm, clipvalue, global_clipnorm, use_ema, ema_momentum,
        ema_overwrite_frequency, loss_scale_factor, gradient_accumulation_steps, name:
            see :class:`Optimizer`.

    Example:
        >>> import lamina
        >>> lamina.optimizers.Adadelta().get_config()["rho"]
        0.95
    """

    def __init__(self, learning_rate=0.001, rho=0.95, epsilon=1e-7, weight_decay=None,
                 clipnorm=None, clipvalue=None, global_clipnorm=None, use_ema=False,
                 ema_momentum=0.99, ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        super().__init__(
            learning_rate=learning_rate, weight_decay=weight_decay, clipnorm=clipnorm,
            clipvalue=clipvalue, global_clipnorm=global_clipnorm, use_ema=use_ema,
            ema_momentum=ema_momentum, ema_overwrite_frequency=ema_overwrite_frequency,
            loss_scale_factor=loss_scale_factor,
            gradient_accumulation_steps=gradient_accumulation_steps, name=name, **kwargs)
        self.rho = _checks.unit_interval("Adadelta", "rho", rho, what="Typical values: 0.9-0.95.")
        self.epsilon = _checks.epsilon("Adadelta", epsilon)

    def build(self, variables, paths=None) -> None:
        if self.built:
            return
        super().build(variables, paths)
        self._accumulated_grads, self._accumulated_delta_vars = self.add_optimizer_variables(
            self._trainable_variables, ["accumulated_grad", "accumulated_delta_var"])

    def _update(self, grads, variables, learning_rate, index) -> None:
        self._kernels.adadelta_update(
            variables, grads, _pick(self._accumulated_grads, index),
            _pick(self._accumulated_delta_vars, index), learning_rate, self.rho, self.epsilon)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"rho": self.rho, "epsilon": self.epsilon})
        return config
