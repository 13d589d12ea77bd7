"""Prioritised goals (lexicographic goal programming) at the solve layer.

The model's priority levels are optimised in order in one HiGHS session: after each level its
optimum is held as a named row, `level_hold[NAME]` (`≤ z* + τ` for a minimising level, `≥ z* − τ`
for a maximising one), and the next level's objective replaces the costs. The held rows are
ordinary rule rows of the built model, so the audit, shadow prices and the checker speak of them
by name; the final answer is the last level's."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Literal

import highspy
import numpy as np

from allocator.formulation import Formulation
from allocator.formulation.model import Linear, Sense
from allocator.formulation.objectives import level_objective
from allocator.solver.compile import Matrix, check_ranges, compile_matrix
from allocator.solver.highs import Solution, SolveOptions, new_highs, solve_session
from allocator.solver.status import Status

HOLD_FAMILY = "level_hold"
TINY = 1e-9


@dataclass(frozen=True)
class LevelOutcome:
    """How one priority level ended: its optimum and the bound later levels were held to."""

    name: str
    priority: int
    """1 for the most important level."""
    sense: Literal["max", "min"]
    status: Status
    optimum: float | None
    held_at: float | None = None
    """The bound of `level_hold[name]` (None for the last level, which is not held)."""
    runtime: float = 0.0


def hold_bound(optimum: float, sense: str, tolerance: float, tolerance_abs: float) -> float:
    """The value a level is held to: its optimum give or take the tolerances (an optimum within
    1e-9 of 0 counts as 0, so HiGHS gets no meaninglessly small bound)."""
    optimum = 0.0 if abs(optimum) < TINY else optimum
    slack = tolerance_abs + tolerance * abs(optimum)
    return optimum + slack if sense == "min" else optimum - slack


LevelSolver = Callable[[Formulation, bool], Solution]
"""Solves the built model as it stands (its costs set to the level's objective); the flag says
whether a held-level row was added since the last call."""


def solve_levels(
    built: Formulation,
    options: SolveOptions | None = None,
    solve_level: LevelSolver | None = None,
    margin: float = 0.0,
    meanwhile: Callable[[], object] | None = None,
) -> tuple[Solution, list[LevelOutcome]]:
    """Optimise the levels of `built.spec` in order; returns the last level's solution (or the
    first that did not reach an optimum, with no allocation) and every level's outcome. By
    default the levels share one HiGHS session; `solve_level` solves them another way (a Pyomo
    solver, `pyomo_solvers.solve_levels_with`), each level held with `margin` (relative) more
    room for a solver that reports its answer less precisely. `meanwhile` runs beside the first
    level's HiGHS run (see `highs.run_highs`)."""
    options = options or SolveOptions()
    step = solve_level or _HighsLevels(options, meanwhile)
    failed = [c.name for c in built.constants if not c.holds]
    if failed:
        return Solution(Status.infeasible, "infeasible before solving", failed_constants=failed), []
    levels = built.spec.levels
    outcomes: list[LevelOutcome] = []
    sol: Solution | None = None
    held: tuple[Linear, Literal["max", "min"]] | None = None
    added = False
    runtime = 0.0
    for k, level in enumerate(levels):
        terms, sense = level_objective(built, level)
        if k > 0:
            assert sol is not None
            assert sol.objective is not None
            assert held is not None
            previous = levels[k - 1]
            room = previous.tolerance_abs + margin * max(1.0, abs(sol.objective))
            bound = hold_bound(sol.objective, held[1], previous.tolerance, room)
            before = built.row_count
            _hold(built, previous.name, held, bound, sol.objective, k, len(levels))
            added = built.row_count > before
            outcomes[-1] = replace(outcomes[-1], held_at=bound)
        linear = Linear.of(terms)
        built.cost = np.zeros(built.columns)
        np.add.at(built.cost, linear.cols, linear.coefs)
        built.sense, built.offset = sense, 0.0
        sol = step(built, added)
        runtime += sol.runtime
        outcomes.append(
            LevelOutcome(level.name, k + 1, sense, sol.status, sol.objective, None, sol.runtime)
        )
        if sol.status != Status.optimal and k < len(levels) - 1:
            return _stopped(sol, level.name), outcomes
        held = (linear, sense)
    assert sol is not None
    sol.runtime = runtime
    return sol, outcomes


