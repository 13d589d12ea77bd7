"""An infeasible plan diagnosed and repaired: talent at 25 % of the 2026 money cannot hold.

Raise the talent floor of the national regime from 9 % to 25 % and the rules collide: the talent
lines' maxima and the other pillars' line minimums leave no room. `Result.diagnosis()` names the
colliding rules in the instance's words and ranks the smallest repairs; lowering the talent floor
to what the diagnosis says makes the plan solvable again.
"""

from __future__ import annotations

import math
from pathlib import Path

import allocator
from allocator.schema.rules import PillarShare

ROOT = Path(__file__).resolve().parent.parent


def with_talent_floor(model: allocator.ModelSpec, floor: float) -> allocator.ModelSpec:
    """The model with the talent pillar's floor set to `floor` (and its ceiling lifted)."""
    rules = [
        rule.model_copy(update={"min": floor, "max": None})
        if isinstance(rule, PillarShare) and rule.pillar == "talent"
        else rule
        for rule in model.rules
    ]
    return model.model_copy(update={"name": f"talent-{floor:.1%}", "rules": rules})


def main() -> None:
    """Solve with a 25 % talent floor, print the diagnosis, apply the top repair and re-solve."""
    inst = allocator.load_instance(ROOT / "instances" / "korea-2026.yaml")
    model = allocator.load_model(ROOT / "models" / "national-ai-2026.yaml")
    res = allocator.solve(inst, with_talent_floor(model, 0.25))
    assert res.status == allocator.Status.infeasible
    print(f"With a 25 % talent floor: {res.status.describe()}\n")
    diagnosis = res.diagnosis()
    print(diagnosis)

    repair = next(
        r
        for r in diagnosis.repairs
        if r.rule.startswith("pillar_share_min[talent") and not math.isnan(r.change)
    )
    floor = math.floor((0.25 - repair.change) * 1000) / 1000  # a little inside the boundary
    repaired = allocator.solve(inst, with_talent_floor(model, floor))
    assert repaired.status == allocator.Status.optimal
    assert repaired.verified
    talent = repaired.pillars.set_index("pillar").loc["talent"]
    print(f"\nRepair applied: talent floor {floor:.1%} -> {repaired.status.describe()}")
    print(
        f"Talent gets {talent.government:,.1f} bn KRW ({talent.share:.1%} of the money spent); "
        f"objective {repaired.objective:,.1f}"
    )


if __name__ == "__main__":
    main()
