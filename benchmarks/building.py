"""`build` and `compile_matrix` side by side with an earlier commit, on the synthetic cases.

    .venv/bin/python benchmarks/building.py --base 591a925 --lines 1000 10000

The earlier commit's `src/` is extracted (`git archive`) into a temporary folder; then, for each
size, one process of each side runs in turn (`--rounds` pairs), each timing `--reps` builds and
compiles of the same loaded instance (the garbage collector run before each, outside the clock)
and printing its medians; a third process times raw highspy's build of the same matrix
(`raw_model.raw_build`, numpy alone). The table gives the medians over the rounds and the
ratios.
Timings on a shared machine are noisy: read the ratios, not the seconds.
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

from cases import ROOT, write_case

TIMER = """
import gc, json, statistics, sys, time
from pathlib import Path
import allocator
from allocator.formulation import build
from allocator.solver.compile import compile_matrix
path = Path(sys.argv[1])
inst = allocator.load_instance(path)
model = allocator.load_model(path.parent / inst.model)
built, compiled = [], []
for _ in range(int(sys.argv[2])):
    gc.collect()
    t0 = time.perf_counter()
    b = build(inst, model)
    t1 = time.perf_counter()
    compile_matrix(b)
    t2 = time.perf_counter()
    built.append(t1 - t0)
    compiled.append(t2 - t1)
    del b
print(json.dumps([statistics.median(built), statistics.median(compiled), len(inst.lines)]))
"""

RAW = """
import json, statistics, sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[3])
from raw_highs import read_case
from raw_model import raw_build
case = read_case(Path(sys.argv[1]), None)
times = []
for _ in range(int(sys.argv[2])):
    t0 = time.perf_counter()
    raw_build(case)
    times.append(time.perf_counter() - t0)
print(json.dumps([statistics.median(times), 0.0, 0]))
"""


def _base_src(commit: str, into: Path) -> Path:
    """The commit's `src/` folder, extracted under `into`."""
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", commit, "src"], check=True, capture_output=True
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into / "src"


def _time(src: Path | None, case: Path, reps: int) -> tuple[float, float]:
    """Medians of `reps` builds and compiles with allocator from `src` (raw highspy's
    `raw_model.raw_build`, its matrix in column-wise form, when None)."""
    script, folder = (TIMER, "") if src is not None else (RAW, str(Path(__file__).parent))
    out = subprocess.run(
        [sys.executable, "-c", script, str(case), str(reps), folder],
        check=True,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(src or ROOT / "src"), "PATH": "/usr/bin:/bin"},
    ).stdout
    build_s, compile_s, _lines = json.loads(out)
    return build_s, compile_s


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", required=True, help="the earlier commit to compare with")
    parser.add_argument("--lines", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--reps", type=int, default=5, help="builds per process (median)")
    parser.add_argument("--rounds", type=int, default=3, help="processes per side, in turn")
    args = parser.parse_args()
    now = ROOT / "src"
    print(
        "| lines × years | build: base s | now s | base / now | compile: base s | now s "
        "| build + compile: base / now | now / raw | raw highspy s |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    with tempfile.TemporaryDirectory() as tmp:
        base = _base_src(args.base, Path(tmp))
        for lines in args.lines:
            case = write_case("lp", lines, args.years)
            sides: dict[str, list[tuple[float, float]]] = {"base": [], "now": [], "raw": []}
            for _ in range(args.rounds):
                sides["base"].append(_time(base, case, args.reps))
                sides["now"].append(_time(now, case, args.reps))
                sides["raw"].append(_time(None, case, args.reps))
            b_build, b_comp = (statistics.median(x) for x in zip(*sides["base"], strict=True))
            n_build, n_comp = (statistics.median(x) for x in zip(*sides["now"], strict=True))
            raw = statistics.median(t for t, _ in sides["raw"])
            print(
                f"| {lines:,} × {args.years} | {b_build:.3f} | {n_build:.3f} | "
                f"{b_build / n_build:.2f}× | {b_comp:.3f} | {n_comp:.3f} | "
                f"{(b_build + b_comp) / (n_build + n_comp):.2f}× | "
                f"{(n_build + n_comp) / raw:.2f}× | {raw:.3f} |"
            )


if __name__ == "__main__":
    main()
