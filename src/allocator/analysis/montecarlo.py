"""Monte Carlo over the instance's uncertain figures (its `uncertainty:` block).

The run is `samples -> jobs -> outcomes`: `draw` makes the random figures from the seed, `jobs`
turns each draw into a validated sampled instance (both in `allocator.analysis.samples`), and
`run_job` re-optimises one sample and
evaluates the base plan under it. `monte_carlo` runs the jobs one after another in two HiGHS
sessions (only what changed between samples is updated); `run_job` is a plain function of one job,
so an executor can run the jobs elsewhere and get the same rows."""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from allocator.analysis.common import government, one_objective
from allocator.analysis.samples import NO_UNCERTAINTY, Job, draw, jobs
from allocator.api import resolve_model, solve
from allocator.errors import InputError, Issue
from allocator.execute.executors import Executor, SerialExecutor
from allocator.explain import colliding, reason
from allocator.formulation import build
from allocator.results.output import TableWriter, table_target
from allocator.results.result import Result
from allocator.schema import Instance, ModelSpec
from allocator.schema.base import for_year
from allocator.schema.collector import collector_settled
from allocator.schema.uncertainty import MAX_SAMPLES, MAX_SEED
from allocator.solver.highs import Resolver
from allocator.solver.options import SolveOptions
from allocator.solver.status import Status

if TYPE_CHECKING:
    from matplotlib.figure import Figure

FUNDED = 0.01
"""A line counts as funded when its government money over the horizon exceeds this (in the
instance's currency unit: 10 million won in bn KRW)."""
QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)


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

    optimise: Resolver = field(default_factory=Resolver)
    evaluate: Resolver = field(default_factory=Resolver)


Hold = Literal["exact", "pro_rata"]
"""How the base plan meets a sampled budget: `exact` (the default) holds every line's government
money as it is; `pro_rata` scales each year's lines by one factor, clamped to each line's min and
max, until they spend the sampled budget, where the plan no longer fits it (or, under
must_spend, always); scheduled lines and lines in whole units keep their money. The two agree
wherever the budget is not drawn."""


def run_job(
    job: Job,
    spec: ModelSpec,
    base: BasePlan,
    sessions: Sessions | None = None,
    hold: Hold = "exact",
) -> dict[str, Any]:
    """One sample's row: the draws; the re-optimised status, objective, pillar totals, KPI levels
    in the last year and each line's government money; and the base plan under the sample (its
    government money — scaled to the sampled budget as `hold` says — and go/no-go decisions
    held, private money free): status, objective and
    shortfall against each target, how many years' sampled budget is below what the plan
    spends (`base.over_budget`), and, when it is infeasible, the rules it collides with
    (`base.breaks`: an irreducible set, by name). An infeasible sample says why in `reason` (the
    families of the rules that collide). Numbers only for answers verified against every
    rule."""
    sessions = sessions or Sessions()
    inst = job.instance
    last = inst.years[-1]
    built = build(inst, spec)
    res = Result.from_solution(built, sessions.optimise.solve(built))
    row: dict[str, Any] = {"sample": job.index, **job.values}
    row.update(status=res.status.value, verified=res.verified)
    if res.status == Status.infeasible:
        row["reason"] = reason(built)
    if _answer(res):
        row["objective"] = res.objective
        money, pillars = government(res)
        row.update({f"government.{p}": amount for p, amount in pillars.items()})
        levels = res.kpi_levels()
        row.update({f"level.{k.id}@{last}": float(levels[k.id, last]) for k in inst.kpis})
        row.update({f"line.{lid}": amount for lid, amount in money.items()})
    plan, over = held_plan(inst, spec, base, hold)
    # The same model with the base plan's money held: a copy of the one just built, with its
    # own column bounds (rows, names and texts do not depend on them).
    fixed = copy.copy(built)
    fixed.lower, fixed.upper = list(built.lower), list(built.upper)
    for key, j in fixed.gov.items():
        fixed.lower[j] = fixed.upper[j] = plan[key]
    for lid, j in fixed.selected.items():
        fixed.lower[j] = fixed.upper[j] = 1.0 if base.selected[lid] else 0.0
    # Its rows are the ones just compiled: only the columns are read again.
    rows = sessions.optimise.compiled(built)
    held = Result.from_solution(fixed, sessions.evaluate.solve(fixed, rows))
    row.update({"base.status": held.status.value, "base.verified": held.verified})
    if held.status == Status.infeasible:
        row["base.breaks"] = "; ".join(colliding(fixed)) or None
    row["base.over_budget"] = len(over)
    if _answer(held):
        row["base.objective"] = held.objective
        row.update(_shortfalls(inst, held))
    return row


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


def _answer(res: Result) -> bool:
    return res.status == Status.optimal and res.verified


