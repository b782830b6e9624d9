"""A bounded fuzz run of the loaders (tests/saving/fuzz_loading.py) in a child process: mutated
.keras/.h5/.weights.h5 files load or raise a lamina error; no other exception, crash (the child
would die), hang (20 s per case) or memory blow-up. For a long run see the script's docstring."""

from __future__ import annotations

import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def test_mutated_files_only_raise_lamina_errors():
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.run([sys.executable, os.path.join(HERE, "fuzz_loading.py"), "--cases", "60",
                           "--seed", "2026"], env=env, cwd=ROOT, capture_output=True, text=True,
                          timeout=600)
    assert proc.returncode == 0, (proc.stdout[-4000:], proc.stderr[-2000:])
    assert "60 cases, 0 failure(s)" in proc.stdout
