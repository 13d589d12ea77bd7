"""Other solvers through Pyomo: the complete Pyomo model (`Formulation.to_pyomo`) solved by any
solver Pyomo's `SolverFactory` can run — CBC, GLPK, Gurobi, CPLEX, SCIP, Xpress, `appsi_highs` —
its termination mapped to `Status` and its answer read back from the Pyomo variables into the
same `Solution` the HiGHS path makes, so the results layer re-verifies it with the independent
checker like any other.

What only HiGHS gives (duals and ranging, the IIS behind a diagnosis, re-solves in place) is not
there: `Solution.highs` is None and `row_dual` is None, and the results layer says so."""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Iterable
from functools import cache
from io import StringIO
from typing import Any

import numpy as np
import pyomo.environ as pyo
from pyomo.common.log import LoggingIntercept
from pyomo.opt import SolutionStatus, TerminationCondition
from scipy import sparse

from allocator.errors import InputError, Issue
from allocator.formulation import Formulation
from allocator.formulation.pyomo_model import OBJECTIVE, row_components
from allocator.solver.highs import Matrix, Solution, SolveOptions, check_ranges, compile_matrix
from allocator.solver.lexicographic import LevelOutcome, solve_levels
from allocator.solver.options import FAST
from allocator.solver.status import Status

__all__ = ["FAST", "defined", "pyomo_solver", "read_answer", "run_pyomo", "solve_levels_with"]

FEASIBILITY = "_allocator_feasibility"
"""A zero objective put on the Pyomo model for a moment to ask only whether it is feasible."""

GAP_OPTION = {
    "cbc": "ratioGap",
    "glpk": "mipgap",
    "appsi_highs": "mip_rel_gap",
    "gurobi": "MIPGap",
    "gurobi_direct": "MIPGap",
    "gurobi_persistent": "MIPGap",
    "cplex": "mip_tolerances_mipgap",
    "cplex_direct": "mip_tolerances_mipgap",
    "scip": "limits/gap",
    "xpress": "miprelstop",
    "xpress_direct": "miprelstop",
}
"""Each known solver's option for the relative MIP gap (others get no gap option: pass it in
`solver_options` by the solver's own name)."""

DEFAULT_OPTIONS: dict[str, dict[str, Any]] = {"glpk": {"nopresol": ""}}
"""Options set unless `solver_options` says otherwise: glpsol's presolver cannot tell an
infeasible LP from a failure ("unable to recover undefined or non-optimal solution")."""

INSTALL = {
    "cbc": "on Debian: apt-get install coinor-cbc (`make test` does it)",
    "glpk": "on Debian: apt-get install glpk-utils (`make test` does it)",
    "appsi_highs": "pip install highspy",
}
LOOKED_FOR = ("cbc", "glpk", "appsi_highs", "gurobi", "cplex", "scip", "xpress")
"""Solvers named when a solver is missing, if they can run here."""

_TC = TerminationCondition
_TERMINATION = {
    _TC.optimal: Status.optimal,
    _TC.globallyOptimal: Status.optimal,
    _TC.locallyOptimal: Status.optimal,
    _TC.infeasible: Status.infeasible,
    _TC.unbounded: Status.unbounded,
    _TC.infeasibleOrUnbounded: Status.infeasible_or_unbounded,
    _TC.maxTimeLimit: Status.time_limit,
    _TC.maxIterations: Status.limit,
    _TC.maxEvaluations: Status.limit,
    _TC.minFunctionValue: Status.limit,
    _TC.minStepLength: Status.limit,
    _TC.feasible: Status.limit,
    _TC.intermediateNonInteger: Status.limit,
    _TC.userInterrupt: Status.interrupted,
    _TC.resourceInterrupt: Status.interrupted,
}
_WITH_POINT = {
    SolutionStatus.optimal,
    SolutionStatus.globallyOptimal,
    SolutionStatus.locallyOptimal,
    SolutionStatus.feasible,
    SolutionStatus.stoppedByLimit,
    SolutionStatus.bestSoFar,
}
STOPS_AT_GAP = {"glpk"}
"""Solvers whose MIP search, stopped by the gap tolerance, reports only a "feasible" point and
no bound (glpsol: "RELATIVE MIP GAP TOLERANCE REACHED"; a time limit is reported as such): that
point is optimal within the gap asked for, and that gap is what is reported."""
_INCUMBENT = {Status.time_limit: Status.time_limit_incumbent, Status.limit: Status.limit_incumbent}
PRECISION = {"cbc": 1e-7}
"""Relative precision of a solver's answer as Pyomo reads it back, where it is coarse: CBC
writes its solution file with 8 significant digits, so its held priority levels get this much
more room (others are read at full precision)."""
VIOLATION = 1e-6
"""A constraint of one's own counts as broken beyond this share of its bound (at least 1)."""


def _quiet() -> LoggingIntercept:
    """Pyomo's log of a solver run (tracebacks of a failed lookup, load warnings), kept off the
    console: what matters reaches the caller as a status or an error."""
    return LoggingIntercept(StringIO(), "pyomo", logging.WARNING)


