"""The public entry points: load the files, solve, get a verified `Result`."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from allocator.formulation import Formulation, build
from allocator.results.result import Result
from allocator.schema import Instance, ModelSpec, resolve_model
from allocator.schema.plans import read_plan
from allocator.solver.highs import Resolver, SolveOptions, run_highs
from allocator.solver.lexicographic import solve_levels

if TYPE_CHECKING:
    import pandas as pd


def solve(
    instance: Instance,
    model: ModelSpec | str | Path | None = None,
    *,
    time_limit: float | None = None,
    mip_gap: float = 1e-7,
    threads: int | None = None,
    seed: int = 0,
    highs_options: Mapping[str, Any] | None = None,
) -> Result:
    """Build and solve `instance` under `model` (default: the instance's own) with HiGHS.

    The result's allocation exists only for an optimal solve or, after a limit, for an incumbent
    marked as such with its gap; it has been re-verified by the independent checker.
    `highs_options` passes further HiGHS options by name."""
    spec = resolve_model(instance, model)
    built = build(instance, spec)
    options = SolveOptions(
        time_limit=time_limit,
        mip_gap=mip_gap,
        threads=threads,
        seed=seed,
        highs=tuple((highs_options or {}).items()),
    )
    result = _solve_built(built, options)
    if result.status.has_allocation and not result.verified and options.presolve:
        # A verification failure is numerical trouble more often than a wrong model: retry once
        # without presolve before reporting the residuals.
        again = build(instance, spec) if spec.objective == "lexicographic" else built
        retry = _solve_built(again, replace(options, presolve=False))
        retry.retried_without_presolve = True
        return retry if retry.verified or not retry.status.has_allocation else result
    return result


def evaluate(
    instance: Instance,
    plan: str | Path | pd.DataFrame,
    model: ModelSpec | str | Path | None = None,
) -> Result:
    """Score a given plan under `model` (default: the instance's own): its objective and KPI
    levels computed as for a solve, and the independent checker's verdict on every rule.

    `plan` is a CSV path (columns line, year, amount[, source]; a solve's `allocation.csv` is
    one), `BOOK.xlsx[:SHEET]`, a DataFrame with those columns, or `"reported"` (each line's
    reported government money). The result's status is `Status.scored`, never `optimal`;
    `res.verified` is True when the plan satisfies every rule, else `res.violations` lists what
    it breaks, each by how much in the rule's unit. Bad input raises `InputError`."""
    given = read_plan(instance, plan)
    spec = resolve_model(instance, model)
    return Result.from_plan(instance, spec, given)


def _solve_built(built: Formulation, options: SolveOptions) -> Result:
    """One solve of a built model: the priority levels in order for a lexicographic model."""
    if built.spec.objective == "lexicographic":
        sol, levels = solve_levels(built, options)
        return Result.from_solution(built, sol, levels)
    return Result.from_solution(built, run_highs(built, options))


def solve_many(
    instances: Iterable[Instance],
    model: ModelSpec | str | Path | None = None,
    *,
    warm: bool = False,
    time_limit: float | None = None,
    mip_gap: float = 1e-7,
) -> Iterator[Result]:
    """Solve a run of instances that share a shape (a sweep over budgets, say) in one HiGHS
    session, changing only what differs between points; each result is verified as usual.
    `warm` keeps the previous basis (measure it: a cleared basis is often faster)."""
    resolver = Resolver(SolveOptions(time_limit=time_limit, mip_gap=mip_gap), warm=warm)
    spec: ModelSpec | None = None
    for inst in instances:
        spec = spec or resolve_model(inst, model)
        if spec.objective == "lexicographic":  # several solves per point: no shared session
            yield solve(inst, spec, time_limit=time_limit, mip_gap=mip_gap)
            continue
        built = build(inst, spec)
        yield Result.from_solution(built, resolver.solve(built))
