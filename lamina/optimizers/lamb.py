"""Lamb: layer-wise adaptive large-batch optimization."""

from __future__ import annotations

from lamina.optimizers import _checks
from lamina.optimizers.optimizer import Optimizer, _pick


class Lamb(Optimizer):
    """Lamb (You et al., 2020), Keras 3 formulas.

    The bias-corrected Adam direction ``r = m_hat / (sqrt(v_hat) + epsilon)`` is rescaled, per
    variable, by the trust ratio ``||w|| / ||r||`` (1 when either norm is zero), so each layer
    moves by about ``lr`` times its own norm: ``w -= lr * ratio * r``.

    Args:
        learning_rate: float >= 0 or a schedule (default 0.001).
        beta_1, beta_2: moment decays, in [0, 1) (defaults 0.9 and 0.999).
        epsilon: added to sqrt(v_hat) (default 1e-7).
        weight_decay, clipnorm, clipvalue, global_clipnorm, use_ema, ema_momentum,
        ema_overwrite_frequency, loss_scale_factor, gradient_accumulation_steps, name:
            see :class:`Optimizer`.

    Example:
        >>> import lamina
        >>> lamina.optimizers.Lamb().epsilon
        1e-07
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
        self.beta_1 = _checks.unit_interval("Lamb", "beta_1", beta_1, high_open=True)
        self.beta_2 = _checks.unit_interval("Lamb", "beta_2", beta_2, high_open=True)
        self.epsilon = _checks.epsilon("Lamb", epsilon)

    def build(self, variables, paths=None) -> None:
        if self.built:
            return
        super().build(variables, paths)
        self._momentums, self._velocities = self.add_optimizer_variables(
            self._trainable_variables, ["momentum", "velocity"])

    def _update(self, grads, variables, learning_rate, index) -> None:
        self._kernels.lamb_update(variables, grads, _pick(self._momentums, index),
                                  _pick(self._velocities, index), learning_rate, self.beta_1,
                                  self.beta_2, self.epsilon, self.iterations + 1)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon})
        return config
