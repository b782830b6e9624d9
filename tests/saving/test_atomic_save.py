"""A save killed with SIGKILL half-way leaves the previous file intact (write to a temporary
file in the same folder, fsync, os.replace)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

import lamina

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX SIGKILL")

# Saves a ~9 MB model in a loop, each time with all weights set to the loop counter, so a file
# that mixes two saves (or is cut short) is detected.
CHILD = textwrap.dedent("""
    import sys
    import numpy as np
    import lamina
    path, kind = sys.argv[1], sys.argv[2]
    model = lamina.Sequential([lamina.layers.Dense(1024, input_shape=(2048,)), lamina.layers.Dense(256)])
    i = 0
    while True:
        for v in model.weights:
            v.assign(np.full(v.shape, float(i), "float32"))
        if kind == "weights":
            model.save_weights(path)
        else:
            model.save(path)
        i += 1
""")
CASES = [("m.keras", "model"), ("m.h5", "model"), ("m.weights.h5", "weights")]


def _uniform_value(model):
    values = {float(v) for w in model.get_weights() for v in np.unique(w)}
    assert len(values) == 1, f"the file mixes two saves: {sorted(values)[:4]}"
    return values.pop()


def test_sigkill_during_save_leaves_previous_file_loadable(tmp_path):
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    env = dict(os.environ, PYTHONPATH=root + os.pathsep + os.environ.get("PYTHONPATH", ""))
    running = {}
    for i, (name, kind) in enumerate(CASES):
        folder = tmp_path / f"case{i}"
        folder.mkdir()
        running[i] = (folder, name, kind, subprocess.Popen(
            [sys.executable, "-c", CHILD, str(folder / name), kind], stdout=subprocess.DEVNULL, env=env,
            cwd=root))
    results = []
    try:
        deadline = time.time() + 120
        while running and time.time() < deadline:
            for i, (folder, name, kind, proc) in list(running.items()):
                if proc.poll() is not None:
                    raise AssertionError(f"the process saving {name} exited (rc={proc.returncode})")
                files = os.listdir(folder)
                # Kill while a later save is writing its temporary file: the target already
                # holds a complete earlier save.
                if name in files and any(f.endswith(".tmp") for f in files):
                    os.kill(proc.pid, signal.SIGKILL)
                    proc.wait()
                    leftovers = [f for f in os.listdir(folder) if f.endswith(".tmp")]
                    results.append((folder / name, kind, leftovers))
                    del running[i]
            time.sleep(0.001)
    finally:
        for *_, proc in running.values():
            proc.kill()
            proc.wait()
    assert not running, "timed out waiting for the saving processes"
    for path, kind, _ in results:
        if kind == "weights":
            model = lamina.Sequential([lamina.layers.Dense(1024, input_shape=(2048,)), lamina.layers.Dense(256)])
            model.load_weights(path)
        else:
            model = lamina.models.load_model(path)
        _uniform_value(model)
    assert any(left for *_, left in results), (
        "no kill landed during a save (no temporary file left behind): the test proved nothing")
    # The next save to the same target removes what the killed process left behind.
    small = lamina.Sequential([lamina.layers.Dense(2, input_shape=(3,))])
    for path, kind, leftovers in results:
        getattr(small, "save_weights" if kind == "weights" else "save")(path)
        assert not [f for f in os.listdir(path.parent) if f.endswith(".tmp")], leftovers
