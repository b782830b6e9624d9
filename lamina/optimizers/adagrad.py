"""Adagrad: per-parameter learning rates from the sum of squared gradients."""

from __future__ import annotations

from lamina.optimizers import _checks
from lamina.optimizers.optimizer import Optimizer, _pick


class Adagrad(Optimizer):
    """Adagrad (Duchi et al., 2011), Keras 3 formulas.

    ``acc += g**2`` (``acc`` starts at ``initial_accumulator_value``) and
    ``w -= learning_rate * g / sqrt(acc + epsilon)``. ``torch.optim.Adagrad`` adds epsilon
    outside the square root instead.

    Args:
        learning_rate: float >= 0 or a schedule (default 0.001).
        initial_accumulator_value: starting value of the accumulators, >= 0 (default 0.1).
        epsilon: small constant for numerical stability (default 1e-7).
        weight_decay, clipnorm, clipvalue, global_clipnorm, use_ema, ema_momentum,
        ema_overwrite_frequency, loss_scale_factor, gradient_accumulation_steps, name:
            see :class:`Optimizer`.

    Example:
        >>> import lamina
        >>> lamina.optimizers.Adagrad().get_config()["initial_accumulator_value"]
        0.1
    """

    def __init__(self, learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-7,
                 weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None,
                 use_ema=False, ema_momentum=0.99, ema_overwrite_frequency=None,
                 loss_scale_factor=None, gradient_accumulation_steps=None, name=None, **kwargs):
        super().__init__(
            learning_rate=learning_rate, weight_decay=weight_decay, clipnorm=clipnorm,
            clipvalue=clipvalue, global_clipnorm=global_clipnorm, use_ema=use_ema,
            ema_momentum=ema_momentum, ema_overwrite_frequency=ema_overwrite_frequency,
            loss_scale_factor=loss_scale_factor,
            gradient_accumulation_steps=gradient_accumulation_steps, name=name, **kwargs)
        self.initial_accumulator_value = _checks.number(
            "Adagrad", "initial_accumulator_value", initial_accumulator_value, low=0.0,
            fix="It is the starting value of the squared-gradient sums, e.g. 0.1.")
        self.epsilon = _checks.epsilon("Adagrad", epsilon)

    def build(self, variables, paths=None) -> None:
        if self.built:
            return
        super().build(variables, paths)
        self._accumulators = self.add_optimizer_variables(
            self._trainable_variables, "accumulator", initializer=self.initial_accumulator_value)

    def _update(self, grads, variables, learning_rate, index) -> None:
        self._kernels.adagrad_update(variables, grads, _pick(self._accumulators, index),
                                     learning_rate, self.epsilon)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"initial_accumulator_value": self.initial_accumulator_value,
                       "epsilon": self.epsilon})
        return config
