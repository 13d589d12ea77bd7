"""A million variables: one whole process of allocator's API and one of raw highspy, once each.

    make bench-million
    .venv/bin/python benchmarks/million.py [--lines 112000] [--years 5] [--order raw,api,text]
                                           [--json build/million/million.json]

Writes the synthetic LP case (`benchmarks/cases.py`: instance YAML, lines CSV, model YAML, under
build/million/) and runs `benchmarks/raw_highs.py` and `benchmarks/allocator_api.py` (and, named
in `--order`, `allocator solve` as typed: `text`) on the same files, one after the other, each
under `/usr/bin/time -v` (`whole.run`): wall seconds, peak resident memory, CPU seconds, and each
route's own stage timings. The default 112,000 lines × 5 years gives just over 1,000,000 columns
(the generator makes four lines in five fund-eligible, so about 1.8 sources per line-year;
100,000 lines give 899,876). It checks that the objectives agree to 1e-6 relative, that
allocator's answers are verified, and prints one JSON document (also written to `--json`). A run
takes several minutes and about 7 GiB at its peak; it is run on demand, once.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent / "src"), str(HERE)]

from cases import write_case  # noqa: E402
from whole import ROOT, TOLERANCE, run  # noqa: E402

FOLDER = ROOT / "build" / "million"
CAP = 3600.0
"""Seconds one process may take before it is killed (the run is recorded as timed out)."""


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--lines", type=int, default=112_000)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument(
        "--order", default="raw,api", help="routes in the order they run (raw, api, text, cli)"
    )
    parser.add_argument("--json", type=Path, default=FOLDER / "million.json")
    args = parser.parse_args()
    started = time.perf_counter()
    path = write_case("lp", args.lines, args.years, folder=FOLDER)
    out: dict[str, Any] = {
        "case": path.name,
        "lines": args.lines,
        "years": args.years,
        "write_seconds": time.perf_counter() - started,
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
    }
    print(f"case written in {out['write_seconds']:.1f} s: {path}", flush=True)
    for route in args.order.split(","):
        out[f"load_before_{route}"] = os.getloadavg()
        result = run(route, path, CAP)
        out[route] = result
        out[f"load_after_{route}"] = os.getloadavg()
        print(json.dumps({route: result}), flush=True)
    raw: dict[str, Any] = out.get("raw") or {"timed_out": True}
    mine = [route for route in args.order.split(",") if route != "raw"]
    ok = not raw.get("timed_out") and bool(mine)
    for route in mine:
        got = out[route]
        if not ok or got.get("timed_out"):
            ok = False
            continue
        out["columns"], out["rows"], out["nonzeros"] = raw["size"]
        suffix = "" if route == "api" else f"_{route}"
        out[f"ratio{suffix}"] = got["wall"] / raw["wall"]
        out[f"mem_ratio{suffix}"] = got["peak_mib"] / raw["peak_mib"]
        out[f"cpu_ratio{suffix}"] = got["cpu"] / raw["cpu"]
        ref = raw["objective"]
        agree = abs(got["objective"] - ref) <= TOLERANCE * max(1.0, abs(ref))
        out[f"agree{suffix}"] = agree
        ok = ok and agree and bool(got["verified"]) and got["status"] == "optimal"
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(out, indent=1), encoding="utf-8")
    print(json.dumps({k: v for k, v in out.items() if k not in ("raw", *mine)}, indent=1))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
