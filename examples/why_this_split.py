"""Why the Korea 2026 split looks the way it does, and what happens when the rules collide."""

from __future__ import annotations

from pathlib import Path

import allocator

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    """Print what more money is worth, what each policy costs, and a diagnosis of a stricter
    regime (talent at least 25 % of the money)."""
    inst = allocator.load_instance(ROOT / "instances" / "korea-2026.yaml")
    model = allocator.load_model(ROOT / "models" / "national-ai-2026.yaml")
    res = allocator.solve(inst, model)
    print(f"{res.status.describe()}; objective {res.objective:,.1f}\n")
    prices = res.shadow_prices()
    for sentence in prices[prices.rule.str.startswith(("budget", "private_pool"))].sentence:
        print(sentence)
    print()
    for sentence in res.price_of_policies().sentence:
        print(sentence)

    data = model.model_dump()
    for rule in data["rules"]:
        if rule.get("pillar") == "talent":
            rule.update(min=0.25, max=None)
    strict = allocator.ModelSpec.model_validate({**data, "name": "talent-25"})
    res = allocator.solve(inst, strict)
    print(f"\nWith a 25 % talent floor: {res.status.describe()}")
    print(res.diagnosis())


if __name__ == "__main__":
    main()
