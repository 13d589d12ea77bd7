"""Build and solve, side by side: allocator, raw highspy (the limit) and linopy on the same models.

    make bench                                   # installs the `bench` extra, runs, writes docs
    .venv/bin/python benchmarks/bench.py [--reps 3] [--sizes lp:100x5,lp:1000x5,mip:100x3]
                                         [--no-write] [--profile lp:10000x5]

Every configuration (route × case × repetition) runs in a fresh Python process, after a warm-up
solve of a tiny case in that process, so each route pays its own imports and caches once, and peak
memory is that process's high-water mark above its resident size just before the run (the inputs,
the same dicts for every route, are already in memory). Repetitions interleave the routes, in a
rotating order. Reported figures are medians; objectives must agree to a relative 1e-6.

Stages: read (allocator: `Instance`/`ModelSpec.model_validate`; the others: dicts → numpy),
build, hand-off (until HiGHS holds the model), solve (HiGHS's `run`), results (the allocation and
pillar DataFrames). allocator's end-to-end figure is the public path timed as one piece —
validate, `allocator.solve` (which also verifies the answer independently) and the two DataFrames.

Writes the section "## Build and solve, side by side" of docs/performance.md (other sections are
kept) and docs/performance-scaling.png.
"""

from __future__ import annotations

import argparse
import gc
import itertools
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import textwrap
import time
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "performance.md"
PLOT = ROOT / "docs" / "performance-scaling.png"
SECTION = "## Build and solve, side by side"
ROUTES = ("allocator", "raw", "linopy")
LABEL = {"allocator": "allocator", "raw": "raw highspy", "linopy": "linopy"}
DEFAULT_SIZES = "lp:100x5,lp:1000x5,lp:10000x5,mip:100x3,mip:1000x3"
STAGES = ("read", "build", "handoff", "solve", "results")
TOLERANCE = 1e-6
WORKER_TIMEOUT = 600


# --------------------------------------------------------------------------- one process, one run


def _rss_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def _reset_peak() -> bool:
    """Reset this process's high-water mark (Linux ≥ 4.0); False when it cannot be done."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def _run_steps(steps: list[Any]) -> tuple[dict[str, float], dict[str, Any]]:
    state: dict[str, Any] = {}
    times: dict[str, float] = {}
    for name, step in steps:
        started = time.perf_counter()
        step(state)
        times[name] = time.perf_counter() - started
    return times, state


def _route_once(route: str, inst: dict[str, Any], model: dict[str, Any]) -> dict[str, Any]:
    """One timed run of `route` on the case; stage seconds, objective, status, matrix size."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from benchmarks import routes

    if route == "raw":
        times, state = _run_steps(routes.raw_steps(inst, model))
        out: dict[str, Any] = {stage: times[stage] for stage in STAGES}
        out["e2e"] = sum(times.values())
    elif route == "linopy":
        times, state = _run_steps(routes.linopy_steps(inst, model))
        out = {stage: times[stage] for stage in ("read", "build", "handoff")}
        out["solve"] = state["inner_run"]
        out["results"] = times["solve+results"] - state["inner_run"]
        out["e2e"] = sum(times.values())
    else:
        import allocator

        started = time.perf_counter()
        inst_v = allocator.Instance.model_validate(inst)
        spec_v = allocator.ModelSpec.model_validate(model)
        validated = time.perf_counter()
        res = allocator.solve(inst_v, spec_v)
        solved = time.perf_counter()
        frames = (res.allocation, res.pillars)
        done = time.perf_counter()
        del frames
        out = {
            "e2e": done - started,
            "results": done - solved,
            "public_solve": solved - validated,
            "e2e_solve": res.runtime,
        }
        status, objective, verified = res.status.value, res.objective, res.verified
        del res, inst_v, spec_v
        gc.collect()
        times, state = _run_steps(routes.allocator_steps(inst, model))
        out.update({stage: times[stage] for stage in ("read", "build", "handoff", "solve")})
        state["status"], state["objective"], state["verified"] = status, objective, verified
    out["status"] = str(state["status"])
    out["objective"] = state["objective"]
    out["verified"] = state.get("verified", True)
    out["size"] = state["size"]
    return out


