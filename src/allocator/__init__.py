"""allocator: split Korea's national AI budget with LP/MIP under policy rules, and say why.

import allocator
inst = allocator.load_instance("instances/korea-2026.yaml")
res = allocator.solve(inst)            # the instance's default model
res.status, res.objective, res.pillars
"""

from allocator import html, scenarios
from allocator.api import solve, solve_many
from allocator.errors import AllocatorError, InputError, Issue, SolverError
from allocator.results import NoAllocationError, OutputExistsError, Result
from allocator.schema import Instance, ModelSpec, load_instance, load_model, save
from allocator.solve import Status

__version__ = "0.1.0"

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
    "html",
    "load_instance",
    "load_model",
    "save",
    "scenarios",
    "solve",
    "solve_many",
]
