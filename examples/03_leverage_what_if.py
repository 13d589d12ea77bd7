"""The leverage what-if: the National Growth Fund draws 2 private won per fiscal won, not 15.

`scenarios/rnd11-leverage-2-to-1.yaml` patches one figure of the instance
(`lines.RND-11.leverage`); `allocator.analysis.compare` solves the base and the scenario and
says what moved in the inputs, in the split, and in the rules that explain the change.
"""

from __future__ import annotations

from pathlib import Path

import allocator
from allocator.schema.scenario import load_scenario

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = ROOT / "scenarios" / "rnd11-leverage-2-to-1.yaml"


def main() -> None:
    """Compare the base plan with the 2:1 leverage scenario and print what moved and why."""
    inst = allocator.load_instance(ROOT / "instances" / "korea-2026.yaml")
    (comp,) = allocator.analysis.compare(inst, [(load_scenario(SCENARIO), str(SCENARIO))], None)
    assert comp.base.verified
    assert comp.result.verified
    assert comp.result.status == allocator.Status.optimal
    print(f"Scenario {comp.scenario}: {comp.result.status.describe()}")
    for change in comp.inputs:
        print(f"  input {change.path}: {change.before!r} -> {change.after!r}")
    delta = (comp.result.objective or 0.0) - (comp.base.objective or 0.0)
    print(f"  objective {comp.base.objective:,.1f} -> {comp.result.objective:,.1f} ({delta:+,.1f})")

    money = comp.allocation()
    private = money.query("source == 'private'").groupby("name")[["base", "scenario", "change"]]
    moved = private.sum().query("abs(change) > 1e-6").round(1)
    print("\nPrivate money that moved (bn KRW):")
    print(moved.to_string())
    print("\nGovernment money by pillar (bn KRW):")
    pillars = comp.pillars()[["name", "base", "scenario", "change"]]
    print(pillars.set_index("name").round(1).add(0.0).reset_index().to_string(index=False))
    print("\nRules whose state or shadow price moved (state changes first):")
    rules = comp.rules()
    rules = rules.assign(flipped=rules.base_state != rules.state).sort_values(
        "flipped", ascending=False, kind="stable"
    )
    for _, row in rules.head(8).iterrows():
        print(
            f"  {row['rule']}: {row['base_state']} -> {row['state']}, "
            f"price {row['base_price']:.4g} -> {row['price']:.4g}"
        )
    if len(rules) > 8:
        print(f"  ... and {len(rules) - 8} more")


if __name__ == "__main__":
    main()
