"""One exception hierarchy: every failure allocator raises on purpose is an `AllocatorError`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Issue:
    """One problem in an input: where it is, what value was found, and what is allowed."""

    file: str
    path: str
    value: Any
    problem: str

    def __str__(self) -> str:
        where = f"{self.file}: {self.path}" if self.path else self.file
        shown = _show(self.value)
        return printable(f"{where}{f' = {shown}' if shown else ''}: {self.problem}")


def _show(value: Any) -> str:
    if value is _MISSING:
        return ""
    value = plain(value)
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 80 else text[:77] + "..."


def plain(value: Any) -> Any:
    """`value` with NumPy scalars as Python numbers (so messages show `-5.0`, not
    `np.float64(-5.0)`), inside lists, tuples and mappings too."""
    if isinstance(value, dict):
        return {plain(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(plain(v) for v in value)
    item = getattr(value, "item", None)
    if callable(item) and type(value).__module__ == "numpy":
        try:
            return item()
        except (TypeError, ValueError):
            return value
    return value


_BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f"


def printable(text: str) -> str:
    """`text` safe for a terminal: control characters (an escape sequence that would recolour
    or rewrite the screen, say) and text-reordering marks shown as escapes, newlines kept."""
    if text.isprintable():
        return text
    return "".join(
        ch
        if ch in "\n\t" or (ch.isprintable() and ch not in _BIDI) or ch == " "
        else ascii(ch)[1:-1]
        for ch in text
    )


_MISSING: Any = object()
MISSING = _MISSING
"""Marker for an issue about a value that is absent (a required field, say)."""


class AllocatorError(Exception):
    """Base of every error allocator raises on purpose."""


class InputError(AllocatorError):
    """An instance, model or scenario file that cannot be used, with every problem found in it."""

    def __init__(self, issues: list[Issue]) -> None:
        self.issues = list(issues)
        n = len(self.issues)
        head = f"{n} problem{'s' if n != 1 else ''} in the input:"
        super().__init__("\n".join([head, *(f"  - {i}" for i in self.issues)]))

    def __reduce__(self) -> tuple[type[InputError], tuple[list[Issue]]]:
        """Pickle by the issues (so the error crosses to and from worker processes)."""
        return (type(self), (self.issues,))


class SolverError(AllocatorError):
    """HiGHS failed in a way that is not an answer (a crash, a load error, a bad option)."""


class NumericalError(AllocatorError):
    """A model HiGHS would solve wrongly (a coefficient it drops), refused before solving."""


class HighsWarning(UserWarning):
    """A warning HiGHS printed in its log (large costs, dropped coefficients, ...)."""


class InputWarning(UserWarning):
    """Input that is valid but probably not what was meant: a weight on a KPI that has no
    target in the instance does nothing."""


class NumericalWarning(UserWarning):
    """Figures whose range puts a solve at numerical risk (named by rule and line)."""


class OutputError(AllocatorError):
    """An output that allocator will not write: an input of the run, a folder or device where a
    file is wanted, a folder allocator did not write, a target another run is writing."""


class OutputExistsError(OutputError):
    """The output exists (a file, or a folder with files in it), and replacing it was not
    asked for."""


class NoAllocationError(AllocatorError):
    """Asked for the numbers of a solve that has none (infeasible, unbounded, no incumbent)."""