def pyomo_solver(name: str) -> Any:
    """Pyomo's solver `name`, refused with the reason and the fix when it cannot run here."""
    with _quiet():
        opt = pyo.SolverFactory(name)
        runs = bool(opt.available(exception_flag=False))
    if runs:
        return opt
    known = type(opt).__name__ != "UnknownSolver"
    here = [n for n in LOOKED_FOR if n != name and _runs(n)]
    what = (
        f"Pyomo knows {name} but cannot run it here ({INSTALL.get(name, 'not installed')})"
        if known
        else f"Pyomo knows no solver named {name!r}"
    )
    choices = ", ".join([f"{FAST} (the default)", *here])
    raise InputError([Issue("solver", "", name, f"{what}; solvers that run here: {choices}")])


def _runs(name: str) -> bool:
    with _quiet():
        return bool(pyo.SolverFactory(name).available(exception_flag=False))


def run_pyomo(built: Formulation, options: SolveOptions) -> Solution:
    """Solve the complete Pyomo model of `built` with the Pyomo solver `options.solver` and read
    the answer back by column (a MIP's integers are then fixed and its LP re-solved, as on the
    HiGHS path, so a dropped line gets exactly 0)."""
    failed = [c.name for c in built.constants if not c.holds]
    if failed:
        return Solution(Status.infeasible, "infeasible before solving", failed_constants=failed)
    matrix = compile_matrix(built)
    check_ranges(matrix)
    m = built.to_pyomo()
    opt = pyomo_solver(options.solver)
    settings = DEFAULT_OPTIONS.get(options.solver, {}) | dict(options.solver_options)
    gap_name = GAP_OPTION.get(options.solver)
    if matrix.integer and gap_name is not None:
        settings.setdefault(gap_name, options.mip_gap)
    started = time.perf_counter()
    results = _solve(opt, m, options, settings)
    runtime = time.perf_counter() - started
    sol = read_answer(built, results, options, runtime, matrix)
    if sol.status in (Status.unbounded, Status.infeasible_or_unbounded):
        sol.status = _unbounded_or_infeasible(opt, m, options, settings)
    if sol.status.has_allocation and matrix.integer:
        _fix_integers_and_resolve(built, opt, m, options, settings, sol)
    sol.runtime = time.perf_counter() - started
    return sol


def _unbounded_or_infeasible(
    opt: Any, m: Any, options: SolveOptions, settings: dict[str, Any]
) -> Status:
    """Tell an unbounded model from an infeasible one by solving for feasibility alone (a zero
    objective cannot be unbounded), as the HiGHS path does. Pyomo's GLPK reader also calls a
    basic solution with no primal feasible point "unbounded"; this catches that too."""
    objective = m.component(OBJECTIVE)
    objective.deactivate()
    m.add_component(FEASIBILITY, pyo.Objective(expr=0.0))
    try:
        term = _solve(opt, m, options, settings).solver.termination_condition
    finally:
        m.del_component(FEASIBILITY)
        objective.activate()
    if term == _TC.optimal:
        return Status.unbounded
    if term in (_TC.infeasible, _TC.unbounded, _TC.infeasibleOrUnbounded):
        return Status.infeasible
    return Status.infeasible_or_unbounded


def _solve(opt: Any, m: Any, options: SolveOptions, settings: dict[str, Any]) -> Any:
    for key, value in settings.items():
        opt.options[key] = value
    limit = options.time_limit
    if limit is not None and options.solver == "glpk":
        limit = max(1, math.ceil(limit))  # glpsol takes whole seconds
    with _quiet():
        return opt.solve(m, load_solutions=False, timelimit=limit)


def read_answer(
    built: Formulation,
    results: Any,
    options: SolveOptions,
    runtime: float = 0.0,
    matrix: Matrix | None = None,
) -> Solution:
    """A Pyomo solver's `results` for the model of `built` as a `Solution`: the termination as a
    `Status`, and, when there is an answer, the values loaded into the Pyomo variables and read
    back by column, with each row's activity and the constraints of one's own it breaks."""
    matrix = matrix or compile_matrix(built)
    solver = results.solver
    term = solver.termination_condition
    status = _TERMINATION.get(term, Status.error)
    limit = options.time_limit
    if status in (Status.infeasible, Status.limit) and limit is not None and runtime >= limit:
        status = Status.time_limit  # CBC calls a run its time limit cut short "infeasible"
    points = [s for s in results.solution if s.status in _WITH_POINT]
    # `SolverFactory(...).solve(m)` loads the answer into the variables and empties the list
    loaded = not len(results.solution) and any(v.value is not None for v in _variables(built))
    within_gap = term == _TC.feasible and matrix.integer and options.solver in STOPS_AT_GAP
    if within_gap:
        status = Status.optimal
    elif status in _INCUMBENT and (points or loaded):
        status = _INCUMBENT[status]
    if status == Status.optimal and not (points or loaded):
        status = Status.error
    words = defined(getattr(solver, "termination_message", None)) or str(term)
    sol = Solution(status, f"{options.solver}: {words}", runtime=runtime, is_mip=matrix.integer)
    sol.matrix, sol.options, sol.solver = matrix, options, options.solver
    sol.solver_version = _version(options.solver)
    if not status.has_allocation:
        return sol
    m = built.model
    if points:
        with _quiet():
            m.solutions.load_from(results)
    _read_values(built, m, sol)
    bound = results.problem.upper_bound if built.sense == "max" else results.problem.lower_bound
    sol.bound = float(bound) if bound is not None and math.isfinite(float(bound)) else None
    if not matrix.integer:
        sol.bound, sol.gap = sol.objective, 0.0
    elif within_gap:
        sol.gap = options.mip_gap
    else:
        _set_gap(sol)
    return sol


