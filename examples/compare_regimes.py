"""The same 2026 facts under three policy regimes: how the pillar split moves."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

import allocator

ROOT = Path(__file__).resolve().parent.parent
REGIMES = ("national-ai-2026", "gpu-first", "talent-first")


def main() -> None:
    """Solve once per regime and print government money per pillar side by side (bn KRW)."""
    inst = allocator.load_instance(ROOT / "instances" / "korea-2026.yaml")
    columns = {}
    for regime in REGIMES:
        res = allocator.solve(inst, ROOT / "models" / f"{regime}.yaml")
        assert res.status == allocator.Status.optimal
        assert res.verified
        columns[regime] = res.pillars.set_index("pillar")["government"]
    print(pd.DataFrame(columns).round(1).to_string())


if __name__ == "__main__":
    main()
