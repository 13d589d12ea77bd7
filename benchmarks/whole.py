"""Whole processes against raw HiGHS: what a user waits for, start-up and imports included.

    make bench-whole                     # writes docs/performance.md ("Whole process ...")
    .venv/bin/python benchmarks/whole.py [--reps 3] [--cap 600] [--no-write] [--json FILE]
                                         [--sizes lp:1000x5,lp:10000x5,mip:1000x5,...]

For each synthetic case it writes the instance files (`benchmarks/cases.py`: YAML, lines CSV,
model YAML, under build/whole/) and runs four whole processes on the same files, in turn:

* **solve** — `allocator solve FILE` as a user types it (the split and the targets as text;
  stdout to a file in RAM, /dev/shm, read back for the objective, printed to nine figures);
* **JSON** — `allocator solve FILE --format json` (read back for the objective check and
  deleted; the JSON holds every allocation row);
* **API** — `benchmarks/allocator_api.py FILE`: `import allocator`, `load_instance`,
  `load_model` (the instance's model file), `solve`, `Result.verified`, the `allocation` and
  `pillars` tables;
* **raw** — `benchmarks/raw_highs.py FILE`: libyaml's C loader, Python's `csv` module, the same
  matrix built with numpy alone (`raw_model.py`: no pandas, no SciPy, whose imports alone take
  about half a second here), one `passModel`, `run`, the objective.

Each process runs under `/usr/bin/time -v` for its peak resident memory (the kernel's
`ru_maxrss` of that one process, as `wait4` returns it; `getrusage(RUSAGE_CHILDREN)` in this
process would give the largest of all children so far, not each run's own). Wall time is taken
here with `time.perf_counter` around the process (time's own start-up, about a millisecond,
included on every side). The four routes take turns, the order rotating each repetition, and
ratios are taken pair by pair (repetition i of allocator against repetition i of raw), then the
median. Every objective must agree with raw's to a relative 1e-6, and every allocator answer must
be verified; otherwise the script exits 1.

Before the first process the bytecode caches of `src/` and `benchmarks/` are written (`compiled`:
where PYTHONDONTWRITEBYTECODE is set, nothing else would write them); then each route runs once,
unmeasured, on the smallest case (the files enter the page cache). The cap judges whether a
case's solve is practical: when raw highspy's process (which is little more than HiGHS's run) goes
past `--cap` seconds (600) it is killed and the case recorded as skipped, with the reason, and
larger cases of the same kind are not started; allocator's processes may take `ALLOCATOR_CAP`
times as long (a safety net only: their overhead is what is measured). The allocator measured is
the one in this checkout's `src/` (put first on PYTHONPATH), whatever the venv's editable install
names.
"""

from __future__ import annotations

import argparse
import compileall
import functools
import json
import math
import os
import platform
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from datetime import date
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SRC = ROOT / "src"
sys.path[:0] = [str(SRC), str(HERE)]

from bench import parse_sizes  # noqa: E402
from cases import write_case  # noqa: E402

DOC = ROOT / "docs" / "performance.md"
SECTION = "## Whole process against raw HiGHS"
BEFORE = "## Build and solve, side by side"
"""The section goes before this one when it is new."""
TIME = Path("/usr/bin/time")
ROUTES = ("raw", "text", "cli", "api")
MINE = ROUTES[1:]
"""allocator's routes: `allocator solve FILE` as typed (text), with `--format json`, the API."""
LABEL = {
    "raw": "raw highspy",
    "text": "allocator solve",
    "cli": "allocator CLI (JSON)",
    "api": "allocator API",
}
SHORT = {"text": "solve", "cli": "JSON", "api": "API"}
DEFAULT_SIZES = "lp:1000x5,lp:10000x5,lp:100000x5,mip:1000x5,mip:3000x5,mip:10000x5,mip:100000x5"
PROFILE_SIZE = ("lp", 10_000, 5)
"""The case whose stages are profiled (about 100,000 variables)."""
TOLERANCE = 1e-6
CAP = 600.0
"""Seconds raw highspy's whole process may take before its case is skipped."""
ALLOCATOR_CAP = 4.0
"""allocator's processes may take this many times the cap."""
SCRATCH = Path("/dev/shm") if Path("/dev/shm").is_dir() else Path(tempfile.gettempdir())


