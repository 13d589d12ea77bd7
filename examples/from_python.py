"""Write an instance and a model as Python dicts, solve, and see which rules bind."""

from __future__ import annotations

import allocator

INSTANCE = {
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
MODEL = {
    "name": "balanced",
    "objective": "max_impact",
    "targets": {"mode": "soft", "weights": {"gpus": 500}},
    "rules": [{"rule": "pillar_share", "pillar": "talent", "min": 0.2}],
}


def main() -> None:
    """Solve the dict instance and print the allocation and the binding rules."""
    res = allocator.solve(
        allocator.Instance.model_validate(INSTANCE), allocator.ModelSpec.model_validate(MODEL)
    )
    print(res.status, round(res.objective or 0.0, 3))
    print(res.allocation.query("amount > 0").to_string(index=False))
    print(res.explain()[["rule", "shadow_price"]].to_string(index=False))


if __name__ == "__main__":
    main()
