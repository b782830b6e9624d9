"""Only lamina/backend/<name>/ may import torch or jax (STYLE practice 5)."""

import ast
import pathlib

import lamina

ROOT = pathlib.Path(lamina.__file__).parent
FORBIDDEN = {"torch", "jax", "jaxlib", "optax", "flax"}


def _imports(path):
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name.split(".")[0], node.lineno
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module.split(".")[0], node.lineno


def test_no_backend_imports_outside_backend_packages():
    offenders = []
    for path in ROOT.rglob("*.py"):
        rel = path.relative_to(ROOT)
        if rel.parts[0] == "backend" and len(rel.parts) > 2:
            continue  # lamina/backend/<name>/...
        for mod, line in _imports(path):
            if mod in FORBIDDEN:
                offenders.append(f"lamina/{rel}:{line} imports {mod}")
    assert not offenders, "backend imports outside lamina/backend/<name>/:\n" + "\n".join(offenders)


def test_the_check_sees_a_violation(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("import torch.nn as nn\nfrom jax import numpy\n")
    assert [m for m, _ in _imports(bad)] == ["torch", "jax"]
