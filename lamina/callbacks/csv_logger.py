"""CSVLogger: write each epoch's logs as a row of a CSV file."""

from __future__ import annotations

import csv
import os

from lamina.callbacks.callback import Callback


class CSVLogger(Callback):
    """Streams epoch results to a CSV file: an ``epoch`` column, then one column per log name.

    Columns are the log names of the first epoch, sorted; if that epoch has no ``val_`` entries,
    ``val_`` columns are reserved for each name anyway. A missing value is written as ``NA``.

    Args:
        filename: path of the CSV file.
        separator: the column separator. Default ``','``.
        append: add rows to an existing file instead of overwriting it (the header is written
            only if the file is empty).

    Example:

    ```python
    model.fit(x, y, epochs=10, callbacks=[lamina.callbacks.CSVLogger("training.log")])
    ```
    """

    _chief_only = True  # under data parallelism only rank 0 writes the file

    def __init__(self, filename, separator=",", append=False):
        super().__init__()
        self.filename = os.fspath(filename)
        self.sep = separator
        self.append = append
        self.keys = None
        self.writer = None
        self.csv_file = None
        self._write_header = True

    def on_train_begin(self, logs=None):
        self._close()
        self._write_header = True
        if self.append and os.path.exists(self.filename):
            with open(self.filename, encoding="utf-8") as f:
                self._write_header = not f.readline()
        self.csv_file = open(self.filename, "a" if self.append else "w", newline="", encoding="utf-8")
        self.keys = None
        self.writer = None

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if self.csv_file is None:  # used outside fit(): open lazily
            self.on_train_begin()
        if self.keys is None:
            self.keys = sorted(logs)
            if self.keys and not any(k.startswith("val_") for k in self.keys):
                self.keys += [f"val_{k}" for k in self.keys]
        if self.writer is None:
            self.writer = csv.writer(self.csv_file, delimiter=self.sep)
            if self._write_header:
                self.writer.writerow(["epoch", *self.keys])
        self.writer.writerow([epoch, *(_cell(logs.get(k, "NA")) for k in self.keys)])
        self.csv_file.flush()

    def on_train_end(self, logs=None):
        self._close()

    def _close(self) -> None:
        if self.csv_file is not None and not self.csv_file.closed:
            self.csv_file.close()
        self.csv_file = None
        self.writer = None


def _cell(value):
    if isinstance(value, str):
        return value
    if getattr(value, "ndim", None) == 0:
        return value.item()
    if hasattr(value, "__iter__"):
        return "[" + ", ".join(map(str, value)) + "]"
    return value
