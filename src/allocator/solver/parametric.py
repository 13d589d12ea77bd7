"""Parametric re-solves of a MIP: its optimum as a function of one figure (a budget, a line's
cap, a target), in one HiGHS session.

For an LP the dual price of a row holds over HiGHS's ranging interval. For a MIP the duals of the
LP with the integer decisions fixed hold only while those decisions stay best, and on a pure 0-1
problem they are degenerate (a 'price' over a range of zero width). Here the MIP itself is
re-solved with the figure moved — every right-hand side and coefficient it sets, as a `Move` —
and the optimum, piecewise linear in the figure with jumps where another choice of projects
becomes best, is followed from the current figure: each place where it leaves its line is
located by bisection to a stated tolerance. The explain layer turns the numbers into sentences."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import highspy
import numpy as np

from allocator.solver.highs import Matrix, SolveOptions, new_highs
from allocator.solver.runner import run_in_thread

_OPTIMAL = highspy.HighsModelStatus.kOptimal
_INFEASIBLE = (
    highspy.HighsModelStatus.kInfeasible,
    highspy.HighsModelStatus.kUnboundedOrInfeasible,
)
SCAN = (1 / 16, 1 / 4)
"""Before bisecting, the figure is tried at these shares of the way to a point where the optimum
left its line, nearest first, so that bisection starts from the first change it can see."""


class ParametricError(RuntimeError):
    """A re-solve ended in neither an optimum nor infeasibility (a limit, an error)."""


@dataclass(frozen=True)
class Move:
    """How the model changes with one figure: the rows whose bounds move and the matrix entries
    whose coefficients move, each by a fixed amount per unit of the figure."""

    value: float
    """The figure's value in the loaded model."""
    rows: np.ndarray
    lower: np.ndarray
    """Each moving row's lower bound in the loaded model (−inf where it has none)."""
    upper: np.ndarray
    d_lower: np.ndarray
    """Change of each moving row's lower bound per unit of the figure (0 where infinite)."""
    d_upper: np.ndarray
    entries: tuple[tuple[int, int, float, float], ...] = ()
    """(row, column, coefficient in the loaded model, change per unit of the figure)."""

    @staticmethod
    def of_row(matrix: Matrix, row: int) -> Move:
        """The figure is row `row`'s right-hand side (its upper bound if finite, else its lower;
        both for an equation)."""
        lower = float(np.asarray(matrix.lp.row_lower_)[row])
        upper = float(np.asarray(matrix.lp.row_upper_)[row])
        d_lower = (
            1.0 if math.isfinite(lower) and (lower == upper or not math.isfinite(upper)) else 0
        )
        d_upper = 1.0 if math.isfinite(upper) else 0.0
        value = upper if math.isfinite(upper) else lower
        return Move(
            value,
            np.array([row], dtype=np.int32),
            np.array([lower]),
            np.array([upper]),
            np.array([float(d_lower)]),
            np.array([d_upper]),
        )

    @staticmethod
    def between(base: Matrix, moved: Matrix, value: float, step: float) -> Move | None:
        """The move that takes `base` (the figure at `value`) to `moved` (at `value + step`),
        linear in the figure; None when the two differ in shape (a row appears, say)."""
        a, b = base.lp, moved.lp
        same = (
            a.num_col_ == b.num_col_
            and a.num_row_ == b.num_row_
            and np.array_equal(a.a_matrix_.start_, b.a_matrix_.start_)
            and np.array_equal(a.a_matrix_.index_, b.a_matrix_.index_)
            and np.array_equal(a.col_cost_, b.col_cost_)
            and np.array_equal(a.col_lower_, b.col_lower_)
            and np.array_equal(a.col_upper_, b.col_upper_)
        )
        if not same or step == 0:
            return None
        lo_a, lo_b = np.asarray(a.row_lower_, dtype=float), np.asarray(b.row_lower_, dtype=float)
        hi_a, hi_b = np.asarray(a.row_upper_, dtype=float), np.asarray(b.row_upper_, dtype=float)
        if not (
            np.array_equal(np.isinf(lo_a), np.isinf(lo_b))
            and np.array_equal(np.isinf(hi_a), np.isinf(hi_b))
        ):
            return None
        d_lo = np.zeros_like(lo_a)
        d_hi = np.zeros_like(hi_a)
        np.subtract(lo_b, lo_a, out=d_lo, where=np.isfinite(lo_a))
        np.subtract(hi_b, hi_a, out=d_hi, where=np.isfinite(hi_a))
        rows = np.flatnonzero((d_lo != 0) | (d_hi != 0)).astype(np.int32)
        va, vb = np.asarray(a.a_matrix_.value_), np.asarray(b.a_matrix_.value_)
        changed = np.flatnonzero(va != vb)
        starts, index = np.asarray(a.a_matrix_.start_), np.asarray(a.a_matrix_.index_)
        entries = tuple(
            (
                int(index[e]),
                int(np.searchsorted(starts, e, side="right") - 1),
                float(va[e]),
                float(vb[e] - va[e]) / step,
            )
            for e in changed
        )
        if not rows.size and not entries:
            return None
        return Move(
            value, rows, lo_a[rows], hi_a[rows], d_lo[rows] / step, d_hi[rows] / step, entries
        )


