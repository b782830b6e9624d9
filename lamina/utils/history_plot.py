"""plot_history: training curves (loss and metrics, train and validation) with matplotlib."""

from __future__ import annotations

import math


def _pyplot(what):
    try:
        import matplotlib.pyplot as plt
    except ImportError as e:
        raise ImportError(
            f"{what} draws with matplotlib, which is not installed: pip install matplotlib "
            "(or pip install 'lamina[plot]')."
        ) from e
    return plt


def plot_history(history, metrics=None, to_file=None, figsize=None, dpi=100, log_scale=None):
    """Draw the curves of a ``fit()``: one panel per quantity, training and validation together.

    Each logged name gets a panel (``loss``, ``accuracy``, ``learning_rate``...) with the
    training curve and, when fit validated, the ``val_`` curve, against the epoch number
    (1-based, as the progress bar counts). matplotlib is imported only when this is called.

    Args:
        history: the ``History`` that ``fit()`` returns, or its ``history`` dict.
        metrics: the names to draw (without ``val_``), in panel order; default all of them,
            loss first.
        to_file: also save the figure there (``.png``, ``.svg``, ``.pdf``...).
        figsize: (width, height) in inches; default 4.5 x 3.5 per panel.
        dpi: resolution of a saved bitmap.
        log_scale: names whose panel gets a logarithmic y axis (e.g. ``['loss']``).

    Returns:
        The matplotlib ``Figure`` (shown by notebooks; ``plt.show()`` in scripts).

    Example:

    ```python
    history = model.fit(x, y, validation_split=0.2, epochs=20)
    lamina.utils.plot_history(history, to_file="curves.png")   # or history.plot()
    ```
    """
    logs = getattr(history, "history", history)
    if not isinstance(logs, dict) or not logs:
        raise ValueError(
            f"plot_history: received {type(history).__name__} with no recorded epochs; pass the "
            "History that model.fit() returns (after at least one epoch) or its .history dict.")
    epochs = list(getattr(history, "epoch", None) or range(len(next(iter(logs.values())))))
    names = [k for k in logs if not k.startswith("val_")]
    names += [k[4:] for k in logs if k.startswith("val_") and k[4:] not in names]
    names.sort(key=lambda k: (k != "loss", not k.endswith("loss")))  # losses first, stable
    if metrics is not None:
        from lamina.errors import suggest

        unknown = [m for m in metrics if m not in names]
        if unknown:
            raise ValueError(
                f"plot_history: {unknown} were not logged; the history has {names}."
                + "".join(suggest(m, names) for m in unknown))
        names = list(metrics)
    plt = _pyplot("plot_history / history.plot()")
    cols = min(len(names), 3)
    rows = math.ceil(len(names) / cols)
    fig, axes = plt.subplots(rows, cols, figsize=figsize or (4.5 * cols, 3.5 * rows), squeeze=False)
    for ax, name in zip(axes.flat, names):
        for key, label in ((name, "train"), ("val_" + name, "validation")):
            values = logs.get(key)
            if values:
                x = [e + 1 for e in epochs[-len(values):]] if len(epochs) >= len(values) \
                    else list(range(1, len(values) + 1))
                ax.plot(x, [float(v) for v in values], marker="o" if len(values) < 30 else None,
                        markersize=3, label=label)
        ax.set_title(name)
        ax.set_xlabel("epoch")
        if log_scale and name in log_scale:
            ax.set_yscale("log")
        ax.grid(True, alpha=0.3)
        ax.legend()
    for ax in list(axes.flat)[len(names):]:
        ax.set_visible(False)
    fig.tight_layout()
    if to_file is not None:
        fig.savefig(to_file, dpi=dpi)
    return fig
