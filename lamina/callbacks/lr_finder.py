"""LRFinder: sweep the learning rate over a short run to pick one (the "LR range test")."""

from __future__ import annotations

import math

import numpy as np

from lamina.callbacks.callback import Callback


class LRFinder(Callback):
    """Raise the learning rate exponentially, batch after batch, and record the loss.

    Leslie Smith's range test (as fastai's ``lr_find``): the rate grows from ``min_lr`` to
    ``max_lr`` over ``num_steps`` batches; the loss of each batch is recorded and smoothed
    (exponential moving average, bias-corrected); the run stops once the smoothed loss exceeds
    ``divergence`` times its best. The optimizer used for the sweep is a fresh copy of the
    model's (same class and settings), and at the end of training the model's variables, its
    own optimizer and every random generator are put back as they were, so training the model
    afterwards is exactly as if the sweep had never run. ``model.find_learning_rate(x, y)``
    runs the sweep in one call.

    Args:
        min_lr: the first learning rate.
        max_lr: the last learning rate (reached after ``num_steps`` batches).
        num_steps: the number of batches of the sweep.
        smoothing: the moving-average factor of the loss curve, in [0, 1).
        divergence: stop when the smoothed loss is this many times its minimum; None never.
        restore: put the model back at the end of training (default True).

    Attributes:
        learning_rates: the rate of each batch.
        losses: the smoothed loss after each batch.
        raw_losses: the loss of each batch.

    Example:

    ```python
    finder = model.find_learning_rate(x, y, batch_size=64)
    finder.suggestion()          # e.g. 0.0021
    finder.plot(to_file="lr.png")
    ```
    """

    def __init__(self, min_lr=1e-7, max_lr=10.0, num_steps=100, smoothing=0.98, divergence=4.0, restore=True):
        super().__init__()
        if not 0 < min_lr < max_lr:
            raise ValueError(f"LRFinder: expected 0 < min_lr < max_lr; received min_lr={min_lr!r}, "
                             f"max_lr={max_lr!r}.")
        if isinstance(num_steps, bool) or not isinstance(num_steps, int) or num_steps < 2:
            raise ValueError(f"LRFinder: num_steps must be an integer >= 2; received {num_steps!r}.")
        if not 0 <= smoothing < 1:
            raise ValueError(f"LRFinder: smoothing must be in [0, 1); received {smoothing!r}.")
        self.min_lr, self.max_lr, self.num_steps = float(min_lr), float(max_lr), num_steps
        self.smoothing, self.divergence, self.restore = smoothing, divergence, restore
        self.learning_rates, self.losses, self.raw_losses = [], [], []

    def rate(self, step: int) -> float:
        """The learning rate of batch ``step`` (0-based) of the sweep."""
        return self.min_lr * (self.max_lr / self.min_lr) ** (step / (self.num_steps - 1))

    # ------------------------------------------------------------------ the sweep
    def on_train_begin(self, logs=None):
        from lamina.training.training_state import capture

        model = self.model
        self._saved = capture(model, [], 0, 0, None) if self.restore else None
        self._optimizer = model.optimizer
        config = dict(model.optimizer.get_config(), learning_rate=self.min_lr)
        model.optimizer = type(model.optimizer).from_config(config)
        self.learning_rates, self.losses, self.raw_losses = [], [], []
        self._avg, self._best = 0.0, math.inf

    def on_epoch_begin(self, epoch, logs=None):
        self._k, self._mean = 0, 0.0  # fit's loss log is the epoch's running mean

    def on_train_batch_begin(self, batch, logs=None):
        self.model.optimizer.learning_rate = self.rate(len(self.learning_rates))

    def on_train_batch_end(self, batch, logs=None):
        mean = float((logs or {})["loss"])
        loss = (self._k + 1) * mean - self._k * self._mean  # this batch's loss (equal batch sizes)
        self._k, self._mean = self._k + 1, mean
        self.learning_rates.append(self.rate(len(self.learning_rates)))
        self.raw_losses.append(loss)
        self._avg = self.smoothing * self._avg + (1 - self.smoothing) * loss
        smooth = self._avg / (1 - self.smoothing ** len(self.raw_losses))
        self.losses.append(smooth)
        self._best = min(self._best, smooth)
        diverged = self.divergence is not None and (smooth > self.divergence * self._best or not math.isfinite(smooth))
        if len(self.learning_rates) >= self.num_steps or diverged:
            self.model.stop_training = True

    def on_train_end(self, logs=None):
        from lamina.training.training_state import TrainingState

        self.model.optimizer = self._optimizer
        if self._saved is not None:
            state = TrainingState(self._saved, "the state before the learning-rate sweep")
            state.restore_model(self.model)
            state.restore_random()

    # ------------------------------------------------------------------ results
    def suggestion(self, skip_start=10, skip_end=5) -> float:
        """The rate where the smoothed loss falls fastest (steepest slope against log(rate)),
        ignoring the first ``skip_start`` and last ``skip_end`` batches."""
        lrs, losses = np.asarray(self.learning_rates), np.asarray(self.losses)
        lo, hi = min(skip_start, max(len(lrs) - 3, 0)), max(len(lrs) - skip_end, 0)
        if hi - lo < 3:
            lo, hi = 0, len(lrs)
        if hi - lo < 3:
            raise ValueError(f"LRFinder: {len(lrs)} recorded batches are too few for a suggestion; "
                             "run the sweep over more batches (num_steps=) or with a larger max_lr.")
        slopes = np.gradient(losses[lo:hi], np.log(lrs[lo:hi]))
        return float(lrs[lo + int(np.nanargmin(slopes))])

    def plot(self, to_file=None, ax=None, skip_start=10, skip_end=5):
        """Draw the smoothed loss against the rate (log scale) with the suggestion marked; returns
        the matplotlib Axes."""
        from lamina.utils.history_plot import _pyplot

        plt = _pyplot("LRFinder.plot()")
        if ax is None:
            _, ax = plt.subplots(figsize=(6, 4))
        lo, hi = skip_start, max(len(self.losses) - skip_end, skip_start + 1)
        ax.plot(self.learning_rates[lo:hi], self.losses[lo:hi])
        ax.set_xscale("log")
        ax.set_xlabel("learning rate")
        ax.set_ylabel("loss (smoothed)")
        try:
            best = self.suggestion(skip_start, skip_end)
            ax.axvline(best, color="tab:red", linestyle="--", label=f"suggestion {best:.2g}")
            ax.legend()
        except ValueError:
            pass
        if to_file is not None:
            ax.figure.savefig(to_file)
        return ax


def find_learning_rate(model, x=None, y=None, batch_size=None, min_lr=1e-7, max_lr=10.0, num_steps=100,
                       smoothing=0.98, divergence=4.0, **fit_kwargs) -> LRFinder:
    """Run an :class:`LRFinder` sweep on ``model`` (``model.find_learning_rate``); the model is
    left exactly as it was. Returns the finder (``.suggestion()``, ``.plot()``, the curve)."""
    from lamina.training.data_adapter import make_data

    finder = LRFinder(min_lr, max_lr, num_steps, smoothing, divergence)
    steps = fit_kwargs.get("steps_per_epoch") or len(make_data(x, y, None, batch_size)) or num_steps
    epochs = math.ceil(num_steps / steps)
    history = model.history
    fit_kwargs.setdefault("verbose", 0)
    model.fit(x, y, batch_size=batch_size, epochs=epochs,
              callbacks=[finder] + list(fit_kwargs.pop("callbacks", None) or []), **fit_kwargs)
    model.history = history
    return finder
