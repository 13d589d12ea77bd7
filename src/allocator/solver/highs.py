"""Solve layer: Pyomo's standard-form compiler turns the built model into one matrix, HiGHS solves
it through highspy, and HiGHS's own model status is mapped to one `Status` enum.

The matrix is handed over with a single `passModel`: Pyomo's HiGHS interfaces add rows one by one
(slow at scale) and hide HiGHS's status, duals, IIS and ranging, which the analysis layer needs."""

from __future__ import annotations

import math
import os
import sys
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import highspy
import numpy as np

from allocator.errors import HighsWarning, SolverError
from allocator.formulation import Formulation
from allocator.solver.compile import Matrix, check_ranges, compile_matrix, with_columns
from allocator.solver.options import SolveOptions
from allocator.solver.runner import run_in_thread
from allocator.solver.status import Status

_MS = highspy.HighsModelStatus
_STATUS = {
    _MS.kOptimal: Status.optimal,
    _MS.kModelEmpty: Status.optimal,
    _MS.kInfeasible: Status.infeasible,
    _MS.kUnbounded: Status.unbounded,
    _MS.kUnboundedOrInfeasible: Status.infeasible_or_unbounded,
    _MS.kTimeLimit: Status.time_limit,
    _MS.kIterationLimit: Status.limit,
    _MS.kSolutionLimit: Status.limit,
    _MS.kObjectiveBound: Status.limit,
    _MS.kObjectiveTarget: Status.limit,
    _MS.kInterrupt: Status.interrupted,
}
_WITH_INCUMBENT = {
    Status.time_limit: Status.time_limit_incumbent,
    Status.limit: Status.limit_incumbent,
}


@dataclass
class Solution:
    """HiGHS's answer mapped back to the model's names."""

    status: Status
    highs_status: str
    objective: float | None = None
    bound: float | None = None
    gap: float | None = None
    """Relative gap between the objective and the best bound (0 for an LP)."""
    runtime: float = 0.0
    is_mip: bool = False
    x: np.ndarray = field(default_factory=lambda: np.zeros(0))
    """Variable values by column number, for a solve that has an allocation."""
    row_value: np.ndarray = field(default_factory=lambda: np.zeros(0))
    row_dual: np.ndarray | None = None
    dual_objective: float | None = None
    failed_constants: list[str] = field(default_factory=list)
    options: SolveOptions = field(default_factory=lambda: SolveOptions(), repr=False)
    matrix: Matrix | None = field(default=None, repr=False)
    highs: Any = field(default=None, repr=False)
    """The HiGHS session after the solve (for a MIP, the LP with its integer decisions fixed)."""
    solver: str = "highs"
    """The solver that answered: `highs` (this module), or a Pyomo solver's name."""
    solver_version: str = ""
    custom_violations: list[tuple[str, str, float]] = field(default_factory=list)
    """Constraints of one's own on the Pyomo model that the answer breaks (Pyomo solvers): name,
    sentence and by how much."""

    @cached_property
    def activity(self) -> dict[str, float]:
        """Each row's left-hand side at the answer, by constraint name."""
        if self.matrix is None or not self.row_value.size:
            return {}
        return dict(zip(self.matrix.rows, self.row_value.tolist(), strict=True))

    @cached_property
    def duals(self) -> dict[str, float]:
        """Row duals by constraint name (LP, or a MIP's LP with its integer decisions fixed): the
        objective's change per unit of right-hand side."""
        if self.matrix is None or self.row_dual is None:
            return {}
        return dict(zip(self.matrix.rows, self.row_dual.tolist(), strict=True))

    def value(self, column: int) -> float:
        """The value of the variable in column `column`."""
        return float(self.x[column])


_banner_silenced = False