# --------------------------------------------------------------------------- one whole process


def _env() -> dict[str, str]:
    path = os.environ.get("PYTHONPATH")
    return os.environ | {"PYTHONPATH": str(SRC) + (os.pathsep + path if path else "")}


def command(route: str, instance: Path, sample: bool = False) -> list[str]:
    """The command line of one route on one instance file."""
    cli = Path(sys.executable).parent / "allocator"
    if route == "text":
        return [str(cli), "solve", str(instance)]
    if route == "cli":
        return [str(cli), "solve", str(instance), "--format", "json"]
    if route == "api":
        return [sys.executable, str(HERE / "allocator_api.py"), str(instance)] + (
            ["--sample"] if sample else []
        )
    return [sys.executable, str(HERE / "raw_highs.py"), str(instance), "--json"]


def _time_report(text: str) -> dict[str, float]:
    def field(label: str) -> float:
        found = re.search(rf"{re.escape(label)}: ([0-9.]+)", text)
        return float(found.group(1)) if found else math.nan

    return {
        "peak_mib": field("Maximum resident set size (kbytes)") / 1024,
        "cpu": field("User time (seconds)") + field("System time (seconds)"),
    }


def _cli_answer(path: Path) -> dict[str, Any]:
    """objective, status and verified from the head of `allocator solve --format json`."""
    with path.open(encoding="utf-8") as handle:
        head = handle.read(8192)
    out: dict[str, Any] = {}
    for key, pattern in (
        ("objective", r'"objective": (-?[0-9.eE+-]+)'),
        ("status", r'"status": "([a-z_]+)"'),
        ("verified", r'"verified": (true|false)'),
    ):
        found = re.search(pattern, head)
        out[key] = found.group(1) if found else None
    out["objective"] = float(out["objective"]) if out["objective"] is not None else None
    out["verified"] = out["verified"] == "true"
    return out


def _text_answer(path: Path) -> dict[str, Any]:
    """objective (to the nine figures it is printed with: impact points, as the synthetic cases'
    objective is; money is printed in words), status and verified from the head of `allocator
    solve`'s text (its exit status 0 already says: a verified, proven optimum)."""
    with path.open(encoding="utf-8") as handle:
        head = handle.read(4096)
    found = re.search(r"objective \([a-z_]+\) = ([-\u2212]?[0-9][0-9,]*(?:\.[0-9]+)?)", head)
    first = head.split("\n", 1)[0]
    return {
        "objective": float(found.group(1).replace(",", "").replace("\u2212", "-"))
        if found
        else None,
        "status": "optimal" if ": optimal:" in first else first,
        "verified": "; verified:" in head,
    }


@functools.cache
def compiled() -> None:
    """Bytecode caches for allocator's source and these scripts, written once before the first
    process: where PYTHONDONTWRITEBYTECODE is set (this machine's shell sets it), an editable
    checkout would otherwise be compiled again by every process, as installed packages
    (numpy, pandas, highspy: compiled by pip) never are. `make` does the same after installing."""
    for folder in (SRC, HERE):
        compileall.compile_dir(folder, quiet=1)


def run(route: str, instance: Path, cap: float = CAP, sample: bool = False) -> dict[str, Any]:
    """One whole process: wall seconds, peak MiB, CPU seconds, and what it printed (objective,
    status, verified, stage seconds). `timed_out` when it ran past `cap` (then killed)."""
    if not TIME.exists():
        raise SystemExit(
            f"{TIME} is missing: install Debian's `time` package (make bench-whole does)"
        )
    compiled()
    with tempfile.TemporaryDirectory(dir=SCRATCH, prefix="whole-") as tmp:
        report, out_path, err_path = (Path(tmp) / n for n in ("time", "stdout", "stderr"))
        with out_path.open("wb") as out, err_path.open("wb") as err:
            started = time.perf_counter()
            proc = subprocess.Popen(
                [str(TIME), "-v", "-o", str(report), *command(route, instance, sample)],
                stdout=out,
                stderr=err,
                cwd=ROOT,
                env=_env(),
                start_new_session=True,
            )
            # A blocking wait: `wait(timeout=)` polls every 50 ms, which would round every
            # process's time up to 50 ms. The cap is a timer that kills the process group.
            killed = threading.Event()

            def kill() -> None:
                killed.set()
                os.killpg(proc.pid, signal.SIGKILL)

            timer = threading.Timer(cap, kill)
            timer.start()
            try:
                proc.wait()
            finally:
                timer.cancel()
            wall = time.perf_counter() - started
            if killed.is_set():
                return {"route": route, "timed_out": True, "wall": wall}
        if proc.returncode != 0:
            tail = err_path.read_text(errors="replace")[-3000:]
            raise RuntimeError(f"{route} on {instance.name} exited {proc.returncode}:\n{tail}")
        result: dict[str, Any] = {"route": route, "timed_out": False, "wall": wall}
        result.update(_time_report(report.read_text()))
        if route == "cli":
            result.update(_cli_answer(out_path))
        elif route == "text":
            result.update(_text_answer(out_path))
        else:
            lines = out_path.read_text().strip().splitlines()
            result.update(json.loads(lines[-1]))
            if route == "raw":
                result["verified"] = True
                result["status"] = str(result["status"]).lower()
    return result


