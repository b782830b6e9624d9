"""ProgbarLogger: Keras's progress display for fit, evaluate and predict, drawn with tqdm."""

from __future__ import annotations

import math
import numbers
import sys
import time

from lamina.callbacks import progress_display
from lamina.callbacks.callback import Callback


def resolve_verbose(verbose) -> int:
    """Turn fit/evaluate/predict's ``verbose`` into 0, 1 or 2.

    ``'auto'`` means 1 (a live progress bar) when ``sys.stdout`` is a terminal or a Jupyter
    kernel, and 2 (one line per epoch) otherwise, e.g. when output goes to a log file.

    Args:
        verbose: ``'auto'``, 0 (silent), 1 (progress bar) or 2 (one line per epoch).

    Example:

    >>> resolve_verbose(2)
    2
    >>> resolve_verbose(False)
    0
    """
    if verbose == 0 and not isinstance(verbose, str):  # silent everywhere (0, False, 0.0)
        return 0
    if isinstance(verbose, str):
        if verbose == "auto":
            return (1 if _interactive() else 2) if _chief() else 0
    elif isinstance(verbose, bool):
        return int(verbose) if _chief() else 0
    elif isinstance(verbose, numbers.Integral) and 0 <= int(verbose) <= 2:
        return int(verbose) if _chief() else 0
    raise ValueError(
        f"verbose must be 'auto', 0 (silent), 1 (progress bar) or 2 (one line per epoch); "
        f"received verbose={verbose!r}."
    )


def _chief() -> bool:
    # Under data parallelism only rank 0 prints (lamina.distribution).
    from lamina.distribution import is_chief

    return is_chief()


def _interactive() -> bool:
    if "ipykernel" in sys.modules:
        return True
    try:
        return bool(sys.stdout.isatty())
    except (AttributeError, ValueError):  # replaced or closed stdout
        return False


def format_value(value) -> str:
    """A log value as Keras prints it: 4 decimals, or scientific notation below 1e-3."""
    try:
        value = float(value)
    except (TypeError, ValueError):
        return str(value)
    if math.isnan(value) or math.isinf(value):
        return str(value)
    return f"{value:.4f}" if abs(value) > 1e-3 else f"{value:.4e}"


def format_step_time(seconds: float, unit: str = "step") -> str:
    """'2s/step', '20ms/step' or '350us/step', as Keras shows the time per step."""
    if seconds >= 1 or seconds == 0:
        return f"{seconds:.0f}s/{unit}"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.0f}ms/{unit}"
    return f"{seconds * 1e6:.0f}us/{unit}"


