"""Adamax: Adam with the infinity norm."""

from __future__ import annotations

from lamina.optimizers import _checks
from lamina.optimizers.optimizer import Optimizer, _pick


class Adamax(Optimizer):
    """Adamax (Kingma & Ba, 2014, section 7), Keras 3 formulas.

    ``m = b1*m + (1-b1)*g``, ``u = max(b2*u, |g|)`` and
    ``w -= learning_rate * m / ((1 - b1**t) * (u + epsilon))``. ``torch.optim.Adamax`` puts
    epsilon inside the max instead (``max(b2*u, |g| + eps)``).

    Args:
        learning_rate: float >= 0 or a schedule (default 0.001).
        beta_1: decay of the first-moment estimate, in [0, 1) (default 0.9).
        beta_2: decay of the weighted infinity norm, in [0, 1) (default 0.999).
        epsilon: small constant for numerical stability (default 1e-7).
        weight_decay, clipnorm, clipvalue, global_clipnorm, use_ema, ema_momentum,
        ema_overwrite_frequency, loss_scale_factor, gradient_accumulation_steps, name:
            see :class:`Optimizer`.

    Example:
        >>> import lamina
        >>> lamina.optimizers.Adamax().get_config()["beta_2"]
        0.999
    """

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None,
                 use_ema=False, ema_momentum=0.99, ema_overwrite_frequency=None,
                 loss_scale_factor=None, gradient_accumulation_steps=None, name=None, **kwargs):
        super().__init__(
            learning_rate=learning_rate, weight_decay=weight_decay, clipnorm=clipnorm,
            clipvalue=clipvalue, global_clipnorm=global_clipnorm, use_ema=use_ema,
            ema_momentum=ema_momentum, ema_overwrite_frequency=ema_overwrite_frequency,
            loss_scale_factor=loss_scale_factor,
            gradient_accumulation_steps=gradient_accumulation_steps, name=name, **kwargs)
        self.beta_1 = _checks.unit_interval("Adamax", "beta_1", beta_1, high_open=True)
        self.beta_2 = _checks.unit_interval("Adamax", "beta_2", beta_2, high_open=True)
        self.epsilon = _checks.epsilon("Adamax", epsilon)

    def build(self, variables, paths=None) -> None:
        if self.built:
            return
        super().build(variables, paths)
        self._m, self._u = self.add_optimizer_variables(self._trainable_variables, ["momentum", "norm"])

    def _update(self, grads, variables, learning_rate, index) -> None:
        self._kernels.adamax_update(variables, grads, _pick(self._m, index), _pick(self._u, index),
                                    learning_rate, self.beta_1, self.beta_2, self.epsilon,
                                    self.iterations + 1)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon})
        return config