# --------------------------------------------------------------------------- the harness


def pairs(
    instance: Path,
    reps: int,
    routes: tuple[str, ...] = ROUTES,
    cap: float = CAP,
    quiet: bool = False,
) -> dict[str, list[dict[str, Any]]] | str:
    """`reps` runs of each route, taking turns (the order rotating, raw first); a skip reason
    instead when raw's process runs past `cap` seconds (allocator's past ALLOCATOR_CAP × cap)."""
    runs: dict[str, list[dict[str, Any]]] = {route: [] for route in routes}
    for rep in range(reps):
        order = routes[rep % len(routes) :] + routes[: rep % len(routes)]
        for route in order:
            limit = cap if route == "raw" else cap * ALLOCATOR_CAP
            result = run(route, instance, limit)
            if result["timed_out"]:
                return f"skipped: {LABEL[route]} ran past {limit:.0f} s (repetition {rep + 1})"
            runs[route].append(result)
            if not quiet:
                print(
                    f"  {instance.stem} {LABEL[route]:<13} rep {rep + 1}: "
                    f"{result['wall']:.2f} s, peak {result['peak_mib']:.0f} MiB, "
                    f"objective {result['objective']}",
                    flush=True,
                )
    return runs


def check(runs: dict[str, list[dict[str, Any]]]) -> list[str]:
    """Problems: an objective off raw's by more than 1e-6 relative, a status not optimal, an
    allocator answer not verified."""
    problems = []
    ref = runs["raw"][0]["objective"]
    for route, results in runs.items():
        for r in results:
            value = r.get("objective")
            if value is None or abs(value - ref) > TOLERANCE * max(1.0, abs(ref)):
                problems.append(f"{LABEL[route]} objective {value} != raw {ref}")
            if r.get("status") != "optimal":
                problems.append(f"{LABEL[route]} status {r.get('status')}")
            if not r.get("verified"):
                problems.append(f"{LABEL[route]} answer not verified")
    return sorted(set(problems))


def ratio(runs: dict[str, list[dict[str, Any]]], route: str, key: str) -> float:
    """Median of the pair-by-pair ratios route / raw."""
    return statistics.median(a[key] / b[key] for a, b in zip(runs[route], runs["raw"], strict=True))


def median(runs: dict[str, list[dict[str, Any]]], route: str, key: str) -> float:
    return statistics.median(float(r[key]) for r in runs[route])


def summarise(variant: str, lines: int, years: int, runs: Any) -> dict[str, Any]:
    row: dict[str, Any] = {"variant": variant, "lines": lines, "years": years}
    if isinstance(runs, str):
        row["skipped"] = runs
        return row
    row["runs"] = runs
    row["size"] = runs["raw"][0]["size"]
    row["objective"] = runs["raw"][0]["objective"]
    row["check"] = check(runs)
    for route in ROUTES:
        row[route] = {key: median(runs, route, key) for key in ("wall", "peak_mib", "cpu")}
    for route in MINE:
        row[route]["ratio"] = ratio(runs, route, "wall")
        row[route]["mem_ratio"] = ratio(runs, route, "peak_mib")
    return row


