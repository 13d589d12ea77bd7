"""Plain-text and JSON renderings of a result for the terminal."""

from __future__ import annotations

import json
import math
import unicodedata
from typing import Any

from allocator.report.labels import Lang, money, name_of, state_text, status_text, text
from allocator.results.result import GOVERNMENT, PRIVATE, Result
from allocator.schema.money import CURRENCY_UNITS, currency_of, format_money
from allocator.solver.status import Status


def korean_amount(amount: float, currency_unit: str = "bn_krw") -> str:
    """An amount as Korean readers write it: 9,933.4 bn KRW → "9조 9,334억" (dollars and euros
    as their unit writes them)."""
    if currency_of(currency_unit) != "KRW":
        return format_money(amount, currency_unit)
    won = amount * float(CURRENCY_UNITS[currency_unit])
    eok_total = round(won / 1e8)
    jo, eok = divmod(eok_total, 10_000)
    if jo and eok:
        return f"{jo:,}조 {eok:,}억"
    if jo:
        return f"{jo:,}조"
    return f"{eok:,}억"


def _funds(res: Result, lang: Lang) -> list[str]:
    """Private money by named fund and year (the pool's share is in the pillar table)."""
    inst = res.instance
    if not inst.funds:
        return []
    funding = res.funding()
    out = ["", text("funds", lang)]
    for fund in inst.funds:
        drawn = funding[funding.source == fund.id].groupby("year")["amount"].sum()
        years = "; ".join(f"{y} {money(v, inst.currency_unit, lang)}" for y, v in drawn.items())
        out.append(f"  {name_of(fund, lang)}: {years}")
    return out


def table(res: Result, lang: Lang = "en") -> str:
    """The split by pillar and year, public and private, with totals; money and names as readers
    of `lang` write them."""
    inst = res.instance
    under = text("under", lang).format(instance=inst.name, model=res.model.name)
    head = f"{under}: {status_text(res.status, lang)}"
    lines = [head]
    if res.status == Status.infeasible:
        lines += ["", str(res.diagnosis())]
    if not res.status.has_allocation:
        return "\n".join(lines)
    gap = (
        ""
        if (res.gap or 0) < 1e-12
        else f", {text('gap', lang)} {res.gap:.2e} ({res.gap_abs:,.4g} in objective units)"
    )
    check = text("verified_line", lang) if res.verified else text("verified_no", lang)
    lines.append(
        f"{text('objective_line', lang)} ({res.model.objective}) = {res.objective:,.4f}{gap}; "
        f"{check}"
    )
    unit = inst.currency_unit
    pillars = res.pillars
    names = {p.id: name_of(p, lang) for p in inst.pillars}
    width = max(_width(n) for n in [*names.values(), text("total", lang)])
    gov_head, priv_head = text("government", lang).lower(), text("private", lang).lower()
    cells = [money(x, unit, lang) for x in pillars[GOVERNMENT]] + [
        money(x, unit, lang) for x in pillars[PRIVATE]
    ]
    cell = max(_width(c) for c in [*cells, gov_head, priv_head]) + 2
    for year, rows in pillars.groupby("year", sort=True):
        lines.append("")
        lines.append(
            f"{year}  {_pad(text('pillar', lang), width)}  {_pad(gov_head, cell, True)}  "
            f"{_pad(priv_head, cell, True)}  {text('share', lang)}"
        )
        for _, row in rows.iterrows():
            lines.append(
                f"      {_pad(names[row['pillar']], width)}  "
                f"{_pad(money(row[GOVERNMENT], unit, lang), cell, True)}  "
                f"{_pad(money(row[PRIVATE], unit, lang), cell, True)}  {row['share']:6.1%}"
            )
        gov, priv = rows[GOVERNMENT].sum(), rows[PRIVATE].sum()
        lines.append(
            f"      {_pad(text('total', lang), width)}  {_pad(money(gov, unit, lang), cell, True)}"
            f"  {_pad(money(priv, unit, lang), cell, True)}"
        )
    lines += _funds(res, lang)
    kpis = res.kpis.dropna(subset=["target"])
    if len(kpis):
        kpi_names = {k.id: name_of(k, lang) for k in inst.kpis}
        lines.append("")
        lines.append(text("targets", lang))
        for _, row in kpis.iterrows():
            status = (
                text("met", lang)
                if row["shortfall"] <= 1e-6 * max(1.0, row["target"])
                else (f"{text('short_by', lang)} {row['shortfall']:,.0f}")
            )
            lines.append(
                f"  {kpi_names[row['kpi']]} {row['year']}: {row['level']:,.0f} {text('of', lang)} "
                f"{row['target']:,.0f} {row['unit']} — {status}"
            )
    if res.violations:
        lines.append("")
        lines.append(text("violations", lang) + ":")
        lines += [f"  - {v}" for v in res.violations]
    return "\n".join(lines)