def _highs() -> highspy.Highs:
    """A HiGHS session that logs to a list, not the console (the first construction in a process
    prints a banner, kept off stdout). `h.allocator_log` holds HiGHS's warnings and errors."""
    global _banner_silenced
    if _banner_silenced:
        h = highspy.Highs()
    else:
        sys.stdout.flush()
        saved = os.dup(1)
        try:
            with open(os.devnull, "w") as null:
                os.dup2(null.fileno(), 1)
                h = highspy.Highs()
        finally:
            os.dup2(saved, 1)
            os.close(saved)
        _banner_silenced = True
    set_option(h, "log_to_console", False)
    log: list[str] = []
    serious = (highspy.HighsLogType.kWarning, highspy.HighsLogType.kError)

    def keep(event: Any) -> None:
        if event.data_out.log_type in serious:
            log.append(event.message.strip())

    h.cbLogging += keep
    h.allocator_log = log  # type: ignore[attr-defined]
    return h


def new_highs(matrix: Matrix, options: SolveOptions) -> highspy.Highs:
    """A HiGHS session loaded with `matrix` and `options`, ready to run."""
    h = _highs()
    _set_options(h, options)
    if matrix.pass_to(h) == highspy.HighsStatus.kError:
        log = "; ".join(getattr(h, "allocator_log", [])) or "no detail in its log"
        raise SolverError(f"HiGHS refused the model: {log}")
    return h


def run_highs(
    built: Formulation,
    options: SolveOptions | None = None,
    meanwhile: Callable[[], object] | None = None,
) -> Solution:
    """Solve the built model with HiGHS and read back status, values, duals and gap.
    `meanwhile` runs in this thread while HiGHS solves in its own (the GIL is free then): work
    the answer will need that does not depend on it, such as loading modules."""
    options = options or SolveOptions()
    failed = [c.name for c in built.constants if not c.holds]
    if failed:
        return Solution(Status.infeasible, "infeasible before solving", failed_constants=failed)
    matrix = compile_matrix(built)
    check_ranges(matrix)
    h = new_highs(matrix, options)
    matrix.release(h)  # HiGHS holds the model now: no second copy of the matrix here
    return solve_session(built, matrix, h, options, meanwhile)


def solve_session(
    built: Formulation,
    matrix: Matrix,
    h: highspy.Highs,
    options: SolveOptions,
    meanwhile: Callable[[], object] | None = None,
) -> Solution:
    """Run a HiGHS session already loaded with `matrix` and read the answer back."""
    clock = h.getRunTime()  # HiGHS's own clock of its runs: `meanwhile` is not counted
    _run(h, meanwhile)
    status = h.getModelStatus()
    if status == _MS.kUnboundedOrInfeasible:
        status = _resolve_infeasible_or_unbounded(h, matrix)
    runtime = h.getRunTime() - clock
    for message in getattr(h, "allocator_log", []):
        warnings.warn(HighsWarning(message), stacklevel=2)
    mapped = _STATUS.get(status, Status.error)
    info = h.getInfo()
    has_point = info.primal_solution_status == highspy.SolutionStatus.kSolutionStatusFeasible
    if mapped in _WITH_INCUMBENT and has_point:
        mapped = _WITH_INCUMBENT[mapped]
    sol = Solution(mapped, h.modelStatusToString(status), runtime=runtime, is_mip=matrix.integer)
    sol.matrix, sol.highs, sol.options = matrix, h, options
    if not mapped.has_allocation:
        return sol
    solution = h.getSolution()
    col_value = np.asarray(solution.col_value, dtype=float)
    sol.x = col_value
    sol.row_value = np.asarray(solution.row_value, dtype=float)
    sol.objective = float(info.objective_function_value)
    if matrix.integer:
        sol.bound = float(info.mip_dual_bound)
        resolved = _fix_integers_and_resolve(h, matrix, col_value)
        if resolved is not None:
            solution = resolved
            sol.x = np.asarray(solution.col_value, dtype=float)
            sol.row_value = np.asarray(solution.row_value, dtype=float)
            sol.objective = float(h.getInfo().objective_function_value)
        sol.gap = _relative_gap(sol.objective, sol.bound)
    else:
        sol.bound, sol.gap = sol.objective, 0.0
    if solution.dual_valid:
        sol.row_dual = np.asarray(solution.row_dual, dtype=float)
        lp = h.getLp() if matrix.integer else matrix.arrays  # a MIP's LP has its integers fixed
        col_dual = np.asarray(solution.col_dual, dtype=float)
        sol.dual_objective = dual_objective(lp, sol.row_dual, col_dual, built.sense == "max")
    return sol


