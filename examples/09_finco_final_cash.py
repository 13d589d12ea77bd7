"""Multiperiod investment with cash carried at interest: Winston's Finco.

Source: W. L. Winston, *Operations Research: Applications and Algorithms* (4th ed., 2004),
section 3.11 (Finco Investment Corporation). $100,000 at time 0; five investments whose cash
flows per dollar come back in later periods; at most $75,000 in any one; uninvested cash earns
8 % a period; maximise the cash on hand at time 3. Published optimum: $218,500, with A = $60,000,
B = $30,000, D = $40,000 and E = $75,000 (C unused).

The instance is `instances/textbook/finco.yaml`: each investment a `profile` per dollar (negative
figures are money coming back, which raises that period's budget), taken at a scale up to
75,000; `cash: {rate: 0.08}` carries money between periods with interest; the model's objective
is `max_final_cash`."""

from __future__ import annotations

from pathlib import Path

import allocator

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    """Solve Finco and print what goes into each investment in each period, and the cash."""
    res = allocator.solve(allocator.load_instance(ROOT / "instances/textbook/finco.yaml"))
    print(f"{res.status.describe()}; verified: {res.verified}")
    print(f"cash at time 3: ${res.objective:,.2f}")
    assert res.objective is not None
    assert abs(res.objective - 218_500) < 1e-6
    taken = {k: round(v) for k, v in res.plan().scale.items()}
    assert taken == {"A": 60_000, "B": 30_000, "C": 0, "D": 40_000, "E": 75_000}
    spend = res.allocation[res.allocation.source == "government"]
    print(spend.pivot_table(index="line", columns="year", values="amount").round(2).to_string())
    print()
    cash = res.cash()
    print(cash.round(2).to_string(index=False))
    assert [round(v, 6) for v in cash.inflows] == [0, 30_000, 75_000, 30_000 + 76_000 + 112_500]


if __name__ == "__main__":
    main()
