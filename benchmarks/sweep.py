"""Sweep speed: a 21-point budget sweep solved four ways, side by side in one run.

    .venv/bin/python benchmarks/sweep.py [--repeats 3]

(1) rebuild and solve each point (`allocator.solve`); (2) `allocator.solve_many` with a cleared
basis; (3) the same, warm-started from the previous point's basis; (4) raw highspy changing the
budget rows in place (cold and warm) — the limit. Medians of `--repeats` runs; objectives checked
equal. Results are recorded in docs/performance.md."""

from __future__ import annotations

import argparse
import statistics
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import highspy
import numpy as np

import allocator
from allocator.build import build
from allocator.solve import SolveOptions, compile_matrix, new_highs
from allocator.synthetic import synthetic_case

ROOT = Path(__file__).resolve().parent.parent


def _points(inst: allocator.Instance, n: int) -> list[allocator.Instance]:
    first = inst.years[0]
    out = []
    for f in np.linspace(0.8, 1.2, n):
        budget = {y: inst.budget_in(y) * (f if y == first else 1.0) for y in inst.years}
        out.append(allocator.Instance.model_validate({**inst.model_dump(), "budget": budget}))
    return out


def _raw(points: list[allocator.Instance], spec: allocator.ModelSpec, warm: bool) -> list[float]:
    """Raw highspy: load once, then set every row's bounds and the changed coefficients of each
    point in place (the matrices are compiled before the clock starts)."""
    matrices = [compile_matrix(build(p, spec)) for p in points]
    h: Any = new_highs(matrices[0], SolveOptions())
    m = matrices[0].lp.num_row_
    rows = np.arange(m, dtype=np.int32)
    base = np.asarray(matrices[0].lp.a_matrix_.value_)
    starts = np.asarray(matrices[0].lp.a_matrix_.start_)
    index = np.asarray(matrices[0].lp.a_matrix_.index_)
    started = time.perf_counter()
    out = []
    for matrix in matrices:
        lp = matrix.lp
        h.changeRowsBounds(m, rows, np.asarray(lp.row_lower_), np.asarray(lp.row_upper_))
        values = np.asarray(lp.a_matrix_.value_)
        for e in np.flatnonzero(values != base):
            col = int(np.searchsorted(starts, e, side="right") - 1)
            h.changeCoeff(int(index[e]), col, float(values[e]))
        base = values
        if not warm:
            h.clearSolver()
        h.run()
        optimal = h.getModelStatus() == highspy.HighsModelStatus.kOptimal
        out.append(h.getInfo().objective_function_value if optimal else float("nan"))
    _raw.seconds = time.perf_counter() - started  # type: ignore[attr-defined]
    return out


def _ways(
    points: list[allocator.Instance], spec: allocator.ModelSpec
) -> dict[str, Callable[[], list[float]]]:
    def rebuild() -> list[float]:
        return [_value(allocator.solve(p, spec).objective) for p in points]

    def many(warm: bool) -> list[float]:
        return [_value(r.objective) for r in allocator.solve_many(points, spec, warm=warm)]

    return {
        "rebuild per point (`allocator.solve`)": rebuild,
        "`solve_many`, cleared basis": lambda: many(False),
        "`solve_many`, warm basis": lambda: many(True),
        "raw highspy in place, cleared basis (limit)": lambda: _raw(points, spec, False),
        "raw highspy in place, warm basis (limit)": lambda: _raw(points, spec, True),
    }


def _value(objective: float | None) -> float:
    return float("nan") if objective is None else objective


def main() -> None:
    """Time each way over each case and print a markdown table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--points", type=int, default=21)
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    inst_lp, model_lp = synthetic_case(2000, 3, seed=1)
    cases = [
        (
            "synthetic LP, 2,000 lines × 3 years",
            allocator.Instance.model_validate(inst_lp),
            allocator.ModelSpec.model_validate(model_lp),
        ),
        (
            "korea-2026-2030 (MIP)",
            allocator.load_instance(ROOT / "instances/korea-2026-2030.yaml"),
            allocator.load_model(ROOT / "models/national-ai-2026.yaml"),
        ),
    ]
    print("| case | way | median per point (ms) | vs rebuild |")
    print("| --- | --- | --- | --- |")
    for label, inst, spec in cases:
        points = _points(inst, args.points)
        ways = _ways(points, spec)
        times: dict[str, float] = {}
        reference: list[float] | None = None
        for way, run in ways.items():
            samples = []
            for _ in range(args.repeats):
                started = time.perf_counter()
                objectives = run()
                took = time.perf_counter() - started
                if way.startswith("raw"):
                    took = _raw.seconds  # type: ignore[attr-defined]
                samples.append(took / len(points))
            reference = reference or objectives
            assert np.allclose(objectives, reference, rtol=1e-6, equal_nan=True), (label, way)
            times[way] = statistics.median(samples)
        base = next(iter(times.values()))
        for way, t in times.items():
            print(f"| {label} | {way} | {1000 * t:.1f} | {t / base:.2f}× |")


if __name__ == "__main__":
    main()
