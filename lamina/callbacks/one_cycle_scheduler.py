"""OneCycleScheduler: the 1cycle policy (warm-up, then annealing; momentum cycled inversely)."""

from __future__ import annotations

import math

from lamina.callbacks.callback import Callback


class OneCycleScheduler(Callback):
    """Set the learning rate (and momentum) of every batch by Leslie Smith's 1cycle policy.

    The rate rises from ``max_lr / div_factor`` to ``max_lr`` over the first ``pct_start`` of
    the run, then falls to ``max_lr / (div_factor * final_div_factor)``; the momentum (SGD's
    ``momentum``, Adam-like optimizers' ``beta_1``) goes the other way, from ``max_momentum`` to
    ``base_momentum`` and back. The schedule is ``torch.optim.lr_scheduler.OneCycleLR``'s,
    value for value (including ``three_phase`` and ``anneal_strategy``).

    Args:
        max_lr: the peak learning rate.
        total_steps: the number of batches of the cycle; default ``epochs * steps`` of fit.
        pct_start: the fraction of the cycle spent warming up.
        anneal_strategy: ``'cos'`` or ``'linear'``.
        cycle_momentum: cycle the momentum too (needs SGD with momentum > 0, or an optimizer
            with ``beta_1``).
        base_momentum, max_momentum: the momentum's low and high values.
        div_factor: the first rate is ``max_lr / div_factor``.
        final_div_factor: the last rate is the first divided by this.
        three_phase: warm up, come back down to the first rate symmetrically, then anneal to the
            last rate (fastai's variant).

    Example:

    ```python
    model.compile(optimizer=lamina.optimizers.SGD(momentum=0.9), loss="mse")
    model.fit(x, y, epochs=10, callbacks=[lamina.callbacks.OneCycleScheduler(max_lr=0.1)])
    ```
    """

    def __init__(self, max_lr, total_steps=None, pct_start=0.3, anneal_strategy="cos", cycle_momentum=True,
                 base_momentum=0.85, max_momentum=0.95, div_factor=25.0, final_div_factor=1e4,
                 three_phase=False):
        super().__init__()
        if not max_lr > 0:
            raise ValueError(f"OneCycleScheduler: max_lr must be > 0; received {max_lr!r}.")
        if total_steps is not None and (isinstance(total_steps, bool) or not isinstance(total_steps, int)
                                        or total_steps < 2):
            raise ValueError(f"OneCycleScheduler: total_steps must be an integer >= 2 or None (from "
                             f"fit's epochs and steps); received {total_steps!r}.")
        if not 0 < pct_start < 1:
            raise ValueError(f"OneCycleScheduler: pct_start must be in (0, 1); received {pct_start!r}.")
        if anneal_strategy not in ("cos", "linear"):
            raise ValueError(f"OneCycleScheduler: anneal_strategy must be 'cos' or 'linear'; "
                             f"received {anneal_strategy!r}.")
        self.max_lr, self.total_steps, self.pct_start = float(max_lr), total_steps, pct_start
        self.anneal_strategy, self.cycle_momentum = anneal_strategy, cycle_momentum
        self.base_momentum, self.max_momentum = base_momentum, max_momentum
        self.div_factor, self.final_div_factor, self.three_phase = div_factor, final_div_factor, three_phase
        self.step = 0

    def _phases(self, total):
        initial = self.max_lr / self.div_factor
        final = initial / self.final_div_factor
        up = float(self.pct_start * total) - 1
        if self.three_phase:
            return [(up, initial, self.max_lr, self.max_momentum, self.base_momentum),
                    (float(2 * self.pct_start * total) - 2, self.max_lr, initial, self.base_momentum, self.max_momentum),
                    (total - 1, initial, final, self.max_momentum, self.max_momentum)]
        return [(up, initial, self.max_lr, self.max_momentum, self.base_momentum),
                (total - 1, self.max_lr, final, self.base_momentum, self.max_momentum)]

    def _anneal(self, start, end, pct):
        if self.anneal_strategy == "cos":
            return end + (start - end) / 2.0 * (math.cos(math.pi * pct) + 1)
        return (end - start) * pct + start

    def values(self, step: int, total: int):
        """(learning rate, momentum) of batch ``step`` (0-based) of a ``total``-batch cycle."""
        if step >= total:
            raise ValueError(
                f"OneCycleScheduler: batch {step + 1} is past the cycle's total_steps={total}. Pass "
                "total_steps= at least epochs * steps_per_epoch of fit.")
        start_step = 0.0
        phases = self._phases(total)
        for i, (end_step, lr0, lr1, m0, m1) in enumerate(phases):
            if step <= end_step or i == len(phases) - 1:
                pct = (step - start_step) / (end_step - start_step)
                return self._anneal(lr0, lr1, pct), self._anneal(m0, m1, pct)
            start_step = end_step

    # ------------------------------------------------------------------ fit
    def on_train_begin(self, logs=None):
        params = self.params or {}
        total = self.total_steps
        if total is None:
            if not params.get("steps") or not params.get("epochs"):
                raise ValueError("OneCycleScheduler: fit does not know the number of batches an epoch "
                                 "(a generator without len()); pass total_steps=.")
            total = params["epochs"] * params["steps"]
        self._total = total
        self.step = 0
        opt = self.model.optimizer
        self._momentum_attr = None
        if self.cycle_momentum:
            if getattr(opt, "beta_1", None) is not None:
                self._momentum_attr = "beta_1"
            elif getattr(opt, "momentum", 0):
                self._momentum_attr = "momentum"
            else:
                raise ValueError(
                    f"OneCycleScheduler: cycle_momentum=True but {type(opt).__name__} has no momentum "
                    "to cycle. Use SGD(momentum=0.9), an optimizer with beta_1 (Adam...), or "
                    "pass cycle_momentum=False.")

    def on_train_batch_begin(self, batch, logs=None):
        lr, momentum = self.values(self.step, self._total)
        opt = self.model.optimizer
        opt.learning_rate = lr
        if self._momentum_attr is not None:
            setattr(opt, self._momentum_attr, momentum)
        self.step += 1
