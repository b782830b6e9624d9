"""Progbar: Keras's text progress bar for your own loops (``keras.utils.Progbar``)."""

from __future__ import annotations

import sys
import time

import numpy as np

from lamina.callbacks.progbar_logger import format_value


class Progbar:
    """A text progress bar with running averages of the values you report.

    Each value passed to ``update``/``add`` is averaged over the steps it covers (weighted by how
    far ``current`` moved), as Keras does; names in ``stateful_metrics`` are shown as given
    (they are already averages, e.g. a metric's ``result()``).

    Args:
        target: the total number of steps, or None when unknown (no bar, only the count).
        width: the bar's width in characters. Default 30.
        verbose: 1 redraws one line in place (``\\r``); 2 prints one line when ``target`` is
            reached (``finalize``); 0 prints nothing.
        interval: the least number of seconds between two redraws (verbose=1). Default 0.05.
        stateful_metrics: names whose values are shown as given, not averaged.
        unit_name: what a step is called in the time-per-step display. Default 'step'.

    Example:
        >>> bar = Progbar(target=4, verbose=0)
        >>> bar.update(1, values=[("loss", 1.0)])
        >>> bar.update(3, values=[("loss", 4.0)])  # covers steps 2 and 3
        >>> bar.average("loss")  # (1*1 + 4*2) / 3
        3.0
    """

    def __init__(self, target, width=30, verbose=1, interval=0.05, stateful_metrics=None,
                 unit_name="step"):
        if target is not None and (not np.isscalar(target) or target < 0):
            raise ValueError(f"Progbar: target must be a non-negative number or None; received {target!r}.")
        if verbose not in (0, 1, 2):
            raise ValueError(f"Progbar: verbose must be 0, 1 or 2; received {verbose!r}.")
        self.target = target
        self.width = int(width)
        self.verbose = verbose
        self.interval = interval
        self.unit_name = unit_name
        self.stateful_metrics = set(stateful_metrics or ())
        self._dynamic_display = hasattr(sys.stdout, "isatty") and sys.stdout.isatty() or "ipykernel" in sys.modules
        self._values = {}  # name -> [weighted sum, steps] (stateful: [value, 1])
        self._names = []
        self._seen_so_far = 0
        self._start = time.time()
        self._last_update = 0.0
        self._last_len = 0

    def update(self, current, values=None, finalize=None):
        """Moves the bar to step ``current`` and records ``values``.

        Args:
            current: the index of the current step (steps done so far).
            values: a list of ``(name, value)`` pairs; each value counts for the steps since
                the last update (or is shown as given for ``stateful_metrics``).
            finalize: whether this is the last update; by default, ``current >= target``.
        """
        if finalize is None:
            finalize = self.target is not None and current >= self.target
        for name, value in values or ():
            if name not in self._names:
                self._names.append(name)
            value = _to_float(value)
            if name in self.stateful_metrics:
                self._values[name] = [value, 1]
            else:
                steps = max(current - self._seen_so_far, 1)
                total = self._values.setdefault(name, [0.0, 0])
                total[0] += value * steps
                total[1] += steps
        self._seen_so_far = current
        now = time.time()
        if self.verbose == 1:
            if not finalize and now - self._last_update < self.interval:
                return
            self._draw(current, now, finalize)
            self._last_update = now
        elif self.verbose == 2 and finalize:
            line = f"{current}/{self.target}" if self.target is not None else f"{current}"
            sys.stdout.write(f"{line} - {self._time_text(current, now, True)}{self._metrics_text()}\n")
            sys.stdout.flush()

    def add(self, n, values=None):
        """Advances the bar by ``n`` steps (``update(seen + n, values)``)."""
        self.update(self._seen_so_far + n, values)

    def average(self, name):
        """The value displayed for ``name``: its step-weighted average (or last stateful value)."""
        total, steps = self._values[name]
        return total / max(steps, 1)

    def _metrics_text(self):
        return "".join(f" - {name}: {format_value(self.average(name))}" for name in self._names)

    def _time_text(self, current, now, finalize):
        elapsed = now - self._start
        per_step = elapsed / current if current else 0.0
        if finalize or self.target is None:
            from lamina.callbacks.progbar_logger import format_step_time

            return f"{elapsed:.0f}s {format_step_time(per_step, self.unit_name)}"
        eta = per_step * (self.target - current)
        return f"ETA: {eta:.0f}s" if eta < 60 else f"ETA: {int(eta // 60)}:{int(eta % 60):02d}"

    def _draw(self, current, now, finalize):
        if self.target is not None:
            digits = len(str(int(self.target)))
            done = int(self.width * min(current / self.target, 1.0)) if self.target else self.width
            arrow = ">" if done < self.width else ""
            bar = "=" * max(done - (1 if arrow else 0), 0) + arrow
            text = f"{current:{digits}d}/{self.target} [{bar:<{self.width}}]"
        else:
            text = f"{current:7d}/Unknown"
        text += f" - {self._time_text(current, now, finalize)}{self._metrics_text()}"
        if self._dynamic_display:
            padding = " " * max(self._last_len - len(text), 0)
            sys.stdout.write("\r" + text + padding)
        else:
            sys.stdout.write(text + "\n" if finalize or self.target is None else "")
        if finalize and self._dynamic_display:
            sys.stdout.write("\n")
        self._last_len = len(text)
        sys.stdout.flush()


def _to_float(value):
    if hasattr(value, "numpy") or hasattr(value, "__array__"):
        from lamina import ops

        value = ops.convert_to_numpy(value)
    return float(np.mean(value))