def _format_eta(seconds: float) -> str:
    if seconds > 3600:
        return "%d:%02d:%02d" % (seconds // 3600, (seconds % 3600) // 60, seconds % 60)
    if seconds > 60:
        return "%d:%02d" % (seconds // 60, seconds % 60)
    return "%ds" % seconds


class ProgbarLogger(Callback):
    """Prints progress of fit/evaluate/predict to ``sys.stdout``, the way Keras does.

    With ``verbose=1`` each epoch prints ``Epoch i/N`` and then a live bar::

        25/50 [===============...............] 1s 12ms/step - loss: 0.4312 - accuracy: 0.8750

    redrawn at most every ``refresh_interval`` seconds (0.1). In a terminal too narrow for the
    line, the metrics that do not fit continue on the next lines (nothing is cut); in a Jupyter
    notebook each epoch is one tqdm widget. Between redraws a step costs
    only a clock read, and the running metrics are read from the device only when drawn. The
    final line of an epoch shows the epoch's logs, including ``val_`` entries. With
    ``verbose=2`` each epoch prints one line when it ends::

        50/50 - 1s - 12ms/step - loss: 0.4312 - val_loss: 0.4020

    ``fit``/``evaluate``/``predict`` add one automatically when ``verbose`` is not 0.
    Validation inside ``fit`` is silent; ``evaluate`` shows its own bar and ``predict`` a bar
    without metrics.

    Example:

    ```python
    model.fit(x, y, epochs=5, verbose=2)
    ```
    """

    _chief_only = True  # under data parallelism only rank 0 prints

    accepts_lazy_logs = True
    refresh_interval = 0.1

    def __init__(self):
        super().__init__()
        self.verbose = 1
        self.epochs = 1
        self.target = None
        self._in_fit = False
        self._bar = None
        self._seen = 0
        self._start = 0.0
        self._first_step_done = None
        self._last_step_done = None
        self._last_draw = 0.0
        self._description = ""

    def set_params(self, params):
        self.params = params
        self.verbose = resolve_verbose(params.get("verbose", 1))
        self.epochs = params.get("epochs", 1) or 1
        self.target = params.get("steps")

    # -- hooks -------------------------------------------------------------------------------

    def on_train_begin(self, logs=None):
        self._in_fit = True

    def on_train_end(self, logs=None):
        self._in_fit = False
        self._close()
        self._description = ""

    def on_epoch_begin(self, epoch, logs=None):
        self._description = f"Epoch {epoch + 1}/{self.epochs}"
        if self.verbose:
            sys.stdout.write(self._description + "\n")
            sys.stdout.flush()
        self._begin()

    def on_train_batch_end(self, batch, logs=None):
        self._step(batch, logs)

    def on_epoch_end(self, epoch, logs=None):
        self._finish(logs)

    def on_test_begin(self, logs=None):
        if not self._in_fit:
            self._begin()

    def on_test_batch_end(self, batch, logs=None):
        if not self._in_fit:
            self._step(batch, logs)

    def on_test_end(self, logs=None):
        if not self._in_fit:
            self._finish(logs)

    def on_predict_begin(self, logs=None):
        self._begin()

    def on_predict_batch_end(self, batch, logs=None):
        self._step(batch, None)  # predictions are not shown

    def on_predict_end(self, logs=None):
        self._finish(None)

    # -- drawing -----------------------------------------------------------------------------

    def _begin(self) -> None:
        self._close()
        self._seen = 0
        self._start = self._last_draw = time.perf_counter()
        self._first_step_done = None
        self._last_step_done = None

    def _step(self, batch, logs) -> None:
        self._seen = batch + 1
        self._last_step_done = now = time.perf_counter()
        if self._first_step_done is None:
            self._first_step_done = now
        if self.verbose != 1:
            return
        if now - self._last_draw < self.refresh_interval:
            return
        self._last_draw = now
        values = logs() if callable(logs) else logs
        self._draw(now, values, final=False)

    def _finish(self, logs) -> None:
        if not self.verbose:
            return
        now = time.perf_counter()
        total = self._seen if self.target is None else self.target
        if not self._seen:  # no batch hooks were called: report the whole run
            self._seen = total or 0
        values = logs() if callable(logs) else logs
        if self.verbose == 1:
            self._draw(now, values, final=True, total=total)
            self._close()
        else:
            width = len(str(total))
            line = (
                f"{self._seen:>{width}d}/{total} - {now - self._start:.0f}s - "
                f"{format_step_time(self._step_time(now))}{_metrics(values)}\n"
            )
            sys.stdout.write(line)
            sys.stdout.flush()

    def _step_time(self, now: float) -> float:
        """Seconds per step, leaving out the first step (compilation) and what followed the
        last one (validation)."""
        seen = self._seen
        if not seen:
            return 0.0
        if self._last_step_done is not None:
            now = self._last_step_done
        if seen > 1 and self._first_step_done is not None:
            return (now - self._first_step_done) / (seen - 1)
        return (now - self._start) / seen

    def _draw(self, now: float, values, final: bool, total=None) -> None:
        total = self.target if total is None else total
        step_time = self._step_time(now)
        if final or not total:
            when = f"{now - self._start:.0f}s"
        else:
            when = _format_eta(step_time * (total - self._seen))
        count = f"{self._seen:>{len(str(total))}d}/{total}" if total else f"{self._seen}/Unknown"
        timing = f"{when} {format_step_time(step_time)}"
        items = _metric_items(values)
        display = self._bar
        if display is None:
            if progress_display.in_notebook():
                display = progress_display.NotebookDisplay(total, self._description)
            else:
                display = progress_display.TextDisplay(sys.stdout)
            self._bar = display
        if isinstance(display, progress_display.NotebookDisplay):
            display.update(self._seen, total, timing, items)
            return
        bar = f" {progress_display.bar_text(self._seen, total)}" if total else ""
        display.draw(f"{count}{bar} {timing}", items)

    def _close(self) -> None:
        if self._bar is not None:
            self._bar.close()  # ends the line (a notebook widget stays, showing the final state)
            self._bar = None


def _metric_items(values) -> list:
    return [f"{name}: {format_value(v)}" for name, v in (values or {}).items()]


def _metrics(values) -> str:
    return "".join(" - " + item for item in _metric_items(values))
