"""The README's quickstart and the examples run as scripts and reach their stated accuracy."""

import pathlib
import re
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("script,pattern,minimum", [
    ("quickstart.py", r"Test accuracy: ([\d.]+)", 0.95),
    ("mnist_mlp.py", r"Test accuracy: ([\d.]+)", 0.95),
    ("functional_multi_io.py", r"'digit_accuracy': ([\d.]+)", 0.9),
    pytest.param("image_folder.py", r"Validation accuracy: ([\d.]+)", 0.9, marks=pytest.mark.slow),
])
def test_example_script_runs_and_learns(script, pattern, minimum):
    proc = subprocess.run([sys.executable, str(ROOT / "examples" / script)], capture_output=True,
                          text=True, timeout=600, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr[-3000:]
    match = re.search(pattern, proc.stdout)
    assert match, proc.stdout[-2000:]
    assert float(match.group(1)) >= minimum
