"""The package layering a newcomer can draw, checked on module-level imports:

config/errors -> backend -> ops/random -> activations/initializers/regularizers/constraints/losses
-> layers/metrics/optimizers -> models -> training/saving/callbacks/utils/datasets/preprocessing.

A module may import its own level or below at module level; the import graph has no cycles.
"""

import ast
import pathlib

import lamina

ROOT = pathlib.Path(lamina.__file__).parent
RANK = {
    "config": 0, "errors": 0, "backend": 1, "ops": 2, "random": 2, "tree": 2,
    "activations": 3, "initializers": 3, "regularizers": 3, "constraints": 3, "losses": 3,
    "layers": 4, "metrics": 4, "optimizers": 4, "models": 5,
    "training": 6, "saving": 6, "callbacks": 6, "utils": 6, "datasets": 6, "preprocessing": 6,
}
# Leaf helpers with no lamina imports of their own, usable from every level.
FOUNDATION = {"lamina.utils.naming", "lamina.utils.registry", "lamina.tree", "lamina.tree.tree_api"}
# Deliberate, documented exceptions (a higher module that a lower one builds on):
ALLOWED = {
    ("lamina.models.model", "lamina.training.trainer"),  # Model derives from the one Trainer
    ("lamina.layers", "lamina.saving.serialization_lib"),  # keras.layers.serialize/deserialize
}


def _module_name(path):
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for p in ROOT.rglob("*.py")}


def _resolve(name):
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name


def _top_level_imports(path):
    """lamina modules imported when ``path`` is imported (function-level imports excluded)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes = []
    for node in tree.body:
        nodes.extend(n for n in ast.walk(node) if isinstance(n, (ast.Import, ast.ImportFrom))) \
            if isinstance(node, (ast.If, ast.Try)) else nodes.append(node)
    out = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [f"{node.module}.{a.name}" for a in node.names]
        else:
            continue
        out |= {_resolve(n) for n in names if n.startswith("lamina.")}
    return out - {""}


def _edges():
    return {m: _top_level_imports(p) - {m} for m, p in MODULES.items()}


# Keras 2's K.* API is reached lazily through lamina.backend.__getattr__ but is built on ops,
# layers and models: it sits at the top, with the other compatibility modules.
SUBPACKAGE_RANK = {"lamina.backend.legacy": 6}


def _rank(module):
    for prefix, rank in SUBPACKAGE_RANK.items():
        if module == prefix or module.startswith(prefix + "."):
            return rank
    parts = module.split(".")
    return RANK.get(parts[1]) if len(parts) > 1 else None


def test_lower_levels_never_import_higher_ones():
    bad = []
    for mod, deps in _edges().items():
        for dep in deps:
            a, b = _rank(mod), _rank(dep)
            if a is None or b is None or dep in FOUNDATION or (mod, dep) in ALLOWED:
                continue
            if b > a:
                bad.append(f"{mod} (level {a}) imports {dep} (level {b})")
    assert not bad, "layering violations:\n" + "\n".join(sorted(bad))


def test_the_module_import_graph_has_no_cycles():
    edges = _edges()
    # Importing a.b.c runs a/__init__ and a/b/__init__ first: count those as edges too, except a
    # package's own parents (a child module importing its package is ordinary).
    full = {}
    for m, deps in edges.items():
        out = set()
        for d in deps:
            parts = d.split(".")
            out |= {".".join(parts[:i]) for i in range(1, len(parts) + 1)}
        full[m] = {d for d in out if d in MODULES and d != m and not m.startswith(d + ".")}
    state, stack = {}, []

    def visit(v):
        state[v] = 1
        stack.append(v)
        for w in full[v]:
            if state.get(w) == 1:
                raise AssertionError("import cycle: " + " -> ".join(stack[stack.index(w):] + [w]))
            if w not in state:
                visit(w)
        stack.pop()
        state[v] = 2

    for v in sorted(full):
        if v not in state:
            visit(v)


def test_foundation_modules_import_no_higher_lamina_module():
    for mod in FOUNDATION:
        assert all(_rank(d) in (0, None) or d in FOUNDATION for d in _edges()[mod]), mod