def worker(route: str, variant: str, lines: int, years: int, seed: int) -> dict[str, Any]:
    """Warm up on a tiny case, then run the real one once, measuring time and peak memory."""
    import warnings

    from allocator.synthetic import synthetic_case

    warnings.simplefilter("ignore")
    mip = variant == "mip"
    _route_once(route, *synthetic_case(20, 2, mip=mip, seed=seed + 1))
    inst, model = synthetic_case(lines, years, mip=mip, seed=seed)
    gc.collect()
    base = _rss_kib("VmRSS")
    reset = _reset_peak()
    out = _route_once(route, inst, model)
    out["peak_mib"] = (_rss_kib("VmHWM") - base) / 1024 if reset else math.nan
    out["base_mib"] = base / 1024
    return out


# --------------------------------------------------------------------------- the harness


def parse_sizes(text: str) -> list[tuple[str, int, int]]:
    """`lp:1000x5,mip:100x3` → [("lp", 1000, 5), ("mip", 100, 3)] (whole.py and guard.py too)."""
    sizes = []
    for part in text.split(","):
        variant, _, dims = part.strip().partition(":")
        lines, _, years = dims.partition("x")
        if variant not in ("lp", "mip") or not lines.isdigit() or not years.isdigit():
            raise SystemExit(f"bad size {part!r}: use lp:LINESxYEARS or mip:LINESxYEARS")
        sizes.append((variant, int(lines), int(years)))
    return sizes


def _spawn(route: str, variant: str, lines: int, years: int, seed: int) -> dict[str, Any]:
    cmd = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--worker",
        f"{route}:{variant}:{lines}:{years}:{seed}",
    ]
    done = subprocess.run(
        cmd, capture_output=True, text=True, timeout=WORKER_TIMEOUT, cwd=ROOT, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"{route} {variant} {lines}x{years} failed:\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _median(runs: list[dict[str, Any]], key: str) -> float:
    return statistics.median(float(r[key]) for r in runs)


def _summarise(runs: list[dict[str, Any]]) -> dict[str, Any]:
    summary: dict[str, Any] = {key: _median(runs, key) for key in (*STAGES, "e2e", "peak_mib")}
    summary["before"] = statistics.median(r["read"] + r["build"] + r["handoff"] for r in runs)
    summary["outside"] = statistics.median(r["e2e"] - r.get("e2e_solve", r["solve"]) for r in runs)
    summary["objective"] = runs[0]["objective"]
    summary["objectives"] = [r["objective"] for r in runs]
    summary["status"] = sorted({r["status"] for r in runs})
    summary["verified"] = all(r["verified"] for r in runs)
    summary["size"] = runs[0]["size"]
    summary["runs"] = len(runs)
    return summary


def measure(sizes: list[tuple[str, int, int]], reps: int, seed: int) -> list[dict[str, Any]]:
    """Every route on every case, `reps` times each, interleaved; medians per route and case."""
    table = []
    for variant, lines, years in sizes:
        runs: dict[str, list[dict[str, Any]]] = {route: [] for route in ROUTES}
        for rep in range(reps):
            order = ROUTES[rep % len(ROUTES) :] + ROUTES[: rep % len(ROUTES)]
            for route in order:
                started = time.perf_counter()
                result = _spawn(route, variant, lines, years, seed)
                runs[route].append(result)
                print(
                    f"  {variant} {lines}x{years} {LABEL[route]:<12} rep {rep + 1}: "
                    f"e2e {result['e2e']:.3f} s, solve {result['solve']:.3f} s, "
                    f"peak +{result['peak_mib']:.0f} MiB "
                    f"(process {time.perf_counter() - started:.1f} s)",
                    flush=True,
                )
        row: dict[str, Any] = {"variant": variant, "lines": lines, "years": years}
        row.update({route: _summarise(runs[route]) for route in ROUTES})
        row["check"] = _check(row)
        table.append(row)
    return table


def _check(row: dict[str, Any]) -> list[str]:
    """Problems: objectives that differ from raw's, sizes that differ, unverified answers."""
    problems = []
    ref = row["raw"]["objective"]
    for route in ROUTES:
        for value in row[route]["objectives"]:
            if value is None or abs(value - ref) > TOLERANCE * max(1.0, abs(ref)):
                problems.append(f"{route} objective {value} != raw {ref}")
                break
        if row[route]["status"] not in (["Optimal"], ["optimal"]):
            problems.append(f"{route} status {row[route]['status']}")
    if row["allocator"]["size"] != row["raw"]["size"]:
        problems.append(
            f"allocator matrix {row['allocator']['size']} != raw {row['raw']['size']} "
            "(columns, rows, nonzeros)"
        )
    if not row["allocator"]["verified"]:
        problems.append("allocator's answer not verified")
    return problems


# --------------------------------------------------------------------------- output


def _case(row: dict[str, Any]) -> str:
    return f"{row['variant'].upper()} {row['lines']:,} × {row['years']}"


def _variables(row: dict[str, Any]) -> int:
    return int(row["raw"]["size"][0])


def _ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}×" if b > 0 else "–"


