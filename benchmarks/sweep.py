"""Sweep speed: a budget sweep solved five ways, side by side in one run (issue 5, item 6).

    .venv/bin/python benchmarks/sweep.py [--points 1000] [--repeats 3] [--synthetic]

The case is `instances/korea-2026-2030.yaml` under its default model (a MIP), its 2026 budget swept
from 0.8× to 1.2× (`--points` points; the lowest are infeasible). The ways:

1. rebuild per point — `allocator.solve(point, model)`: validate, build, compile, a new HiGHS
   session, solve, verify;
2. `allocator.solve_many` with a cleared basis (the default) — build each point, change what
   differs in the one loaded HiGHS session, solve, verify;
3. the same, warm-started from the previous point's basis;
4. raw highspy, cleared basis, and 5. raw highspy, warm basis — the limit: matrices compiled by
   allocator before the clock starts, then a loop of raw highspy calls only (set the row bounds and
   any changed coefficient in place, clear the basis or not, run, read status, objective and the
   column values); no names, no verification.

Each way runs `--repeats` times, the ways taking turns 25 points at a time (so a change in the
machine's load falls on all alike); the tables give medians per point and ratios side by side,
then where allocator's in-place time goes (one extra pass, stage by stage). Objectives are
checked equal across ways (infeasible points included). `--synthetic` adds a 2,000-line synthetic
LP (21 points). Results are recorded in docs/performance.md."""

from __future__ import annotations

import argparse
import itertools
import os
import platform
import statistics
import time
import warnings
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

import highspy
import numpy as np

import allocator
from allocator.api import resolve_model
from allocator.formulation import build
from allocator.results.result import Result
from allocator.solver.compile import check_ranges, compile_matrix
from allocator.solver.highs import Resolver, SolveOptions, new_highs
from allocator.synthetic import synthetic_case

ROOT = Path(__file__).resolve().parent.parent

REBUILD = "rebuild per point (`allocator.solve`)"
COLD = "`solve_many`, cleared basis (default)"
WARM = "`solve_many`, warm basis"
RAW_COLD = "raw highspy in place, cleared basis"
RAW_WARM = "raw highspy in place, warm basis"


def _points(inst: allocator.Instance, n: int) -> list[allocator.Instance]:
    first = inst.years[0]
    out = []
    for f in np.linspace(0.8, 1.2, n):
        budget = {y: inst.budget_in(y) * (f if y == first else 1.0) for y in inst.years}
        out.append(allocator.Instance.model_validate({**inst.model_dump(), "budget": budget}))
    return out


def _raw(matrices: list[Any], warm: bool) -> Iterator[float]:
    """Raw highspy: one session; per point only raw calls (set the row bounds and any changed
    coefficient, clear the basis or not, run, read status, objective and column values)."""
    h: Any = new_highs(matrices[0], SolveOptions())
    m = matrices[0].lp.num_row_
    rows = np.arange(m, dtype=np.int32)
    lowers = [np.asarray(mt.lp.row_lower_) for mt in matrices]
    uppers = [np.asarray(mt.lp.row_upper_) for mt in matrices]
    values = [np.asarray(mt.lp.a_matrix_.value_) for mt in matrices]
    starts = np.asarray(matrices[0].lp.a_matrix_.start_)
    index = np.asarray(matrices[0].lp.a_matrix_.index_)
    optimal = highspy.HighsModelStatus.kOptimal
    base = values[0]
    for lower, upper, value in zip(lowers, uppers, values, strict=True):
        h.changeRowsBounds(m, rows, lower, upper)
        for e in np.flatnonzero(value != base):
            col = int(np.searchsorted(starts, e, side="right") - 1)
            h.changeCoeff(int(index[e]), col, float(value[e]))
        base = value
        if not warm:
            h.clearSolver()
        h.run()
        if h.getModelStatus() == optimal:
            h.getSolution()
            yield h.getInfo().objective_function_value
        else:
            yield float("nan")


def _ways(
    points: list[allocator.Instance], spec: allocator.ModelSpec
) -> dict[str, Callable[[], Iterator[float]]]:
    """Each way as a generator of objectives, one per point (so ways can take turns)."""
    matrices = [compile_matrix(build(p, spec)) for p in points]

    def rebuild() -> Iterator[float]:
        return (_value(allocator.solve(p, spec).objective) for p in points)

    def many(warm: bool) -> Iterator[float]:
        return (_value(r.objective) for r in allocator.solve_many(points, spec, warm=warm))

    return {
        REBUILD: rebuild,
        COLD: lambda: many(False),
        WARM: lambda: many(True),
        RAW_COLD: lambda: _raw(matrices, False),
        RAW_WARM: lambda: _raw(matrices, True),
    }


