"""The options a caller may give a solve, checked before any solver sees them."""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import Any

from allocator.errors import InputError, Issue

FAST = "highs"
"""The default solver: the rule rows to HiGHS through highspy, not through Pyomo."""


@dataclass(frozen=True)
class SolveOptions:
    """HiGHS options a caller may set; the MIP gap is tight so integer answers are exact enough."""

    time_limit: float | None = None
    mip_gap: float = 1e-7
    """Relative MIP gap (HiGHS's `mip_rel_gap`; its default 1e-4 is far too loose for budgets)."""
    threads: int | None = None
    seed: int = 0
    presolve: bool = True
    highs: tuple[tuple[str, Any], ...] = ()
    """Further HiGHS options by name, e.g. (("mip_max_improving_sols", 1),)."""
    solver: str = "highs"
    """`highs`: the matrix to HiGHS through highspy (the fast path, with duals, ranging and
    IIS); any other name: the complete Pyomo model to that Pyomo solver (`pyomo_solvers`)."""
    solver_options: tuple[tuple[str, Any], ...] = ()
    """Options for a Pyomo solver by its own names, e.g. (("cuts", "off"),) for CBC."""

    def __post_init__(self) -> None:
        """Refuse options HiGHS would refuse (and then ignore): checked before HiGHS sees them."""
        issues = option_problems(self)
        if issues:
            raise InputError(issues)


MAX_SEED = 2**31 - 1
"""HiGHS's `random_seed` is a whole number from 0 to this."""
MAX_THREADS = 1024


def option_problems(options: SolveOptions) -> list[Issue]:
    """What is wrong with the solver options, each named by its API and CLI names."""
    issues: list[Issue] = []

    def bad(name: str, flag: str, value: Any, allowed: str) -> None:
        where = name if flag == name else f"{name} ({flag})"
        issues.append(Issue("solver options", where, value, allowed))

    limit = options.time_limit
    if limit is not None and not (_real(limit) and limit > 0):  # NaN > 0 is false
        bad("time_limit", "--time-limit", limit, "seconds above 0, such as 60 (none: no limit)")
    gap = options.mip_gap
    if not (_real(gap) and 0 <= gap < 1):
        bad("mip_gap", "--mip-gap", gap, "a relative gap from 0 up to (not including) 1, e.g. 1e-7")
    threads = options.threads
    if threads is not None and not (_whole(threads) and 1 <= threads <= MAX_THREADS):
        bad("threads", "threads", threads, f"a whole number from 1 to {MAX_THREADS}")
    if not (_whole(options.seed) and 0 <= options.seed <= MAX_SEED):
        bad("seed", "seed", options.seed, f"a whole number from 0 to {MAX_SEED:,}")
    for name, value in options.highs:
        if not isinstance(name, str) or not name:
            bad("highs_options", "highs_options", name, "HiGHS option names are text")
        elif isinstance(value, float) and not math.isfinite(value) and value == value:
            continue  # an infinite limit is HiGHS's own "no limit"
        elif isinstance(value, float) and value != value:
            bad(f"highs_options.{name}", f"highs_options.{name}", value, "a number, not NaN")
    return issues


def _real(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _whole(value: Any) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)
