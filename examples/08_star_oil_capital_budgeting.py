"""Capital budgeting as an LP: Winston's Star Oil, with the sensitivity printout.

Source: W. L. Winston, *Operations Research: Applications and Algorithms* (4th ed., 2004),
section 3.6 (Star Oil Company; the LINDO output and its discussion in chapter 6). Five
investments with outflows at time 0 and time 1 and a net present value each, any fraction of
each taken; $40 million at time 0 and $20 million at time 1. Published optimum: NPV
$57.449 million with investments 1, 3 and 4 taken whole, 20.1 % of investment 2 and 28.8 % of
investment 5. The time-0 and time-1 budget rows have shadow prices 0.1904 and 0.9846 (NPV per
$1 million more) over the ranges [30.38, 78.26] and [11.15, 31.28]; investment 1, 3 and 4's
"at most all of it" rows are worth 7.95, 10.12 and 12.06.

The instance is `instances/textbook/star-oil.yaml`: each investment a line with a `profile`
(its outflow per period when taken whole) and a `value` (its NPV), taken at a scale between 0
and 1; the periods are labelled 0 and 1 and the money is in m USD, as printed."""

from __future__ import annotations

from pathlib import Path

import allocator

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    """Solve Star Oil, print each period's spending and the LP's shadow prices and ranges."""
    res = allocator.solve(allocator.load_instance(ROOT / "instances/textbook/star-oil.yaml"))
    print(f"{res.status.describe()}; verified: {res.verified}")
    print(f"NPV: {res.objective:.3f} m USD")
    assert res.objective is not None
    assert abs(res.objective - 57.449) < 1e-3
    taken = res.plan().scale
    assert [round(taken[i], 3) for i in ("I1", "I2", "I3", "I4", "I5")] == [1, 0.201, 1, 1, 0.288]
    spend = res.allocation[res.allocation.source == "government"]
    print(spend.pivot_table(index="line", columns="year", values="amount").round(3).to_string())
    prices = res.shadow_prices().set_index("rule")
    rows = ["budget[0]", "budget[1]", "scale_max[I1]", "scale_max[I3]", "scale_max[I4]"]
    print()
    print(prices.loc[rows, ["shadow_price", "rhs", "valid_from", "valid_to"]].round(4).to_string())
    price = prices.shadow_price.to_dict()
    assert [round(price[r], 4) for r in rows] == [
        0.1904,
        0.9846,
        7.9515,
        10.1247,
        12.0633,
    ]
    assert round(prices.valid_to.to_dict()["budget[0]"], 2) == 78.26
    print()
    print(prices.loc["budget[1]", "sentence"])


if __name__ == "__main__":
    main()