def prepared(built: Formulation, rows: Matrix | None = None, sides: bool = False) -> Matrix:
    """`built`'s matrix, its figures checked, ready for `Resolver.solve(ready=...)`: compiled, or
    made from `rows` as `Resolver.solve` makes it. A batch makes the next point's while HiGHS
    solves this one."""
    matrix = compile_matrix(built) if rows is None else with_columns(rows, built, sides)
    check_ranges(matrix)
    return matrix


class Resolver:
    """Re-solve one model shape many times in one HiGHS session (sweeps, what-ifs).

    Each point is built as usual (so names, checks and explanations stay exact); what differs from
    the loaded model — costs, bounds, right-hand sides, coefficients — is changed in place, and
    HiGHS starts from the previous basis (`warm=True`) or from scratch. A point whose shape
    differs (rows or columns added or removed) is loaded afresh."""

    def __init__(self, options: SolveOptions | None = None, warm: bool = False) -> None:
        self.options = options or SolveOptions()
        self.warm = warm
        self.h: Any = None
        self.loaded: Matrix | None = None
        self._held: tuple[np.ndarray, ...] = ()
        """Copies of the loaded model's costs and bounds as the session holds them (what the
        next point is compared with: callers' arrays may change in place)."""
        self.reloads = 0
        self._built: Formulation | None = None

    def solve(
        self,
        built: Formulation,
        rows: Matrix | None = None,
        meanwhile: Callable[[], object] | None = None,
        sides: bool = False,
        ready: Matrix | None = None,
    ) -> Solution:
        """Solve `built`, reusing the session when its shape matches the loaded model. `rows`: a
        matrix compiled from a formulation with the same rows as `built` (the one `built` is a
        copy of, with column bounds of its own, or `built` itself; see `compiled`), whose rows
        are taken as they are — with `sides`, but for their right-hand sides — and only `built`'s
        columns read (`compile.with_columns`); else `built` is compiled. `ready`: `built`'s
        matrix made beforehand (`prepared`), taken as it is. `meanwhile`: as for
        `run_highs`."""
        failed = [c.name for c in built.constants if not c.holds]
        if failed:
            return Solution(Status.infeasible, "infeasible before solving", failed_constants=failed)
        matrix = ready or prepared(built, rows, sides)
        if self.loaded is None or not self._update(matrix):
            self.h = new_highs(matrix, self.options)
            self.reloads += 1
        elif not self.warm:
            self.h.clearSolver()
        self.loaded, self._built = matrix, built
        a = matrix.arrays
        held = (a.col_cost_, a.col_lower_, a.col_upper_, a.row_lower_, a.row_upper_)
        self._held = tuple(np.array(part, dtype=float) for part in held)
        return self._session(built, matrix, meanwhile)

    def compiled(self, built: Formulation) -> Matrix | None:
        """The matrix this session compiled for `built` at its last solve, if that was of
        `built` (None when it was of another formulation, or `built` failed before solving)."""
        return self.loaded if self._built is built else None

    def solve_objective(self, built: Formulation) -> Solution:
        """Solve `built` again when only its objective (cost, sense, offset) changed since this
        session last solved that same `built`: the objective is changed in place, nothing is
        compiled again (near-optimal ranges: two solves per line). Anything else: `solve`."""
        matrix = self.loaded
        if matrix is None or self._built is not built or matrix.arrays.num_col_ != built.columns:
            return self.solve(built)
        arrays, n = matrix.arrays, matrix.arrays.num_col_
        cost = np.asarray(built.cost, dtype=float)
        maximize = built.sense == "max"
        self.h.changeColsCost(n, np.arange(n, dtype=np.int32), cost)
        self.h.changeObjectiveOffset(float(built.offset))
        if arrays.maximize != maximize:
            arrays.maximize = maximize
            self.h.changeObjectiveSense(arrays.sense_)
        arrays.col_cost_, arrays.offset_ = cost, float(built.offset)
        self._held = (cost.copy(), *self._held[1:])
        if not self.warm:
            self.h.clearSolver()
        return self._session(built, matrix)

    def _session(
        self, built: Formulation, matrix: Matrix, meanwhile: Callable[[], object] | None = None
    ) -> Solution:
        try:
            sol = solve_session(built, matrix, self.h, self.options, meanwhile)
        except BaseException:
            self.loaded = None  # stopped midway (HiGHS keeps a stop asked for): a new session next
            raise
        if sol.status == Status.interrupted:
            self.loaded = None
        if matrix.integer:
            self._restore_integers(matrix)
        sol.highs = None  # the session moves on with the next point
        return sol

    def _update(self, new: Matrix) -> bool:
        old, h = self.loaded, self.h
        assert old is not None
        a, b = old.arrays, new.arrays
        (a_start, a_index, a_value), (b_start, b_index, b_value) = a.columns(), b.columns()
        same = (
            a.num_col_ == b.num_col_
            and a.num_row_ == b.num_row_
            and old.shape == new.shape
            and np.array_equal(_kinds(a), _kinds(b))
            and np.array_equal(a_start, b_start)
            and np.array_equal(a_index, b_index)
        )
        if not same:
            return False
        # only what differs from the loaded model as the session holds it (a MIP's fixed
        # integers are put back after each solve): a Monte Carlo sample moves a few budgets, and
        # HiGHS took 1.5 ms a point to take every bound again at 300 lines. Stopped midway, the
        # session is no longer the loaded model: a new one next time.
        self.loaded = None
        cost_, lower, upper, row_lower, row_upper = self._held
        cost = _moved(cost_, b.col_cost_)
        if cost.size:
            h.changeColsCost(cost.size, cost, b.col_cost_[cost])
        cols = _moved(lower, b.col_lower_, upper, b.col_upper_)
        if cols.size:
            h.changeColsBounds(cols.size, cols, b.col_lower_[cols], b.col_upper_[cols])
        rows = _moved(row_lower, b.row_lower_, row_upper, b.row_upper_)
        if rows.size:
            h.changeRowsBounds(rows.size, rows, b.row_lower_[rows], b.row_upper_[rows])
        h.changeObjectiveOffset(float(b.offset_))
        if a.maximize != b.maximize:  # near-optimal ranges turn between min and max
            h.changeObjectiveSense(b.sense_)
        changed = np.flatnonzero(a_value != b_value)
        if changed.size:
            at = np.searchsorted(b_start, changed, side="right") - 1
            for row, col, value in zip(
                b_index[changed].tolist(), at.tolist(), b_value[changed].tolist(), strict=True
            ):
                h.changeCoeff(row, col, value)
        return True

    def _restore_integers(self, matrix: Matrix) -> None:
        whole, kinds = matrix.whole, matrix.arrays.integrality
        assert kinds is not None
        lower, upper = matrix.arrays.col_lower_, matrix.arrays.col_upper_
        self.h.changeColsBounds(len(whole), whole, lower[whole], upper[whole])
        self.h.changeColsIntegrality(len(whole), whole, kinds[whole])


