"""Plain-text and JSON renderings of a result for the terminal, in English or Korean."""

from __future__ import annotations

import json
import math
import unicodedata
from collections.abc import Callable
from typing import Any

from allocator.report.care import care_lines, outside_budget
from allocator.report.columns import SHARE, label, money_columns, pillar_rows
from allocator.report.labels import REACH, Lang, money, name_of, state_text, status_text, text
from allocator.report.ties import ties_line
from allocator.results import tables
from allocator.results.reach import settled
from allocator.results.result import Result
from allocator.schema import Instance, ModelSpec
from allocator.schema.money import CURRENCY_UNITS, currency_of, format_money
from allocator.solver.status import Status
from allocator.words import assumed_note, objective_amount, objective_unit, percent, point, quantity
from allocator.words.reach import MET, WITHIN, cash_sentence

OBJECTIVE_KINDS_KO = {
    "max_impact": "영향 최대화",
    "min_cost": "비용 최소화",
    "goal": "목표 미달 최소화",
    "lexicographic": "우선순위 순차 최적화",
}


def objective_kind(kind: str, lang: Lang = "en") -> str:
    """The objective's kind as readers of `lang` name it."""
    return OBJECTIVE_KINDS_KO.get(kind, kind) if lang == "ko" else kind


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


def objective_note(inst: Instance, spec: ModelSpec, lang: Lang = "en") -> str:
    """A note for tables with an objective column: its unit, what one point is, and how many of
    the figures behind it are assumed."""
    unit = objective_unit(spec.objective, inst.currency_unit, lang)
    head = f"목적함수 단위: {unit}" if lang == "ko" else f"objective in {unit}"
    return f"{head} ({point(inst, spec, lang)}; {assumed_note(inst, spec, lang)})"


def objective_lines(res: Result, lang: Lang = "en") -> list[str]:
    """The objective with its unit and gap, then what one point is and how many of the figures
    behind it are assumed."""
    inst, spec = res.instance, res.model
    assert res.objective is not None
    value = objective_amount(res.objective, spec.objective, inst.currency_unit, lang, sig=9)
    gap = ""
    if (res.gap or 0) >= 1e-12:
        size = objective_amount(res.gap_abs or 0.0, spec.objective, inst.currency_unit, lang)
        gap = f", {text('gap', lang)} {res.gap:.2e} ({size})"
    check = text("verified_line", lang) if res.verified else text("verified_no", lang)
    kind = objective_kind(spec.objective, lang)
    return [
        f"{text('objective_line', lang)} ({kind}) = {value}{gap}; {check}",
        f"  ({point(inst, spec, lang)}; {assumed_note(inst, spec, lang)})",
    ]


REACH_AUTO_SECONDS = 1.5
"""`auto`: the re-solves are made when, at the time the solve itself took, they would take no
longer than this (the five-year Korea plan's three come to 0.2-0.6 s by that reckoning, the
2026 plan's one to 0.01 s; a 5,000-line model's one solve takes 1-2 s); otherwise the text says
what was not worked out and how to ask."""


def reach_asked(res: Result, reach: str = "auto") -> bool:
    """Whether `reach` (one of `labels.REACH`) asks for `Result.reach`'s re-solves here."""
    if reach not in REACH:
        raise ValueError(f"reach is one of {', '.join(REACH)}, not {reach!r}")
    if reach == "auto":
        return 2 * len(unsettled(res)) * res.runtime <= REACH_AUTO_SECONDS
    return reach == "always"


def unsettled(res: Result) -> list[tuple[str, int]]:
    """The targets (kpi, year) that a reach re-solve would look at: missed, or at their cap."""
    if res.status == Status.scored or not res.status.has_allocation or res.built is None:
        return []
    levels = res.kpi_levels()
    return [
        (t.kpi, t.year)
        for t in res.instance.targets
        if settled(t.value, t.at_most, levels[t.kpi, t.year]) is None
    ]


def reach_skipped(res: Result, lang: Lang = "en") -> str:
    """Why the text does not say what the rules allow for the targets missed or at their cap."""
    n, took = len(unsettled(res)), f"{res.runtime:.1f}"
    if lang == "ko":
        return (
            f"  (놓쳤거나 상한에 닿은 목표 {n}개를 규칙상 어디까지 채울 수 있는지는 계산하지 "
            f"않았습니다: 이 모형(이번 풀이 {took}초)을 약 {2 * n}번 더 풀어야 합니다. "
            "--reach always 로 계산합니다)"
        )
    return (
        f"  (what the rules allow for the {n} target{'s' if n != 1 else ''} missed or at the cap "
        f"is not worked out: it takes about {2 * n} more solves of this model, which took "
        f"{took} s; --reach always asks)"
    )