def _read_values(built: Formulation, m: Any, sol: Solution) -> None:
    """Column values from the Pyomo variables (a variable the solver never saw sits at the value
    nearest 0 its bounds allow), the rows' activity, the objective and one's own violations."""
    variables = _variables(built)
    x = np.zeros(len(variables))
    for j, var in enumerate(variables):
        if var.value is not None:
            x[j] = float(var.value)
        else:
            x[j] = min(max(0.0, built.lower[j]), built.upper[j])
    sol.x = x
    assert sol.matrix is not None
    a = sol.matrix.lp.a_matrix_
    shape = (sol.matrix.lp.num_row_, sol.matrix.lp.num_col_)
    csc = sparse.csc_array((a.value_, a.index_, a.start_), shape=shape)
    sol.row_value = np.asarray(csc @ x, dtype=float)
    sol.objective = float(np.dot(built.cost, x) + built.offset)
    sol.custom_violations = list(_broken(built, m))


def _variables(built: Formulation) -> list[Any]:
    return [block.component[key] for block in built.blocks for key in block.keys]


def defined(text: Any) -> str:
    """A field of Pyomo's results as text, empty where Pyomo left it undefined."""
    return "" if text is None or str(text) == "<undefined>" else str(text)


def _broken(built: Formulation, m: Any) -> Iterable[tuple[str, str, float]]:
    """Constraints of one's own (not made from the rule rows) that the loaded answer breaks: the
    constraint's name, the sentence and by how much (in the constraint's own terms)."""
    made = {id(c) for c in row_components(built)}
    for con in m.component_data_objects(pyo.Constraint, active=True):
        if id(con.parent_component()) in made:
            continue
        body = pyo.value(con.body, exception=False)
        if body is None:
            continue
        for bound, over in ((con.lb, False), (con.ub, True)):
            if bound is None:
                continue
            miss = (body - bound) if over else (bound - body)
            if miss > VIOLATION * max(1.0, abs(bound)):
                side = "at most" if over else "at least"
                yield (
                    con.name,
                    f"{con.name}: {body:,.6g} where it must be {side} {bound:,.6g}",
                    miss,
                )


def _set_gap(sol: Solution) -> None:
    if sol.bound is None or sol.objective is None:
        sol.gap = None
        return
    diff = abs(sol.objective - sol.bound)
    sol.gap = (
        0.0 if diff <= 1e-9 * max(1.0, abs(sol.objective)) else diff / max(abs(sol.objective), 1e-9)
    )


def _fix_integers_and_resolve(
    built: Formulation,
    opt: Any,
    m: Any,
    options: SolveOptions,
    settings: dict[str, Any],
    sol: Solution,
) -> None:
    """Fix a MIP answer's integers at their rounded values and re-solve the LP with the same
    solver; its values replace the MIP's when it is optimal."""
    variables = _variables(built)
    whole = [var for var, integer in zip(variables, built.integer, strict=True) if integer]
    for var in whole:
        var.fix(round(var.value or 0.0))
    try:
        results = _solve(opt, m, options, settings)
        term = results.solver.termination_condition
        if term == _TC.optimal and len(results.solution):
            with _quiet():
                m.solutions.load_from(results)
            _read_values(built, m, sol)
            if sol.bound is not None:
                _set_gap(sol)
    except Exception:  # the MIP's own answer stands; the checker judges it
        pass
    finally:
        for var in whole:
            var.unfix()


@cache
def _version(name: str) -> str:
    try:
        with _quiet():
            found = pyo.SolverFactory(name).version()
    except Exception:  # a version is a courtesy in the manifest
        return ""
    return ".".join(str(part) for part in found) if found else ""


def solve_levels_with(
    built: Formulation, options: SolveOptions
) -> tuple[Solution, list[LevelOutcome]]:
    """A prioritised-goals model level by level with a Pyomo solver (each level held as a named
    row of the Pyomo model, as in the HiGHS session)."""

    def step(b: Formulation, _added: bool) -> Solution:
        return run_pyomo(b, options)

    return solve_levels(built, options, step, margin=PRECISION.get(options.solver, 0.0))