def _moved(*pairs: np.ndarray) -> np.ndarray:
    """The positions (int32) where any `before, after` pair of arrays differs."""
    moved = np.zeros(len(pairs[0]), dtype=bool)
    for before, after in zip(pairs[::2], pairs[1::2], strict=True):
        moved |= np.asarray(before) != np.asarray(after)
    return np.flatnonzero(moved).astype(np.int32)


def _kinds(arrays: Any) -> np.ndarray:
    kinds = arrays.integrality
    return np.zeros(0, dtype=np.int32) if kinds is None else kinds


def _fix_integers_and_resolve(h: highspy.Highs, matrix: Matrix, x: np.ndarray) -> Any | None:
    """Re-solve a MIP's LP with its integer decisions fixed at their rounded values.

    This cleans the integrality tolerance out of the money (a dropped line gets exactly 0) and
    gives duals that hold for the chosen projects. None when the fixed LP is not optimal."""
    fixed = matrix.whole
    values = np.round(x[fixed])
    h.changeColsBounds(len(fixed), fixed, values, values)
    continuous = np.full(len(fixed), int(highspy.HighsVarType.kContinuous), dtype=np.uint8)
    h.changeColsIntegrality(len(fixed), fixed, continuous)
    _run(h)
    if h.getModelStatus() != _MS.kOptimal:
        return None
    return h.getSolution()