def profile(runs: dict[str, list[dict[str, Any]]], sampled: dict[str, Any]) -> dict[str, Any]:
    """Median seconds of each stage of the API and raw runs; the sampled split of `solve`."""
    api_keys = ("import", "load_instance", "load_model", "solve", "highs", "check", "tables")
    raw_keys = ("import", "read", "build", "handoff", "solve")
    out: dict[str, Any] = {
        "api": {k: median(runs, "api", k) for k in api_keys},
        "raw": {k: median(runs, "raw", k) for k in raw_keys},
    }
    for route, keys in (("api", api_keys), ("raw", raw_keys)):
        inside = [
            r["wall"] - sum(r[k] for k in keys if k != "highs") for r in runs[route]
        ]  # interpreter start-up and exit, outside the script's own clock
        out[route]["interpreter"] = statistics.median(inside)
        out[route]["wall"] = median(runs, route, "wall")
    out["sampled"] = {
        "solve": sampled["solve"],
        "highs": sampled["highs"],
        "parts": sampled.get("solve_parts", {}),
    }
    return out


def measure(
    sizes: list[tuple[str, int, int]], reps: int, cap: float, seed: int
) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    """Every case: files, turns, medians, ratios; and the stage profile of PROFILE_SIZE."""
    smallest = min(sizes, key=lambda s: s[1] * s[2])
    first = write_case(*smallest, seed=seed)
    print("files written under", first.parent.relative_to(ROOT), flush=True)
    for route in ROUTES:  # warm-up: bytecode caches, page cache
        run(route, first, cap)
    table: list[dict[str, Any]] = []
    prof = None
    capped: dict[tuple[str, int], int] = {}  # (variant, years) → fewest lines past the cap
    for size in sizes:
        variant, lines, years = size
        started = time.perf_counter()
        runs: dict[str, list[dict[str, Any]]] | str
        smaller = capped.get((variant, years))
        if smaller is not None and smaller <= lines:
            runs = (
                f"not run: the {variant.upper()} at {smaller:,} lines already ran past the "
                f"{cap:.0f} s cap"
            )
        else:
            path = write_case(*size, seed=seed)
            runs = pairs(path, reps, cap=cap)
            if isinstance(runs, str):
                capped[(variant, years)] = min(lines, capped.get((variant, years), lines))
        row = summarise(*size, runs)
        row["minutes"] = (time.perf_counter() - started) / 60
        table.append(row)
        if isinstance(runs, dict) and size == PROFILE_SIZE:
            prof = profile(runs, run("api", path, cap, sample=True))
        print(
            f"  → {case_label(row)}: "
            + (
                row["skipped"]
                if "skipped" in row
                else ", ".join(f"{SHORT[r]} {row[r]['ratio']:.2f}×" for r in MINE) + " raw"
            ),
            flush=True,
        )
    return table, prof


# --------------------------------------------------------------------------- output


def case_label(row: dict[str, Any]) -> str:
    return f"{row['variant'].upper()} {row['lines']:,} × {row['years']}"


def profile_label() -> str:
    variant, lines, years = PROFILE_SIZE
    return case_label({"variant": variant, "lines": lines, "years": years})


def _s(seconds: float) -> str:
    return f"{seconds:.2f}" if seconds < 100 else f"{seconds:.1f}"


def table_lines(table: list[dict[str, Any]]) -> list[str]:
    names = [SHORT[r] for r in MINE]
    out = [
        "| case | variables | "
        + " | ".join(f"{n} s" for n in names)
        + " | raw s | "
        + " | ".join(f"{n} / raw" for n in names)
        + " | peak MiB: "
        + " | ".join(names)
        + " | raw | "
        + " | ".join(f"{n} / raw" for n in names)
        + " |",
        "| --- |" + " ---: |" * (3 + 4 * len(MINE)),
    ]
    for row in table:
        if "skipped" in row:
            out.append(f"| {case_label(row)} | – | {row['skipped']} |" + " |" * (1 + 4 * len(MINE)))
            continue
        mine, raw = [row[r] for r in MINE], row["raw"]
        cells = [
            f"{row['size'][0]:,}",
            *(_s(m["wall"]) for m in mine),
            _s(raw["wall"]),
            *(f"**{m['ratio']:.2f}×**" for m in mine),
            *(f"{m['peak_mib']:.0f}" for m in mine),
            f"{raw['peak_mib']:.0f}",
            *(f"{m['mem_ratio']:.2f}×" for m in mine),
        ]
        out.append(f"| {case_label(row)} | " + " | ".join(cells) + " |")
    return out