def _width(s: str) -> int:
    """Columns `s` takes in a terminal: Hangul and other wide characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in s)


def _pad(s: str, width: int, right: bool = False) -> str:
    fill = " " * max(0, width - _width(s))
    return fill + s if right else s + fill


def explanation(res: Result, per_instance: bool = False, lang: Lang = "en") -> str:
    """Why this split: the binding rules and their prices, what each policy costs, the rules with
    slack; or, for an infeasible solve, the colliding rules and their repairs. Headings, money
    and names in `lang`; the rule sentences are in English."""
    if not res.status.has_allocation:
        return table(res, lang)
    lines = [table(res, lang), "", text("binding_rules", lang) + ":"]
    priced = res.shadow_prices()
    sentences = priced[~priced.rule.str.startswith("profile[")].sentence  # identities: see explain
    lines += [f"  - {s}" for s in sentences] or ["  " + text("none_priced", lang)]
    prices = res.price_of_policies(per_instance)
    if len(prices):
        lines += ["", text("policy_price", lang) + ":"]
        lines += [f"  - {s}" for s in prices.sentence]
    audit = res.audit()
    counts = audit.state.value_counts()
    lines += [
        "",
        text("rule_counts", lang)
        + ": "
        + ", ".join(f"{n} {state_text(str(state), lang)}" for state, n in counts.items())
        + f" ({text('audit_hint', lang)})",
    ]
    if res.vacuous_rules:
        lines.append(text("vacuous", lang) + ": " + ", ".join(res.vacuous_rules))
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
        if res.model.levels:
            detail = res.levels()
            data["levels_detail"] = (
                detail.astype(object).where(detail.notna(), None).to_dict(orient="records")
            )
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


def levels(res: Result) -> str:
    """For a lexicographic model: each priority level's optimum and held bound, then each goal's
    target, level reached and shortfall (empty for other models or without an answer)."""
    if not res.model.levels or not res.status.has_allocation:
        return ""
    table = res.levels()
    out = ["", "priority levels (solved in order; each held while the later ones are optimised)"]
    for (priority, name), rows in table.groupby(["priority", "level"], sort=True):
        first = rows.iloc[0]
        held = (
            f", held at {first['level_held_at']:,.6g}"
            if math.isfinite(first["level_held_at"])
            else " (last level: not held)"
        )
        out.append(
            f"  {priority}. {name}: optimum {first['level_optimum']:,.6g}{held}; "
            f"in the final plan {first['level_value']:,.6g}"
        )
        for _, row in rows.iterrows():
            if isinstance(row["kpi"], str):
                out.append(
                    f"     {row['kpi']} {int(row['year'])}: {row['achieved']:,.6g} of "
                    f"{row['target']:,.6g} (short {row['shortfall']:,.6g}, weight "
                    f"{row['weight']:g}, weighted {row['weighted_shortfall']:.4g})"
                )
            else:
                out.append(f"     {row['goal']}: {row['achieved']:,.6g} (weight {row['weight']:g})")
    return "\n".join(out)
