"""The README's set-up commands work from a bare machine, and CI runs what the README says.

The slow test runs the README's first command word for word (only ``<repository-url>`` is
replaced by this checkout) in an empty folder: clone, a fresh virtual environment without the
system's site-packages, the install, the quickstart.
"""

import ast
import os
import pathlib
import re
import shutil
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def readme_command(heading):
    """The first indented line after the paragraph that starts with ``heading``."""
    lines = README.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(heading))
    return next(line[4:] for line in lines[start + 1:] if line.startswith("    "))


@pytest.mark.parametrize("heading,runs", [
    ("Set up and train a first model", "python examples/quickstart.py"),
    ("Set up and run the tests", "python -m pytest"),
])
def test_readme_commands_start_from_a_bare_machine(heading, runs):
    cmd = readme_command(heading)
    steps = [s.strip() for s in cmd.split("&&")]
    assert steps[0].startswith("git clone ") and steps[1].startswith("cd ")
    assert steps[2].startswith("python3 -m venv ")
    assert steps[3].startswith(". ") and steps[3].endswith("/bin/activate")
    assert re.match(r"python -m pip install torch==[\d.]+ -e ", steps[4])
    assert steps[5] == runs and len(steps) == 6


def test_readme_names_the_cpu_build_index():
    assert "python -m pip install torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu" in README
    assert "CUDA build, with or\nwithout a GPU" in README


def test_ci_reads_its_command_from_the_readme():
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "README.md" in script and "Set up and run the tests" in script
    # What .ci/run derives from the README: the command without its clone/cd prefix.
    cmd = readme_command("Set up and run the tests")
    run = re.sub(r"^git clone [^&]*&& *cd [^&]*&& *", "", cmd)
    assert run.startswith("python3 -m venv .venv && ") and run.endswith("python -m pytest")
    # ... and runs it once per backend: as written (torch), then under JAX.
    assert 'bash -c "$run"' in script and 'LAMINA_BACKEND=jax PYTEST_ADDOPTS="-n 2" bash -c "$run"' in script


@pytest.mark.slow
def test_quickstart_from_readme_in_a_fresh_venv(tmp_path):
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("needs git and a git checkout to clone from")
    cmd = readme_command("Set up and train a first model").replace("<repository-url>", str(ROOT))
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME", "PYTHONSTARTUP")}
    env["PIP_NO_CACHE_DIR"] = "1"
    # python3 must be the system's, not a venv's that CI may have put first on PATH.
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep)
                                  if not (pathlib.Path(p) / "activate").exists())
    check = ("python -c \"import sys, lamina, torch; print('prefix', sys.prefix); "
             "print('lamina', lamina.__file__); print('torch', torch.__version__); "
             "print('site', [p for p in sys.path if 'packages' in p])\"")
    proc = subprocess.run(["bash", "-c", f"{cmd} && {check}"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=1800)
    out = proc.stdout
    assert proc.returncode == 0, (out[-3000:], proc.stderr[-3000:])
    accuracy = float(re.search(r"Test accuracy: ([\d.]+)", out).group(1))
    assert accuracy >= 0.95
    clone = tmp_path / "lamina"
    assert f"prefix {clone / '.venv'}" in out
    assert f"lamina {clone / 'lamina' / '__init__.py'}" in out
    assert re.search(r"torch 2\.13\.0", out)
    # No site-packages but the venv's own: nothing comes from the machine's installation.
    site_line = next(line for line in out.splitlines() if line.startswith("site "))
    assert site_line.count("packages") >= 1
    assert all(p.startswith(str(clone / ".venv")) for p in ast.literal_eval(site_line[5:]))
