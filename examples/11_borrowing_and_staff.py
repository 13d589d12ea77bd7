"""Borrowing, a staff limit and two-sided logic, on a worked problem derived by hand.

Not a published problem (the textbooks' borrowing models print no optimum to check against), so
the optimum is derived here. Three go/no-go projects over periods 0-2 (m EUR; profile: outlay per
period, negative = cash back; NPV; staff per period): A (15, −5, −15; NPV 8; 2 staff in period
0), B (0, 10, 5; NPV 6; 2 staff in period 1, 1 in period 2), C (5, 5, 0; NPV 4; 2 staff in
period 0, 1 in period 1). 10 a period, cash carried at 5 %, up to 10 a period borrowed at 10 %
and repaid the next period, 3 staff a period. The model asks for at least one project
(`cardinality` with `min: 1`) and says B and C exclude each other
(`{rule: implies, if: B, then: "not C"}`).

- A and C need 4 staff in period 0: out. B and C: out by the rule. A, B and C: out on both.
- A and B: borrow 5 in period 0; period 1 has 10 − 5.5 + 5 = 9.5 for 10 of outlays (borrow
  0.5); period 2 is flush. NPV 8 + 6 = 14, the best.
- Without borrowing A cannot start (15 > 10 in period 0): the best is B alone, 6.

So the optimum is A and B, NPV 14 m EUR, and the loan facility is worth 8."""

from __future__ import annotations

from pathlib import Path

import allocator

ROOT = Path(__file__).resolve().parent.parent
MODEL = {
    "name": "npv-logic",
    "objective_unit": "m EUR of NPV",
    "rules": [
        {"rule": "cardinality", "group": "core", "min": 1},
        {"rule": "implies", "if": "B", "then": "not C"},
    ],
}


def main() -> None:
    """Solve with and without the loan facility; print the projects, spending and loans."""
    inst = allocator.load_instance(ROOT / "instances/textbook/borrowing-staff.yaml")
    res = allocator.solve(inst, allocator.ModelSpec.model_validate(MODEL))
    taken = sorted(k for k, v in res.plan().selected.items() if v)
    print(f"{res.status.describe()}; verified: {res.verified}")
    print(f"NPV {res.objective:g} m EUR with projects {taken}")
    assert res.objective is not None
    assert abs(res.objective - 14) < 1e-9
    assert taken == ["A", "B"]
    spend = res.allocation[res.allocation.source == "government"]
    print(spend.pivot_table(index="line", columns="year", values="amount").to_string())
    print("borrowed:", {y: round(v, 3) for y, v in res.plan().borrow.items()})
    staff = res.audit().set_index("rule")
    print("staff rows:", staff.loc[staff.family == "resource", "state"].to_dict())

    data = inst.model_dump()
    data["cash"] = {"rate": 0.05}
    res = allocator.solve(
        allocator.Instance.model_validate(data), allocator.ModelSpec.model_validate(MODEL)
    )
    taken = sorted(k for k, v in res.plan().selected.items() if v)
    print(f"without borrowing: NPV {res.objective:g} m EUR with projects {taken}")
    assert res.objective is not None
    assert abs(res.objective - 6) < 1e-9
    assert taken == ["B"]


if __name__ == "__main__":
    main()