def _run(h: highspy.Highs, meanwhile: Callable[[], object] | None = None) -> None:
    """Run HiGHS in a thread of its own so that Ctrl-C stops the solve cleanly (status
    interrupted), `meanwhile` in this one; the thread is kept for the next run
    (`allocator.solver.runner`)."""
    run_in_thread(h, meanwhile)


def _resolve_infeasible_or_unbounded(h: highspy.Highs, matrix: Matrix) -> Any:
    """Tell infeasible from unbounded: without presolve, then, if HiGHS still cannot say, by
    checking feasibility alone (a zero objective)."""
    set_option(h, "presolve", "off")
    h.clearSolver()
    _run(h)
    status = h.getModelStatus()
    if status != _MS.kUnboundedOrInfeasible:
        return status
    probe = new_highs(matrix, SolveOptions(presolve=False))
    n = matrix.arrays.num_col_
    probe.changeColsCost(n, np.arange(n, dtype=np.int32), np.zeros(n))
    _run(probe)
    feasible = probe.getModelStatus() == _MS.kOptimal
    return _MS.kUnbounded if feasible else _MS.kInfeasible


def _set_options(h: highspy.Highs, options: SolveOptions) -> None:
    """Set the options on a session; an option HiGHS refuses is an error, never ignored."""
    chosen: list[tuple[str, Any]] = []
    if options.time_limit is not None:
        chosen.append(("time_limit", float(options.time_limit)))
    chosen += [("mip_rel_gap", float(options.mip_gap)), ("random_seed", int(options.seed))]
    if options.threads is not None:
        chosen.append(("threads", int(options.threads)))
    if not options.presolve:
        chosen.append(("presolve", "off"))
    for name, value in [*chosen, *options.highs]:
        set_option(h, name, value)


def set_option(h: highspy.Highs, name: str, value: Any) -> None:
    """One HiGHS option; raises `SolverError` when HiGHS does not accept it as given."""
    if h.setOptionValue(name, value) != highspy.HighsStatus.kOk:
        raise SolverError(
            f"HiGHS refused option {name}={value!r} (unknown name, wrong type or out of range)"
        )


def _relative_gap(objective: float, bound: float) -> float:
    if not math.isfinite(bound):
        return math.inf
    return abs(objective - bound) / max(abs(objective), 1e-9) if objective != bound else 0.0


def dual_objective(lp: Any, row_dual: Any, col_dual: Any, maximize: bool) -> float:
    """The LP's dual objective, from row and column duals and the bounds their signs select.

    HiGHS's `getDualObjectiveValue` returns only a status from Python, so it is computed here
    (from the duals already read: highspy copies a solution vector into a new list each time
    it is asked for)."""
    sign = -1.0 if maximize else 1.0
    total = float(lp.offset_)
    for duals, lower, upper in (
        (row_dual, lp.row_lower_, lp.row_upper_),
        (col_dual, lp.col_lower_, lp.col_upper_),
    ):
        y = np.asarray(duals, dtype=float)
        lo, hi = np.asarray(lower, dtype=float), np.asarray(upper, dtype=float)
        bound = np.where(sign * y > 0, lo, hi)
        active = np.abs(y) > 0
        total += float(np.dot(y[active], bound[active]))
    return total