def table(res: Result, lang: Lang = "en", reach: str = "auto") -> str:
    """The split by pillar and year — government, private pool, each fund, total and share of
    government money — with totals, then the targets; money, units and names as readers of
    `lang` write them. `reach` (one of `labels.REACH`): whether each target missed or at its
    cap says what the rules allow."""
    inst = res.instance
    under = text("under", lang).format(instance=inst.name, model=res.model.name)
    head = f"{under}: {status_text(res.status, lang, res.loose_gap)}"
    lines = [head]
    if res.solver != "highs":
        lines[0] += f" ({text('solved_with', lang)} {res.solver})"
    if res.status == Status.infeasible:
        lines += [
            "",
            res.diagnosis().text(lang) if res.solver == "highs" else text("needs_highs", lang),
        ]
    if not res.status.has_allocation:
        return "\n".join(lines)
    lines += objective_lines(res, lang) + ties_line(res, lang)
    unit = inst.currency_unit
    split = pillar_rows(res)
    columns = money_columns(res)
    names = {p.id: name_of(p, lang) for p in inst.pillars}
    width = max(_width(n) for n in [*names.values(), text("total", lang)])
    heads = [label(c, res, lang) for c in columns]
    cells = [money(row[c], unit, lang) for c in columns for row in split]
    cell = max(_width(c) for c in [*cells, *heads]) + 2
    moves = cash_lines(res, lang)
    for year in sorted({row["year"] for row in split}):
        rows = [row for row in split if row["year"] == year]
        lines.append("")
        lines.append(
            f"{year}  {_pad(text('pillar', lang), width)}  "
            + "  ".join(_pad(h, cell, True) for h in heads)
            + f"  {label(SHARE, res, lang)}"
        )
        for row in rows:
            lines.append(
                f"      {_pad(names[row['pillar']], width)}  "
                + "  ".join(_pad(money(row[c], unit, lang), cell, True) for c in columns)
                + f"  {percent(row[SHARE]):>7}"
            )
        lines.append(
            f"      {_pad(text('total', lang), width)}  "
            + "  ".join(
                _pad(money(sum(row[c] for row in rows), unit, lang), cell, True) for c in columns
            )
        )
        if moves.get(year):
            lines.append(f"      {moves[year]}")
    kpis = tables.kpi_rows(inst, res.plan(), res.kpi_levels())
    asked = reach_asked(res, reach)
    verdicts = reach_lines(res, lang) if asked else {}
    lines += _targets(res, lang, kpis, verdicts)
    kpi_names = {k.id: name_of(k, lang) for k in res.instance.kpis}
    for row in kpis:
        if math.isnan(row["at_most"]):
            continue
        within = row["level"] <= row["at_most"] * (1 + 1e-9) + 1e-6
        level = quantity(row["level"], row["unit"], lang)
        cap = quantity(row["at_most"], row["unit"], lang)
        if lang == "ko":
            state = "이내" if within else "초과"
            lines.append(f"  {kpi_names[row['kpi']]} {row['year']}: {level}, 상한 {cap} — {state}")
        else:
            state = "within" if within else "ABOVE"
            lines.append(
                f"  {kpi_names[row['kpi']]} {row['year']}: {level}, at most {cap} — {state}"
            )
        if (row["kpi"], row["year"]) in verdicts:
            lines.append(f"    {verdicts[row['kpi'], row['year']]}")
    if not asked and unsettled(res):
        lines.append(reach_skipped(res, lang))
    lines += care_lines(res, text("care", lang), lang)
    if res.violations and res.status != Status.scored:
        lines.append("")
        lines.append(text("violations", lang) + ":")
        lines += [f"  - {v}" for v in res.violations]
    return "\n".join(lines)


def reach_lines(res: Result, lang: Lang) -> dict[tuple[str, int], str]:
    """For each target the plan misses or sits at the cap of: whether the rules allow it at all
    (`Result.reach`), in `lang`; empty for a scored plan (no solve behind it)."""
    if not unsettled(res):
        return {}  # every target met or under its cap with room (or no solve): no re-solve
    return {
        (str(row["kpi"]), int(row["year"])): str(row["sentence"])
        for row in res.reach_rows(lang)
        if row["verdict"] not in (MET, WITHIN)
    }


def cash_lines(res: Result, lang: Lang) -> dict[int, str]:
    """For each year whose government spending is not simply its budget: the budget, what was
    spent, and what was carried, borrowed, repaid or left (`Result.cash`), in `lang`."""
    if not res.status.has_allocation:
        return {}
    cash = tables.cash_rows(res.instance, res.plan())
    years = [int(row["year"]) for row in cash]
    out = {}
    for i, row in enumerate(cash):
        after = years[i + 1] if i + 1 < len(years) else None
        sentence = cash_sentence(row, after, res.instance.currency_unit, lang)
        if sentence:
            out[years[i]] = sentence
    return out


