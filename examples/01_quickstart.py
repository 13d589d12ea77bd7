"""Quickstart: solve Korea's 2026 AI budget, see the split, and ask why it looks that way.

The instance (`instances/korea-2026.yaml`) holds the facts — the 9,933.4 bn KRW budget as passed,
the four pillars, the budget lines and the GPU target; its default model
(`models/national-ai-2026.yaml`) holds the policy regime. The same API takes Python dicts.
"""

from __future__ import annotations

from pathlib import Path

import allocator

ROOT = Path(__file__).resolve().parent.parent

# A two-line plan written in Python, with money in the units people say ("1조" = 1,000 bn KRW).
TINY = {
    "name": "two-pillars",
    "years": [2026, 2027],
    "pillars": [{"id": "infra", "name": "Infrastructure"}, {"id": "talent", "name": "Talent"}],
    "budget": {2026: "1조", 2027: "1.2조"},
    "private_pool": "5000억",
    "kpis": [{"id": "gpus", "name": "GPUs in service", "unit": "GPU", "baseline": 10000}],
    "lines": [
        {
            "id": "gpu",
            "name": "GPU procurement",
            "pillar": "infra",
            "impact": 1.0,
            "leverage": 1.0,
            "private_impact": 0.5,
            "yields": {"gpus": 8},
            "max": 900,
        },
        {"id": "grad", "name": "AI graduate schools", "pillar": "talent", "impact": 0.8},
    ],
    "targets": [{"kpi": "gpus", "year": 2027, "value": 30000}],
}
TINY_MODEL = {
    "name": "balanced",
    "objective": "max_impact",
    "targets": {"mode": "soft", "weights": {"gpus": 500}},
    "rules": [{"rule": "pillar_share", "pillar": "talent", "min": 0.2}],
}


def main() -> None:
    """Solve the Korea 2026 instance, print the split and the price of its binding limits, then
    solve a tiny instance written as Python dicts."""
    inst = allocator.load_instance(ROOT / "instances" / "korea-2026.yaml")
    res = allocator.solve(inst)
    assert res.status == allocator.Status.optimal
    assert res.verified
    print(f"{inst.title}: {res.status.describe()}; verified={res.verified}")
    print(f"objective = {res.objective:,.1f} impact points\n")
    split = res.pillars[["name", "government", "private", "share"]].round(
        {"government": 1, "private": 1, "share": 3}
    )
    print(split.to_string(index=False))

    print("\nWhat more money would buy:")
    prices = res.shadow_prices()
    for sentence in prices[prices.rule.str.startswith(("budget", "private_pool"))].sentence:
        print(f"  {sentence}")

    tiny = allocator.solve(
        allocator.Instance.model_validate(TINY), allocator.ModelSpec.model_validate(TINY_MODEL)
    )
    assert tiny.status == allocator.Status.optimal
    assert tiny.verified
    print(f"\nFrom Python dicts: {tiny.status.value}, objective {tiny.objective:,.1f}")
    print(tiny.allocation.query("amount > 0").to_string(index=False))
    print(tiny.explain()[["rule", "shadow_price"]].to_string(index=False))


if __name__ == "__main__":
    main()
