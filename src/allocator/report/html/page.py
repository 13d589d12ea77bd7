"""A self-contained HTML report of one result: headline numbers, the split by pillar and year,
KPI paths against targets, the rule audit with shadow prices, the infeasibility diagnosis, the
provenance of every figure, and charts of sweeps and frontiers. One file, inline CSS and SVG, no
script and no fetch (a Content-Security-Policy forbids both), so it opens offline anywhere.

    import allocator, allocator.html
    res = allocator.solve(allocator.load_instance("instances/korea-2026.yaml"))
    allocator.html.write(res, "report.html", lang="ko", sweeps={"budget": table})
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from allocator.report.care import care_html
from allocator.report.columns import SHARE, SOURCE_LABELS, label, money_columns, pillar_table
from allocator.report.html import charts, firm, sections
from allocator.report.html.markup import (
    PALETTE,
    card,
    document,
    esc,
    membership,
    num_attr,
)
from allocator.report.labels import Lang, money, name_of, status_text, text
from allocator.report.text import cash_lines, objective_kind, reach_lines
from allocator.results.result import Result
from allocator.results.tables import GOVERNMENT, PRIVATE
from allocator.schema import Instance
from allocator.schema.output import target, write_file
from allocator.solver.status import Status
from allocator.words import (
    assumed_note,
    check_lang,
    kpi_unit,
    objective_amount,
    percent,
    point,
    quantity,
)

SHOWN = sections.SHOWN


def write(
    res: Result,
    path: str | Path,
    *,
    lang: Lang = "en",
    sweeps: Mapping[str, pd.DataFrame] | None = None,
    frontiers: Mapping[str, pd.DataFrame] | None = None,
    title: str | None = None,
    force: bool = False,
    firmness: Any = None,
    resolves: int | None = None,
) -> Path:
    """Write the report to `path`, all or nothing (a staged twin renamed into place); an existing
    file is replaced only with `force`, and never a file the result was made from. `firmness`
    (`allocator.analysis.firmness.how_firm`) adds the "how firm" section."""
    out = target(path, force=force, inputs=res.inputs, make_parents=True)
    page = render(
        res, lang=lang, sweeps=sweeps, frontiers=frontiers, title=title, resolves=resolves
    )
    if firmness is not None:
        page = page.replace("</main>", firm.section(firmness, lang) + "</main>", 1)
    return write_file(out, lambda staged: staged.write_text(page, encoding="utf-8"))


def render(
    res: Result,
    *,
    lang: Lang = "en",
    sweeps: Mapping[str, pd.DataFrame] | None = None,
    frontiers: Mapping[str, pd.DataFrame] | None = None,
    title: str | None = None,
    resolves: int | None = None,
) -> str:
    """The report as one HTML string. `sweeps` and `frontiers` map a chart title to the table
    `allocator.scenarios.sweep` or `frontier` returned; `resolves` caps a MIP's re-solves for
    what each rule is worth (`Result.shadow_prices`)."""
    lang = check_lang(lang)
    page = _Page(res, lang)
    inst = res.instance
    own = inst.title_ko if lang == "ko" and inst.title_ko else inst.title
    heading = title or own or inst.name
    under = text("under", lang).format(instance=inst.name, model=res.model.name)
    body = [
        "<header>",
        f"<p class='kicker'>{esc(text('report', lang))}</p>",
        f"<h1>{esc(heading)}</h1>",
        f"<p class='sub'>{esc(under)} · {esc(objective_kind(res.model.objective, lang))}</p>",
        "</header>",
        page.headline(),
    ]
    if res.status == Status.infeasible:
        body.append(sections.diagnosis(page, res))
    if res.status.has_allocation:
        body += [
            page.split(),
            page.kpis(),
            care_html(res, text("care", lang), lang),
            sections.rules(page, res, resolves),
        ]
    for kind, tables in (("sweeps", sweeps), ("frontiers", frontiers)):
        if tables:
            body.append(page.scenario_charts(kind, tables))
    body += [sections.provenance(page, res), sections.how_made(page, res)]
    return document(heading, lang, "\n".join(body))


@dataclass
class _Page:
    """One report being written: the result, the language, and ids unique within the page."""

    res: Result
    lang: Lang
    _ids: dict[str, int] = field(default_factory=dict)

    @property
    def inst(self) -> Instance:
        """The instance as the charts draw it: KPI units as a level is written in the page's
        language (a rate in %, people in 명)."""
        inst = self.res.instance
        kpis = [k.model_copy(update={"unit": kpi_unit(k.unit, self.lang)}) for k in inst.kpis]
        return inst.model_copy(update={"kpis": kpis})

    def t(self, key: str) -> str:
        return esc(text(key, self.lang))

    def money(self, amount: float) -> str:
        return esc(money(amount, self.inst.currency_unit, self.lang))

    def uid(self, prefix: str) -> str:
        self._ids[prefix] = self._ids.get(prefix, 0) + 1
        return f"{prefix}{self._ids[prefix]}"

    # -- headline --------------------------------------------------------------------------------

    def headline(self) -> str:
        res, lang = self.res, self.lang
        cards = [
            card(
                "status",
                res.status.value,
                self.t("status"),
                esc(status_text(res.status, lang, res.loose_gap)),
                "good" if res.status == Status.optimal else "bad",
            )
        ]
        if res.status.has_allocation:
            pillars = res.pillars
            gov, priv = float(pillars[GOVERNMENT].sum()), float(pillars[PRIVATE].sum())
            gap = "" if (res.gap or 0) < 1e-12 else f" ({self.t('gap')} {res.gap:.2e})"
            inst, spec = res.instance, res.model
            assert res.objective is not None
            shown = objective_amount(res.objective, spec.objective, inst.currency_unit, lang, sig=6)
            meaning = f"{point(inst, spec, lang)}; {assumed_note(inst, spec, lang)}"
            years = self.inst.years
            span = f"{years[0]}–{years[-1]}" if len(years) > 1 else str(years[0])
            cards += [
                card(
                    "objective",
                    num_attr(res.objective),
                    self.t("objective"),
                    f"{esc(shown)}{gap}",
                    note=esc(f"{objective_kind(spec.objective, lang)}: {meaning}"),
                ),
                card(
                    "government",
                    num_attr(gov),
                    self.t("government_total"),
                    self.money(gov),
                    note=span,
                ),
                card(
                    "private",
                    num_attr(priv),
                    self.t("private_total"),
                    self.money(priv),
                    note=span,
                ),
                card(
                    "verified",
                    "true" if res.verified else "false",
                    self.t("verified"),
                    self.t("verified_yes") if res.verified else self.t("verified_no"),
                    "good" if res.verified else "bad",
                ),
            ]
        parts = [f"<section id='headline'><h2>{self.t('headline')}</h2>"]
        parts.append("<div class='cards'>" + "".join(cards) + "</div>")
        if res.is_incumbent:
            parts.append(f"<p class='warn'>{self.t('incumbent')}</p>")
        if not res.status.has_allocation and res.status != Status.infeasible:
            parts.append(
                f"<p class='warn'>{self.t('no_allocation')}: {esc(status_text(res.status, lang))}"
                "</p>"
            )
        if res.violations:
            items = "".join(f"<li>{esc(v)}</li>" for v in res.violations)
            parts.append(f"<div class='warn'>{self.t('violations')}:<ul>{items}</ul></div>")
        parts.append("</section>")
        return "\n".join(parts)

    # -- the split -------------------------------------------------------------------------------

    def split(self) -> str:
        res, lang, inst = self.res, self.lang, self.inst
        pillars = res.pillars
        names = {p.id: name_of(p, lang) for p in inst.pillars}
        colors = {p.id: PALETTE[i % len(PALETTE)] for i, p in enumerate(inst.pillars)}
        chart = charts.split_chart(self, pillars, names, colors)
        split = pillar_table(res)
        columns = money_columns(res)
        head = (
            f"<tr><th>{self.t('year')}</th><th>{self.t('pillar')}</th>"
            + "".join(
                f"<th class='n' data-column='{esc(c)}'>{esc(label(c, res, lang))}</th>"
                for c in columns
            )
            + f"<th class='n' data-column='{esc(SHARE)}'>{esc(label(SHARE, res, lang))}</th></tr>"
        )
        rows = []
        moves = cash_lines(res, lang)
        for year, group in split.groupby("year", sort=True):
            for _, row in group.iterrows():
                rows.append(
                    f"<tr><td>{year}</td><td><span class='swatch' "
                    f"style='background:{colors[row['pillar']]}'></span>"
                    f"{esc(names[row['pillar']])}</td>"
                    + "".join(f"<td class='n'>{self.money(row[c])}</td>" for c in columns)
                    + f"<td class='n'>{percent(row[SHARE])}</td></tr>"
                )
            rows.append(
                f"<tr class='total'><td>{year}</td><td>{self.t('total')}</td>"
                + "".join(f"<td class='n'>{self.money(group[c].sum())}</td>" for c in columns)
                + "<td></td></tr>"
            )
            said = moves.get(int(str(year)), "")
            rows.append(sections.cash_row(said, int(str(year)), len(columns) + 1))
        table = f"<table class='data'>{head}{''.join(rows)}</table>"
        return (
            f"<section id='split'><h2>{self.t('split')}</h2>{chart}"
            f"<details open><summary>{self.t('split_table')}</summary>{table}</details>"
            f"{self.lines_table()}</section>"
        )

    def lines_table(self) -> str:
        inst, lang, res = self.inst, self.lang, self.res
        pillar_names = {p.id: name_of(p, lang) for p in inst.pillars}
        years = inst.years
        alloc = res.allocation
        money_by = alloc.groupby(["line", "year", "source"])["amount"].sum().to_dict()
        sources = [PRIVATE, *(f.id for f in inst.funds)]
        head = (
            f"<tr><th>{self.t('line')}</th><th>{self.t('pillar')}</th>"
            + "".join(f"<th class='n'>{y}</th>" for y in years)
            + "</tr>"
        )
        rows = []
        for line in inst.lines:
            cells = []
            for y in years:
                gov = money_by.get((line.id, y, GOVERNMENT), 0.0)
                extra = "".join(
                    f"<br><small>+ {esc(label(SOURCE_LABELS.get(s, s), res, lang))} "
                    f"{self.money(money_by.get((line.id, y, s), 0.0))}</small>"
                    for s in sources
                    if money_by.get((line.id, y, s), 0.0) > 1e-9
                )
                cells.append(f"<td class='n'>{self.money(gov)}{extra}</td>")
            rows.append(
                f"<tr><td>{esc(name_of(line, lang))} <small class='id'>{esc(line.id)}</small></td>"
                f"<td>{esc(membership(line.shares, pillar_names))}</td>{''.join(cells)}</tr>"
            )
        return (
            f"<details><summary>{self.t('lines')}</summary>"
            f"<table class='data'>{head}{''.join(rows)}</table></details>"
        )

    # -- KPIs ------------------------------------------------------------------------------------

    def kpis(self) -> str:
        inst, lang = self.inst, self.lang
        if not inst.kpis:
            return ""
        table = self.res.kpis
        drawn = []
        if len(inst.years) == 1:
            drawn.append(charts.kpi_bullets(self, table))
        else:
            for i, kpi in enumerate(inst.kpis):
                rows = table[table.kpi == kpi.id].sort_values("year")
                drawn.append(charts.kpi_chart(self, kpi.id, name_of(kpi, lang), kpi.unit, rows, i))

        tracked = table.dropna(subset=["target"])
        verdicts = reach_lines(self.res, lang)
        body = ""
        if len(tracked):
            names = {k.id: name_of(k, lang) for k in inst.kpis}
            head = (
                f"<tr><th>{self.t('kpi')}</th><th>{self.t('year')}</th>"
                f"<th class='n'>{self.t('level')}</th>"
                f"<th class='n'>{self.t('target')}</th><th>{self.t('state')}</th>"
                f"<th>{self.t('reach')}</th></tr>"
            )
            rows_html = []
            for _, row in tracked.iterrows():
                met = row["shortfall"] <= 1e-6 * max(1.0, row["target"])
                short = quantity(row["shortfall"], row["unit"], lang, change=True)
                status = (
                    f"<span class='ok'>{self.t('met')}</span>"
                    if met
                    else f"<span class='no'>{self.t('short_by')} {esc(short)}</span>"
                )
                level = quantity(row["level"], row["unit"], lang)
                target = quantity(row["target"], row["unit"], lang)
                said = verdicts.get((str(row["kpi"]), int(row["year"])), "")
                rows_html.append(
                    f"<tr data-kpi='{esc(row['kpi'])}' data-year='{row['year']}' "
                    f"data-level='{num_attr(row['level'])}'><td>{esc(names[row['kpi']])}</td>"
                    f"<td>{row['year']}</td><td class='n'>{esc(level)}</td>"
                    f"<td class='n'>{esc(target)}</td><td>{status}</td>"
                    f"<td class='reach'>{esc(said)}</td></tr>"
                )
            body = f"<table class='data'>{head}{''.join(rows_html)}</table>"
        body += sections.caps(self, self.res, verdicts)
        return (
            f"<section id='kpis'><h2>{self.t('kpis')}</h2>"
            f"<div class='{'grid' if len(drawn) > 1 else ''}'>{''.join(drawn)}</div>{body}"
            "</section>"
        )

    # -- sweeps and frontiers --------------------------------------------------------------------

    def scenario_charts(self, kind: str, tables: Mapping[str, pd.DataFrame]) -> str:
        drawn = []
        for title, table in tables.items():
            if kind == "sweeps":
                drawn.append(charts.sweep_charts(self, title, table))
            else:
                drawn.append(charts.frontier_chart(self, title, table))
        return (
            f"<section id='{kind}'><h2>{self.t(kind)}</h2>"
            f"<div class='grid wide'>{''.join(drawn)}</div></section>"
        )
