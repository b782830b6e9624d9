"""Adafactor: adaptive learning rates with sublinear memory."""

from __future__ import annotations

from lamina.optimizers import _checks
from lamina.optimizers.optimizer import Optimizer, _pick
from lamina.optimizers.optimizer_variable import OptimizerVariable
from lamina.optimizers.schedules import LearningRateSchedule


class Adafactor(Optimizer):
    """Adafactor (Shazeer & Stern, 2018), Keras 3 formulas.

    For variables of rank >= 2 the second moment is factored into running row and column means
    of ``g^2 + epsilon_1`` (memory O(rows + cols) instead of O(rows * cols)); other variables
    keep a full one. With ``t = iterations + 1``::

        beta_2_t = 1 - t^beta_2_decay
        rho_t = min(lr, 1 / sqrt(t))
        alpha_t = max(epsilon_2, rms(w)) * rho_t
        u = g / sqrt(v);  u /= max(1, rms(u) / clip_threshold)
        w -= alpha_t * u

    Args:
        learning_rate: float >= 0 or a schedule (default 0.001).
        beta_2_decay: exponent of the second-moment decay schedule (default -0.8).
        epsilon_1: added to g^2 (default 1e-30).
        epsilon_2: lower bound of the parameter scale rms(w) (default 1e-3).
        clip_threshold: update clipping threshold on rms(u) (default 1.0).
        relative_step: cap a float learning rate at 1 / sqrt(t) (default True), as Keras does.
        weight_decay, clipnorm, clipvalue, global_clipnorm, use_ema, ema_momentum,
        ema_overwrite_frequency, loss_scale_factor, gradient_accumulation_steps, name:
            see :class:`Optimizer`.

    Example:
        >>> import lamina
        >>> lamina.optimizers.Adafactor().beta_2_decay
        -0.8
    """

    def __init__(self, learning_rate=0.001, beta_2_decay=-0.8, epsilon_1=1e-30, epsilon_2=1e-3,
                 clip_threshold=1.0, relative_step=True, weight_decay=None, clipnorm=None,
                 clipvalue=None, global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        super().__init__(
            learning_rate=learning_rate, weight_decay=weight_decay, clipnorm=clipnorm,
            clipvalue=clipvalue, global_clipnorm=global_clipnorm, use_ema=use_ema,
            ema_momentum=ema_momentum, ema_overwrite_frequency=ema_overwrite_frequency,
            loss_scale_factor=loss_scale_factor,
            gradient_accumulation_steps=gradient_accumulation_steps, name=name, **kwargs)
        self.beta_2_decay = _checks.number("Adafactor", "beta_2_decay", beta_2_decay)
        self.epsilon_1 = _checks.number("Adafactor", "epsilon_1", epsilon_1, low=0.0)
        self.epsilon_2 = _checks.number("Adafactor", "epsilon_2", epsilon_2, low=0.0)
        self.clip_threshold = _checks.number("Adafactor", "clip_threshold", clip_threshold,
                                             low=0.0, low_open=True)
        self.relative_step = bool(relative_step)

    def _state(self, reference, shape, name):
        tensor = self._kernels.zeros_like_shape(reference, shape)
        self._state_handles.append(OptimizerVariable(name, f"{self.name}/{name}", tensor))
        return tensor

    def build(self, variables, paths=None) -> None:
        if self.built:
            return
        super().build(variables, paths)
        self._rows, self._cols, self._velocities = [], [], []
        for i, v in enumerate(self._trainable_variables):
            shape = tuple(v.shape)
            label = self._variable_paths[i].replace("/", "_") if self._variable_paths else f"variable_{i}"
            if len(shape) >= 2:
                self._rows.append(self._state(v, shape[:-1], f"{label}_row"))
                self._cols.append(self._state(v, shape[:-2] + shape[-1:], f"{label}_col"))
            else:  # Keras 3 keeps two int32 placeholders here (and saves them): so does lamina
                self._rows.append(None)
                self._cols.append(None)
                name = self._variable_paths[i].rsplit("/", 1)[-1] if self._variable_paths else label
                for _ in range(2):
                    self._state_handles.append(OptimizerVariable(
                        name, name, getter=lambda: 0, setter=lambda value: None, dtype="int32"))
            self._velocities.append(self.add_variable_from_reference(v, "velocity", 0.0, i))

    def _update(self, grads, variables, learning_rate, index) -> None:
        # The step and the learning rate are Python numbers, or traced values inside a compiled
        # JAX step: `choose` is then jnp.where, a Python choice otherwise.
        step = self.iterations + 1
        cap = 1.0 / step ** 0.5
        lr = learning_rate
        if self.relative_step and not (isinstance(self._learning_rate, LearningRateSchedule)
                                       or callable(self._learning_rate)):
            lr = self._kernels.choose(lr < cap, lr, cap)
        rho = self._kernels.choose(lr < cap, lr, cap)
        self._kernels.adafactor_update(
            variables, grads, _pick(self._rows, index), _pick(self._cols, index),
            _pick(self._velocities, index), rho, step, self.beta_2_decay, self.epsilon_1,
            self.epsilon_2, self.clip_threshold)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"beta_2_decay": self.beta_2_decay, "epsilon_1": self.epsilon_1,
                       "epsilon_2": self.epsilon_2, "clip_threshold": self.clip_threshold,
                       "relative_step": self.relative_step})
        return config
