"""Independent verification and results tables, timed against HiGHS's own run time.

`python benchmarks/verify_bench.py 1000 10000 --reps 3 --against ../main/src` solves each
synthetic LP case (`allocator.synthetic.synthetic_case(lines, 5)`) once per process, then times
inside that process, `reps` times each: `Result.plan()` (the solution's numbers gathered for the
checker), `check.verify` on them, and the `allocation` and `pillars` tables. With `--against`, a
second source tree (the old main, say) is timed the same way, the two runs alternating process by
process, so both see the same load on this shared machine; medians are printed side by side with
the ratio of verification to `Result.runtime` (HiGHS's run)."""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def worker(lines: int, years: int, reps: int) -> dict[str, Any]:
    """One solve, then `reps` timings of each stage after it (seconds, medians)."""
    import allocator
    from allocator.check import verify
    from allocator.synthetic import synthetic_case

    inst_d, model_d = synthetic_case(lines, years)
    inst = allocator.Instance.model_validate(inst_d)
    spec = allocator.ModelSpec.model_validate(model_d)
    res = allocator.solve(inst, spec)
    assert res.verified, res.violations[:3]
    plan_t, verify_t, tables_t = [], [], []
    for _ in range(reps):
        res._plan = None
        started = time.perf_counter()
        plan = res.plan()
        plan_t.append(time.perf_counter() - started)
        started = time.perf_counter()
        found = verify(inst, spec, plan, res.objective, {})
        verify_t.append(time.perf_counter() - started)
        assert not found, found[:3]
        res._allocation = None
        started = time.perf_counter()
        frames = (res.allocation, res.pillars)
        tables_t.append(time.perf_counter() - started)
        del frames
    return {
        "plan": statistics.median(plan_t),
        "verify": statistics.median(verify_t),
        "tables": statistics.median(tables_t),
        "highs": res.runtime,
        "src": str(Path(allocator.__file__).parent.parent),
    }


def _spawn(src: str, lines: int, years: int, reps: int) -> dict[str, Any]:
    env = dict(os.environ, PYTHONPATH=src)
    args = [sys.executable, __file__, "--worker", str(lines), "--years", str(years)]
    out = subprocess.run(
        [*args, "--reps", str(reps)], env=env, capture_output=True, text=True, check=True
    )
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("lines", nargs="*", type=int, default=[1000, 10000])
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--reps", type=int, default=3, help="timings per process (median)")
    parser.add_argument("--runs", type=int, default=3, help="processes per tree, alternating")
    parser.add_argument("--against", help="another tree's src/ to time beside this one")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.lines[0], args.years, args.reps)))
        return 0
    trees = {"this": str(ROOT / "src")}
    if args.against:
        trees = {"old": str(Path(args.against).resolve()), **trees}
    for lines in args.lines:
        runs: dict[str, list[dict[str, Any]]] = {name: [] for name in trees}
        for _ in range(args.runs):
            for name, src in trees.items():
                runs[name].append(_spawn(src, lines, args.years, args.reps))
        for name, got in runs.items():
            assert all(r["src"] == str(Path(trees[name]).resolve()) for r in got), got
            med = {
                k: statistics.median(r[k] for r in got)
                for k in ("plan", "verify", "tables", "highs")
            }
            print(
                f"{lines}x{args.years} {name}: plan {med['plan']:.4f} s, verify "
                f"{med['verify']:.4f} s, tables {med['tables']:.4f} s, HiGHS {med['highs']:.3f} s, "
                f"verify/HiGHS {med['verify'] / med['highs']:.1%}",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
