"""Lion: evolved sign momentum."""

from __future__ import annotations

from lamina.optimizers import _checks
from lamina.optimizers.optimizer import Optimizer, _pick


class Lion(Optimizer):
    """Lion (Chen et al., 2023), Keras 3 formulas.

    ``w -= lr * sign(beta_1 * m + (1 - beta_1) * g)``, then ``m = beta_2 * m + (1 - beta_2) * g``.
    Every coordinate moves by exactly ``lr``, so Lion wants a learning rate 3-10x smaller than
    Adam's (and a larger ``weight_decay``).

    Args:
        learning_rate: float >= 0 or a schedule (default 0.001).
        beta_1: interpolation for the update direction, in (0, 1] (default 0.9).
        beta_2: decay of the momentum, in [0, 1] (default 0.99).
        weight_decay, clipnorm, clipvalue, global_clipnorm, use_ema, ema_momentum,
        ema_overwrite_frequency, loss_scale_factor, gradient_accumulation_steps, name:
            see :class:`Optimizer`.

    Example:
        >>> import lamina
        >>> lamina.optimizers.Lion(learning_rate=1e-4).beta_2
        0.99
    """

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.99, weight_decay=None,
                 clipnorm=None, clipvalue=None, global_clipnorm=None, use_ema=False,
                 ema_momentum=0.99, ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        super().__init__(
            learning_rate=learning_rate, weight_decay=weight_decay, clipnorm=clipnorm,
            clipvalue=clipvalue, global_clipnorm=global_clipnorm, use_ema=use_ema,
            ema_momentum=ema_momentum, ema_overwrite_frequency=ema_overwrite_frequency,
            loss_scale_factor=loss_scale_factor,
            gradient_accumulation_steps=gradient_accumulation_steps, name=name, **kwargs)
        if not _checks.is_number(beta_1) or not 0.0 < beta_1 <= 1.0:
            raise ValueError(
                f"Lion: `beta_1` must be a number in (0, 1]; received beta_1={beta_1!r}. At 0 "
                "Lion degenerates to SignSGD; the usual value is 0.9."
            )
        self.beta_1 = float(beta_1)
        self.beta_2 = _checks.unit_interval("Lion", "beta_2", beta_2)

    def build(self, variables, paths=None) -> None:
        if self.built:
            return
        super().build(variables, paths)
        self._momentums = self.add_optimizer_variables(self._trainable_variables, "momentum")

    def _update(self, grads, variables, learning_rate, index) -> None:
        self._kernels.lion_update(variables, grads, _pick(self._momentums, index), learning_rate,
                                  self.beta_1, self.beta_2)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"beta_1": self.beta_1, "beta_2": self.beta_2})
        return config
