"""Plain-text and JSON renderings of a result for the terminal."""

from __future__ import annotations

import json
import math
from typing import Any

from allocator.results import GOVERNMENT, PRIVATE, Result
from allocator.schema.money import CURRENCY_UNITS
from allocator.solve import Status


def korean_amount(amount: float, currency_unit: str = "bn_krw") -> str:
    """An amount as Korean readers write it: 9,933.4 bn KRW → "9조 9,334억"."""
    won = amount * float(CURRENCY_UNITS[currency_unit])
    eok_total = round(won / 1e8)
    jo, eok = divmod(eok_total, 10_000)
    if jo and eok:
        return f"{jo:,}조 {eok:,}억"
    if jo:
        return f"{jo:,}조"
    return f"{eok:,}억"


def money(amount: float, currency_unit: str = "bn_krw") -> str:
    """An amount in the instance's unit with its 조/억 reading beside it."""
    unit = {
        "bn_krw": "bn KRW",
        "tn_krw": "tn KRW",
        "eok_krw": "억 KRW",
        "mn_krw": "mn KRW",
        "krw": "KRW",
    }[currency_unit]
    return f"{amount:>10,.1f} {unit} ({korean_amount(amount, currency_unit)})"


def _funds(res: Result) -> list[str]:
    """Private money by named fund and year (the pool's share is in the pillar table)."""
    inst = res.instance
    if not inst.funds:
        return []
    funding = res.funding()
    out = ["", "funds (private money drawn, by year)"]
    for fund in inst.funds:
        drawn = funding[funding.source == fund.id].groupby("year")["amount"].sum()
        years = "; ".join(f"{y} {money(v, inst.currency_unit).strip()}" for y, v in drawn.items())
        out.append(f"  {fund.name}: {years}")
    return out


def table(res: Result) -> str:
    """The split by pillar and year, public and private, with totals."""
    inst = res.instance
    head = f"{inst.name} under {res.model.name}: {res.status.describe()}"
    lines = [head]
    if res.status == Status.infeasible:
        lines += ["", str(res.diagnosis())]
    if not res.status.has_allocation:
        return "\n".join(lines)
    gap = (
        ""
        if (res.gap or 0) < 1e-12
        else f", gap {res.gap:.2e} ({res.gap_abs:,.4g} in objective units)"
    )
    check = "verified: every rule re-checked" if res.verified else "NOT VERIFIED"
    lines.append(f"objective ({res.model.objective}) = {res.objective:,.4f}{gap}; {check}")
    unit = inst.currency_unit
    pillars = res.pillars
    width = max(len(p.name) for p in inst.pillars)
    for year, rows in pillars.groupby("year", sort=True):
        lines.append("")
        lines.append(f"{year}  {'pillar':<{width}}  {'government':>34}  {'private':>34}  share")
        for _, row in rows.iterrows():
            lines.append(
                f"      {row['name']:<{width}}  {money(row[GOVERNMENT], unit):>34}  "
                f"{money(row[PRIVATE], unit):>34}  {row['share']:6.1%}"
            )
        gov, priv = rows[GOVERNMENT].sum(), rows[PRIVATE].sum()
        lines.append(f"      {'total':<{width}}  {money(gov, unit):>34}  {money(priv, unit):>34}")
    lines += _funds(res)
    kpis = res.kpis.dropna(subset=["target"])
    if len(kpis):
        lines.append("")
        lines.append("targets")
        for _, row in kpis.iterrows():
            status = (
                "met"
                if row["shortfall"] <= 1e-6 * max(1.0, row["target"])
                else (f"short by {row['shortfall']:,.0f}")
            )
            lines.append(
                f"  {row['name']} {row['year']}: {row['level']:,.0f} of {row['target']:,.0f}"
                f" {row['unit']} — {status}"
            )
    if res.violations:
        lines.append("")
        lines.append("rules the returned numbers break:")
        lines += [f"  - {v}" for v in res.violations]
    return "\n".join(lines)


def explanation(res: Result, per_instance: bool = False) -> str:
    """Why this split: the binding rules and their prices, what each policy costs, the rules with
    slack; or, for an infeasible solve, the colliding rules and their repairs."""
    if not res.status.has_allocation:
        return table(res)
    lines = [table(res), "", "Binding rules and what one more unit of each is worth:"]
    sentences = res.shadow_prices().sentence
    lines += [f"  - {s}" for s in sentences] or ["  (none with a non-zero price)"]
    prices = res.price_of_policies(per_instance)
    if len(prices):
        lines += ["", "Price of each policy (objective change when it is removed):"]
        lines += [f"  - {s}" for s in prices.sentence]
    audit = res.audit()
    counts = audit.state.value_counts()
    lines += [
        "",
        "Rule audit: "
        + ", ".join(f"{n} {state}" for state, n in counts.items())
        + " (Result.audit() has every rule with its slack, price and source)",
    ]
    if res.vacuous_rules:
        lines.append("Rules that built nothing here: " + ", ".join(res.vacuous_rules))
    return "\n".join(lines)


def as_json(res: Result) -> str:
    """The summary plus, when there is an answer, pillar totals, allocation and KPIs."""
    data: dict[str, Any] = res.summary()
    if res.status == Status.infeasible:
        diag = res.diagnosis()
        data["diagnosis"] = {
            "rules": dict(zip(diag.rules, diag.texts, strict=True)),
            "repairs": [r.sentence for r in diag.repairs],
        }
    if res.status.has_allocation:
        data["pillars"] = res.pillars.to_dict(orient="records")
        data["allocation"] = res.allocation.to_dict(orient="records")
        data["kpis"] = res.kpis.to_dict(orient="records")
    return json.dumps(_finite(data), indent=2, ensure_ascii=False, default=str)


def _finite(value: Any) -> Any:
    """JSON has no NaN: missing numbers become null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(v) for v in value]
    return value
