"""Where a live progress bar is drawn: a terminal (wrapped to its width), a pipe, or a notebook.

The bar's text is ``count [bar] timing - name: value - ...``. tqdm cuts such a line at the
terminal width, which hid ``val_loss`` and ``val_accuracy`` in an 80-column terminal, so on a
terminal lamina lays the text out itself: the metrics that do not fit go on the following
lines, and each redraw moves the cursor back up over the lines it drew last time (ANSI
escapes, as every terminal tqdm supports understands them). Output that is not a terminal (a
pipe, a captured stream) gets one line redrawn with ``\\r``; a Jupyter notebook gets one tqdm
widget per epoch, whose HTML wraps by itself.
"""

from __future__ import annotations

import math
import shutil
import sys

BAR_WIDTH = 30


def bar_text(seen: int, total) -> str:
    """``[=====.....]``: the part of ``total`` steps done, ``BAR_WIDTH`` characters inside."""
    done = int(BAR_WIDTH * min(seen, total) / total) if total else 0
    return "[" + "=" * done + "." * (BAR_WIDTH - done) + "]"


def layout(head: str, items: list, width) -> list:
    """Lines of at most ``width`` characters: ``head`` then ``" - item"``s, wrapped between items.

    Continuation lines start with ``"  - "``. With ``width=None`` everything stays on one line.
    An item longer than a whole line gets a line of its own (the terminal wraps it).

    Example:

    >>> layout("3/3 [===]", ["loss: 0.1000", "val_loss: 0.2000"], 28)
    ['3/3 [===] - loss: 0.1000', '  - val_loss: 0.2000']
    """
    lines = [head]
    for item in items:
        piece = " - " + item
        if width is not None and len(lines[-1]) + len(piece) > width:
            lines.append("  " + piece)
        else:
            lines[-1] += piece
    return lines


def terminal_width(stream):
    """The width of the terminal ``stream`` writes to, or None when it is not a terminal."""
    try:
        if not stream.isatty():
            return None
    except (AttributeError, ValueError):
        return None
    return shutil.get_terminal_size((80, 24)).columns


def in_notebook() -> bool:
    """True inside a Jupyter kernel (where widgets can be shown), False in a terminal or script."""
    if "ipykernel" not in sys.modules:
        return False
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and "IPKernelApp" in getattr(shell, "config", {})


class TextDisplay:
    """Draws the bar's lines on a text stream, wrapped to the terminal's width."""

    def __init__(self, stream):
        self.stream = stream
        self.width = terminal_width(stream)
        self._rows = 0  # screen rows drawn last time (terminal)
        self._length = 0  # length of the line drawn last time (not a terminal)

    def draw(self, head: str, items: list) -> None:
        out = self.stream
        if self.width is None:
            line = layout(head, items, None)[0]
            out.write("\r" + line + " " * max(self._length - len(line), 0))
            self._length = len(line)
        else:
            lines = layout(head, items, self.width - 1)
            up = f"\x1b[{self._rows - 1}A" if self._rows > 1 else ""
            out.write("\r" + up + "\x1b[J" + "\n".join(lines))
            self._rows = sum(max(1, math.ceil(len(line) / self.width)) for line in lines)
        out.flush()

    def close(self) -> None:
        self.stream.write("\n")
        self.stream.flush()


class NotebookDisplay:
    """One tqdm notebook widget (``tqdm.notebook``) for one epoch, or one evaluate/predict run."""

    def __init__(self, total, description: str = ""):
        from tqdm.notebook import tqdm as notebook_tqdm

        self.bar = notebook_tqdm(total=total, desc=description, leave=True,
                                 bar_format="{l_bar}{bar}| {n_fmt}/{total_fmt} {postfix}")

    def update(self, seen: int, total, timing: str, items: list) -> None:
        bar = self.bar
        if total and bar.total != total:
            bar.total = total
        bar.n = seen
        bar.set_postfix_str(" - ".join([timing] + items), refresh=False)
        bar.refresh()

    def close(self) -> None:
        self.bar.close()
