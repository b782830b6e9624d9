"""The live progress bar in a real (pseudo-)terminal of 80 columns shows every metric.

fit runs in a child process whose stdout is a pty of 80x24; what it writes is replayed into a
terminal emulator (pyte), and the test reads the resulting screen as a user would see it.
"""

import fcntl
import json
import os
import pty
import re
import struct
import subprocess
import sys
import termios

import pytest

from lamina.callbacks.progbar_logger import format_value
from lamina.callbacks.progress_display import layout

pyte = pytest.importorskip("pyte")

CHILD = r"""
import json, sys
import numpy as np
import lamina
from lamina.callbacks import ProgbarLogger
ProgbarLogger.refresh_interval = 0.0  # redraw at every step: exercises the cursor movements
rng = np.random.default_rng(0)
x = rng.normal(size=(96, 4)).astype("float32")
y = lamina.utils.to_categorical((x[:, 0] > 0).astype("int64"), 2)
model = lamina.Sequential([lamina.Input((4,)), lamina.layers.Dense(2, activation="softmax")])
model.compile("adam", "categorical_crossentropy", metrics=["accuracy", "mae", "mse"])
h = model.fit(x, y, epochs=2, batch_size=16, validation_split=0.25, verbose=1)
with open(sys.argv[1], "w") as f:
    json.dump(h.history, f)
"""


def run_in_terminal(script, tmp_path, columns=80, rows=24):
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    env["TERM"] = "xterm"
    out_file = tmp_path / "history.json"
    proc = subprocess.Popen([sys.executable, "-c", script, str(out_file)], stdin=slave,
                            stdout=slave, stderr=subprocess.PIPE, env=env, close_fds=True)
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    stderr = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 0, stderr
    # A tall screen, so that nothing scrolls away; the width is what the child was told.
    screen = pyte.Screen(columns, 400)
    stream = pyte.ByteStream(screen)
    stream.feed(b"".join(chunks))  # the pty already turned "\n" into "\r\n"
    lines = [line.rstrip() for line in screen.display]
    while lines and not lines[-1]:
        lines.pop()
    return lines, json.loads(out_file.read_text())


def test_every_metric_is_on_the_80_column_screen(tmp_path):
    lines, history = run_in_terminal(CHILD, tmp_path)
    assert set(history) == {"loss", "accuracy", "mae", "mse",
                            "val_loss", "val_accuracy", "val_mae", "val_mse"}
    epoch_starts = [i for i, line in enumerate(lines) if line in ("Epoch 1/2", "Epoch 2/2")]
    assert len(epoch_starts) == 2, lines
    blocks = [lines[epoch_starts[0] + 1:epoch_starts[1]], lines[epoch_starts[1] + 1:]]
    for epoch, block in enumerate(blocks):
        text = "\n".join(block)
        assert all(len(line) <= 80 for line in block)
        assert block[0].startswith("5/5 [" + "=" * 30 + "]"), block
        for name, values in history.items():
            assert f"{name}: {format_value(values[epoch])}" in text, (name, block)
            # Only the final state is left: the redraws erased what they replaced.
            assert len(re.findall(rf"(?<!\w){name}: ", text)) == 1, (name, block)
        assert len(block) == 3, block  # 8 metrics need two more lines at 80 columns


def test_layout_wraps_between_metrics_and_keeps_the_one_line_form_when_it_fits():
    head = "5/5 [" + "=" * 30 + "] 0s 3ms/step"
    items = [f"{n}: 0.1234" for n in ("loss", "accuracy", "val_loss", "val_accuracy")]
    wrapped = layout(head, items, 79)
    assert wrapped == [head + " - loss: 0.1234",
                       "   - accuracy: 0.1234 - val_loss: 0.1234 - val_accuracy: 0.1234"]
    assert layout(head, items, 200) == [head + "".join(" - " + i for i in items)]
    assert layout(head, items, None) == layout(head, items, 200)
