"""One Monte Carlo sample's two solves — re-optimised, and the base plan held — and a batch of
samples run as a pipeline: while HiGHS solves one sample in its thread, this one builds the next
sample and checks the answers already back (`Resolver.solve(meanwhile=...)`). Rows are the same,
in the same order, as one sample after another."""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Literal

import numpy as np

from allocator.analysis.common import government
from allocator.analysis.samples import Job
from allocator.explain import colliding, reason
from allocator.formulation import build
from allocator.results.result import Result
from allocator.schema import Instance, ModelSpec
from allocator.schema.base import for_year
from allocator.schema.collector import collector_settled
from allocator.solver.highs import Resolver, Solution, prepared
from allocator.solver.options import SolveOptions
from allocator.solver.status import Status


@dataclass(frozen=True)
class BasePlan:
    """The base optimum's government money and go/no-go decisions, to hold fixed in a sample."""

    gov: dict[tuple[str, int], float]
    selected: dict[str, bool]
    budget: dict[int, float]
    """The budget each year the plan was made for."""
    spent: dict[int, float] = field(default_factory=dict)
    """The government money the plan spends each year (over the instance's lines, in order)."""

    @staticmethod
    def of(res: Result) -> BasePlan:
        """The plan behind a solved result."""
        plan = res.plan()
        inst = res.instance
        budget = {y: inst.budget_in(y) for y in inst.years}
        spent = {y: sum(plan.gov[ln.id, y] for ln in inst.lines) for y in inst.years}
        return BasePlan(dict(plan.gov), dict(plan.selected), budget, spent)


@dataclass
class Sessions:
    """Two HiGHS sessions reused across samples: re-optimising, and evaluating the base plan."""

    optimise: Resolver
    evaluate: Resolver


Hold = Literal["exact", "pro_rata"]
"""How the base plan meets a sampled budget: `exact` (the default) holds every line's government
money as it is; `pro_rata` scales each year's lines by one factor, clamped to each line's min and
max, until they spend the sampled budget, where the plan no longer fits it (or, under
must_spend, always); scheduled lines and lines in whole units keep their money. The two agree
wherever the budget is not drawn."""


class Sample:
    """One sample on its way through its two solves. Its row: the draws; the re-optimised status,
    objective, pillar totals, KPI levels in the last year and each line's government money; and
    the base plan under the sample (its government money — scaled to the sampled budget as
    `hold` says — and go/no-go decisions held, private money free): status, objective and
    shortfall against each target, how many years' sampled budget is below what the plan
    spends (`base.over_budget`), and, when it is infeasible, the rules it collides with
    (`base.breaks`: an irreducible set, by name). An infeasible sample says why in `reason` (the
    families of the rules that collide). Numbers only for answers verified against every
    rule."""

    def __init__(self, job: Job, spec: ModelSpec, base: BasePlan, hold: Hold) -> None:
        self.job = job
        inst = job.instance
        self.built = build(inst, spec)
        plan, self.over = held_plan(inst, spec, base, hold)
        # The same model with the base plan's money held: a copy of the one just built, with its
        # own column bounds (rows, names and texts do not depend on them).
        fixed = self.fixed = copy.copy(self.built)
        fixed.lower, fixed.upper = list(self.built.lower), list(self.built.upper)
        for key, j in fixed.gov.items():
            fixed.lower[j] = fixed.upper[j] = plan[key]
        for lid, j in fixed.selected.items():
            fixed.lower[j] = fixed.upper[j] = 1.0 if base.selected[lid] else 0.0
        # Both matrices made now (beside the solve before), the held one from the other's rows;
        # none where a constant rule fails (the solve stops before HiGHS).
        solvable = all(c.holds for c in self.built.constants)
        self.matrix = prepared(self.built) if solvable else None
        self.held_matrix = prepared(fixed, self.matrix) if self.matrix is not None else None
        self.optimum: Result | None = None
        self.held: Result | None = None
        self.found: dict[str, Any] = {}
        self.kept: dict[str, Any] = {}

    def optimise(self, sessions: Sessions, beside: Callable[[], object]) -> Solution:
        """The sample re-optimised; `beside` runs while HiGHS solves (or after, if it did not)."""
        once = _Once(beside)
        sol = sessions.optimise.solve(self.built, meanwhile=once, ready=self.matrix)
        once()
        return sol

    def evaluate(self, sessions: Sessions, optimum: Solution) -> None:
        """The base plan held under the sample, solved while the optimum is checked."""
        once = _Once(lambda: self.read_optimum(optimum))
        self.held_solution = sessions.evaluate.solve(
            self.fixed, meanwhile=once, ready=self.held_matrix
        )
        once()

    def read_optimum(self, sol: Solution) -> None:
        """Check the re-optimised answer and take its numbers."""
        res = self.optimum = Result.from_solution(self.built, sol)
        inst, last = self.job.instance, self.job.instance.years[-1]
        if answered(res):
            self.found["objective"] = res.objective
            money, pillars = government(res)
            self.found.update({f"government.{p}": amount for p, amount in pillars.items()})
            levels = res.kpi_levels()
            self.found.update(
                {f"level.{k.id}@{last}": float(levels[k.id, last]) for k in inst.kpis}
            )
            self.found.update({f"line.{lid}": amount for lid, amount in money.items()})

    def read_held(self) -> None:
        """Check the held base plan's answer and take its numbers."""
        held = self.held = Result.from_solution(self.fixed, self.held_solution)
        if answered(held):
            self.kept["base.objective"] = held.objective
            self.kept.update(_shortfalls(self.job.instance, held))

    def row(self, options: SolveOptions | None = None) -> dict[str, Any]:
        """The sample's row (both answers read); explanations of infeasible answers are made
        here, with HiGHS probes of their own (under `options`, the samples' own)."""
        assert self.optimum is not None
        assert self.held is not None
        res, held = self.optimum, self.held
        row: dict[str, Any] = {"sample": self.job.index, **self.job.values}
        row.update(status=res.status.value, verified=res.verified)
        if res.status == Status.infeasible:
            row["reason"] = reason(self.built, options)
        row.update(self.found)
        row.update({"base.status": held.status.value, "base.verified": held.verified})
        if held.status == Status.infeasible:
            row["base.breaks"] = "; ".join(colliding(self.fixed, options)) or None
        row["base.over_budget"] = len(self.over)
        row.update(self.kept)
        return row