def columns(inst: Instance) -> list[str]:
    """The columns of a Monte Carlo table, in order."""
    assert inst.uncertainty is not None
    last = inst.years[-1]
    return [
        "sample",
        *(p.path for p in inst.uncertainty.parameters),
        "status",
        "reason",
        "verified",
        "objective",
        *(f"government.{p.id}" for p in inst.pillars),
        *(f"level.{k.id}@{last}" for k in inst.kpis),
        *(f"line.{ln.id}" for ln in inst.lines),
        "base.status",
        "base.verified",
        "base.over_budget",
        "base.breaks",
        "base.objective",
        *(f"base.shortfall.{t.kpi}@{t.year}" for t in inst.targets),
    ]


def run_jobs(
    batch: Iterable[Job],
    spec: ModelSpec,
    base: BasePlan,
    hold: Hold = "exact",
    options: SolveOptions | None = None,
) -> Iterator[dict[str, Any]]:
    """Rows of the jobs in order, reusing two HiGHS sessions across them (serial)."""
    sessions = Sessions(Resolver(options), Resolver(options))
    with collector_settled() as settled:
        for job in batch:
            with settled.point():
                row = run_job(job, spec, base, sessions, hold)
            yield row


@dataclass(frozen=True)
class Chunk:
    """Samples an executor runs together (in one pair of HiGHS sessions), with what they need."""

    jobs: list[Job]
    spec: ModelSpec
    base: BasePlan
    hold: Hold
    options: SolveOptions | None = None
    """HiGHS's options in the worker (one thread each when several workers share the cores)."""


def run_chunk(chunk: Chunk) -> Iterator[dict[str, Any]]:
    """The rows of one chunk of samples (a module-level function, so worker processes and Dask
    can run it)."""
    return run_jobs(chunk.jobs, chunk.spec, chunk.base, chunk.hold, chunk.options)


@dataclass
class MonteCarlo:
    """A Monte Carlo run: one row per sample (`table`), and summaries that count only samples
    with a verified optimum; the others are counted in `statuses`, never summarised."""

    seed: int
    base: Result
    table: pd.DataFrame
    threshold: float = FUNDED

    @property
    def samples(self) -> int:
        """How many samples were drawn."""
        return len(self.table)

    def statuses(self) -> pd.Series:
        """How many samples ended in each status (an unverified optimum counts as `unverified`)."""
        status = self.table.status.where(
            (self.table.status != "optimal") | self.table.verified.astype(bool), "unverified"
        )
        return status.value_counts()

    @property
    def answered(self) -> pd.DataFrame:
        """The samples with a verified optimum."""
        return self.table[(self.table.status == "optimal") & self.table.verified.astype(bool)]

    def outcomes(self, q: Sequence[float] = QUANTILES) -> pd.DataFrame:
        """Objective, pillar totals and KPI levels: the base value and quantiles over samples."""
        base = _base_row(self.base)
        measures = [c for c in base if c in self.table.columns]
        return _quantiles(self.answered, measures, q, base)

    def funded(self) -> pd.DataFrame:
        """Each line: funded in the base plan, and the share of answered samples funding it."""
        answered = self.answered
        plan = BasePlan.of(self.base)
        inst = self.base.instance
        rows = []
        for ln in inst.lines:
            base_money = sum(plan.gov[ln.id, y] for y in inst.years)
            money = answered[f"line.{ln.id}"].astype(float)
            rows.append(
                {
                    "line": ln.id,
                    "name": ln.name,
                    "pillar": ln.main_pillar,
                    "base_funded": bool(base_money > self.threshold),
                    "probability": float((money > self.threshold).mean())
                    if len(answered)
                    else float("nan"),
                }
            )
        return pd.DataFrame.from_records(rows)

    @property
    def base_plan_over_budget(self) -> float:
        """Share of samples in which some year's budget is below what the base plan spends."""
        return float((self.table["base.over_budget"] > 0).mean())

    def base_plan_breaks(self) -> pd.DataFrame:
        """What the held base plan collides with: each rule family (`budget`, `ramp_up`, ...) and
        the share of samples in which it is among the colliding rules."""
        found = self.table["base.breaks"].dropna().astype(str).str.split("; ")
        families = found.map(lambda names: sorted({n.split("[")[0] for n in names})).explode()
        counts = families.value_counts()
        return pd.DataFrame(
            {"rule": counts.index.astype(str), "share": (counts / self.samples).to_numpy()}
        )

    @property
    def base_plan_feasible(self) -> float:
        """Share of samples under which the base plan (government money held) has an answer."""
        ok = (self.table["base.status"] == "optimal") & self.table["base.verified"].astype(bool)
        return float(ok.mean())

    def plot(self) -> Figure:
        """The objective over the answered samples with the base plan's marked, and each
        pillar's government money: the samples' spread against the base plan."""
        from allocator.analysis.plots import montecarlo_figure

        return montecarlo_figure(self)

    def base_plan(self, q: Sequence[float] = QUANTILES) -> pd.DataFrame:
        """The base plan under the samples where it is feasible: its objective, the regret
        (re-optimised objective minus the base plan's, where both exist) and each target's
        shortfall, as quantiles."""
        t = self.table
        ok = t[(t["base.status"] == "optimal") & t["base.verified"].astype(bool)].copy()
        both = ok[(ok.status == "optimal") & ok.verified.astype(bool)]
        ok["regret"] = both.objective.astype(float) - both["base.objective"].astype(float)
        short = [str(c) for c in t.columns if str(c).startswith("base.shortfall.")]
        measures = ["base.objective", "regret", *short]
        return _quantiles(ok, measures, q, {})


