"""Adam: adaptive moment estimation."""

from __future__ import annotations

from lamina.optimizers import _checks
from lamina.optimizers.optimizer import Optimizer, _pick


class Adam(Optimizer):
    """Adam (Kingma & Ba, 2014), Keras 3 formulas.

    ``m = b1*m + (1-b1)*g``, ``v = b2*v + (1-b2)*g**2`` and
    ``w -= alpha * m / (sqrt(v) + epsilon)`` with ``alpha = lr * sqrt(1-b2**t) / (1-b1**t)``
    (t = iterations + 1). This is the paper's "epsilon hat" form: unlike ``torch.optim.Adam``
    (``sqrt(v / (1-b2**t)) + eps``) the epsilon is not bias-corrected, so the two agree only
    when epsilon is 0. ``amsgrad=True`` divides by the running maximum of ``v`` instead.

    Args:
        learning_rate: float >= 0 or a schedule (default 0.001).
        beta_1: decay of the first-moment estimate, in [0, 1) (default 0.9).
        beta_2: decay of the second-moment estimate, in [0, 1) (default 0.999).
        epsilon: small constant for numerical stability (default 1e-7).
        amsgrad: use the AMSGrad variant (Reddi et al., 2018).
        weight_decay, clipnorm, clipvalue, global_clipnorm, use_ema, ema_momentum,
        ema_overwrite_frequency, loss_scale_factor, gradient_accumulation_steps, name:
            see :class:`Optimizer`.

    Example:
        >>> import lamina
        >>> opt = lamina.optimizers.Adam(learning_rate=1e-3)
        >>> opt.learning_rate
        0.001
    """

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, amsgrad=False,
                 weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None,
                 use_ema=False, ema_momentum=0.99, ema_overwrite_frequency=None,
                 loss_scale_factor=None, gradient_accumulation_steps=None, name=None, **kwargs):
        super().__init__(
            learning_rate=learning_rate, weight_decay=weight_decay, clipnorm=clipnorm,
            clipvalue=clipvalue, global_clipnorm=global_clipnorm, use_ema=use_ema,
            ema_momentum=ema_momentum, ema_overwrite_frequency=ema_overwrite_frequency,
            loss_scale_factor=loss_scale_factor,
            gradient_accumulation_steps=gradient_accumulation_steps, name=name, **kwargs)
        owner = type(self).__name__
        self.beta_1 = _checks.unit_interval(owner, "beta_1", beta_1, high_open=True)
        self.beta_2 = _checks.unit_interval(owner, "beta_2", beta_2, high_open=True,
                                            what="Typical values are 0.999 or 0.99.")
        self.epsilon = _checks.epsilon(owner, epsilon)
        self.amsgrad = bool(amsgrad)

    def build(self, variables, paths=None) -> None:
        if self.built:
            return
        super().build(variables, paths)
        variables = self._trainable_variables
        self._momentums, self._velocities = self.add_optimizer_variables(
            variables, ["momentum", "velocity"])
        self._velocity_hats = []
        if self.amsgrad:
            self._velocity_hats = self.add_optimizer_variables(variables, "velocity_hat")

    def _update(self, grads, variables, learning_rate, index) -> None:
        self._kernels.adam_update(
            variables, grads, _pick(self._momentums, index), _pick(self._velocities, index),
            learning_rate, self.beta_1, self.beta_2, self.epsilon, self.iterations + 1,
            self.amsgrad, _pick(self._velocity_hats, index) if self.amsgrad else None)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon,
                       "amsgrad": self.amsgrad})
        return config
