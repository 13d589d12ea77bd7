"""A self-contained HTML report of one result: headline numbers, the split by pillar and year,
KPI paths against targets, the rule audit with shadow prices, the infeasibility diagnosis, the
provenance of every figure, and charts of sweeps and frontiers. One file, inline CSS and SVG, no
script and no fetch (a Content-Security-Policy forbids both), so it opens offline anywhere.

    import allocator, allocator.html
    res = allocator.solve(allocator.load_instance("instances/korea-2026.yaml"))
    allocator.html.write(res, "report.html", lang="ko", sweeps={"budget": table})
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from allocator.report.html import charts
from allocator.report.html.markup import (
    PALETTE,
    card,
    document,
    esc,
    figure_value,
    g,
    membership,
    num_attr,
    range_text,
)
from allocator.report.labels import (
    Lang,
    money,
    name_of,
    state_text,
    status_text,
    text,
)
from allocator.results.result import GOVERNMENT, PRIVATE, Result
from allocator.schema import Instance
from allocator.schema.provenance import covers, figure_paths
from allocator.solver.status import Status

SHOWN = 12
"""Priced rules shown before the rest fold away."""


def write(
    res: Result,
    path: str | Path,
    *,
    lang: Lang = "en",
    sweeps: Mapping[str, pd.DataFrame] | None = None,
    frontiers: Mapping[str, pd.DataFrame] | None = None,
    title: str | None = None,
) -> Path:
    """Write the report to `path`, all or nothing (a temporary twin renamed into place)."""
    page = render(res, lang=lang, sweeps=sweeps, frontiers=frontiers, title=title)
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    try:
        tmp.write_text(page, encoding="utf-8")
        tmp.replace(target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return target


def render(
    res: Result,
    *,
    lang: Lang = "en",
    sweeps: Mapping[str, pd.DataFrame] | None = None,
    frontiers: Mapping[str, pd.DataFrame] | None = None,
    title: str | None = None,
) -> str:
    """The report as one HTML string. `sweeps` and `frontiers` map a chart title to the table
    `allocator.scenarios.sweep` or `frontier` returned."""
    if lang not in ("en", "ko"):
        raise ValueError(f"lang must be 'en' or 'ko', not {lang!r}")
    page = _Page(res, lang)
    inst = res.instance
    heading = title or inst.title or inst.name
    under = text("under", lang).format(instance=inst.name, model=res.model.name)
    body = [
        "<header>",
        f"<p class='kicker'>{esc(text('report', lang))}</p>",
        f"<h1>{esc(heading)}</h1>",
        f"<p class='sub'>{esc(under)} · {esc(res.model.objective)}</p>",
        "</header>",
        page.headline(),
    ]
    if res.status == Status.infeasible:
        body.append(page.diagnosis())
    if res.status.has_allocation:
        body += [page.split(), page.kpis(), page.rules()]
    for kind, tables in (("sweeps", sweeps), ("frontiers", frontiers)):
        if tables:
            body.append(page.scenario_charts(kind, tables))
    body += [page.provenance(), page.how_made()]
    return document(heading, lang, "\n".join(body))


@dataclass
class _Page:
    """One report being written: the result, the language, and ids unique within the page."""

    res: Result
    lang: Lang
    _ids: dict[str, int] = field(default_factory=dict)

    @property
    def inst(self) -> Instance:
        return self.res.instance

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
                esc(status_text(res.status, lang)),
                "good" if res.status == Status.optimal else "bad",
            )
        ]
        if res.status.has_allocation:
            pillars = res.pillars
            gov, priv = float(pillars[GOVERNMENT].sum()), float(pillars[PRIVATE].sum())
            gap = "" if (res.gap or 0) < 1e-12 else f" ({self.t('gap')} {res.gap:.2e})"
            years = self.inst.years
            span = f"{years[0]}–{years[-1]}" if len(years) > 1 else str(years[0])
            cards += [
                card(
                    "objective",
                    num_attr(res.objective),
                    self.t("objective"),
                    f"{res.objective:,.2f}{gap}",
                    note=esc(res.model.objective),
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
        head = (
            f"<tr><th>{self.t('year')}</th><th>{self.t('pillar')}</th>"
            f"<th class='n'>{self.t('government')}</th><th class='n'>{self.t('private')}</th>"
            f"<th class='n'>{self.t('share')}</th></tr>"
        )
        rows = []
        for year, group in pillars.groupby("year", sort=True):
            for _, row in group.iterrows():
                rows.append(
                    f"<tr><td>{year}</td><td><span class='swatch' "
                    f"style='background:{colors[row['pillar']]}'></span>"
                    f"{esc(names[row['pillar']])}</td>"
                    f"<td class='n'>{self.money(row[GOVERNMENT])}</td>"
                    f"<td class='n'>{self.money(row[PRIVATE])}</td>"
                    f"<td class='n'>{row['share']:.1%}</td></tr>"
                )
            rows.append(
                f"<tr class='total'><td>{year}</td><td>{self.t('total')}</td>"
                f"<td class='n'>{self.money(group[GOVERNMENT].sum())}</td>"
                f"<td class='n'>{self.money(group[PRIVATE].sum())}</td><td></td></tr>"
            )
        table = f"<table class='data'>{head}{''.join(rows)}</table>"
        return (
            f"<section id='split'><h2>{self.t('split')}</h2>{chart}"
            f"<details open><summary>{self.t('split_table')}</summary>{table}</details>"
            f"{self.lines_table()}</section>"
        )

    def lines_table(self) -> str:
        inst, lang = self.inst, self.lang
        plan = self.res.plan()
        pillar_names = {p.id: name_of(p, lang) for p in inst.pillars}
        years = inst.years
        head = (
            f"<tr><th>{self.t('line')}</th><th>{self.t('pillar')}</th>"
            + "".join(f"<th class='n'>{y}</th>" for y in years)
            + "</tr>"
        )
        rows = []
        for line in inst.lines:
            cells = []
            for y in years:
                gov = plan.gov.get((line.id, y), 0.0)
                priv = plan.money(line.id, y) - gov  # the pool and every fund
                extra = (
                    f"<br><small>+ {self.t('private')} {self.money(priv)}</small>"
                    if priv > 1e-9
                    else ""
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
        body = ""
        if len(tracked):
            names = {k.id: name_of(k, lang) for k in inst.kpis}
            head = (
                f"<tr><th>KPI</th><th>{self.t('year')}</th><th class='n'>{self.t('level')}</th>"
                f"<th class='n'>{self.t('target')}</th><th>{self.t('state')}</th></tr>"
            )
            rows_html = []
            for _, row in tracked.iterrows():
                met = row["shortfall"] <= 1e-6 * max(1.0, row["target"])
                status = (
                    f"<span class='ok'>{self.t('met')}</span>"
                    if met
                    else f"<span class='no'>{self.t('short_by')} {row['shortfall']:,.0f}</span>"
                )
                rows_html.append(
                    f"<tr data-kpi='{esc(row['kpi'])}' data-year='{row['year']}' "
                    f"data-level='{num_attr(row['level'])}'><td>{esc(names[row['kpi']])}</td>"
                    f"<td>{row['year']}</td><td class='n'>{row['level']:,.0f} {esc(row['unit'])}"
                    f"</td><td class='n'>{row['target']:,.0f}</td><td>{status}</td></tr>"
                )
            body = f"<table class='data'>{head}{''.join(rows_html)}</table>"
        return (
            f"<section id='kpis'><h2>{self.t('kpis')}</h2>"
            f"<div class='{'grid' if len(drawn) > 1 else ''}'>{''.join(drawn)}</div>{body}"
            "</section>"
        )

    # -- rules -----------------------------------------------------------------------------------

    def rules(self) -> str:
        lang = self.lang
        audit = self.res.audit()
        highs = self.res.solver == "highs"  # shadow prices are HiGHS's duals
        prices = self.res.shadow_prices() if highs else pd.DataFrame()
        counts = audit.state.value_counts()
        count_html = " · ".join(
            f"<span class='pill'>{n} {esc(state_text(str(s), lang))}</span>"
            for s, n in counts.items()
        )
        if len(prices):
            head = (
                f"<tr><th>{self.t('rule')}</th><th class='n'>{self.t('shadow_price')}</th>"
                f"<th class='n'>{self.t('valid')}</th><th>{self.t('text')}</th></tr>"
            )
            rows = [
                f"<tr><td><code>{esc(r['rule'])}</code></td>"
                f"<td class='n'>{r['shadow_price']:,.4g}</td>"
                f"<td class='n'>{range_text(r['valid_from'], r['valid_to'])}</td>"
                f"<td>{esc(r['sentence'])}</td></tr>"
                for _, r in prices.iterrows()
            ]
            priced = f"<table class='data'>{head}{''.join(rows[:SHOWN])}</table>"
            if len(rows) > SHOWN:
                priced += (
                    f"<details><summary>{self.t('more')} ({len(rows) - SHOWN})</summary>"
                    f"<table class='data'>{head}{''.join(rows[SHOWN:])}</table></details>"
                )
        elif not highs:
            priced = f"<p class='muted'>{self.t('needs_highs_prices')}</p>"
        else:
            priced = f"<p>{self.t('none_priced')}</p>"
        head = (
            f"<tr><th>{self.t('rule')}</th><th>{self.t('state')}</th>"
            f"<th class='n'>{self.t('slack')}</th><th>{self.t('unit')}</th>"
            f"<th class='n'>{self.t('shadow_price')}</th><th>{self.t('text')}</th>"
            f"<th>{self.t('origin')}</th><th>{self.t('source')}</th></tr>"
        )
        rows = []
        for _, r in audit.iterrows():
            state = str(r["state"])
            rows.append(
                f"<tr class='{'bind' if state != 'slack' else ''}'>"
                f"<td><code>{esc(r['rule'])}</code></td><td>{esc(state_text(state, lang))}</td>"
                f"<td class='n'>{g(r['slack'])}</td><td>{esc(r['unit'])}</td>"
                f"<td class='n'>{g(r['shadow_price'])}</td><td>{esc(r['text'])}</td>"
                f"<td>{esc(r['origin'])}</td><td>{esc(r['source'] or '')}</td></tr>"
            )
        return (
            f"<section id='rules'><h2>{self.t('rules')}</h2>"
            f"<p>{self.t('rule_counts')}: {count_html}</p>"
            f"<h3>{self.t('binding_rules')}</h3>{priced}"
            f"<details><summary>{self.t('all_rules')} ({len(audit)})</summary>"
            f"<table class='data'>{head}{''.join(rows)}</table></details>"
            + (f"<p class='muted'>{self.t('language_note')}</p>" if lang == "ko" else "")
            + "</section>"
        )

    # -- infeasibility ---------------------------------------------------------------------------

    def diagnosis(self) -> str:
        if self.res.solver != "highs":
            return (
                f"<section id='diagnosis' class='alert'><h2>{self.t('diagnosis')}</h2>"
                f"<p>{self.t('needs_highs')}</p></section>"
            )
        diag = self.res.diagnosis()
        items = "".join(
            f"<li><code>{esc(name)}</code>: {esc(words)}</li>"
            for name, words in zip(diag.rules, diag.texts, strict=True)
        )
        context = "".join(f"<li class='muted'>{esc(c)}</li>" for c in diag.context)
        fixes = [r for r in diag.repairs if not math.isnan(r.change)]
        stuck = [r.rule for r in diag.repairs if math.isnan(r.change)]
        parts = [
            f"<section id='diagnosis' class='alert'><h2>{self.t('diagnosis')}</h2>",
            f"<h3>{self.t('colliding')}</h3><ul class='collide'>{items}{context}</ul>",
        ]
        if fixes:
            repairs = "".join(f"<li>{esc(r.sentence)}</li>" for r in fixes)
            parts.append(f"<h3>{self.t('repairs')}</h3><ol>{repairs}</ol>")
        if stuck:
            parts.append(
                f"<p>{self.t('no_repair')}: " + ", ".join(f"<code>{esc(s)}</code>" for s in stuck)
            )
        if diag.method:
            parts.append(f"<p class='muted'>{esc(diag.method)}</p>")
        parts.append("</section>")
        return "\n".join(parts)

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

    # -- provenance ------------------------------------------------------------------------------

    def provenance(self) -> str:
        inst = self.inst
        paths = figure_paths(inst)
        first: dict[str, int | None] = {
            p: next((i for i, s in enumerate(inst.sources) if covers(s.about, p)), None)
            for p in paths
        }
        counts = [sum(1 for i in first.values() if i == k) for k in range(len(inst.sources))]
        head = (
            f"<tr><th>{self.t('about')}</th><th>{self.t('kind')}</th><th>{self.t('cite')}</th>"
            f"<th>{self.t('note')}</th><th class='n'>{self.t('covers')}</th></tr>"
        )
        rows = [
            f"<tr><td><code>{esc(s.about)}</code></td><td><span class='kind {esc(s.kind)}'>"
            f"{esc(s.kind)}</span></td><td>{esc(s.cite or '')}</td><td>{esc(s.note or '')}</td>"
            f"<td class='n'>{n}</td></tr>"
            for s, n in zip(inst.sources, counts, strict=True)
        ]
        missing = [p for p, i in first.items() if i is None]
        every = []
        for p, i in first.items():
            value = figure_value(inst, p)
            if i is None:
                where = f"<span class='no'>{self.t('unsourced')}</span>"
            else:
                s = inst.sources[i]
                where = f"{esc(s.kind)}: {esc(s.cite or s.note or '')}"
            every.append(
                f"<tr><td><code>{esc(p)}</code></td><td class='n'>{esc(value)}</td>"
                f"<td>{where}</td></tr>"
            )
        note = (
            f"<p class='warn'>{len(missing)} {self.t('unsourced')}: "
            + ", ".join(f"<code>{esc(m)}</code>" for m in missing[:20])
            + (", …" if len(missing) > 20 else "")
            + "</p>"
            if missing
            else ""
        )
        kinds: dict[str, int] = {}
        for i in first.values():
            if i is not None:
                kind = inst.sources[i].kind
                kinds[kind] = kinds.get(kind, 0) + 1
        summary = [
            f"<span class='kind {esc(k)}'>{esc(k)}</span> {n}" for k, n in sorted(kinds.items())
        ]
        if missing:
            summary.append(f"<span class='no'>{self.t('unsourced')}</span> {len(missing)}")
        return (
            f"<section id='provenance'><h2>{self.t('provenance')}</h2>{note}"
            f"<p data-figures='{len(paths)}'>{len(paths)} {self.t('figures_stated')}: "
            + " · ".join(summary)
            + "</p>"
            f"<details><summary>{self.t('sources')} ({len(inst.sources)})</summary>"
            f"<table class='data'>{head}{''.join(rows)}</table></details>"
            f"<details><summary>{self.t('every_figure')} ({len(paths)})</summary>"
            f"<table class='data'><tr><th>{self.t('figure')}</th><th class='n'>"
            f"{self.t('level')}</th><th>{self.t('source')}</th></tr>{''.join(every)}</table>"
            "</details></section>"
        )

    def how_made(self) -> str:
        manifest = self.res.manifest()
        files = "".join(
            f"<li><code>{esc(name)}</code> <small class='id'>{esc(digest)}</small></li>"
            for name, digest in manifest["inputs"].items()
        )
        versions = ", ".join(f"{esc(k)} {esc(v)}" for k, v in manifest["versions"].items())
        options = ", ".join(
            f"{esc(k)}={esc(v)}" for k, v in manifest["options"].items() if v not in (None, {})
        )
        return (
            f"<footer id='how'><h2>{self.t('how_made')}</h2><dl>"
            + (f"<dt>{self.t('inputs')}</dt><dd><ul>{files}</ul></dd>" if files else "")
            + f"<dt>{self.t('versions')}</dt><dd>{versions}</dd>"
            + (f"<dt>HiGHS</dt><dd>{options}</dd>" if options else "")
            + f"<dt>{self.t('solve_seconds')}</dt><dd>{manifest['solve_seconds']:.3f}</dd>"
            + f"<dt>{self.t('written_at')}</dt><dd>{esc(manifest['written_at'])}</dd>"
            + "</dl></footer>"
        )
