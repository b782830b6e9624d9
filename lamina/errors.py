"""Named exceptions and warnings whose messages say how to fix the problem."""

from __future__ import annotations

import difflib
import warnings
from typing import Iterable


class LaminaWarning(UserWarning):
    """Base class of every warning lamina itself emits."""


class LaminaDeprecationWarning(LaminaWarning, DeprecationWarning):
    """An old (Keras 1/2) spelling was used; the message names the modern one."""


# Old tutorials are run as scripts and from notebooks: always show each deprecation once
# per call site, whatever the interpreter's default filters say.
warnings.filterwarnings("default", category=LaminaDeprecationWarning)


def deprecated(old: str, new: str, stacklevel: int = 3) -> None:
    """Warn that ``old`` is a Keras 1/2 spelling and ``new`` is what to write instead."""
    warnings.warn(
        f"`{old}` is a Keras 1/2 spelling; lamina accepts it but it is deprecated. "
        f"Write `{new}` instead.",
        LaminaDeprecationWarning,
        stacklevel=stacklevel,
    )


def suggest(name: str, candidates: Iterable[str]) -> str:
    """Return " Did you mean 'x'?" for the closest candidate, or '' if none is close."""
    close = difflib.get_close_matches(str(name).lower(), [c.lower() for c in candidates], n=1, cutoff=0.6)
    if not close:
        return ""
    lookup = {c.lower(): c for c in candidates}
    return f" Did you mean '{lookup[close[0]]}'?"


def unknown_identifier(kind: str, name: str, candidates: Iterable[str]) -> ValueError:
    """The error for an unknown string identifier (optimizer, loss, activation, ...)."""
    candidates = sorted(set(candidates))
    return ValueError(
        f"Unknown {kind} identifier: '{name}'.{suggest(name, candidates)} "
        f"Known {_plural(kind)}: {', '.join(repr(c) for c in candidates)}. "
        f"You can also pass a {kind} object or callable instead of a string."
    )


def _plural(kind: str) -> str:
    return kind + ("es" if kind.endswith("s") else "s")


class ShapeError(ValueError):
    """An input's shape does not fit what a layer or model expects."""


class DataDependentShapeError(ValueError):
    """A layer computes a shape from the data inside a compiled (JAX) step, which XLA cannot do."""


class NotCompiledError(RuntimeError):
    """fit/evaluate/train_on_batch was called on a model that was never compiled."""


class WeightsMismatchError(ValueError):
    """Loading weights found missing, unexpected or wrongly shaped weights (all are listed)."""

    def __init__(self, what: str, problems: list[str], fix: str):
        self.problems = list(problems)
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"{what}: {len(problems)} problem(s):\n{lines}\n{fix}")


class FileFormatError(ValueError):
    """A file is truncated, corrupt, or not the kind of file that was expected."""

    def __init__(self, path, problem: str, fix: str = ""):
        self.path = str(path)
        self.problem, self.fix = problem, fix
        msg = f"Cannot load '{path}': {problem}" if path else f"Cannot load this file: {problem}"
        if fix:
            msg += f" {fix}"
        super().__init__(msg)


class UnsafeLoadError(ValueError):
    """A file asks for something a safe load refuses: code stored in it (a Lambda's bytecode,
    allowed with ``safe_mode=False`` for files you trust), or names, values or sizes a model
    file never legitimately holds (refused whatever ``safe_mode`` says).

    ``path`` is the file when known; the message then starts with ``Cannot load '<path>':``.
    """

    def __init__(self, problem: str, path=None):
        self.path = None if path is None else str(path)
        self.problem = problem
        super().__init__(problem if path is None else f"Cannot load '{path}': {problem}")

    def with_path(self, path) -> "UnsafeLoadError":
        """The same refusal, naming ``path`` (kept as is when it already names a file)."""
        if self.path is not None:
            return self
        err = UnsafeLoadError(self.problem, path)
        err.__cause__ = self.__cause__
        return err
