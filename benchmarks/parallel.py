"""Parallel speed-up of a batch of independent solves: Monte Carlo on 1 worker against 2.

    make bench-parallel
    .venv/bin/python benchmarks/parallel.py [--pairs 3] [--samples 40] [--lines 300]
                                            [--case synthetic|korea] [--executor pool|dask]

Runs `allocator.analysis.montecarlo.monte_carlo` on the same instance and seed with one worker
(`SerialExecutor`: this process, one pair of HiGHS sessions) and with two (`PoolExecutor(2)`, or
`DaskExecutor("local:2")`), in alternating pairs (1 then 2, 2 then 1, ...), and reports the
median of the pair-by-pair ratios of wall time. The base solve and the draws are the same on both
sides; the pool is started before the clock (a pool started per run would add its start-up to a
short batch). Each run's CPU seconds (this process and its children, from `resource.getrusage`)
and the load average before and after are kept too: other people's processes share the cores,
and when the load is above the core count a wall-time ratio says little; the CPU-time figure,
serial CPU seconds over the parallel run's CPU seconds per worker (the wall time it would take
with both cores to itself), is the one to read then. The tables of both sides must be equal.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(ROOT / "src"), str(HERE)]

import pandas as pd  # noqa: E402
from batch import KOREA, synthetic  # noqa: E402

import allocator  # noqa: E402
from allocator.analysis.montecarlo import monte_carlo  # noqa: E402
from allocator.execute import DaskExecutor, PoolExecutor, SerialExecutor  # noqa: E402
from allocator.execute.executors import Executor  # noqa: E402

JSON = ROOT / "build" / "parallel.json"


TICK = os.sysconf("SC_CLK_TCK")


def cpu(executor: Executor) -> tuple[float, float]:
    """CPU seconds so far of this process and of the executor's live worker processes (read
    from /proc: a pool's workers are not children the kernel has accounted for until they end)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    total = 0.0
    pool = getattr(executor, "_pool", None)
    for pid in getattr(pool, "_processes", {}) or {}:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / TICK  # utime, stime
    return own.ru_utime + own.ru_stime, total


def timed(inst: Any, model: Any, samples: int, executor: Executor) -> dict[str, Any]:
    load = os.getloadavg()[0]
    c0, t0 = cpu(executor), time.perf_counter()
    out = monte_carlo(inst, model, samples=samples, executor=executor)
    wall, c1 = time.perf_counter() - t0, cpu(executor)
    own, workers = c1[0] - c0[0], c1[1] - c0[1]
    return {
        "wall": wall,
        "cpu": own + workers,
        "own": own,
        "workers": workers,
        "load": load,
        "table": out.table,
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pairs", type=int, default=3)
    parser.add_argument("--samples", type=int, default=40)
    parser.add_argument("--lines", type=int, default=300)
    parser.add_argument("--case", default="synthetic", choices=("synthetic", "korea"))
    parser.add_argument("--executor", default="pool", choices=("pool", "dask"))
    parser.add_argument("--json", type=Path, default=JSON)
    args = parser.parse_args()
    if args.case == "korea":
        inst, model = allocator.load_instance(KOREA), None
    else:
        inst, model = synthetic(args.lines, args.samples)
    serial = SerialExecutor()
    parallel: Executor = PoolExecutor(2) if args.executor == "pool" else DaskExecutor("local:2")
    rows: list[dict[str, Any]] = []
    tables: list[pd.DataFrame] = []
    with parallel:
        timed(inst, model, 2 * parallel.workers, parallel)  # start the workers, unmeasured
        for k in range(args.pairs):
            order = ((1, serial), (2, parallel)) if k % 2 == 0 else ((2, parallel), (1, serial))
            pair: dict[str, Any] = {}
            for workers, executor in order:
                run = timed(inst, model, args.samples, executor)
                tables.append(run.pop("table"))
                pair[str(workers)] = run
            pair["ratio"] = pair["1"]["wall"] / pair["2"]["wall"]
            # With both cores to itself, the parallel run would take this process's CPU seconds
            # (base solve, draws, rows; it waits idle meanwhile) plus the workers' spread over
            # two: serial CPU over that is the speed-up the load hides.
            two = pair["2"]
            pair["cpu_ratio"] = pair["1"]["cpu"] / (two["own"] + two["workers"] / 2)
            pair["load_after"] = os.getloadavg()[0]
            rows.append(pair)
            print(
                f"pair {k + 1}: 1 worker {pair['1']['wall']:.2f} s (cpu {pair['1']['cpu']:.2f} s), "
                f"2 workers {pair['2']['wall']:.2f} s (cpu {pair['2']['cpu']:.2f} s), speed-up "
                f"{pair['ratio']:.2f}× (by CPU {pair['cpu_ratio']:.2f}×), "
                f"load {pair['1']['load']:.2f}/{pair['2']['load']:.2f}",
                flush=True,
            )
    same = all(t.equals(tables[0]) for t in tables[1:])
    speedup = statistics.median(r["ratio"] for r in rows)
    serial_cpu = statistics.median(r["1"]["cpu"] for r in rows)
    serial_wall = statistics.median(r["1"]["wall"] for r in rows)
    summary = {
        "case": args.case,
        "samples": args.samples,
        "executor": args.executor,
        "speedup": speedup,
        "cpu_speedup": statistics.median(r["cpu_ratio"] for r in rows),
        "serial_wall": serial_wall,
        "serial_cpu": serial_cpu,
        "parallel_wall": statistics.median(r["2"]["wall"] for r in rows),
        "serial_cpu_share": serial_cpu / serial_wall,
        "load": [r["1"]["load"] for r in rows] + [r["2"]["load"] for r in rows],
        "tables_equal": same,
        "pairs": rows,
    }
    print(json.dumps({k: v for k, v in summary.items() if k != "pairs"}, indent=1))
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(summary, indent=1), encoding="utf-8")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