def _base_row(res: Result) -> dict[str, float]:
    inst = res.instance
    last = inst.years[-1]
    out: dict[str, float] = {"objective": float(res.objective or 0.0)}
    out.update({f"government.{p}": amount for p, amount in government(res)[1].items()})
    levels = res.kpis.set_index(["kpi", "year"]).level
    out.update({f"level.{k.id}@{last}": float(levels[k.id, last]) for k in inst.kpis})
    return out


def _quantiles(
    frame: pd.DataFrame, measures: list[str], q: Sequence[float], base: dict[str, float]
) -> pd.DataFrame:
    rows = []
    for name in measures:
        values = frame[name].dropna().astype(float)
        row: dict[str, Any] = {"measure": name}
        if base:
            row["base"] = base.get(name, float("nan"))
        row["mean"] = float(values.mean()) if len(values) else float("nan")
        for level in q:
            row[f"q{round(level * 100):02d}"] = (
                float(values.quantile(level)) if len(values) else float("nan")
            )
        rows.append(row)
    return pd.DataFrame.from_records(rows)


def monte_carlo(
    instance: Instance,
    model: ModelSpec | str | Path | None = None,
    *,
    samples: int | None = None,
    seed: int | None = None,
    out: Path | None = None,
    hold: Hold = "exact",
    executor: Executor | None = None,
    force: bool = False,
    progress: Callable[[int, int], object] | None = None,
) -> MonteCarlo:
    """Draw `samples` samples (default: the instance's) of its uncertain figures from `seed`
    (default: the instance's), re-optimise each and evaluate the base plan under each. With
    `out` (.csv or .parquet) the rows are written as they arrive (CSV) or at the end (Parquet)
    through a temporary twin. `hold` says how the base plan meets a sampled budget (`Hold`).
    Samples run in chunks on `executor` (default in-process; a process pool or Dask, see
    `allocator.execute`); the same seed gives the same table on every executor. `force` replaces
    an existing `out` (never an input of the run). `progress(done, total)` is called as each
    sample's row arrives."""
    unc = instance.uncertainty
    if unc is None:
        raise InputError([Issue(instance.name, "uncertainty", None, NO_UNCERTAINTY)])
    if out is not None:
        table_target(out, force=force, inputs=[*instance.files])
    samples = unc.samples if samples is None else samples
    seed = unc.seed if seed is None else seed
    if isinstance(samples, bool) or not 1 <= samples <= MAX_SAMPLES:
        raise InputError(
            [Issue("--samples", "", samples, f"draw from 1 to {MAX_SAMPLES:,} samples")]
        )
    if isinstance(seed, bool) or not 0 <= seed <= MAX_SEED:
        raise InputError(
            [Issue("--seed", "", seed, f"a seed is a whole number from 0 to {MAX_SEED:,}")]
        )
    spec = one_objective(resolve_model(instance, model), "Monte Carlo")
    base = solve(instance, spec)
    if not _answer(base):
        raise InputError(
            [
                Issue(
                    instance.name,
                    "",
                    base.status.value,
                    "Monte Carlo needs a verified optimum of the base instance to compare "
                    "against; see `allocator solve`",
                )
            ]
        )
    drawn = draw(unc, samples, seed)
    runner = executor or SerialExecutor()
    size = runner.chunk_size(len(drawn))
    plan = BasePlan.of(base)
    # Several workers on one machine each run HiGHS on one thread: its own threads would fight
    # the other workers for the cores.
    options = SolveOptions(threads=1) if runner.workers > 1 else None

    def chunks() -> Iterator[Chunk]:
        """The samples chunk by chunk, each validated as its chunk is handed to the executor
        (workers start on the first while the later ones are made)."""
        for i in range(0, len(drawn), size):
            yield Chunk(jobs(instance, drawn[i : i + size], seed, i), spec, plan, hold, options)

    inputs = [*instance.files, *spec.files]
    with TableWriter(out, columns(instance), order="sample", force=force, inputs=inputs) as writer:
        for done, row in enumerate(runner.run(run_chunk, chunks()), start=1):
            writer.add(row)
            if progress is not None:
                progress(done, len(drawn))
    return MonteCarlo(seed, base, writer.frame())
