"""Nadam: Adam with Nesterov momentum."""

from __future__ import annotations

from lamina import ops
from lamina.optimizers import _checks
from lamina.optimizers.optimizer import Optimizer, _pick


class Nadam(Optimizer):
    """Nadam (Dozat, 2016), Keras 3 formulas.

    Adam's moments with Nesterov's look-ahead and a warming-up momentum
    ``u_t = beta_1 * (1 - 0.5 * 0.96**t)``; ``P_t = u_1 * ... * u_t``::

        m_hat = u_{t+1} * m / (1 - P_{t+1}) + (1 - u_t) * g / (1 - P_t)
        w -= learning_rate * m_hat / (sqrt(v / (1 - beta_2**t)) + epsilon)

    This equals ``torch.optim.NAdam(momentum_decay=1.0)`` (torch's default, 0.004, is Keras 2's
    ``schedule_decay``, which Keras 3 no longer has). The running product ``P_t`` is saved as
    the optimizer's last variable, as Keras does.

    Args:
        learning_rate: float >= 0 or a schedule (default 0.001).
        beta_1: decay of the first-moment estimate, in [0, 1) (default 0.9).
        beta_2: decay of the second-moment estimate, in [0, 1) (default 0.999).
        epsilon: small constant for numerical stability (default 1e-7).
        weight_decay, clipnorm, clipvalue, global_clipnorm, use_ema, ema_momentum,
        ema_overwrite_frequency, loss_scale_factor, gradient_accumulation_steps, name:
            see :class:`Optimizer`.

    Example:
        >>> import lamina
        >>> lamina.optimizers.Nadam().get_config()["beta_1"]
        0.9
    """

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None,
                 use_ema=False, ema_momentum=0.99, ema_overwrite_frequency=None,
                 loss_scale_factor=None, gradient_accumulation_steps=None, name=None, **kwargs):
        if "schedule_decay" in kwargs:
            raise ValueError(
                f"Nadam: `schedule_decay={kwargs['schedule_decay']!r}` is a Keras 1/2 argument that "
                "Keras 3 removed: its Nadam fixes the momentum schedule at "
                "beta_1 * (1 - 0.5 * 0.96**t) (Keras 2's schedule_decay=1). Remove the argument."
            )
        super().__init__(
            learning_rate=learning_rate, weight_decay=weight_decay, clipnorm=clipnorm,
            clipvalue=clipvalue, global_clipnorm=global_clipnorm, use_ema=use_ema,
            ema_momentum=ema_momentum, ema_overwrite_frequency=ema_overwrite_frequency,
            loss_scale_factor=loss_scale_factor,
            gradient_accumulation_steps=gradient_accumulation_steps, name=name, **kwargs)
        self.beta_1 = _checks.unit_interval("Nadam", "beta_1", beta_1, high_open=True)
        self.beta_2 = _checks.unit_interval("Nadam", "beta_2", beta_2, high_open=True)
        self.epsilon = _checks.epsilon("Nadam", epsilon)
        self._u_product = 1.0

    def build(self, variables, paths=None) -> None:
        if self.built:
            return
        super().build(variables, paths)
        self._momentums, self._velocities = self.add_optimizer_variables(
            self._trainable_variables, ["momentum", "velocity"])
        self._add_scalar_state("variable", lambda: self._u_product, self._set_u_product)

    def _set_u_product(self, value) -> None:
        # A backend tensor stays one (inside a compiled JAX step it is a traced value).
        self._u_product = value if ops.is_tensor(value) else float(value)

    def _update(self, grads, variables, learning_rate, index) -> None:
        step = self.iterations + 1
        u_t = self.beta_1 * (1.0 - 0.5 * 0.96**step)
        u_t_1 = self.beta_1 * (1.0 - 0.5 * 0.96 ** (step + 1))
        u_product_t = self._u_product * u_t
        self._u_product = u_product_t
        self._kernels.nadam_update(
            variables, grads, _pick(self._momentums, index), _pick(self._velocities, index),
            learning_rate, self.beta_1, self.beta_2, self.epsilon, step, u_t, u_t_1,
            u_product_t, u_product_t * u_t_1)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon})
        return config
