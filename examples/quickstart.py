"""Solve the Korea 2026 instance under its default regime and print the split by pillar."""

from __future__ import annotations

from pathlib import Path

import allocator

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    """Load, solve, and show status, objective and the pillar split."""
    inst = allocator.load_instance(ROOT / "instances" / "korea-2026.yaml")
    res = allocator.solve(inst)
    print(f"{inst.title}: {res.status.describe()}; verified={res.verified}")
    print(f"objective = {res.objective:,.1f}")
    print(res.pillars[["name", "year", "government", "private", "share"]].to_string(index=False))


if __name__ == "__main__":
    main()
