"""allocator: split Korea's national AI budget with LP/MIP under policy rules, and say why.

import allocator
inst = allocator.load_instance("instances/korea-2026.yaml")
res = allocator.solve(inst)            # the instance's default model
res.status, res.objective, res.pillars
"""

from __future__ import annotations

import atexit
import gc
import importlib
from typing import TYPE_CHECKING, Any

from allocator import check  # every rule kind has its check, or this import refuses
from allocator.errors import (
    AllocatorError,
    InputError,
    Issue,
    NoAllocationError,
    OutputExistsError,
    SolverError,
)
from allocator.schema import Instance, ModelSpec, load_instance, load_model, save
from allocator.solver.status import Status

if TYPE_CHECKING:
    from allocator.api import evaluate, solve, solve_many, to_pyomo, write_model
    from allocator.results.result import Result

__version__ = "0.1.0"

# At exit the interpreter's last garbage collections walk every object still alive (the lines,
# pandas, numpy and HiGHS's modules): 0.1-0.2 s of a 5,000-line run's process. Frozen at exit,
# they are freed as before, by reference counts and then with the process, without that walk;
# only reference cycles left at exit keep their `__del__` unrun, which Python never promises.
atexit.register(gc.freeze)

# Loaded on first use, so `import allocator` (and `allocator validate`) never loads Pyomo, HiGHS
# or SciPy: attribute -> (module, attribute or None for the module itself).
_LAZY: dict[str, tuple[str, str | None]] = {
    "solve": ("allocator.api", "solve"),
    "evaluate": ("allocator.api", "evaluate"),
    "solve_many": ("allocator.api", "solve_many"),
    "to_pyomo": ("allocator.api", "to_pyomo"),
    "write_model": ("allocator.api", "write_model"),
    "Result": ("allocator.results.result", "Result"),
    "html": ("allocator.report.html", None),
    "excel": ("allocator.report.workbook", None),
    "scenarios": ("allocator.analysis", None),
    "uncertainty": ("allocator.analysis.montecarlo", None),
}


_LAYERS = (
    "formulation",
    "solver",
    "check",
    "words",
    "results",
    "explain",
    "analysis",
    "execute",
    "report",
)
"""Sub-packages reachable as attributes (`allocator.analysis.compare`), loaded on first use."""


def __getattr__(name: str) -> Any:
    if name in _LAYERS:
        _LAZY[name] = (f"allocator.{name}", None)
    if name not in _LAZY:
        raise AttributeError(f"module 'allocator' has no attribute {name!r}")
    module, attribute = _LAZY[name]
    value = importlib.import_module(module)
    found = value if attribute is None else getattr(value, attribute)
    globals()[name] = found
    return found


__all__ = [
    "AllocatorError",
    "InputError",
    "Instance",
    "Issue",
    "ModelSpec",
    "NoAllocationError",
    "OutputExistsError",
    "Result",
    "SolverError",
    "Status",
    "__version__",
    "check",
    "evaluate",
    "load_instance",
    "load_model",
    "save",
    "solve",
    "solve_many",
    "to_pyomo",
    "write_model",
]
