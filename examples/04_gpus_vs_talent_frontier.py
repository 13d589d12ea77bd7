"""GPUs against talent: what each step toward 200,000 AI experts by 2030 costs the rest of the plan.

`allocator.analysis.frontier` raises a floor on one KPI (AI experts in 2030) step by step, from
what the best plan reaches anyway to the most the lines can reach, and re-solves at each step
(the ε-constraint method). Money moves to talent from R&D and compute, and the objective
falls: the output prints what each 1,000 experts cost, and whether the 2030 target is in reach.
"""

from __future__ import annotations

from pathlib import Path

import allocator
from allocator.analysis import frontier

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    """Trace the AI-experts frontier over 2026-2030; print it with government money per pillar."""
    inst = allocator.load_instance(ROOT / "instances" / "korea-2026-2030.yaml")
    table = frontier(inst, None, kpi="ai_experts", year=2030, points=9)
    assert (table.status == "optimal").all()
    assert table.verified.all()
    target = next(t.value for t in inst.targets if t.kpi == "ai_experts" and t.year == 2030)
    columns = {
        "level": "AI experts 2030",
        "objective": "objective",
        "government.infra": "infra",
        "government.talent": "talent",
        "government.ax": "AX",
        "government.rnd": "R&D",
    }
    shown = table[list(columns)].rename(columns=columns).round(0).astype(int)
    print("Government money over 2026-2030 by pillar (bn KRW) at each AI-experts floor:")
    print(shown.to_string(index=False))
    first, last = table.iloc[0], table.iloc[-1]
    experts = last.level - first.level
    cost = first.objective - last.objective
    print(
        f"\n{experts:,.0f} more AI experts by 2030 cost {cost:,.1f} impact points "
        f"({cost / experts * 1000:,.2f} per 1,000 experts); talent money rises by "
        f"{last['government.talent'] - first['government.talent']:,.0f} bn KRW."
    )
    short = "reachable" if last.level >= target else f"out of reach: at most {last.level:,.0f}"
    print(f"The 2030 target of {target:,.0f} AI experts is {short} with these lines.")


if __name__ == "__main__":
    main()