def cpu_lines(table: list[dict[str, Any]]) -> list[str]:
    """CPU seconds (user + system, less sensitive to the machine's load than wall time) and the
    wall seconds of every run, in the order they ran within each route."""
    names = [SHORT[r] for r in MINE]
    out = [
        "| case | CPU s: "
        + " | ".join(names)
        + " | raw | "
        + " | ".join(f"CPU {n} / raw" for n in names)
        + " | wall s, each run: "
        + " | ".join(names)
        + " | raw |",
        "| --- |" + " ---: |" * (3 * len(MINE) + 2),
    ]
    for row in table:
        if "skipped" in row:
            continue
        runs = row["runs"]
        cpu = {route: median(runs, route, "cpu") for route in ROUTES}
        each = {route: " / ".join(_s(r["wall"]) for r in runs[route]) for route in ROUTES}
        cells = [
            *(_s(cpu[r]) for r in MINE),
            _s(cpu["raw"]),
            *(f"{ratio(runs, r, 'cpu'):.2f}×" for r in MINE),
            *(each[r] for r in MINE),
            each["raw"],
        ]
        out.append(f"| {case_label(row)} | " + " | ".join(cells) + " |")
    return out


def profile_lines(prof: dict[str, Any]) -> list[str]:
    api, raw, sampled = prof["api"], prof["raw"], prof["sampled"]
    rows = [
        ("interpreter start-up and exit", api["interpreter"], raw["interpreter"]),
        (
            "imports (`import allocator`; raw: numpy, yaml, highspy)",
            api["import"],
            raw["import"],
        ),
        (
            "read (`load_instance` + `load_model`; raw: C YAML + `csv`)",
            api["load_instance"] + api["load_model"],
            raw["read"],
        ),
        (
            "`solve`: build, hand-off, read-back, verification (raw: build + `passModel`)",
            api["solve"] - api["highs"],
            raw["build"] + raw["handoff"],
        ),
        ("HiGHS run (`Result.runtime`; raw: `run`)", api["highs"], raw["solve"]),
        ("`verified`, `allocation` and `pillars` tables", api["check"] + api["tables"], 0.0),
        ("whole process (median wall)", api["wall"], raw["wall"]),
    ]
    out = [
        "| stage | allocator API s | raw highspy s |",
        "| --- | ---: | ---: |",
    ]
    out += [f"| {name} | {a:.2f} | {b:.2f} |" for name, a, b in rows]
    solve, highs = sampled["solve"], sampled["highs"]
    seconds = {part: share * solve for part, share in sampled["parts"].items()}
    run_and_back = seconds.pop("HiGHS run and read-back", 0.0)
    seconds["HiGHS run"] = highs
    back = "read-back (values, duals; a MIP's fixed-integer LP)"
    seconds[back] = max(0.0, run_and_back - highs)
    order = (
        "imports on first use",
        "build",
        "hand-off",
        "HiGHS run",
        back,
        "verification",
        "result assembly",
        "other",
    )
    keys = [k for k in order if k in seconds] + [k for k in seconds if k not in order]
    split = ", ".join(
        f"{part} {seconds[part]:.2f} s ({seconds[part] / solve:.0%})"
        for part in keys
        if seconds[part] >= 0.005 * solve
    )
    out += [
        "",
        _wrap(
            "Inside `solve`, from one more API run with `--sample` (its main thread's stack "
            "looked at about every millisecond, each look weighted by the time since the last, "
            f"and sorted by the function names on it): `solve` took {solve:.2f} s there — {split}."
        ),
    ]
    return out


def _wrap(text: str) -> str:
    return textwrap.fill(text, width=100, break_long_words=False, break_on_hyphens=False)