class _Once:
    """`fn`, run the first time this is called and never again."""

    def __init__(self, fn: Callable[[], object]) -> None:
        self.fn: Callable[[], object] | None = fn

    def __call__(self) -> None:
        fn, self.fn = self.fn, None
        if fn is not None:
            fn()


def run_jobs(
    batch: Iterable[Job],
    spec: ModelSpec,
    base: BasePlan,
    hold: Hold = "exact",
    options: SolveOptions | None = None,
) -> Iterator[dict[str, Any]]:
    """Rows of the jobs in order, reusing two HiGHS sessions across them (serial). While HiGHS
    re-optimises a sample, the next one is built and the held plan of the one before is checked;
    while it solves the held plan, the optimum is checked."""
    sessions = Sessions(Resolver(options), Resolver(options))
    waiting = iter(batch)
    first = next(waiting, None)
    current = None if first is None else Sample(first, spec, base, hold)
    last: Sample | None = None
    with collector_settled() as settled:
        while current is not None:
            coming: list[Sample | Exception] = []
            beside = partial(_ahead, last, waiting, coming, spec, base, hold)
            with settled.point():
                current.evaluate(sessions, current.optimise(sessions, beside))
                row = None if last is None else last.row(options)
            if row is not None:
                yield row
            last, following = current, (coming[0] if coming else None)
            if isinstance(following, Exception):  # a sample that could not be made: the rows
                with settled.point():  # before it first
                    last.read_held()
                    row = last.row(options)
                yield row
                raise following
            current = following
        if last is not None:
            with settled.point():
                last.read_held()
                row = last.row(options)
            yield row


def _ahead(
    last: Sample | None,
    waiting: Iterator[Job],
    coming: list[Sample | Exception],
    spec: ModelSpec,
    base: BasePlan,
    hold: Hold,
) -> None:
    """Beside a sample's first solve: the held plan of the one before checked, the next made
    (or, when it cannot be — a draw that breaks the instance —, the error, raised when the run
    reaches that sample)."""
    if last is not None:
        last.read_held()
    try:
        job = next(waiting, None)
        if job is not None:
            coming.append(Sample(job, spec, base, hold))
    except Exception as error:
        coming.append(error)


def _shortfalls(inst: Instance, res: Result) -> dict[str, float]:
    """Each target's shortfall under `res` (`Result.kpis`' numbers, without the table): how far
    the KPI's level falls below the year's target; NaN for a target that is an upper bound."""
    levels = res.kpi_levels()
    below = {(t.kpi, t.year): t.value for t in inst.targets if not t.at_most}
    out = {}
    for t in inst.targets:
        target = below.get((t.kpi, t.year))
        short = math.nan if target is None else max(0.0, target - float(levels[t.kpi, t.year]))
        out[f"base.shortfall.{t.kpi}@{t.year}"] = short
    return out


def held_plan(
    inst: Instance, spec: ModelSpec, base: BasePlan, hold: Hold
) -> tuple[dict[tuple[str, int], float], list[int]]:
    """The base plan's government money as held under `inst` (see `Hold`), and the years whose
    sampled budget is below what the base plan spends out of its own budget (money it spends
    above its budget, carried over from the year before, is taken to be there again)."""
    plan = dict(base.gov)
    over = []
    for y in inst.years:
        # A sample has the base instance's lines, in its order: the same sum, made once.
        spent = base.spent[y] if y in base.spent else sum(base.gov[ln.id, y] for ln in inst.lines)
        carried = max(0.0, spent - base.budget[y])
        budget = inst.budget_in(y) + carried
        if spent > budget * (1 + 1e-9) + 1e-9:
            over.append(y)
        if hold == "exact" or spent <= 0 or not (spec.must_spend or y in over):
            continue
        g = np.array([base.gov[ln.id, y] for ln in inst.lines])
        on = np.array([base.selected.get(ln.id, True) for ln in inst.lines], dtype=float)
        lo = np.array([for_year(ln.min, y, 0.0) or 0.0 for ln in inst.lines]) * on
        caps = [for_year(ln.max, y, None) for ln in inst.lines]
        hi = np.array([np.inf if c is None else c for c in caps]) * on
        hi = np.where(on > 0, hi, 0.0)
        # Scheduled lines and whole units keep their money: scaling would break them.
        pinned = np.array([ln.schedule is not None or ln.integer for ln in inst.lines])
        lo, hi = np.where(pinned, g, lo), np.where(pinned, g, hi)
        low, high = 0.0, max(1.0, budget / spent) * 2
        for _ in range(200):  # bisection: Σ clip(t·g, lo, hi) grows with t
            t = (low + high) / 2
            low, high = (t, high) if np.clip(g * t, lo, hi).sum() < budget else (low, t)
        for ln, amount in zip(inst.lines, np.clip(g * high, lo, hi), strict=True):
            plan[ln.id, y] = float(amount)
    return plan, over


def answered(res: Result) -> bool:
    """A verified optimum: the only answers whose numbers are reported."""
    return res.status == Status.optimal and res.verified
