"""Ftrl: follow the regularized leader."""

from __future__ import annotations

from lamina.optimizers import _checks
from lamina.optimizers.optimizer import Optimizer, _pick


class Ftrl(Optimizer):
    """FTRL-Proximal (McMahan et al., 2013), Keras 3 formulas, with L1/L2 and shrinkage terms.

    Per element, with accumulator ``n`` and linear term ``z``::

        n_new = n + g^2
        z += g + 2*l2_shrinkage*w - (n_new^(-p) - n^(-p)) / lr * w
        w = (clip(z, -l1, l1) - z) / (n_new^(-p) / lr + 2*(l2 + beta / (2*lr)))

    where ``p = learning_rate_power``. Large ``l1`` gives exactly-zero weights (sparse models).

    Args:
        learning_rate: float >= 0 or a schedule (default 0.001).
        learning_rate_power: <= 0 (default -0.5).
        initial_accumulator_value: >= 0, the accumulators' start value (default 0.1).
        l1_regularization_strength, l2_regularization_strength,
        l2_shrinkage_regularization_strength: >= 0 (default 0.0).
        beta: added as beta / (2 lr) to the L2 strength (default 0.0).
        weight_decay, clipnorm, clipvalue, global_clipnorm, use_ema, ema_momentum,
        ema_overwrite_frequency, loss_scale_factor, gradient_accumulation_steps, name:
            see :class:`Optimizer`.

    Example:
        >>> import lamina
        >>> lamina.optimizers.Ftrl(l1_regularization_strength=0.01).initial_accumulator_value
        0.1
    """

    def __init__(self, learning_rate=0.001, learning_rate_power=-0.5, initial_accumulator_value=0.1,
                 l1_regularization_strength=0.0, l2_regularization_strength=0.0,
                 l2_shrinkage_regularization_strength=0.0, beta=0.0, weight_decay=None,
                 clipnorm=None, clipvalue=None, global_clipnorm=None, use_ema=False,
                 ema_momentum=0.99, ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        super().__init__(
            learning_rate=learning_rate, weight_decay=weight_decay, clipnorm=clipnorm,
            clipvalue=clipvalue, global_clipnorm=global_clipnorm, use_ema=use_ema,
            ema_momentum=ema_momentum, ema_overwrite_frequency=ema_overwrite_frequency,
            loss_scale_factor=loss_scale_factor,
            gradient_accumulation_steps=gradient_accumulation_steps, name=name, **kwargs)
        if not _checks.is_number(learning_rate_power) or learning_rate_power > 0.0:
            raise ValueError(
                f"Ftrl: `learning_rate_power` must be a number <= 0; received "
                f"learning_rate_power={learning_rate_power!r}. The usual value is -0.5."
            )
        self.learning_rate_power = float(learning_rate_power)
        nonneg = {"initial_accumulator_value": initial_accumulator_value,
                  "l1_regularization_strength": l1_regularization_strength,
                  "l2_regularization_strength": l2_regularization_strength,
                  "l2_shrinkage_regularization_strength": l2_shrinkage_regularization_strength}
        for arg, value in nonneg.items():
            setattr(self, arg, _checks.number("Ftrl", arg, value, low=0.0, fix="Pass a float >= 0."))
        self.beta = float(beta)

    def build(self, variables, paths=None) -> None:
        if self.built:
            return
        super().build(variables, paths)
        self._accumulators, self._linears = [], []
        for i, v in enumerate(self._trainable_variables):  # Keras's order: interleaved per variable
            self._accumulators.append(self.add_variable_from_reference(
                v, "accumulator", self.initial_accumulator_value, i))
            self._linears.append(self.add_variable_from_reference(v, "linear", 0.0, i))

    def _update(self, grads, variables, learning_rate, index) -> None:
        l2 = self.l2_regularization_strength + self.beta / (2.0 * learning_rate)
        self._kernels.ftrl_update(
            variables, grads, _pick(self._accumulators, index), _pick(self._linears, index),
            learning_rate, self.learning_rate_power, self.l1_regularization_strength, l2,
            self.l2_shrinkage_regularization_strength)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({
            "learning_rate_power": self.learning_rate_power,
            "initial_accumulator_value": self.initial_accumulator_value,
            "l1_regularization_strength": self.l1_regularization_strength,
            "l2_regularization_strength": self.l2_regularization_strength,
            "l2_shrinkage_regularization_strength": self.l2_shrinkage_regularization_strength,
            "beta": self.beta,
        })
        return config
