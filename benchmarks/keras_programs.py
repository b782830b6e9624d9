"""Wall time of the program corpus (tests/programs) under lamina and under Keras 3 (torch backend).

Each program runs in its own subprocess per framework. Under Keras the source is the same with
the import renamed back (``import lamina as keras`` -> ``import keras``, ``from lamina...`` ->
``from keras...``). The time is that of the program's ``main()`` (training, evaluation, saving),
not of importing the framework; a program Keras 3 cannot run is reported with its error.

Usage: python benchmarks/keras_programs.py [program ...] [--repeat N]
Prints one row per program: lamina seconds, Keras seconds, and keras/lamina (> 1: lamina faster).
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import statistics
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
PROGRAMS = ROOT / "tests" / "programs"

RUNNER = r"""
import importlib.util, json, re, sys, time, types, warnings
warnings.simplefilter("ignore")
name, framework = sys.argv[1], sys.argv[2]
path = f"tests/programs/{name}.py"
source = open(path).read()
if framework == "keras":
    source = re.sub(r"^import lamina as keras$", "import keras", source, flags=re.M)
    source = re.sub(r"^import lamina$", "import keras", source, flags=re.M)
    source = re.sub(r"^from lamina([ .])", r"from keras\1", source, flags=re.M)
module = types.ModuleType(f"tests.programs.{name}")
module.__file__ = path
try:
    exec(compile(source, path, "exec"), module.__dict__)
    start = time.perf_counter()
    losses = module.main()
    seconds = time.perf_counter() - start
    print(json.dumps({"seconds": seconds, "first_loss": float(losses[0]), "last_loss": float(losses[-1])}))
except Exception as e:
    print(json.dumps({"error": f"{type(e).__name__}: {str(e).splitlines()[0][:150] if str(e) else ''}"}))
"""


def run(name: str, framework: str) -> dict:
    env = dict(os.environ, KERAS_BACKEND="torch", PYTHONPATH=str(ROOT), CUDA_VISIBLE_DEVICES="")
    proc = subprocess.run([sys.executable, "-c", RUNNER, name, framework], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=1800)
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith("{"):
            return json.loads(line)
    return {"error": (proc.stderr.strip().splitlines() or ["no output"])[-1][:150]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("programs", nargs="*", help="program names (default: all)")
    parser.add_argument("--repeat", type=int, default=1, help="runs per framework (median)")
    args = parser.parse_args()
    names = args.programs or sorted(p.stem for p in PROGRAMS.glob("*.py")
                                    if not p.stem.startswith(("_", "test_")))
    print(f"{'program':28s} {'lamina s':>9s} {'keras s':>9s} {'keras/lamina':>13s}")
    ratios = []
    for name in names:
        cells = {}
        for framework in ("lamina", "keras"):
            results = [run(name, framework) for _ in range(args.repeat)]
            times = [r["seconds"] for r in results if "seconds" in r]
            cells[framework] = statistics.median(times) if times else results[0]["error"]
        lam, ker = cells["lamina"], cells["keras"]
        if isinstance(lam, float) and isinstance(ker, float):
            ratios.append(ker / lam)
            print(f"{name:28s} {lam:9.2f} {ker:9.2f} {ker / lam:13.2f}", flush=True)
        else:
            lam_s = f"{lam:9.2f}" if isinstance(lam, float) else "    error"
            ker_s = f"{ker:9.2f}" if isinstance(ker, float) else "      n/a"
            note = ker if not isinstance(ker, float) else lam
            print(f"{name:28s} {lam_s} {ker_s} {'':13s}  {note}", flush=True)
    if ratios:
        print(f"\ngeometric mean keras/lamina over {len(ratios)} programs: "
              f"{statistics.geometric_mean(ratios):.2f}  (min {min(ratios):.2f}, max {max(ratios):.2f})")


if __name__ == "__main__":
    main()
