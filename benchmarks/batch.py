"""Batch analyses against raw HiGHS: Monte Carlo, frontier and near-optimal ranges, per point.

    make bench-batch
    .venv/bin/python benchmarks/batch.py [--reps 3] [--samples 30] [--points 10]
                                         [--lines 300] [--json FILE] [--only montecarlo,...]

Each analysis runs through allocator's public API (`monte_carlo`, `pareto`, `near_optimal`) on
the five-year Korea instance (instances/korea-2026-2030.yaml) and on a synthetic case
(`allocator.synthetic.synthetic_case`, `--lines` × 5 years, with an `uncertainty:` block drawing
the budget of every year after the first). Raw highspy then does the SAME solves in place: one
`Highs` object per session allocator used, the first model passed once, every later point
changed with `changeColsCost`, `changeColsBounds`, `changeRowsBounds` and `changeCoeff` and run
again (from scratch, `clearSolver`, as allocator does), objective read back. Same number of solves,
same order; every objective must agree with allocator's to 1e-6 relative.

How the raw side knows the solves: a first, untimed run of the analysis records every model
allocator's `Resolver` is asked to solve (its matrix, its session, the objective it returned),
and every single solve in a fresh session (`run_highs`: the base plan Monte Carlo and
near-optimal ranges start from, which raw highspy solves too, in a session of its own).
Then allocator's run and the raw replay take turns `--reps` times; the figures are medians. The
timed allocator runs also total the seconds spent inside HiGHS (`Highs.run` and the threaded run
of `solver.highs`), so its time splits into HiGHS and Python around it; Monte Carlo's
explanations of infeasible samples (`reason`, `colliding`: extra HiGHS probes raw highspy does
not make) are timed apart.

CPU seconds (all threads of the process, `time.process_time`) are taken beside wall seconds on
both sides: on a machine shared with other work they move less than wall time.

Per point: a Monte Carlo sample (two solves: re-optimised, base plan held), a frontier bound
(two or three lexicographic solves), a near-optimal extreme (one solve). Overhead = allocator's
time per point over raw's, minus one (the Python around the same solves, as a share of them).
Beside it, the issue's own measure: the Python around HiGHS (allocator's wall time, less its
explanations and the seconds inside HiGHS) as a share of the seconds inside HiGHS — which
include polishing each MIP answer (its LP re-solved with the integers fixed, for exact zeros and
duals: solves raw highspy does not make, reported as their share).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(ROOT / "src"), str(HERE)]

import highspy  # noqa: E402
import numpy as np  # noqa: E402

import allocator  # noqa: E402
from allocator import api as api_module  # noqa: E402
from allocator.analysis import sample_run as mc_module  # noqa: E402
from allocator.analysis.frontier import pareto  # noqa: E402
from allocator.analysis.montecarlo import monte_carlo  # noqa: E402
from allocator.analysis.near_optimal import near_optimal  # noqa: E402
from allocator.solver import highs as highs_module  # noqa: E402
from allocator.solver.compile import compile_matrix  # noqa: E402
from allocator.solver.highs import Resolver  # noqa: E402

KOREA = ROOT / "instances" / "korea-2026-2030.yaml"
TOLERANCE = 1e-6
JSON = ROOT / "build" / "batch.json"


# --------------------------------------------------------------------------- recording


@dataclass
class Recorded:
    """One solve allocator's Resolver made: which session, the model's arrays, the objective."""

    session: int
    cost: np.ndarray
    col_lower: np.ndarray
    col_upper: np.ndarray
    row_lower: np.ndarray
    row_upper: np.ndarray
    offset: float
    sense: Any
    lp: Any
    objective: float | None


@contextmanager
def recording() -> Iterator[list[Recorded]]:
    """Record every `Resolver.solve` and `solve_objective` (its matrix compiled again, untimed)."""
    solves: list[Recorded] = []
    sessions: dict[int, int] = {}
    originals = {name: getattr(Resolver, name) for name in ("solve", "solve_objective")}
    inside = [False]

    def record(name: str) -> Callable[..., Any]:
        def wrapper(self: Resolver, built: Any, *args: Any, **kwargs: Any) -> Any:
            if inside[0]:  # solve_objective falling back on solve: recorded once, outside
                return originals[name](self, built, *args, **kwargs)
            inside[0] = True
            try:
                sol = originals[name](self, built, *args, **kwargs)
            finally:
                inside[0] = False
            keep(self, built, sol)
            return sol

        return wrapper

    def keep(self: object, built: Any, sol: Any) -> None:
        lp = compile_matrix(built).lp
        session = sessions.setdefault(id(self), len(sessions))
        solves.append(
            Recorded(
                session,
                np.array(lp.col_cost_, dtype=float),
                np.array(lp.col_lower_, dtype=float),
                np.array(lp.col_upper_, dtype=float),
                np.array(lp.row_lower_, dtype=float),
                np.array(lp.row_upper_, dtype=float),
                float(lp.offset_),
                lp.sense_,
                lp,
                sol.objective if sol.status.has_allocation else None,
            )
        )

    single = api_module.run_highs
    tokens: list[object] = []

    def once(built: Any, *args: Any, **kwargs: Any) -> Any:
        """A solve in a session of its own (the base plan the analysis starts from)."""
        sol = single(built, *args, **kwargs)
        tokens.append(object())  # kept alive: its id names the session
        keep(tokens[-1], built, sol)
        return sol

    for name in originals:
        setattr(Resolver, name, record(name))
    api_module.run_highs = once
    try:
        yield solves
    finally:
        for name, fn in originals.items():
            setattr(Resolver, name, fn)
        api_module.run_highs = single


@contextmanager
def highs_clock(explain: bool = True) -> Iterator[dict[str, float]]:
    """Seconds inside HiGHS's runs (threaded and plain; `polish`: the part re-solving a MIP's LP
    with its integers fixed, which raw highspy does not do) and inside infeasibility
    explanations; without `explain`, explanations are not made at all (empty `reason` and
    `base.breaks`)."""
    spent = {"highs": 0.0, "polish": 0.0, "explain": 0.0, "explain_cpu": 0.0}
    threaded, plain = highs_module._run, highspy.Highs.run
    polish = highs_module._fix_integers_and_resolve
    explained = {name: getattr(mc_module, name) for name in ("reason", "colliding")}

    def timed(fn: Callable[..., Any], key: str) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            started, cpu = time.perf_counter(), time.process_time()
            try:
                return fn(*args, **kwargs)
            finally:
                spent[key] += time.perf_counter() - started
                if key == "explain":
                    spent["explain_cpu"] += time.process_time() - cpu

        return wrapper

    highs_module._run = timed(threaded, "highs")
    highspy.Highs.run = timed(plain, "highs")  # type: ignore[method-assign]
    highs_module._fix_integers_and_resolve = timed(polish, "polish")
    stubs: dict[str, Callable[..., Any]] = {"reason": lambda *a: "", "colliding": lambda *a: []}
    for name, fn in explained.items():
        setattr(mc_module, name, timed(fn, "explain") if explain else stubs[name])
    try:
        yield spent
    finally:
        highs_module._run = threaded
        highspy.Highs.run = plain  # type: ignore[method-assign]
        highs_module._fix_integers_and_resolve = polish
        for name, fn in explained.items():
            setattr(mc_module, name, fn)


# --------------------------------------------------------------------------- raw replay


def _quiet_highs() -> Any:
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("mip_rel_gap", 1e-7)
    h.setOptionValue("random_seed", 0)
    return h


def replay(solves: list[Recorded]) -> tuple[float, float, list[float | None]]:
    """The same solves in raw highspy, in place, one session per allocator session: seconds,
    CPU seconds and objectives."""
    sessions: dict[int, tuple[Any, Recorded]] = {}
    objectives: list[float | None] = []
    started, cpu = time.perf_counter(), time.process_time()
    for s in solves:
        held = sessions.get(s.session)
        if held is None:
            h = _quiet_highs()
            h.passModel(s.lp)
        else:
            h, before = held
            n, m = s.cost.size, s.row_lower.size
            cols, rows = np.arange(n, dtype=np.int32), np.arange(m, dtype=np.int32)
            h.changeColsCost(n, cols, s.cost)
            h.changeColsBounds(n, cols, s.col_lower, s.col_upper)
            h.changeRowsBounds(m, rows, s.row_lower, s.row_upper)
            h.changeObjectiveOffset(s.offset)
            if s.sense != before.sense:
                h.changeObjectiveSense(s.sense)
            old, new = before.lp.a_matrix_, s.lp.a_matrix_
            changed = np.flatnonzero(np.asarray(old.value_) != np.asarray(new.value_))
            starts, index = np.asarray(new.start_), np.asarray(new.index_)
            for e in changed:
                col = int(np.searchsorted(starts, e, side="right") - 1)
                h.changeCoeff(int(index[e]), col, float(new.value_[e]))
            h.clearSolver()
        h.run()
        ok = h.getModelStatus() == highspy.HighsModelStatus.kOptimal
        objectives.append(float(h.getInfo().objective_function_value) if ok else None)
        sessions[s.session] = (h, s)
    return time.perf_counter() - started, time.process_time() - cpu, objectives


def disagreements(solves: list[Recorded], objectives: list[float | None]) -> list[str]:
    out = []
    for k, (s, got) in enumerate(zip(solves, objectives, strict=True)):
        want = s.objective
        if (want is None) != (got is None) or (
            want is not None
            and got is not None
            and abs(want - got) > TOLERANCE * max(1.0, abs(want))
        ):
            out.append(f"solve {k}: allocator {want}, raw {got}")
    return out


# --------------------------------------------------------------------------- the cases


def synthetic(lines: int, samples: int) -> tuple[allocator.Instance, allocator.ModelSpec]:
    """A synthetic LP with an uncertain budget after the first year (and its model inline)."""
    from allocator.synthetic import synthetic_case

    inst, model = synthetic_case(lines, 5, seed=0)
    years = inst["years"]
    inst["uncertainty"] = {
        "seed": 1,
        "samples": samples,
        "parameters": [
            {
                "path": f"budget.{y}",
                "dist": "triangular",
                "low": 0.9,
                "mode": 1.0,
                "high": 1.05,
                "relative": True,
            }
            for y in years[1:]
        ],
    }
    return allocator.Instance.model_validate(inst), allocator.ModelSpec.model_validate(model)


def analyses(
    inst: allocator.Instance, model: Any, samples: int, points: int, kpi: str
) -> dict[str, tuple[Callable[[], Any], Callable[[Any], int]]]:
    """Each analysis as (run it, how many points it made)."""
    return {
        "montecarlo": (
            lambda: monte_carlo(inst, model, samples=samples),
            lambda out: out.samples,
        ),
        "frontier": (
            lambda: pareto(inst, model, "objective", kpi, points),
            lambda out: points,
        ),
        "near_optimal": (
            lambda: near_optimal(inst, model, slack=0.02),
            lambda out: 2 * len(out.ranges),
        ),
    }


def measure(
    label: str, name: str, run: Callable[[], Any], count: Callable[[Any], int], reps: int
) -> dict[str, Any]:
    """Record once; then allocator and the raw replay in turn, `reps` times."""
    with recording() as solves:
        out = run()
    points = count(out)
    alloc, raw, inside, polishing, explaining, bare = [], [], [], [], [], []
    alloc_cpu, raw_cpu, explaining_cpu, bare_cpu = [], [], [], []
    problems: list[str] = []
    # Monte Carlo also runs without making its explanations at all: subtracting their time leaves
    # their noise in a figure ten times smaller than them.
    sides = ["allocator", "raw", *(["bare"] if name == "montecarlo" else [])]
    for rep in range(reps):
        for side in sides[rep % len(sides) :] + sides[: rep % len(sides)]:
            if side == "bare":
                with highs_clock(explain=False):
                    started, cpu = time.perf_counter(), time.process_time()
                    run()
                    bare.append(time.perf_counter() - started)
                    bare_cpu.append(time.process_time() - cpu)
            elif side == "raw":
                seconds, cpu, objectives = replay(solves)
                raw.append(seconds)
                raw_cpu.append(cpu)
                problems = disagreements(solves, objectives)
            else:
                with highs_clock() as spent:
                    started, cpu = time.perf_counter(), time.process_time()
                    run()
                    alloc.append(time.perf_counter() - started)
                    alloc_cpu.append(time.process_time() - cpu)
                inside.append(spent["highs"])
                polishing.append(spent["polish"])
                explaining.append(spent["explain"])
                explaining_cpu.append(spent["explain_cpu"])
    a, r = statistics.median(alloc), statistics.median(raw)
    e, h = statistics.median(explaining), statistics.median(inside)
    # CPU seconds (every thread of the process): steadier than wall time on a shared machine
    a_cpu, r_cpu = statistics.median(alloc_cpu), statistics.median(raw_cpu)
    e_cpu = statistics.median(explaining_cpu)
    row = {
        "case": label,
        "analysis": name,
        "points": points,
        "solves": len(solves),
        "allocator": a,
        "raw": r,
        "allocator_per_point": a / points,
        "raw_per_point": r / points,
        "overhead": a / r - 1,
        "highs_inside": h,
        "polish": statistics.median(polishing),
        # the measure: Python around HiGHS (explanations apart) over HiGHS's own time
        "python_share": statistics.median(
            (t - h - x) / h for t, h, x in zip(alloc, inside, explaining, strict=True)
        ),
        "explain": e,
        "overhead_without_explain": (a - e) / r - 1,
        "allocator_cpu": a_cpu,
        "raw_cpu": r_cpu,
        "explain_cpu": e_cpu,
        "overhead_cpu_without_explain": (a_cpu - e_cpu) / r_cpu - 1,
        "agree": not problems,
        "problems": problems[:5],
        "load": os.getloadavg(),
        "runs": {
            "allocator": alloc,
            "raw": raw,
            "allocator_cpu": alloc_cpu,
            "raw_cpu": raw_cpu,
            "bare": bare,
            "bare_cpu": bare_cpu,
        },
    }
    if bare:
        b, b_cpu = statistics.median(bare), statistics.median(bare_cpu)
        row.update(
            bare=b, bare_cpu=b_cpu, overhead_bare=b / r - 1, overhead_cpu_bare=b_cpu / r_cpu - 1
        )
    unexplained = (
        f"; run without them {row['overhead_bare']:+.0%}, CPU {row['overhead_cpu_bare']:+.0%}"
        if bare
        else ""
    )
    print(
        f"{label:<10} {name:<13} {points:4d} points {len(solves):4d} solves: allocator "
        f"{a / points * 1e3:8.1f} ms/point (explain {e / points * 1e3:.1f}), raw "
        f"{r / points * 1e3:8.1f} ms/point, overhead {row['overhead']:+.0%} "
        f"(without explanations {row['overhead_without_explain']:+.0%}; in CPU time "
        f"{row['overhead_cpu_without_explain']:+.0%}{unexplained}); Python around HiGHS "
        f"{row['python_share']:.0%} of HiGHS's time (polishing MIP answers "
        f"{statistics.median(polishing) / h:.0%} of it), "
        f"objectives {'agree' if not problems else 'DISAGREE'}; load {os.getloadavg()[0]:.2f}",
        flush=True,
    )
    return row


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--samples", type=int, default=30)
    parser.add_argument("--points", type=int, default=10)
    parser.add_argument("--lines", type=int, default=300)
    parser.add_argument("--only", default="montecarlo,frontier,near_optimal")
    parser.add_argument("--cases", default="korea,synthetic")
    parser.add_argument("--json", type=Path, default=JSON)
    args = parser.parse_args()
    wanted = args.only.split(",")
    rows = []
    for label in args.cases.split(","):
        if label == "korea":
            inst = allocator.load_instance(KOREA)
            model: Any = None
            # a trade-off with room in it (`gpus@2028`, which the optimum already maximises, is a
            # single point, traced once)
            kpi = "ai_experts@2030"
        else:
            inst, model = synthetic(args.lines, args.samples)
            kpi = "gpus"
        for name, (run, count) in analyses(inst, model, args.samples, args.points, kpi).items():
            if name in wanted:
                rows.append(measure(label, name, run, count, args.reps))
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(rows, indent=1), encoding="utf-8")
    return 0 if all(r["agree"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
