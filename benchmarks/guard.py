"""Guard: fail when a whole allocator process is slower than raw highspy by more than a bound.

    make bench-guard [BOUND=1.10]
    .venv/bin/python benchmarks/guard.py [--bound 1.10] [--reps 7] [--route api|text|cli]
                                         [--size lp:5000x5] [--memory-bound 1.3]

About a minute: writes the synthetic 5,000-line × 5-year LP as instance files, then runs
allocator (the public API path by default: `benchmarks/allocator_api.py`; `--route text` for
`allocator solve` as typed, `--route cli` for `allocator solve --format json`) and raw highspy
(`benchmarks/raw_highs.py`) on them as whole processes, taking turns (`--reps` pairs, after one
unmeasured warm-up of each), exactly as `benchmarks/whole.py` does. Prints the median of the
pair-by-pair ratios of wall time (and of peak memory) and exits 1 when the time ratio exceeds
`--bound` (or the memory ratio exceeds `--memory-bound`, when given), or when an objective
disagrees with raw's by more than 1e-6 relative or allocator's answer is not verified. Run on
demand (`make bench-guard`), not in the unit tests: the machine is shared, so a single run can be
off by several per cent.
"""

from __future__ import annotations

import argparse
import statistics
import sys

from whole import LABEL, check, parse_sizes, ratio, run, write_case


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--bound", type=float, default=1.10, help="largest time ratio (1.10)")
    parser.add_argument("--memory-bound", type=float, help="largest peak-memory ratio (none)")
    parser.add_argument("--reps", type=int, default=7, help="pairs of runs (7)")
    parser.add_argument("--route", choices=("api", "text", "cli"), default="api")
    parser.add_argument("--size", default="lp:5000x5")
    args = parser.parse_args()
    (variant, lines, years) = parse_sizes(args.size)[0]
    instance = write_case(variant, lines, years)
    routes = ("raw", args.route)
    for route in routes:
        run(route, instance)  # warm-up: bytecode and page caches
    runs: dict[str, list[dict]] = {route: [] for route in routes}
    for rep in range(args.reps):
        for route in routes if rep % 2 == 0 else routes[::-1]:
            runs[route].append(run(route, instance))
    problems = check(runs)
    time_ratio = ratio(runs, args.route, "wall")
    memory_ratio = ratio(runs, args.route, "peak_mib")
    label = LABEL[args.route]

    def med(route: str, key: str) -> float:
        return statistics.median(r[key] for r in runs[route])

    mine, raw = med(args.route, "wall"), med("raw", "wall")
    peak, raw_peak = med(args.route, "peak_mib"), med("raw", "peak_mib")
    print(
        f"{instance.name}: {label} {mine:.2f} s, raw highspy {raw:.2f} s (medians of "
        f"{args.reps}); peak {peak:.0f} vs {raw_peak:.0f} MiB"
    )
    print(f"whole-process ratio {label} / raw highspy: {time_ratio:.3f} (bound {args.bound:.2f})")
    print(
        f"peak-memory ratio: {memory_ratio:.3f}"
        + (f" (bound {args.memory_bound:.2f})" if args.memory_bound else "")
    )
    failed = list(problems)
    if time_ratio > args.bound:
        failed.append(f"time ratio {time_ratio:.3f} exceeds the bound {args.bound:.2f}")
    if args.memory_bound and memory_ratio > args.memory_bound:
        failed.append(f"memory ratio {memory_ratio:.3f} exceeds the bound {args.memory_bound:.2f}")
    for problem in failed:
        print(f"FAIL: {problem}")
    print("PASS" if not failed else "FAIL")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