def versions() -> str:
    from importlib.metadata import PackageNotFoundError, version

    parts = []
    for pkg in ("highspy", "numpy", "scipy", "pandas", "pydantic", "pyomo", "PyYAML"):
        try:
            parts.append(f"{pkg} {version(pkg)}")
        except PackageNotFoundError:
            parts.append(f"{pkg} –")
    git = ["git", "-C", str(ROOT)]
    commit = subprocess.run(
        [*git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
    ).stdout.strip()
    dirty = subprocess.run(
        [*git, "status", "--porcelain", "src"], capture_output=True, text=True, check=False
    ).stdout.strip()
    head = f"commit {commit}{' + uncommitted changes in src/' if dirty else ''}"
    return ", ".join([head, *parts])


def run_facts(reps: int, cap: float, minutes: float) -> dict[str, Any]:
    """When, where and with what the run was made (kept in the JSON beside the results)."""
    return {
        "date": date.today().isoformat(),
        "cores": os.cpu_count(),
        "load": os.getloadavg()[0],
        "python": platform.python_version(),
        "versions": versions(),
        "reps": reps,
        "cap": cap,
        "minutes": minutes,
    }


def _bullet(text: str) -> str:
    return textwrap.fill(
        text, width=100, subsequent_indent="  ", break_long_words=False, break_on_hyphens=False
    )


def verdict(table: list[dict[str, Any]]) -> str:
    """The measured ratios against issue 18's targets (≤ 1.10× time, ≤ 1.3× memory, from 5,000
    lines on)."""
    parts = []
    for row in table:
        if "skipped" in row or row["lines"] < 5_000:
            continue
        each = []
        for route in MINE:
            got = row[route]
            time_met = "met" if got["ratio"] <= 1.10 else "not met"
            memory_met = "met" if got["mem_ratio"] <= 1.3 else "not met"
            each.append(
                f"{SHORT[route]} {got['ratio']:.2f}× (time {time_met}), memory "
                f"{got['mem_ratio']:.2f}× ({memory_met})"
            )
        parts.append(f"{case_label(row)}: " + ", ".join(each))
    return "; ".join(parts)


def section(table: list[dict[str, Any]], prof: dict[str, Any] | None, facts: dict[str, Any]) -> str:
    """The markdown section for docs/performance.md."""
    problems = [f"{case_label(r)}: {p}" for r in table for p in r.get("check", [])]
    load = f" (load average {facts['load']:.1f} at the end)" if "load" in facts else ""
    lines = [
        SECTION,
        "",
        _wrap(
            "`make bench-whole` (or `.venv/bin/python benchmarks/whole.py`; `make bench` runs it "
            "too) times what a user waits for: whole processes, interpreter start-up and imports "
            "included, on the same instance files — synthetic cases "
            "(`allocator.synthetic.synthetic_case`, seed 0) written as an instance YAML, its "
            "lines CSV and a model YAML (`benchmarks/cases.py`). Four routes take turns, the "
            "order rotating each repetition:"
        ),
        "",
        _bullet(
            "- **allocator solve** (*solve*) — `allocator solve FILE` as a user types it: the "
            "split by pillar and year, the targets, as text (stdout to a file in RAM, "
            "`/dev/shm`; its exit status 0 says the answer is a verified, proven optimum)."
        ),
        _bullet(
            "- **allocator CLI, JSON** (*JSON*) — `allocator solve FILE --format json`, read "
            "back for the objective check; the JSON holds every allocation row."
        ),
        _bullet(
            "- **allocator API** (*API*) — `benchmarks/allocator_api.py`: `import allocator`, "
            "`load_instance`, `load_model` (the model file the instance names), `solve` (build, "
            "HiGHS, read-back, independent verification), `Result.verified`, the `allocation` "
            "and `pillars` tables."
        ),
        _bullet(
            "- **raw highspy** — `benchmarks/raw_highs.py`: libyaml's C loader, Python's `csv` "
            "module, allocator's matrix (its columns and rows, in its order: "
            "`raw_model.raw_build`) from numpy alone, one `passModel`, `run`, the objective. No "
            "pandas, no SciPy (their imports alone take about half a second and 100 MiB here), "
            "no names, no checks, no verification."
        ),
        "",
        _wrap(
            f"Seconds are the median wall time of {facts['reps']} runs of each; ratios are taken "
            "pair by pair (allocator's run i against raw's run i), then the median. Peak memory "
            "is each process's maximum resident set from `/usr/bin/time -v` (`wait4`'s "
            "`ru_maxrss` for that one process; `getrusage(RUSAGE_CHILDREN)` would give only the "
            "largest child so far). Every objective agrees with raw's to a relative 1e-6 and every "
            "allocator answer is verified, or the script fails. When raw highspy's process "
            f"(little more than HiGHS's run) goes past {facts['cap']:.0f} s, it is killed and the "
            "case skipped as impractical to repeat, and larger cases of the same kind are not "
            f"started. {facts['date']}, {facts['cores']} cores shared with other "
            f"work{load}, so single figures move by several per cent and MIP times by more "
            "(branch and bound with two threads is sensitive to load); only ratios measured "
            f"side by side in this one run are quoted. Python {facts['python']}; "
            f"{facts['versions']}. The run took {facts['minutes']:.0f} min."
        ),
        "",
        *table_lines(table),
        "",
        _wrap(
            "CPU time (user + system, from the same runs; HiGHS runs these LPs on one thread, "
            "so CPU time is close to the wall time a quiet machine would give, and it moves less "
            "with the load) and every run's wall time:"
        ),
        "",
        *cpu_lines(table),
        "",
    ]
    if problems:
        lines += [_wrap("**Checks failed:** " + "; ".join(problems)), ""]
    judged = verdict(table)
    if judged:
        lines += [
            _wrap(
                "Against issue 18's targets (whole process ≤ 1.10× raw highspy, peak memory "
                f"≤ 1.3×): {judged}. `make bench-guard` (`benchmarks/guard.py`, about a minute: "
                "the API route against raw on the 5,000-line × 5-year LP, seven pairs) exits 1 "
                "while the time ratio is above its bound (`BOUND=1.10` by default)."
            ),
            "",
        ]
    if prof is not None:
        lines += [
            f"### Where the time goes at about 100,000 variables ({profile_label()})",
            "",
            _wrap(
                "Medians of the same API and raw runs, each public call timed with "
                "`time.perf_counter` in the process (allocator exposes only HiGHS's run, "
                "`Result.runtime`); interpreter start-up and exit is the wall time less "
                "everything the script's clock saw."
            ),
            "",
            *profile_lines(prof),
            "",
        ]
    return "\n".join(lines)


def write_section(text: str, path: Path = DOC) -> None:
    """Replace the section in docs/performance.md, or put it before BEFORE (or at the end)."""
    doc = path.read_text() if path.exists() else "# Performance\n"
    start = doc.find(SECTION + "\n")
    if start >= 0:
        after = doc.find("\n## ", start + len(SECTION))
        rest = doc[after + 1 :] if after >= 0 else ""
        doc = doc[:start] + text + ("\n" + rest if rest else "")
    elif (at := doc.find(BEFORE + "\n")) >= 0:
        doc = doc[:at] + text + "\n" + doc[at:]
    else:
        doc = doc.rstrip("\n") + "\n\n" + text
    path.write_text(doc.rstrip("\n") + "\n")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--sizes", default=DEFAULT_SIZES)
    parser.add_argument(
        "--cap", type=float, default=CAP, help="seconds raw highspy's process may take (600)"
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-write", action="store_true", help="print only; leave docs/ alone")
    parser.add_argument("--json", type=Path, help="also save every run as JSON")
    parser.add_argument(
        "--from-json", type=Path, metavar="FILE", help="rewrite the section from a saved run"
    )
    args = parser.parse_args()
    if args.from_json:
        saved = json.loads(args.from_json.read_text())
        table, prof = saved["table"], saved["profile"]
        if "facts" in saved:
            facts = saved["facts"]
        else:  # a file from before facts were saved: the load now says nothing about that run
            reps = max(len(r["runs"]["raw"]) for r in table if "runs" in r)
            facts = run_facts(reps, args.cap, sum(r.get("minutes", 0.0) for r in table))
            del facts["load"]
    else:
        started = time.perf_counter()
        table, prof = measure(parse_sizes(args.sizes), args.reps, args.cap, args.seed)
        facts = run_facts(args.reps, args.cap, (time.perf_counter() - started) / 60)
    print()
    print("\n".join(table_lines(table)))
    print()
    print("\n".join(cpu_lines(table)))
    if prof is not None:
        print()
        print("\n".join(profile_lines(prof)))
    failed = [(r, p) for r in table for p in r.get("check", [])]
    for row, problem in failed:
        print(f"CHECK FAILED {case_label(row)}: {problem}")
    if args.json:
        data = {"table": table, "profile": prof, "facts": facts}
        args.json.write_text(json.dumps(data, indent=1))
    if not args.no_write:
        write_section(section(table, prof, facts))
        print(f"\nwrote {DOC.relative_to(ROOT)} ({SECTION!r})")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