def _turns(
    ways: dict[str, Callable[[], Iterator[float]]], n: int, block: int
) -> tuple[dict[str, float], dict[str, list[float]]]:
    """One run of every way over all `n` points, the ways taking turns `block` points at a time
    (so a change in the machine's load falls on all of them alike): seconds and objectives."""
    running = {way: start() for way, start in ways.items()}
    seconds = dict.fromkeys(ways, 0.0)
    objectives: dict[str, list[float]] = {way: [] for way in ways}
    for _ in range(0, n, block):
        for way, points in running.items():
            started = time.perf_counter()
            objectives[way].extend(itertools.islice(points, block))
            seconds[way] += time.perf_counter() - started
    return seconds, objectives


def _value(objective: float | None) -> float:
    return float("nan") if objective is None else objective


def _anatomy(points: list[allocator.Instance], spec: allocator.ModelSpec) -> dict[str, float]:
    """Mean milliseconds per point of each stage of `solve_many`'s loop (cleared basis). The
    compile and range checks run inside `Resolver.solve`; they are timed once more on their own
    (on the same built point) and subtracted."""
    resolver = Resolver(SolveOptions())
    stages: dict[str, list[float]] = {
        "build the point": [],
        "compile the matrix, range checks": [],
        "in-place update, fixed-integer LP re-solve, read-back": [],
        "HiGHS run (branch and bound)": [],
        "independent verification (`Result.from_solution`)": [],
    }
    for p in points:
        t0 = time.perf_counter()
        built = build(p, spec)
        t1 = time.perf_counter()
        check_ranges(compile_matrix(built))
        t2 = time.perf_counter()
        sol = resolver.solve(built)
        t3 = time.perf_counter()
        Result.from_solution(built, sol)
        t4 = time.perf_counter()
        values = [t1 - t0, t2 - t1, max(t3 - t2 - (t2 - t1) - sol.runtime, 0.0), sol.runtime]
        for stage, value in zip(stages, [*values, t4 - t3], strict=True):
            stages[stage].append(value)
    return {k: 1000 * statistics.fmean(v) for k, v in stages.items()}


def run_case(
    label: str, inst: allocator.Instance, spec: allocator.ModelSpec, n: int, repeats: int
) -> None:
    """Time every way on one case and print the tables."""
    points = _points(inst, n)
    ways = _ways(points, spec)
    samples: dict[str, list[float]] = {way: [] for way in ways}
    reference: list[float] | None = None
    for _ in range(repeats):
        seconds, objectives = _turns(ways, n, block=25)
        for way in ways:
            samples[way].append(seconds[way] / n)
            reference = reference or objectives[way]
            same = np.allclose(objectives[way], reference, rtol=1e-6, equal_nan=True)
            assert same, f"{label}: {way} disagrees with the first way"
    per = {way: statistics.median(s) for way, s in samples.items()}
    infeasible = int(np.isnan(reference or []).sum())
    raw_best = min(per[RAW_COLD], per[RAW_WARM])
    ours = min(per[COLD], per[WARM])
    print(f"\n### {label}: {n:,} points ({infeasible} infeasible), medians of {repeats} runs\n")
    print(
        "| way | ms per point | the runs | points per second | rate vs rebuild | rate vs raw best |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for way, t in per.items():
        runs = " / ".join(f"{1000 * x:.1f}" for x in samples[way])
        print(
            f"| {way} | {1000 * t:.1f} | {runs} | {1 / t:,.0f} | {per[REBUILD] / t:.2f}× | "
            f"{raw_best / t:.2f}× |"
        )
    print(
        f"\nallocator in place (best of cleared/warm): {per[REBUILD] / ours:.2f}× the rebuild rate "
        f"(goal ≥ 5×), {raw_best / ours:.2f}× raw highspy's best in-place rate (goal ≥ 0.9×); "
        f"cleared basis {'faster' if per[COLD] <= per[WARM] else 'slower'} than warm by "
        f"{abs(per[WARM] / per[COLD] - 1):.0%}."
    )
    print(f"\nWhere `solve_many`'s time goes ({label}, mean ms per point, one pass):\n")
    print("| stage | ms per point |")
    print("| --- | ---: |")
    for stage, ms in _anatomy(points, spec).items():
        print(f"| {stage} | {ms:.2f} |")


def main() -> None:
    """Time each way over each case and print markdown tables."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--points", type=int, default=1000)
    parser.add_argument("--synthetic", action="store_true", help="add a 2,000-line synthetic LP")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    started = time.perf_counter()
    print(
        f"{datetime.now(UTC):%Y-%m-%d}, Python {platform.python_version()}, "
        f"highspy {version('highspy')}, {os.cpu_count()} cores"
    )
    korea = allocator.load_instance(ROOT / "instances/korea-2026-2030.yaml")
    run_case(
        "korea-2026-2030 under its default model (MIP)",
        korea,
        resolve_model(korea, None),
        args.points,
        args.repeats,
    )
    if args.synthetic:
        inst, model = synthetic_case(2000, 3, seed=1)
        run_case(
            "synthetic LP, 2,000 lines × 3 years",
            allocator.Instance.model_validate(inst),
            allocator.ModelSpec.model_validate(model),
            21,
            args.repeats,
        )
    print(f"\nThe whole run took {(time.perf_counter() - started) / 60:.1f} min.")


if __name__ == "__main__":
    main()
