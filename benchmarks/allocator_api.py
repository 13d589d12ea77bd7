"""allocator through its public API on an instance file, as one whole process.

    .venv/bin/python benchmarks/allocator_api.py INSTANCE.yaml [--sample]

`import allocator`, `load_instance`, `load_model` (the model file the instance names),
`solve`, a check that the answer is verified, and the `allocation` and `pillars` tables — what a
user's script does. Prints one JSON line: objective, status, verified, and the seconds of each of
those public calls (`time.perf_counter` around each; allocator exposes no stage timings of its own
beyond `Result.runtime`, HiGHS's run inside `solve`). Exits 1 unless the answer is optimal and
verified.

`--sample` also samples the main thread's stack about every millisecond during `solve` and
splits its time (each sample weighted by the time since the last) by the function names on the
stack: imports on first use, build, hand-off to HiGHS, HiGHS run and read-back, verification,
result assembly. It reads names only, calls nothing inside allocator, and costs a few per cent;
names it does not recognise (after a refactor, say) count as "other".
"""

from __future__ import annotations

import time

STARTED = time.perf_counter()

import allocator  # noqa: E402

IMPORTED = time.perf_counter()

import argparse  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
import threading  # noqa: E402
from collections import defaultdict  # noqa: E402
from pathlib import Path  # noqa: E402
from types import FrameType  # noqa: E402

PARTS = (
    ("_find_and_load", "imports on first use"),
    ("verify", "verification"),
    ("from_solution", "result assembly"),
    ("solve_session", "HiGHS run and read-back"),
    ("compile_matrix", "hand-off"),
    ("check_ranges", "hand-off"),
    ("new_highs", "hand-off"),
    ("build", "build"),
)
"""Function names on the stack → part of `solve`; the first name found wins (inner parts first)."""


class Sampler:
    """Which part of `solve` the main thread is in, looked at every `interval` seconds."""

    def __init__(self, interval: float = 0.001) -> None:
        self.interval = interval
        self.seconds: defaultdict[str, float] = defaultdict(float)
        self._stop = threading.Event()
        self._main = threading.main_thread().ident
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Sampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        # Each sample is weighted by the time since the last one: while the main thread runs
        # Python it holds the GIL, and this thread gets it back only every switch interval (5 ms),
        # while HiGHS runs without it; counting samples would over-weight HiGHS.
        last = time.perf_counter()
        while not self._stop.wait(self.interval):
            frame = sys._current_frames().get(self._main or 0)
            now = time.perf_counter()
            self.seconds[self._part(frame)] += now - last
            last = now

    @staticmethod
    def _part(frame: FrameType | None) -> str:
        names = set()
        while frame is not None:
            names.add(frame.f_code.co_name)
            frame = frame.f_back
        return next((part for name, part in PARTS if name in names), "other")

    def shares(self) -> dict[str, float]:
        total = sum(self.seconds.values()) or 1.0
        return {part: seconds / total for part, seconds in self.seconds.items()}


def main() -> int:
    """The public path, timed call by call."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("instance", type=Path)
    parser.add_argument("--sample", action="store_true", help="split `solve` by stack sampling")
    args = parser.parse_args()
    stages = {"import": IMPORTED - STARTED}
    mark = time.perf_counter()

    def lap(stage: str) -> None:
        nonlocal mark
        now = time.perf_counter()
        stages[stage] = now - mark
        mark = now

    inst = allocator.load_instance(args.instance)
    lap("load_instance")
    if inst.model is None:
        raise SystemExit(f"{args.instance}: names no model")
    model = allocator.load_model(args.instance.parent / inst.model)
    lap("load_model")
    sampler = Sampler() if args.sample else None
    if sampler is not None:
        with sampler:
            res = allocator.solve(inst, model)
    else:
        res = allocator.solve(inst, model)
    lap("solve")
    verified = bool(res.verified)
    lap("check")
    allocation, pillars = res.allocation, res.pillars
    lap("tables")
    out = {
        "objective": res.objective,
        "status": res.status.value,
        "verified": verified,
        "highs": res.runtime,
        "rows": [len(allocation), len(pillars)],
        **stages,
    }
    if sampler is not None:
        out["solve_parts"] = sampler.shares()
    print(json.dumps(out))
    return 0 if verified and res.status.value == "optimal" else 1


if __name__ == "__main__":
    sys.exit(main())