def _targets(
    res: Result,
    lang: Lang,
    kpis: list[dict[str, Any]],
    verdicts: dict[tuple[str, int], str] | None = None,
) -> list[str]:
    """Each target among the KPI rows `kpis` (`tables.kpi_rows`): the level reached against it
    in the KPI's unit (a rate in %, a shortfall in pp), met or short by how much, and for a
    missed one whether the rules allow it at all."""
    targeted = [row for row in kpis if not math.isnan(row["target"])]
    if not targeted:
        return []
    names = {k.id: name_of(k, lang) for k in res.instance.kpis}
    lines = ["", text("targets", lang)]
    for row in targeted:
        short = row["shortfall"] > 1e-6 * max(1.0, row["target"])
        status = (
            f"{text('short_by', lang)} {quantity(row['shortfall'], row['unit'], lang, True)}"
            if short
            else text("met", lang)
        )
        level = quantity(row["level"], row["unit"], lang)
        target = quantity(row["target"], row["unit"], lang)
        extra = outside_budget(res, row["kpi"], row["year"])
        beside = f" ({quantity(extra, row['unit'], lang)} {text('outside_budget', lang)})"
        lines.append(
            f"  {names[row['kpi']]} {row['year']}: {level} {text('of', lang)} {target} — {status}"
            + (beside if extra else "")
        )
        if verdicts and (row["kpi"], row["year"]) in verdicts:
            lines.append(f"    {verdicts[row['kpi'], row['year']]}")
    return lines


def _width(s: str) -> int:
    """Columns `s` takes in a terminal: Hangul and other wide characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in s)


def _pad(s: str, width: int, right: bool = False) -> str:
    fill = " " * max(0, width - _width(s))
    return fill + s if right else s + fill


def explanation(
    res: Result,
    per_instance: bool = False,
    lang: Lang = "en",
    resolves: int | None = None,
    progress: Callable[[int, int], object] | None = None,
) -> str:
    """Why this split: the binding rules and what one more unit of each is worth (for a MIP,
    from re-solves of the MIP), what each policy costs, the rules with slack; or, for an
    infeasible solve, the colliding rules and their repairs. Everything in `lang`."""
    if not res.status.has_allocation:
        return table(res, lang, "always")
    lines = [table(res, lang, "always"), "", text("binding_rules", lang) + ":"]
    priced = res.shadow_prices(lang, resolves, progress)
    sentences = priced[~priced.rule.str.startswith("profile[")].sentence  # identities: see explain
    lines += [f"  - {s}" for s in sentences] or ["  " + text("none_priced", lang)]
    prices = res.price_of_policies(per_instance, lang)
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
        lines.append(text("vacuous", lang) + ": " + ", ".join(vacuous(res, lang)))
    return "\n".join(lines)


def vacuous(res: Result, lang: Lang = "en") -> list[str]:
    """The model rules that built nothing, with their kind in `lang`."""
    if lang != "ko" or res.built is None:
        return res.vacuous_rules
    from allocator.explain.korean import RULE_KINDS_KO

    kinds = [res.model.rules[i].rule for i in res.built.vacuous]
    return [
        f"rules[{i}] ({RULE_KINDS_KO.get(kind, kind)})"
        for i, kind in zip(res.built.vacuous, kinds, strict=True)
    ]


def as_json(res: Result, reach: str = "auto") -> str:
    """The summary plus, when there is an answer, pillar totals, allocation and KPIs, and, as
    `reach` asks (`table`), what the rules allow for each target (else `reach_skipped`)."""
    data: dict[str, Any] = res.summary()
    if res.status == Status.infeasible and res.solver != "highs":
        data["diagnosis"] = {"needs_highs": text("needs_highs")}
    elif res.status == Status.infeasible:
        diag = res.diagnosis()
        data["diagnosis"] = {
            "rules": dict(zip(diag.rules, diag.texts, strict=True)),
            "repairs": [r.sentence for r in diag.repairs],
        }
    if res.status.has_allocation:
        data["pillars"] = res.pillars.to_dict(orient="records")
        data["allocation"] = _ALLOCATION
        data["kpis"] = res.kpis.to_dict(orient="records")
        data["cash"] = res.cash().to_dict(orient="records")
        if res.instance.targets and res.status != Status.scored:
            if not unsettled(res) or reach_asked(res, reach):  # none missed: no re-solve
                data["reach"] = res.reach().drop(columns=["seconds"]).to_dict(orient="records")
            else:
                data["reach_skipped"] = reach_skipped(res).strip(" ()")
        if res.model.levels:
            detail = res.levels()
            data["levels_detail"] = (
                detail.astype(object).where(detail.notna(), None).to_dict(orient="records")
            )
    said = json.dumps(_finite(data), indent=2, ensure_ascii=False, default=str)
    if not res.status.has_allocation:
        return said
    # one row per line, year and source: pandas writes it in C (10× faster than dicts, no copy)
    table = tables.allocation(res.instance, res.plan(), objects=True)
    rows = table.to_json(orient="records", double_precision=15, force_ascii=False)
    return said.replace(json.dumps(_ALLOCATION), rows, 1)


_ALLOCATION = "\x00allocation rows\x00"
"""Where the allocation's rows go in `as_json`'s text (no summary value holds a NUL)."""


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
