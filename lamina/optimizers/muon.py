"""Muon: momentum orthogonalised by Newton-Schulz, with AdamW for the other variables."""

from __future__ import annotations

import re

from lamina.optimizers import _checks
from lamina.optimizers.optimizer import Optimizer


class Muon(Optimizer):
    """Muon (Jordan et al., 2024), Keras 3 formulas.

    2-D variables (Dense kernels) get a momentum update orthogonalised by ``ns_steps`` quintic
    Newton-Schulz iterations (coefficients ``muon_a/b/c``), scaled by
    ``sqrt(max(rows, cols)) * rms_rate``. Every other variable (biases, conv kernels,
    embeddings when ``exclude_embeddings``, paths matching ``exclude_layers``) gets Keras's
    AdamW step with learning rate ``learning_rate * adam_lr_ratio`` and decay ``adam_weight_decay``.

    Args:
        learning_rate: float >= 0 or a schedule (default 0.001).
        adam_beta_1, adam_beta_2, epsilon: the AdamW part's moments and epsilon.
        adam_weight_decay: decoupled decay of the AdamW variables (default 0.004).
        weight_decay: decoupled decay of the Muon variables (default 0.004).
        exclude_layers: regular expressions; variables whose path matches use AdamW.
        exclude_embeddings: variables whose path contains 'embedding' use AdamW (default True).
        muon_a, muon_b, muon_c: the Newton-Schulz coefficients.
        adam_lr_ratio: the AdamW variables' learning-rate multiplier (default 1).
        momentum: Muon's momentum (default 0.95).
        ns_steps: Newton-Schulz iterations (default 5).
        nesterov: Nesterov momentum (default True).
        rms_rate: the update-RMS matching factor, or None for no scaling (default 0.2).
        clipnorm, clipvalue, global_clipnorm, use_ema, ema_momentum, ema_overwrite_frequency,
        loss_scale_factor, gradient_accumulation_steps, name: see :class:`Optimizer`.

    Example:
        >>> import lamina
        >>> lamina.optimizers.Muon().momentum
        0.95
    """

    def __init__(self, learning_rate=0.001, adam_beta_1=0.9, adam_beta_2=0.999, adam_weight_decay=0.004,
                 epsilon=1e-7, weight_decay=0.004, clipnorm=None, clipvalue=None, global_clipnorm=None,
                 use_ema=False, ema_momentum=0.99, ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, exclude_layers=None,
                 exclude_embeddings=True, muon_a=3.4445, muon_b=-4.7750, muon_c=2.0315,
                 adam_lr_ratio=1, momentum=0.95, ns_steps=5, nesterov=True, rms_rate=0.2, **kwargs):
        super().__init__(
            learning_rate=learning_rate, weight_decay=weight_decay, clipnorm=clipnorm,
            clipvalue=clipvalue, global_clipnorm=global_clipnorm, use_ema=use_ema,
            ema_momentum=ema_momentum, ema_overwrite_frequency=ema_overwrite_frequency,
            loss_scale_factor=loss_scale_factor,
            gradient_accumulation_steps=gradient_accumulation_steps, name=name, **kwargs)
        self.adam_beta_1 = _checks.unit_interval("Muon", "adam_beta_1", adam_beta_1, high_open=True)
        self.adam_beta_2 = _checks.unit_interval("Muon", "adam_beta_2", adam_beta_2, high_open=True)
        self.epsilon = _checks.epsilon("Muon", epsilon)
        self.adam_weight_decay = adam_weight_decay
        self.exclude_layers = list(exclude_layers or [])
        self.exclude_embeddings = exclude_embeddings
        self.muon_a, self.muon_b, self.muon_c = muon_a, muon_b, muon_c
        self.adam_lr_ratio = adam_lr_ratio
        self.momentum = momentum
        self.ns_steps = int(ns_steps)
        self.nesterov = nesterov
        self.rms_rate = rms_rate

    def _path(self, i):
        return self._variable_paths[i] if self._variable_paths else ""

    def _uses_adamw(self, variable, i) -> bool:
        if variable.ndim != 2:
            return True
        path = self._path(i)
        if self.exclude_embeddings and "embedding" in path.lower():
            return True
        return any(re.search(k, path) for k in self.exclude_layers)

    def build(self, variables, paths=None) -> None:
        if self.built:
            return
        super().build(variables, paths)
        self._momentums, self._velocities, self._adamw = [], [], []
        for i, v in enumerate(self._trainable_variables):  # Keras's order: momentum[, velocity]
            self._momentums.append(self.add_variable_from_reference(v, "momentum", 0.0, i))
            adamw = self._uses_adamw(v, i)
            self._adamw.append(adamw)
            self._velocities.append(self.add_variable_from_reference(v, "velocity", 0.0, i) if adamw else None)

    def _split(self, grads, variables, index):
        pos = range(len(variables)) if index is None else index
        adam, muon = ([], [], [], []), ([], [], [])
        for g, v, i in zip(grads, variables, pos):
            if self._adamw[i]:
                for lst, x in zip(adam, (g, v, self._momentums[i], self._velocities[i])):
                    lst.append(x)
            else:
                for lst, x in zip(muon, (g, v, self._momentums[i])):
                    lst.append(x)
        return adam, muon

    def _apply_weight_decay(self, variables, index, lr) -> None:
        pos = range(len(variables)) if index is None else index
        for decay, want_adamw in ((self.adam_weight_decay, True), (self.weight_decay, False)):
            if not decay:
                continue
            chosen = [v for v, i in zip(variables, pos)
                      if self._adamw[i] == want_adamw and self._use_weight_decay(self._trainable_variables[i], i)]
            if chosen:
                self._kernels.decay_weights(chosen, 1.0 - decay * lr)

    def _step(self, grads, variables, index, lr) -> None:
        if self.adam_weight_decay and not self.weight_decay:
            self._apply_weight_decay(variables, index, lr)  # the base only decays when weight_decay is set
        super()._step(grads, variables, index, lr)

    def _update(self, grads, variables, learning_rate, index) -> None:
        (ag, av, am, avel), (mg, mv, mm) = self._split(grads, variables, index)
        if av:
            self._kernels.adam_update(av, ag, am, avel, learning_rate * self.adam_lr_ratio,
                                      self.adam_beta_1, self.adam_beta_2, self.epsilon,
                                      self.iterations + 1)
        if mv:
            self._kernels.muon_update(mv, mg, mm, learning_rate, self.momentum, self.nesterov,
                                      self.ns_steps, self.muon_a, self.muon_b, self.muon_c, self.rms_rate)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({
            "adam_beta_1": self.adam_beta_1, "adam_beta_2": self.adam_beta_2, "epsilon": self.epsilon,
            "exclude_layers": self.exclude_layers, "muon_a": self.muon_a, "muon_b": self.muon_b,
            "muon_c": self.muon_c, "adam_lr_ratio": self.adam_lr_ratio, "momentum": self.momentum,
            "ns_steps": self.ns_steps, "nesterov": self.nesterov,
            "exclude_embeddings": self.exclude_embeddings,
            "adam_weight_decay": self.adam_weight_decay, "rms_rate": self.rms_rate,
        })
        return config
