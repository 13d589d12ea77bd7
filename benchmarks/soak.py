"""Soak: many consecutive solves in one process must hold memory flat.

    .venv/bin/python benchmarks/soak.py [--solves 1000] [--instance instances/korea-2026.yaml]

Prints the resident set size after a warm-up and at the end, and the growth; exits 1 when the
growth is 5 % or more. Results are recorded in docs/performance.md."""

from __future__ import annotations

import argparse
import gc
import os
import sys
import time
import warnings
from pathlib import Path

import allocator

ROOT = Path(__file__).resolve().parent.parent


def rss_mib() -> float:
    """Resident set size of this process, in MiB (Linux /proc)."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def main() -> int:
    """Run the soak and report RSS growth between the warm-up and the end."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--solves", type=int, default=1000)
    parser.add_argument("--warmup", type=int, default=50)
    parser.add_argument("--instance", type=Path, default=ROOT / "instances" / "korea-2026.yaml")
    args = parser.parse_args()
    warnings.simplefilter("ignore", allocator.errors.HighsWarning)
    inst = allocator.load_instance(args.instance)
    model = allocator.solve(inst).model
    started = time.perf_counter()
    warm = 0.0
    for i in range(args.solves):
        res = allocator.solve(inst, model)
        assert res.status == allocator.Status.optimal
        assert res.verified
        if i + 1 == args.warmup:
            gc.collect()
            warm = rss_mib()
    gc.collect()
    end = rss_mib()
    growth = (end - warm) / warm
    seconds = time.perf_counter() - started
    print(
        f"{args.solves} solves of {inst.name} in {seconds:.1f} s "
        f"({1000 * seconds / args.solves:.1f} ms each)"
    )
    print(
        f"RSS after {args.warmup} solves: {warm:.1f} MiB; after {args.solves}: {end:.1f} MiB; "
        f"growth {growth:+.2%}"
    )
    return 0 if growth < 0.05 else 1


if __name__ == "__main__":
    sys.exit(main())