def _fmt(seconds: float) -> str:
    return f"{seconds:.3f}" if seconds < 10 else f"{seconds:.2f}"


def stage_table(table: list[dict[str, Any]]) -> list[str]:
    """Markdown rows of per-stage medians."""
    out = [
        "| case | variables | route | read / validate | build | hand-off | solve | results "
        "| before HiGHS | outside solver | end-to-end | peak memory |",
        "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in table:
        for route in ROUTES:
            s = row[route]
            out.append(
                f"| {_case(row)} | {_variables(row):,} | {LABEL[route]} | "
                + " | ".join(_fmt(s[k]) for k in (*STAGES, "before", "outside", "e2e"))
                + f" | {s['peak_mib']:.0f} MiB |"
            )
    return out


def ratio_table(table: list[dict[str, Any]]) -> list[str]:
    """Markdown rows of ratios to raw highspy (time outside the solver first)."""
    out = [
        "| case | variables | outside solver: allocator | linopy | before HiGHS: allocator "
        "| linopy | end-to-end: allocator | linopy | peak memory: allocator | linopy |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in table:
        raw = row["raw"]
        cells = []
        for key in ("outside", "before", "e2e", "peak_mib"):
            cells += [_ratio(row[route][key], raw[key]) for route in ("allocator", "linopy")]
        out.append(f"| {_case(row)} | {_variables(row):,} | " + " | ".join(cells) + " |")
    return out


def build_slope(table: list[dict[str, Any]], route: str = "allocator") -> float | None:
    """Log-log slope of build time against variables between the smallest and largest LP case."""
    lp = sorted((r for r in table if r["variant"] == "lp"), key=_variables)
    if len(lp) < 2:
        return None
    a, b = lp[0], lp[-1]
    return math.log(b[route]["build"] / a[route]["build"]) / math.log(_variables(b) / _variables(a))


def plot(table: list[dict[str, Any]], path: Path) -> None:
    """Log-log: build, time outside the solver and end-to-end against variables, per route."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    colours = {"allocator": "tab:blue", "raw": "tab:green", "linopy": "tab:orange"}
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.6), sharex=True)
    for ax, key, title in (
        (axes[0], "build", "build"),
        (axes[1], "outside", "time outside the solver"),
        (axes[2], "e2e", "end-to-end (incl. HiGHS)"),
    ):
        for variant, style in (("lp", "-o"), ("mip", "--s")):
            rows = sorted((r for r in table if r["variant"] == variant), key=_variables)
            if not rows:
                continue
            xs = [_variables(r) for r in rows]
            for route in ROUTES:
                ax.plot(
                    xs,
                    [r[route][key] for r in rows],
                    style,
                    color=colours[route],
                    label=f"{LABEL[route]} ({variant.upper()})",
                )
            if key == "outside":
                ax.plot(
                    xs,
                    [r["raw"]["solve"] for r in rows],
                    style,
                    color="grey",
                    alpha=0.5,
                    label=f"HiGHS solve ({variant.upper()})",
                )
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("variables")
        ax.set_ylabel("seconds (median)")
        ax.set_title(title)
        ax.grid(True, which="both", alpha=0.3)
    axes[1].legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _versions() -> str:
    from importlib.metadata import PackageNotFoundError, version

    parts = []
    for pkg in ("allocator", "highspy", "pyomo", "linopy", "numpy", "scipy", "pydantic"):
        try:
            parts.append(f"{pkg} {version(pkg)}")
        except PackageNotFoundError:
            parts.append(f"{pkg} –")
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            cwd=ROOT,
            check=False,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "src"],
            capture_output=True,
            text=True,
            cwd=ROOT,
            check=False,
        ).stdout.strip()
        parts.insert(0, f"commit {commit}{' + uncommitted changes in src/' if dirty else ''}")
    except OSError:
        pass
    return ", ".join(parts)


def _wrap(text: str, bullet: bool = False) -> str:
    return textwrap.fill(
        text,
        width=100,
        subsequent_indent="  " if bullet else "",
        break_long_words=False,
        break_on_hyphens=False,
    )


def _slopes(table: list[dict[str, Any]], route: str) -> str:
    lp = sorted((r for r in table if r["variant"] == "lp"), key=_variables)
    parts = []
    for a, b in itertools.pairwise(lp):
        slope = math.log(b[route]["build"] / a[route]["build"]) / math.log(
            _variables(b) / _variables(a)
        )
        parts.append(f"{slope:.2f} ({a['lines']:,} → {b['lines']:,} lines)")
    return ", ".join(parts)


def section(table: list[dict[str, Any]], reps: int, seconds: float) -> str:
    """The markdown section for docs/performance.md."""
    problems = [f"{_case(r)}: {p}" for r in table for p in r["check"]]
    lines = [
        SECTION,
        "",
        _wrap(
            "`make bench` (or `.venv/bin/python benchmarks/bench.py`) runs three routes on the "
            "same synthetic cases (`allocator.synthetic.synthetic_case(lines, years, mip=...)`, "
            "seed 0: four pillars, three KPIs with soft targets, floors and caps, leverage and a "
            "private pool, pillar-share, new-initiative-share and ramp rules; the MIP adds "
            "go/no-go lines in cardinality groups and integer lines) and writes this section and "
            "the plot:"
        ),
        "",
        _wrap(
            "- **allocator** — the public path: `Instance`/`ModelSpec.model_validate`, "
            "`allocator.formulation.build`, `compile_matrix` + `check_ranges` + `new_highs` "
            "(hand-off), "
            "HiGHS's `run`, and `res.allocation` + `res.pillars` (results). Its end-to-end figure "
            "is validate + `allocator.solve` (which also reads back names, duals and activities, "
            "verifies the answer independently, and for a MIP re-solves the LP with the integers "
            "fixed) + the two DataFrames, timed as one piece; its time outside the solver is that "
            "minus the HiGHS run inside it (`Result.runtime`).",
            bullet=True,
        ),
        _wrap(
            "- **raw highspy** — the limit: the identical matrix (same columns, rows and nonzeros, "
            "in allocator's order) built with numpy and one `passModel` (`benchmarks/routes.py`).",
            bullet=True,
        ),
        _wrap(
            "- **linopy** — the same model written in linopy's idiom (labelled arrays, masks), "
            'handed to HiGHS by linopy\'s direct backend as `Model.solve(io_api="direct")` does.',
            bullet=True,
        ),
        "",
        _wrap(
            f"Each figure is the median of {reps} runs, each run in a fresh process after a "
            "warm-up solve there; routes interleave. *Before HiGHS* = read + build + hand-off; "
            "*outside solver* = end-to-end − HiGHS's run; peak memory is the process's high-water "
            "mark above its size just before the run (inputs already loaded). Seconds; "
            f"{date.today().isoformat()}, {os.cpu_count()} cores, Python "
            f"{platform.python_version()}; {_versions()}. The whole run took "
            f"{seconds / 60:.1f} min."
        ),
        "",
        "### Ratios to raw highspy",
        "",
        *ratio_table(table),
        "",
        "### Seconds per stage (medians)",
        "",
        *stage_table(table),
        "",
        "![build, outside-solver and end-to-end time against size, log-log]"
        "(performance-scaling.png)",
        "",
        _wrap(
            "Objectives: "
            + (
                "all three routes agree within a relative 1e-6 on every case, and allocator's "
                "matrix has exactly raw's columns, rows and nonzeros."
                if not problems
                else "**checks failed:** " + "; ".join(problems)
            )
        ),
        "",
    ]
    if sum(r["variant"] == "lp" for r in table) >= 2:
        lines += [
            _wrap(
                "Build time against size, log-log slope between LP cases: allocator "
                f"{_slopes(table, 'allocator')}; raw highspy {_slopes(table, 'raw')}; linopy "
                f"{_slopes(table, 'linopy')}."
            ),
            "",
        ]
    return "\n".join(lines)


def write_section(text: str, path: Path = DOC) -> None:
    """Replace (or append) the section in docs/performance.md, keeping every other section."""
    doc = path.read_text() if path.exists() else "# Performance\n"
    start = doc.find(SECTION + "\n")
    if start < 0:
        doc = doc.rstrip("\n") + "\n\n" + text
    else:
        after = doc.find("\n## ", start + len(SECTION))
        rest = doc[after + 1 :] if after >= 0 else ""
        doc = doc[:start] + text + ("\n" + rest if rest else "")
    path.write_text(doc.rstrip("\n") + "\n")


def print_table(table: list[dict[str, Any]]) -> None:
    """Both tables to stdout, plus the checks."""
    print()
    print("\n".join(ratio_table(table)))
    print()
    print("\n".join(stage_table(table)))
    for row in table:
        for problem in row["check"]:
            print(f"CHECK FAILED {_case(row)}: {problem}")
    slope = build_slope(table)
    if slope is not None:
        print(f"\nallocator build slope (log-log): {slope:.2f}")


def profile(size: str, top: int = 10) -> None:
    """cProfile of allocator's build on one case: the top entries by cumulative time."""
    import cProfile
    import pstats

    import allocator
    from allocator.formulation import build
    from allocator.synthetic import synthetic_case

    variant, lines, years = parse_sizes(size)[0]
    inst, model = synthetic_case(lines, years, mip=variant == "mip")
    spec = allocator.ModelSpec.model_validate(model)
    instance = allocator.Instance.model_validate(inst)
    warm_inst, warm_model = synthetic_case(20, 2)
    build(
        allocator.Instance.model_validate(warm_inst), allocator.ModelSpec.model_validate(warm_model)
    )
    prof = cProfile.Profile()
    prof.enable()
    build(instance, spec)
    prof.disable()
    pstats.Stats(prof).sort_stats("cumulative").print_stats(top)


def main() -> int:
    """Run the comparison (or one worker, or a profile)."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--sizes", default=DEFAULT_SIZES)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-write", action="store_true", help="print only; leave docs/ alone")
    parser.add_argument("--json", type=Path, help="also save the raw medians as JSON")
    parser.add_argument(
        "--profile", metavar="SIZE", help="cProfile allocator's build, e.g. lp:10000x5"
    )
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        route, variant, lines, years, seed = args.worker.split(":")
        print(json.dumps(worker(route, variant, int(lines), int(years), int(seed))))
        return 0
    if args.profile:
        profile(args.profile)
        return 0
    started = time.perf_counter()
    table = measure(parse_sizes(args.sizes), args.reps, args.seed)
    seconds = time.perf_counter() - started
    print_table(table)
    if args.json:
        args.json.write_text(json.dumps(table, indent=1))
    if not args.no_write:
        write_section(section(table, args.reps, seconds))
        plot(table, PLOT)
        print(f"\nwrote {DOC.relative_to(ROOT)} ({SECTION!r}) and {PLOT.relative_to(ROOT)}")
    return 1 if any(row["check"] for row in table) else 0


if __name__ == "__main__":
    sys.exit(main())