@dataclass(frozen=True)
class Side:
    """How far, on one side of the figure, the optimum follows the line through the current
    optimum with the side's slope."""

    end: float
    """The farthest figure found (within the tolerance) at which the optimum is on the line."""
    slope: float | None
    """The optimum's change per unit of the figure on this side; None when it changes by a jump
    right at the current figure (a binding 0-1 budget going down, say)."""
    beyond: float | None
    """The optimum at `past` (None: `end` is the search limit, or past it no plan fits)."""
    reason: str
    """Why the side ends: `limit` (searched this far, no change), `kink` (past `end` the slope
    changes: another rule binds, the same projects stay best), `change` (past `end` another
    choice of projects is best), `jump` (that happens right at the figure), or `infeasible` (no
    plan fits past `end`)."""
    past: float | None = None
    """The figure, within the tolerance past `end`, at which the change was seen."""


@dataclass(frozen=True)
class FigureSteps:
    """The optimum around one figure's current value, on both sides."""

    value: float
    objective: float
    up: Side
    down: Side
    tolerance: float
    resolves: int


@dataclass(frozen=True)
class Piece:
    """A stretch of figures over which the optimum is `objective + slope · (figure − start)`."""

    start: float
    end: float
    objective: float
    slope: float | None


@dataclass
class Parametric:
    """One HiGHS session over a MIP in which one figure at a time is moved (`Move`) and the MIP
    re-solved, or its LP with the integer decisions held."""

    matrix: Matrix
    options: SolveOptions = field(default_factory=SolveOptions)
    resolves: int = 0
    """MIP re-solves so far (the costly kind)."""
    held_solves: int = 0
    """Re-solves of the LP with the integer decisions held (cheap)."""
    seconds: float = 0.0
    h: Any = None

    def __post_init__(self) -> None:
        self.h = new_highs(self.matrix, self.options)
        lp = self.matrix.lp
        kinds = list(lp.integrality_) if self.matrix.integer else []
        self.whole = np.array(
            [j for j, k in enumerate(kinds) if k == highspy.HighsVarType.kInteger], dtype=np.int32
        )
        self.col_lower = np.asarray(lp.col_lower_, dtype=float)[self.whole]
        self.col_upper = np.asarray(lp.col_upper_, dtype=float)[self.whole]
        self.kinds = np.array(kinds, dtype=object)[self.whole] if kinds else np.array([])
        self.maximize = lp.sense_ == highspy.ObjSense.kMaximize
        self._held = False
        self._move: Move | None = None

    def _set(self, move: Move, value: float) -> None:
        if self._move is not None and self._move is not move:
            self._put(self._move, self._move.value)
        self._put(move, value)
        self._move = move

    def _put(self, move: Move, value: float) -> None:
        t = value - move.value
        if move.rows.size:
            lower = np.where(np.isfinite(move.lower), move.lower + t * move.d_lower, move.lower)
            upper = np.where(np.isfinite(move.upper), move.upper + t * move.d_upper, move.upper)
            self.h.changeRowsBounds(move.rows.size, move.rows, lower, upper)
        for row, col, coef, slope in move.entries:
            self.h.changeCoeff(row, col, coef + t * slope)

    def _mode(self, choice: np.ndarray | None) -> None:
        n = len(self.whole)
        if choice is not None:
            self.h.changeColsBounds(n, self.whole, choice, choice)
            if not self._held:
                continuous = np.array([highspy.HighsVarType.kContinuous] * n)
                self.h.changeColsIntegrality(n, self.whole, continuous)
            self._held = True
        elif self._held:
            self.h.changeColsBounds(n, self.whole, self.col_lower, self.col_upper)
            self.h.changeColsIntegrality(n, self.whole, self.kinds)
            self._held = False

    def solve(
        self, move: Move, value: float, choice: np.ndarray | None = None
    ) -> tuple[float | None, np.ndarray | None]:
        """The optimum with the figure at `value` (None when no plan fits) and the integer
        decisions it takes; with `choice`, of the LP with those decisions held."""
        started = time.perf_counter()
        self._set(move, value)
        self._mode(choice)
        self.h.clearSolver()
        run_in_thread(self.h)
        if choice is None:
            self.resolves += 1
        else:
            self.held_solves += 1
        status = self.h.getModelStatus()
        self.seconds += time.perf_counter() - started
        if status in _INFEASIBLE:
            return None, None
        if status != _OPTIMAL:
            raise ParametricError(
                f"the re-solve at {value:g} ended {self.h.modelStatusToString(status)}"
            )
        x = np.asarray(self.h.getSolution().col_value, dtype=float)
        taken = np.round(x[self.whole]) if self.whole.size else np.zeros(0)
        return float(self.h.getInfo().objective_function_value), taken

    def restore(self) -> None:
        """Put the session back as it was loaded."""
        self._mode(None)
        if self._move is not None:
            self._put(self._move, self._move.value)
            self._move = None

    def atol(self, objective: float) -> float:
        """How close two optima must be to count as equal (the MIP gap allows for this much)."""
        return max(1e-6, 10 * self.options.mip_gap) * max(1.0, abs(objective))

    # -- one figure ------------------------------------------------------------------------------

    def steps(
        self,
        move: Move,
        objective: float,
        choice: np.ndarray,
        tolerance: float,
        limits: tuple[float, float],
        slopes: tuple[float | None, float | None] = (None, None),
        reach: tuple[float | None, float | None] = (None, None),
    ) -> FigureSteps:
        """The optimum around the figure `move` moves: on each side (down, up), its slope and how
        far the MIP optimum follows it, up to `limits` (lowest, highest figure to try), each end
        located by bisection to `tolerance`. A side's slope is `slopes` when the caller knows it
        (a fixed-LP dual inside its ranging interval, which ends at `reach`), else measured on
        the LP with the integer decisions held."""
        before = self.resolves
        sides = [
            self._side(move, objective, choice, sigma, limit, tolerance, known, end)
            for sigma, limit, known, end in zip((-1.0, 1.0), limits, slopes, reach, strict=True)
        ]
        self.restore()
        return FigureSteps(
            move.value, objective, sides[1], sides[0], tolerance, self.resolves - before
        )

    def _slope(
        self,
        move: Move,
        objective: float,
        choice: np.ndarray,
        sigma: float,
        far: float,
        tolerance: float,
    ) -> float | None:
        """The held choice's slope on one side, from one re-solve of its LP a short step away
        (None when the held choice no longer fits just past the figure)."""
        step = min(abs(far - move.value), 100 * tolerance)
        held, _ = self.solve(move, move.value + sigma * step, choice)
        if held is None:
            return None
        if abs(held - objective) <= self.atol(objective):
            return 0.0
        return (held - objective) / (sigma * step)

    def _bisect(
        self, good: float, bad: float, tolerance: float, holds: Callable[[float], bool]
    ) -> tuple[float, float]:
        """Narrow [good, bad] (where `holds` is true at good, false at bad) to `tolerance`,
        trying the points of `SCAN` first so that the first change seen is the one found."""
        for share in SCAN:
            point = good + (bad - good) * share
            if abs(point - good) <= tolerance:
                continue
            if not holds(point):
                bad = point
                break
            good = point
        while abs(bad - good) > tolerance:
            mid = (good + bad) / 2
            if holds(mid):
                good = mid
            else:
                bad = mid
        return good, bad

    def _side(
        self,
        move: Move,
        objective: float,
        choice: np.ndarray,
        sigma: float,
        far: float,
        tolerance: float,
        known: float | None = None,
        reach: float | None = None,
    ) -> Side:
        """One side: the slope of the LP with the chosen projects held and the figure up to
        which that LP stays on its line (`known` and `reach` from ranging, else by re-solves of
        that LP); then whether the MIP optimum is on the same line there (the chosen projects
        still best). If it is, the side ends there (where the LP's basis changes, or at `far`);
        if not, the figure at which another choice takes over is bisected with MIP re-solves."""
        value = move.value
        if sigma * (far - value) <= tolerance:
            return Side(value, known if known is not None else 0.0, None, "limit")
        slope = known
        if slope is None:
            slope = self._slope(move, objective, choice, sigma, far, tolerance)
        if slope is None:
            past = value + sigma * tolerance
            beyond, _ = self.solve(move, past)
            return Side(value, None, beyond, "jump" if beyond is not None else "infeasible", past)
        line = slope

        def fits(found: float | None, b: float) -> bool:
            return found is not None and abs(found - (objective + line * (b - value))) <= self.atol(
                objective
            )

        if reach is None or sigma * (reach - value) <= tolerance:
            reach = far
            if not fits(self.solve(move, far, choice)[0], far):
                reach, _ = self._bisect(
                    value, far, tolerance, lambda b: fits(self.solve(move, b, choice)[0], b)
                )
        end = value + sigma * min(abs(reach - value), abs(far - value))
        seen: dict[float, float | None] = {}

        def on_line(b: float) -> bool:
            found, _ = self.solve(move, b)
            seen[b] = found
            return fits(found, b)

        if on_line(end):
            return Side(end, slope, None, "limit" if end == far else "kink")
        good, bad = self._bisect(value, end, tolerance, on_line)
        beyond = seen.get(bad)
        return Side(good, slope, beyond, "infeasible" if beyond is None else "change", bad)

    # -- a whole interval ------------------------------------------------------------------------

    def step_function(self, move: Move, low: float, high: float, tolerance: float) -> list[Piece]:
        """The optimum over figures from `low` to `high` as pieces on which it is linear (on a
        pure 0-1 problem, constant), each piece's end located by bisection to `tolerance`.
        Stretches where no plan fits are left out."""
        pieces: list[Piece] = []
        start = low
        while start <= high:
            objective, choice = self.solve(move, start)
            if objective is None or choice is None:
                if start >= high:
                    break
                start = self._first_feasible(move, start, high, tolerance)
                continue
            if start >= high:  # a change found right at the end: a piece of one point
                pieces.append(Piece(start, start, objective, 0.0))
                break
            here = Move(
                start,
                move.rows,
                _shift(move.lower, move.d_lower, start - move.value),
                _shift(move.upper, move.d_upper, start - move.value),
                move.d_lower,
                move.d_upper,
                tuple((r, c, v + (start - move.value) * d, d) for r, c, v, d in move.entries),
            )
            side = self._side(here, objective, choice, 1.0, high, tolerance)
            pieces.append(Piece(start, side.end, objective, side.slope))
            if side.reason == "kink":  # the same projects, another binding rule: a new slope
                start = side.end + tolerance
                continue
            if side.past is None:
                break
            start = side.past
        self.restore()
        return pieces

    def _first_feasible(self, move: Move, start: float, high: float, tolerance: float) -> float:
        if self.solve(move, high)[0] is None:
            return high
        bad, good = start, high
        while good - bad > tolerance:
            mid = (good + bad) / 2
            if self.solve(move, mid)[0] is None:
                bad = mid
            else:
                good = mid
        return good


def _shift(bounds: np.ndarray, per_unit: np.ndarray, t: float) -> np.ndarray:
    return np.where(np.isfinite(bounds), bounds + t * per_unit, bounds)
