"""Prioritised goals: Korea 2026-2030 with people first, then the GPU path, then the rest.

A relative rule (R&D at least 1.2 times AX) and what it costs the GPU path."""

from __future__ import annotations

from pathlib import Path

import allocator

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    """Solve the priorities model, print each level's result, then drop the R&D-over-AX relation
    and show how the GPU path changes."""
    inst = allocator.load_instance(ROOT / "instances" / "korea-2026-2030.yaml")
    model = allocator.load_model(ROOT / "models" / "national-ai-2026-2030-priorities.yaml")
    res = allocator.solve(inst, model)
    print(f"{res.status.describe()}; verified: {res.verified}")
    table = res.levels()
    print(
        table[["level", "goal", "year", "target", "achieved", "shortfall"]].to_string(index=False)
    )
    audit = res.audit()
    holds = audit[audit.family.isin(["level_hold", "relation"]) & (audit.state == "binding")]
    print()
    print(holds[["rule", "shadow_price"]].to_string(index=False))

    data = model.model_dump()
    data["rules"] = [r for r in data["rules"] if r.get("name") != "rnd_ahead_of_ax"]
    loose = allocator.solve(inst, allocator.ModelSpec.model_validate(data))
    gpu = {o.name: o.optimum for o in loose.level_outcomes}["gpu_path"]
    print(f"\nWithout rnd_ahead_of_ax the gpu_path level's weighted shortfall is {gpu:.4g}")


if __name__ == "__main__":
    main()
