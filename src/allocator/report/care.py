"""Figures to treat with care: the ones a report must not let a reader take at face value.

Three kinds, each one row of `care(res)`:

- `unconfirmed` — a figure whose source says `status: unconfirmed` (one source, no other confirms
  it);
- `conflict` — a figure whose source names other values other sources give (`conflict:`);
- `above sources` — a line the plan funds more than 25 % above its reported amount for a year
  (`lines.ID.reported`): beyond the classification uncertainty of about ±25 % that the line
  amounts carry (the budget office's ministry-summed AI total was 24 % below the finance
  ministry's), so no source supports the amount.

For a figure about a line, `plan` gives the line's government money in the plan, so the reader sees
what the optimum did with the doubtful figure.
"""

from __future__ import annotations

from fnmatch import fnmatchcase
from typing import TYPE_CHECKING

from allocator.results.result import Result

if TYPE_CHECKING:
    import pandas as pd

ABOVE = 1.25
"""A line funded above this multiple of its reported amount is flagged."""

COLUMNS = ["figure", "flag", "detail", "plan"]


def _line_of(about: str, ids: list[str]) -> list[str]:
    """The lines a source's `about` names (`lines.ID....`; a glob id names every match)."""
    parts = about.split(".")
    if len(parts) < 2 or parts[0] != "lines":
        return []
    return [i for i in ids if fnmatchcase(i, parts[1])] if parts[1] != "*" else []


def care(res: Result) -> pd.DataFrame:
    """One row per figure to treat with care: figure (path), flag, detail, plan (the line's
    government money by year in the plan, for a line's figure; empty otherwise)."""
    import pandas as pd

    return pd.DataFrame(care_rows(res), columns=COLUMNS)


def care_rows(res: Result, lang: str = "en") -> list[dict[str, str]]:
    """The rows of `care(res)` as dicts (the sentences of lines past their sources in `lang`)."""
    inst = res.instance
    have = res.status.has_allocation
    plan = res.plan() if have else None
    ids = [line.id for line in inst.lines]

    def money_of(line_ids: list[str]) -> str:
        if plan is None or not line_ids:
            return ""
        return "; ".join(
            f"{lid} " + ", ".join(f"{y}: {plan.g(lid, y):,.1f}" for y in inst.years)
            for lid in line_ids
        )

    rows: list[dict[str, str]] = []
    for s in inst.sources:
        lines = _line_of(s.about, ids)
        if s.status == "unconfirmed":
            rows.append(
                {
                    "figure": s.about,
                    "flag": "unconfirmed",
                    "detail": s.note or s.cite or "",
                    "plan": money_of(lines),
                }
            )
        if s.conflict:
            rows.append(
                {
                    "figure": s.about,
                    "flag": "conflict",
                    "detail": s.conflict,
                    "plan": money_of(lines),
                }
            )
    if plan is not None:
        for line in inst.lines:
            for y, amount in (line.reported or {}).items():
                got = plan.g(line.id, y)
                if amount > 0 and got > ABOVE * amount + 1e-6:
                    rows.append(
                        {
                            "figure": f"lines.{line.id}.reported.{y}",
                            "flag": "above sources",
                            "detail": (
                                f"{line.id} {y}: 계획 {got:,.1f}, 보고 {amount:,.1f} "
                                f"(+{got / amount - 1:.0%}), 사업 금액의 ±25 % 범위 초과"
                                if lang == "ko"
                                else f"{line.id} in {y}: {got:,.1f} in the plan against "
                                f"{amount:,.1f} reported (+{got / amount - 1:.0%}), beyond the "
                                "±25 % the line amounts carry"
                            ),
                            "plan": money_of([line.id]),
                        }
                    )
    return rows


FLAGS_KO = {"unconfirmed": "미확인", "conflict": "출처 충돌", "above sources": "출처 초과"}
"""The flags in Korean reports."""


def _flag(flag: str, lang: str) -> str:
    return FLAGS_KO.get(flag, flag) if lang == "ko" else flag


def care_lines(res: Result, heading: str, lang: str = "en") -> list[str]:
    """The block as text lines (empty when nothing needs care)."""
    rows = care_rows(res, lang)
    if not rows:
        return []
    out = ["", f"{heading} ({len(rows)}):"]
    plan_word = "계획" if lang == "ko" else "plan"
    for row in rows:
        row["flag"] = _flag(row["flag"], lang)
        plan = f" [{plan_word}: {row['plan']}]" if row["plan"] else ""
        detail = row["detail"]
        if len(detail) > 140:  # cut at a word, not inside one
            detail = detail[:139].rsplit(" ", 1)[0] + " …"
        out.append(f"  ! {row['flag']}: {row['figure']} — {detail}{plan}")
    return out


def care_html(res: Result, heading: str, lang: str = "en") -> str:
    """The block as an HTML section, open (not collapsed), one table row per flagged figure."""
    from html import escape

    found = care_rows(res, lang)
    heads = (
        ("수치", "표시", "내용", "계획") if lang == "ko" else ("figure", "flag", "detail", "plan")
    )
    if not found:
        return ""
    rows = "".join(
        f"<tr data-flag='{escape(r['flag'])}'><td><code>{escape(r['figure'])}</code></td>"
        f"<td><span class='no'>{escape(_flag(r['flag'], lang))}</span></td>"
        f"<td>{escape(r['detail'])}</td>"
        f"<td>{escape(r['plan'])}</td></tr>"
        for r in found
    )
    return (
        f"<section id='care'><h2>{escape(heading)} ({len(found)})</h2><div class='warn'>"
        "<table class='data'><tr>" + "".join(f"<th>{h}</th>" for h in heads) + "</tr>"
        f"{rows}</table></div></section>"
    )


def outside_budget(res: Result, kpi_id: str, year: int) -> float:
    """Units of a KPI's level in `year` that come from its exogenous `additions` still in service
    (GPUs companies buy on their own), to show beside a target."""
    kpi = next(k for k in res.instance.kpis if k.id == kpi_id)
    life = kpi.lifetime
    return sum(
        amount
        for y, amount in (kpi.additions or {}).items()
        if y <= year and (kpi.cumulative or y == year) and (life is None or year < y + life)
    )