class _HighsLevels:
    """The levels in one HiGHS session: the first loads the model, each next one changes the
    costs and adds the held row in place."""

    def __init__(self, options: SolveOptions, meanwhile: Callable[[], object] | None) -> None:
        self.options = options
        self.h: highspy.Highs | None = None
        self.meanwhile = meanwhile

    def __call__(self, built: Formulation, added: bool) -> Solution:
        matrix = compile_matrix(built)
        check_ranges(matrix)
        if self.h is None or matrix.shape[1]:  # the first level, or custom Pyomo rows after holds
            self.h = new_highs(matrix, self.options)
        else:
            _next_level(self.h, matrix, built, added)
        meanwhile, self.meanwhile = self.meanwhile, None  # beside the first level only
        return solve_session(built, matrix, self.h, self.options, meanwhile)


def _hold(
    built: Formulation,
    name: str,
    held: tuple[Linear, Literal["max", "min"]],
    bound: float,
    optimum: float,
    priority: int,
    count: int,
) -> None:
    linear, sense = held
    row_sense: Sense = "<=" if sense == "min" else ">="
    words = "at most" if sense == "min" else "at least"
    built.add(
        HOLD_FAMILY,
        (name,),
        linear,
        row_sense,
        bound,
        level=name,
        text=f"priority level {name} ({priority} of {count}) stays {words} {bound:,.6g} "
        f"(its optimum {optimum:,.6g}, give or take its tolerance) while later levels are "
        "optimised",
        unit="level points",
    )


def _next_level(h: highspy.Highs, matrix: Matrix, built: Formulation, added: bool) -> None:
    """Load the next level into the session: integers restored, new costs, the new hold row."""
    lp = matrix.arrays
    n = lp.num_col_
    if matrix.integer and lp.integrality is not None:
        whole = matrix.whole
        lower, upper = lp.col_lower_, lp.col_upper_
        h.changeColsBounds(len(whole), whole, lower[whole], upper[whole])
        h.changeColsIntegrality(len(whole), whole, lp.integrality[whole])
    h.changeColsCost(n, np.arange(n, dtype=np.int32), lp.col_cost_)
    h.changeObjectiveSense(lp.sense_)
    h.changeObjectiveOffset(0.0)
    log = getattr(h, "allocator_log", None)
    if log is not None:
        log.clear()
    if not added:  # the held level had no decision in it (all weights 0): nothing to hold
        return
    block = built.row_blocks[-1]
    _rows, cols, values = block.entries
    assert block.family == HOLD_FAMILY
    assert len(block.keys) == 1
    index, where = np.unique(np.asarray(cols, dtype=np.int32), return_inverse=True)
    coefs = np.zeros(index.size)
    np.add.at(coefs, where, np.asarray(values, dtype=float))
    inf = highspy.kHighsInf
    rhs = float(block.rhs[0])
    lower_row, upper_row = (-inf, rhs) if block.sense == "<=" else (rhs, inf)
    h.addRow(lower_row, upper_row, int(index.size), index.astype(np.int32), coefs)
    if h.getNumRow() != lp.num_row_:  # pragma: no cover - the compiled rows and the session agree
        raise AssertionError("the session and the compiled model disagree on the rows")


def _stopped(sol: Solution, level: str) -> Solution:
    """A level before the last ended without an optimum: no allocation is an answer."""
    without = {
        Status.time_limit_incumbent: Status.time_limit,
        Status.limit_incumbent: Status.limit,
    }
    status = without.get(sol.status, sol.status)
    return replace(
        sol,
        status=status,
        highs_status=f"priority level {level}: {sol.highs_status}",
        objective=None,
        x=np.zeros(0),
        row_value=np.zeros(0),
        row_dual=None,
    )
