"""Three policy regimes on the same 2026 facts: how the split, the KPIs and the rules' costs move.

`models/` holds three regimes: the budget as passed (`national-ai-2026`), compute first
(`gpu-first`) and people first (`talent-first`). The instance is the same; only the policy differs.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

import allocator

ROOT = Path(__file__).resolve().parent.parent
REGIMES = ("national-ai-2026", "gpu-first", "talent-first")


def main() -> None:
    """Solve once per regime; print government money per pillar, the KPI levels reached and the
    costliest rule each regime declares side by side."""
    inst = allocator.load_instance(ROOT / "instances" / "korea-2026.yaml")
    money, kpis, costly = {}, {}, {}
    for regime in REGIMES:
        res = allocator.solve(inst, ROOT / "models" / f"{regime}.yaml")
        assert res.status == allocator.Status.optimal
        assert res.verified
        money[regime] = res.pillars.set_index("name")["government"]
        kpis[regime] = res.kpis.set_index("name")["level"]
        declared = res.price_of_policies().query("policy.str.startswith('rules[')")
        costly[regime] = declared.sort_values("cost", ascending=False).sentence.iloc[0]
    print("Government money by pillar, 2026 (bn KRW):")
    print(pd.DataFrame(money).round(1).to_string())
    print("\nKPI levels reached by the end of 2026:")
    print(pd.DataFrame(kpis).round(0).to_string())
    print("\nThe costliest rule each regime declares (exact re-solve without it):")
    for regime, sentence in costly.items():
        print(f"  {regime}: {sentence}")


if __name__ == "__main__":
    main()
