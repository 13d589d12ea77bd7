"""Does each stage grow in proportion to the instance, with many groups, rules and a big fund?

    make bench-scaling
    .venv/bin/python benchmarks/scaling.py [--lines 2000] [--times 4] [--limit 8] [--runs 2]

The synthetic LP (`allocator.synthetic.synthetic_case`) with what it lacks and a real instance
may hold by the thousand: a line group of five lines each (every fifth line go/no-go) with a
`cardinality` rule, the go/no-go lines in pairs of options with an `exclusive` rule each, an
`implies` rule for every fourth go/no-go line, twenty regions with a `group_total` share each,
`growth` rules on an eighth of the groups, and a named fund drawing into every second line.

`--case korea` takes instead the five-year Korea plan (instances/korea-2026-2030.yaml, its model)
with every planning feature it uses — schedules, curves, spans, go/no-go and integer lines, the
National Growth Fund with per-line caps, carry-over, regions, relations, KPIs with deliveries —
and copies its 39 lines `--lines` ÷ 39 times (ids suffixed; money, fund caps, KPI baselines,
targets and group minimums scaled alike), so whatever a planning rule scans grows with it.

It is made at `--lines` and at `--times` as many lines (rules growing with it). Each stage is
timed in this process, the fastest of `--runs` runs: validating the instance and the model
against it, `build`, the hand-off to HiGHS (compiling the matrix, passing it), verification
(`Result.from_solution`) of HiGHS's answer (a MIP stopped after ten seconds: its best plan),
and the allocation and pillar tables. A stage whose time grows more than `--limit` times while
the instance grows `--times` times is reported and the script exits 1: a scan of every line for
every rule grows with the square (16× for 4×); sorting the matrix's entries (n log n) a little
faster than the lines. Read the growth, not the seconds.
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

import yaml

import allocator
from allocator.api import resolve_model
from allocator.formulation import build
from allocator.results.result import Result
from allocator.solver.compile import check_ranges, compile_matrix
from allocator.solver.highs import new_highs, solve_session
from allocator.solver.options import SolveOptions
from allocator.synthetic import synthetic_case

KOREA = Path(__file__).resolve().parent.parent / "instances" / "korea-2026-2030.yaml"
Maker = Callable[[int], tuple[dict[str, Any], dict[str, Any]]]
SECONDS = 10.0
"""HiGHS's time limit (the go/no-go choices make a MIP; its best plan then is checked)."""


