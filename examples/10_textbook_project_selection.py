"""Project selection with go/no-go projects: three textbook problems.

1. Hillier & Lieberman, *Introduction to Operations Research* (7th ed., 2001), section 11.1,
   California Manufacturing: factories and warehouses in Los Angeles and San Francisco, at most
   one warehouse (`exclusive`), a warehouse only where a factory is built (`requires`), $10
   million of capital. Published optimum: both factories, no warehouse, NPV $14 million.
2. Lorie & Savage (1955), nine projects over two periods (budgets 50 and 20), as solved by
   H. M. Weingartner, *Mathematical Programming and the Analysis of Capital Budgeting Problems*
   (1963): the integer optimum takes projects 1, 3, 4, 6 and 9, NPV 70; the LP relaxation (any
   fraction of a project) reaches 70.27 with 97 % of project 6 and 4.5 % of project 7, and the
   two budgets' dual prices are 0.136 and 1.864.
3. Brealey, Myers & Allen, *Principles of Corporate Finance*, capital rationing: $10 million at
   t = 0 and at t = 1; project A's cash inflow at t = 1 pays for project D. Published optimum
   for whole projects: A and D, NPV $34 million (B and C together: 28).

Each project is a go/no-go line (`select: true`) with a lump `value` (its NPV) and its outlays
as a `schedule` or a `profile`; the instances are in `instances/textbook/`."""

from __future__ import annotations

from pathlib import Path

import allocator

ROOT = Path(__file__).resolve().parent.parent
TEXTBOOK = ROOT / "instances" / "textbook"


def chosen(res: allocator.Result) -> list[str]:
    """The projects taken."""
    return sorted(k for k, v in res.plan().selected.items() if v)


def main() -> None:
    """Solve the three problems; for Lorie-Savage also the LP relaxation."""
    cm = allocator.solve(allocator.load_instance(TEXTBOOK / "california-manufacturing.yaml"))
    print(f"California Manufacturing: NPV {cm.objective:g} m USD, build {chosen(cm)}")
    assert cm.verified
    assert cm.objective is not None
    assert abs(cm.objective - 14) < 1e-9
    assert chosen(cm) == ["factory_la", "factory_sf"]

    inst = allocator.load_instance(TEXTBOOK / "lorie-savage.yaml")
    ls = allocator.solve(inst)
    print(f"Lorie-Savage (whole projects): NPV {ls.objective:g}, projects {chosen(ls)}")
    assert ls.verified
    assert ls.objective is not None
    assert abs(ls.objective - 70) < 1e-9
    assert chosen(ls) == ["P1", "P3", "P4", "P6", "P9"]
    spend = ls.allocation[ls.allocation.source == "government"]
    print(spend.groupby("year").amount.sum().rename("spent").to_string())
    data = inst.model_dump()
    for line in data["lines"]:
        line["select"] = False
    lp = allocator.solve(
        allocator.Instance.model_validate(data), ROOT / "instances/textbook/models/npv.yaml"
    )
    parts = {k: round(v, 3) for k, v in lp.plan().scale.items() if v > 1e-9}
    print(f"Lorie-Savage (LP relaxation): NPV {lp.objective:.2f}, taken {parts}")
    assert lp.objective is not None
    assert round(lp.objective, 2) == 70.27
    assert parts["P6"] == 0.97
    assert parts["P7"] == 0.045
    prices = lp.shadow_prices().set_index("rule").shadow_price
    duals = round(prices["budget[1]"], 3), round(prices["budget[2]"], 3)
    print(f"  shadow prices of the budgets: {duals[0]}, {duals[1]}")
    assert duals == (0.136, 1.864)

    bm = allocator.solve(allocator.load_instance(TEXTBOOK / "brealey-myers.yaml"))
    print(f"Brealey-Myers: NPV {bm.objective:g} m USD, projects {chosen(bm)}")
    assert bm.verified
    assert bm.objective is not None
    assert abs(bm.objective - 34) < 1e-9
    assert chosen(bm) == ["A", "D"]


if __name__ == "__main__":
    main()
