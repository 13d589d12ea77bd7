"""Monte Carlo over the instance's uncertain figures (its `uncertainty:` block).

The run is `samples -> jobs -> outcomes`: `draw` makes the random figures from the seed, `jobs`
turns each draw into a validated sampled instance (both in `allocator.analysis.samples`), and
`run_jobs` (`allocator.analysis.sample_run`) re-optimises each sample and evaluates the base plan
under it, in two HiGHS sessions (only what changed between samples is updated). `run_chunk` is a
plain function of a chunk of draws, so an executor can run them elsewhere and get the same rows."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from allocator.analysis.common import government, one_objective
from allocator.analysis.sample_run import BasePlan, Hold, answered, run_jobs
from allocator.analysis.samples import NO_UNCERTAINTY, draw, each_job
from allocator.api import resolve_model, solve
from allocator.errors import InputError, Issue
from allocator.execute.executors import Executor, SerialExecutor, usable_cores
from allocator.results.output import TableWriter, table_target
from allocator.results.result import Result
from allocator.schema import Instance, ModelSpec
from allocator.schema.uncertainty import MAX_SAMPLES, MAX_SEED
from allocator.solver.options import SolveOptions

if TYPE_CHECKING:
    from matplotlib.figure import Figure

FUNDED = 0.01
"""A line counts as funded when its government money over the horizon exceeds this (in the
instance's currency unit: 10 million won in bn KRW)."""
QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)


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


@dataclass(frozen=True)
class Chunk:
    """Samples an executor runs together (in one pair of HiGHS sessions), with what they need:
    the instance and the draws (samples `start`, `start` + 1, ... of `seed`), each sample made
    and validated as the run reaches it."""

    instance: Instance
    draws: list[dict[str, float]]
    seed: int
    start: int
    spec: ModelSpec
    base: BasePlan
    hold: Hold
    options: SolveOptions | None = None
    """HiGHS's options in the worker (one thread each when several workers share the cores)."""


def run_chunk(chunk: Chunk) -> Iterator[dict[str, Any]]:
    """The rows of one chunk of samples (a module-level function, so worker processes and Dask
    can run it)."""
    batch = each_job(chunk.instance, chunk.draws, chunk.seed, chunk.start)
    return run_jobs(batch, chunk.spec, chunk.base, chunk.hold, chunk.options)


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
    if not answered(base):
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
    # HiGHS runs on one thread where several workers share the cores, and where its own threads
    # would take every core (two or fewer) from the next sample being built beside each solve:
    # on the five-year plan HiGHS's second thread saves 10 % of its time, the work beside 30 %.
    beside = runner.workers > 1 or usable_cores() <= 2
    options = SolveOptions(threads=1) if beside else None

    def chunks() -> Iterator[Chunk]:
        """The samples chunk by chunk (workers start on the first while the later ones are
        handed out)."""
        for i in range(0, len(drawn), size):
            yield Chunk(instance, drawn[i : i + size], seed, i, spec, plan, hold, options)

    inputs = [*instance.files, *spec.files]
    with TableWriter(out, columns(instance), order="sample", force=force, inputs=inputs) as writer:
        for done, row in enumerate(runner.run(run_chunk, chunks()), start=1):
            writer.add(row)
            if progress is not None:
                progress(done, len(drawn))
    return MonteCarlo(seed, base, writer.frame())