def case(lines: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """The synthetic case with groups, go/no-go lines, regions, a fund and their rules."""
    inst, model = synthetic_case(lines, 5, seed=0)
    chosen: list[str] = []
    for i, line in enumerate(inst["lines"]):
        line["groups"] = [f"g{i // 5}"]
        line["region"] = f"r{i % 20}"
        if i % 5 == 0:  # go/no-go, and one of two options in a choice group
            line["select"] = True
            line.setdefault("max", 1000.0)
            line["groups"].append(f"c{len(chosen) // 2}")
            chosen.append(line["id"])
    groups = [f"g{k}" for k in range((lines + 4) // 5)]
    ids = [line["id"] for line in inst["lines"]]
    inst["regions"] = [{"id": f"r{k}", "name": f"Region {k}"} for k in range(20)]
    inst["funds"] = [
        {"id": "fund", "name": "Fund", "seed": ids[:10], "lines": ids[::2], "leverage": 5}
    ]
    rules = list(model["rules"])
    rules += [{"rule": "cardinality", "group": g, "min": 4} for g in groups]
    choices = [f"c{k}" for k in range((len(chosen) + 1) // 2)]
    rules += [{"rule": "exclusive", "group": c} for c in choices]
    rules += [
        {"rule": "implies", "if": a, "then": f"not {b}"}
        for a, b in zip(chosen[::4], chosen[1::4], strict=False)
    ]
    rules += [{"rule": "group_total", "region": f"r{k}", "max_share": 0.3} for k in range(20)]
    rules += [{"rule": "growth", "of": g, "max": 0.5} for g in groups[::8]]
    model["rules"] = rules
    return inst, model


def korea(lines: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """The five-year Korea plan with its lines copied to about `lines` (see the module's text)."""
    inst = allocator.load_instance(KOREA)
    data = inst.model_dump(mode="json", exclude_unset=True, exclude={"uncertainty", "sources"})
    model = yaml.safe_load((KOREA.parent / str(data.pop("model"))).read_text(encoding="utf-8"))
    k = max(1, round(lines / len(data["lines"])))

    def copy(lid: str, j: int) -> str:
        return f"{lid}-{j}" if j else lid

    data["lines"] = [
        line
        | {"id": copy(line["id"], j), "name": f"{line['name']} ({j})"}
        | ({"requires": [copy(r, j) for r in line["requires"]]} if "requires" in line else {})
        for j in range(k)
        for line in data["lines"]
    ]
    for key in ("budget", "private_pool", "carryover"):
        value = data[key]
        data[key] = {y: v * k for y, v in value.items()} if isinstance(value, dict) else value * k
    for fund in data["funds"]:
        for key in ("lines", "seed"):
            fund[key] = [copy(lid, j) for j in range(k) for lid in fund[key]]
        fund["line_caps"] = {copy(i, j): v for j in range(k) for i, v in fund["line_caps"].items()}
        fund.update({key: fund[key] * k for key in ("cap", "total_cap") if key in fund})
    for kpi in data["kpis"]:
        kpi["baseline"] = kpi.get("baseline", 0) * k
        kpi["additions"] = {y: v * k for y, v in kpi.get("additions", {}).items()}
    for target in data["targets"]:
        target["value"] *= k
    for rule in model["rules"]:
        if rule["rule"] == "group_total":
            rule.update({key: rule[key] * k for key in ("min", "max") if key in rule})
    return data, model


def stages(lines: int, make: Maker) -> dict[str, float]:
    """Seconds of each stage at this size (one run), the cycle collector off: its full
    collections walk whatever the process holds, so they would land in one stage or another
    by chance."""
    gc.collect()
    gc.disable()
    try:
        return _stages(lines, make)
    finally:
        gc.enable()


def _stages(lines: int, make: Maker) -> dict[str, float]:
    inst_data, model_data = make(lines)
    out: dict[str, float] = {}
    started = time.perf_counter()
    inst = allocator.Instance.model_validate(inst_data)
    spec = resolve_model(inst, allocator.ModelSpec.model_validate(model_data))
    out["validate"] = time.perf_counter() - started
    started = time.perf_counter()
    built = build(inst, spec)
    out["build"] = time.perf_counter() - started
    started = time.perf_counter()
    matrix = compile_matrix(built)
    check_ranges(matrix)
    options = SolveOptions(time_limit=SECONDS)
    h = new_highs(matrix, options)
    matrix.release(h)
    out["hand-off"] = time.perf_counter() - started
    sol = solve_session(built, matrix, h, options)  # HiGHS: not timed
    started = time.perf_counter()
    res = Result.from_solution(built, sol)
    out["verification"] = time.perf_counter() - started
    if not (res.status.has_allocation and res.verified):
        raise SystemExit(f"{lines} lines: {res.status.value}, verified {res.verified}")
    started = time.perf_counter()
    _ = res.allocation, res.pillars
    out["tables"] = time.perf_counter() - started
    out["rules"] = len(spec.rules)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--lines", type=int, default=2000)
    parser.add_argument("--times", type=int, default=4)
    parser.add_argument("--limit", type=float, default=8.0)
    parser.add_argument("--runs", type=int, default=2, help="runs of each size (fastest kept)")
    parser.add_argument("--case", choices=sorted(CASES), default="synthetic")
    args = parser.parse_args()
    make = CASES[args.case]
    small, large = (
        {k: min(run[k] for run in runs) for k in runs[0]}
        for runs in (
            [stages(size, make) for _ in range(args.runs)]
            for size in (args.lines, args.lines * args.times)
        )
    )
    print(f"| stage | {args.lines:,} lines s | {args.lines * args.times:,} lines s | growth |")
    print("| --- | ---: | ---: | ---: |")
    print(f"| rules | {small['rules']:,.0f} | {large['rules']:,.0f} | |")
    failed = []
    for stage in ("validate", "build", "hand-off", "verification", "tables"):
        growth = large[stage] / max(small[stage], 1e-6)
        print(f"| {stage} | {small[stage]:.3f} | {large[stage]:.3f} | {growth:.1f}× |")
        if growth > args.limit:
            failed.append(f"{stage} grew {growth:.1f}× for {args.times}× the lines")
    for problem in failed:
        print("SUPERLINEAR:", problem)
    return 1 if failed else 0


CASES: dict[str, Maker] = {"synthetic": case, "korea": korea}


if __name__ == "__main__":
    sys.exit(main())
