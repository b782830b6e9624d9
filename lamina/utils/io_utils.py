"""Printing that cooperates with live progress bars."""

from __future__ import annotations

import sys

from tqdm import tqdm


def print_msg(message: str) -> None:
    """Print ``message`` on its own line of ``sys.stdout`` without breaking a live progress bar.

    A bar being drawn is cleared, the message printed, and the bar drawn again below it.
    """
    tqdm.write(str(message), file=sys.stdout)
