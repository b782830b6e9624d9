"""Run a snippet under a chosen backend in a fresh interpreter (lamina picks its backend at import,
so one process cannot hold both) and return what it printed as JSON on its last line."""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[3]


def run(backend: str, code: str, timeout: int = 600) -> dict:
    env = dict(os.environ, LAMINA_BACKEND=backend, PYTHONPATH=str(ROOT), OMP_NUM_THREADS="1",
               MKL_NUM_THREADS="1", JAX_PLATFORMS="cpu")
    proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                          timeout=timeout, cwd=str(ROOT))
    if proc.returncode != 0:
        raise AssertionError(f"the {backend} run failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-6000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])
