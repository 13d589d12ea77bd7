"""A self-contained HTML report of one result: headline numbers, the split by pillar and year,
KPI paths against targets, the rule audit with shadow prices, the infeasibility diagnosis, the
provenance of every figure, and charts of sweeps and frontiers. One file, inline CSS and SVG, no
script and no fetch (a Content-Security-Policy forbids both), so it opens offline anywhere.

    import allocator, allocator.html
    res = allocator.solve(allocator.load_instance("instances/korea-2026.yaml"))
    allocator.html.write(res, "report.html", lang="ko", sweeps={"budget": table})
"""

from __future__ import annotations

import html as _html
import itertools
import math
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from allocator.labels import Lang, money, money_tick, name_of, state_text, status_text, text, won
from allocator.results import GOVERNMENT, PRIVATE, Result
from allocator.schema import Instance
from allocator.schema.provenance import covers, figure_paths
from allocator.solve import Status

PALETTE = [
    "#4e79a7",
    "#f28e2b",
    "#59a14f",
    "#e15759",
    "#76b7b2",
    "#b07aa1",
    "#edc948",
    "#9c755f",
    "#ff9da7",
    "#bab0ac",
]
"""Pillar colours, in the instance's pillar order (Tableau 10: distinct in print and for most
colour-blind readers)."""

SHOWN = 12
"""Priced rules shown before the rest fold away."""

POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
"""The page's Content-Security-Policy: nothing but its own inline styles; no script, no fetch."""


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
    body = [
        "<header>",
        f"<p class='kicker'>{_e(text('report', lang))}</p>",
        f"<h1>{_e(heading)}</h1>",
        f"<p class='sub'>{_e(text('under', lang).format(instance=inst.name, model=res.model.name))}"
        f" · {_e(res.model.objective)}</p>",
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
    return _document(heading, lang, "\n".join(body))


def _e(value: Any) -> str:
    """Text of the instance (or anything else) made safe for HTML text and attributes."""
    return _html.escape("" if value is None else str(value), quote=True)


def _num_attr(value: float | None) -> str:
    """A number as a data attribute: the exact float (repr round-trips), empty when missing."""
    return "" if value is None or not math.isfinite(value) else repr(float(value))


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
        return _e(text(key, self.lang))

    def money(self, amount: float) -> str:
        return _e(money(amount, self.inst.currency_unit, self.lang))

    def uid(self, prefix: str) -> str:
        self._ids[prefix] = self._ids.get(prefix, 0) + 1
        return f"{prefix}{self._ids[prefix]}"

    # -- headline --------------------------------------------------------------------------------

    def headline(self) -> str:
        res, lang = self.res, self.lang
        cards = [
            _card(
                "status",
                res.status.value,
                self.t("status"),
                _e(status_text(res.status, lang)),
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
                _card(
                    "objective",
                    _num_attr(res.objective),
                    self.t("objective"),
                    f"{res.objective:,.2f}{gap}",
                    note=_e(res.model.objective),
                ),
                _card(
                    "government",
                    _num_attr(gov),
                    self.t("government_total"),
                    self.money(gov),
                    note=span,
                ),
                _card(
                    "private",
                    _num_attr(priv),
                    self.t("private_total"),
                    self.money(priv),
                    note=span,
                ),
                _card(
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
                f"<p class='warn'>{self.t('no_allocation')}: {_e(status_text(res.status, lang))}"
                "</p>"
            )
        if res.violations:
            items = "".join(f"<li>{_e(v)}</li>" for v in res.violations)
            parts.append(f"<div class='warn'>{self.t('violations')}:<ul>{items}</ul></div>")
        parts.append("</section>")
        return "\n".join(parts)

    # -- the split -------------------------------------------------------------------------------

    def split(self) -> str:
        res, lang, inst = self.res, self.lang, self.inst
        pillars = res.pillars
        names = {p.id: name_of(p, lang) for p in inst.pillars}
        colors = {p.id: PALETTE[i % len(PALETTE)] for i, p in enumerate(inst.pillars)}
        chart = _split_chart(self, pillars, names, colors)
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
                    f"{_e(names[row['pillar']])}</td>"
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
                f"<tr><td>{_e(name_of(line, lang))} <small class='id'>{_e(line.id)}</small></td>"
                f"<td>{_e(_membership(line.shares, pillar_names))}</td>{''.join(cells)}</tr>"
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
        charts = []
        if len(inst.years) == 1:
            charts.append(_kpi_bullets(self, table))
        else:
            for i, kpi in enumerate(inst.kpis):
                rows = table[table.kpi == kpi.id].sort_values("year")
                charts.append(_kpi_chart(self, kpi.id, name_of(kpi, lang), kpi.unit, rows, i))
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
                    f"<tr data-kpi='{_e(row['kpi'])}' data-year='{row['year']}' "
                    f"data-level='{_num_attr(row['level'])}'><td>{_e(names[row['kpi']])}</td>"
                    f"<td>{row['year']}</td><td class='n'>{row['level']:,.0f} {_e(row['unit'])}"
                    f"</td><td class='n'>{row['target']:,.0f}</td><td>{status}</td></tr>"
                )
            body = f"<table class='data'>{head}{''.join(rows_html)}</table>"
        return (
            f"<section id='kpis'><h2>{self.t('kpis')}</h2>"
            f"<div class='{'grid' if len(charts) > 1 else ''}'>{''.join(charts)}</div>{body}"
            "</section>"
        )

    # -- rules -----------------------------------------------------------------------------------

    def rules(self) -> str:
        lang = self.lang
        audit = self.res.audit()
        prices = self.res.shadow_prices()
        counts = audit.state.value_counts()
        count_html = " · ".join(
            f"<span class='pill'>{n} {_e(state_text(str(s), lang))}</span>"
            for s, n in counts.items()
        )
        if len(prices):
            head = (
                f"<tr><th>{self.t('rule')}</th><th class='n'>{self.t('shadow_price')}</th>"
                f"<th class='n'>{self.t('valid')}</th><th>{self.t('text')}</th></tr>"
            )
            rows = [
                f"<tr><td><code>{_e(r['rule'])}</code></td>"
                f"<td class='n'>{r['shadow_price']:,.4g}</td>"
                f"<td class='n'>{_range(r['valid_from'], r['valid_to'])}</td>"
                f"<td>{_e(r['sentence'])}</td></tr>"
                for _, r in prices.iterrows()
            ]
            priced = f"<table class='data'>{head}{''.join(rows[:SHOWN])}</table>"
            if len(rows) > SHOWN:
                priced += (
                    f"<details><summary>{self.t('more')} ({len(rows) - SHOWN})</summary>"
                    f"<table class='data'>{head}{''.join(rows[SHOWN:])}</table></details>"
                )
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
                f"<td><code>{_e(r['rule'])}</code></td><td>{_e(state_text(state, lang))}</td>"
                f"<td class='n'>{_g(r['slack'])}</td><td>{_e(r['unit'])}</td>"
                f"<td class='n'>{_g(r['shadow_price'])}</td><td>{_e(r['text'])}</td>"
                f"<td>{_e(r['origin'])}</td><td>{_e(r['source'] or '')}</td></tr>"
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
        diag = self.res.diagnosis()
        items = "".join(
            f"<li><code>{_e(name)}</code>: {_e(words)}</li>"
            for name, words in zip(diag.rules, diag.texts, strict=True)
        )
        context = "".join(f"<li class='muted'>{_e(c)}</li>" for c in diag.context)
        fixes = [r for r in diag.repairs if not math.isnan(r.change)]
        stuck = [r.rule for r in diag.repairs if math.isnan(r.change)]
        parts = [
            f"<section id='diagnosis' class='alert'><h2>{self.t('diagnosis')}</h2>",
            f"<h3>{self.t('colliding')}</h3><ul class='collide'>{items}{context}</ul>",
        ]
        if fixes:
            repairs = "".join(f"<li>{_e(r.sentence)}</li>" for r in fixes)
            parts.append(f"<h3>{self.t('repairs')}</h3><ol>{repairs}</ol>")
        if stuck:
            parts.append(
                f"<p>{self.t('no_repair')}: " + ", ".join(f"<code>{_e(s)}</code>" for s in stuck)
            )
        if diag.method:
            parts.append(f"<p class='muted'>{_e(diag.method)}</p>")
        parts.append("</section>")
        return "\n".join(parts)

    # -- sweeps and frontiers --------------------------------------------------------------------

    def scenario_charts(self, kind: str, tables: Mapping[str, pd.DataFrame]) -> str:
        charts = []
        for title, table in tables.items():
            if kind == "sweeps":
                charts.append(_sweep_charts(self, title, table))
            else:
                charts.append(_frontier_chart(self, title, table))
        return (
            f"<section id='{kind}'><h2>{self.t(kind)}</h2>"
            f"<div class='grid wide'>{''.join(charts)}</div></section>"
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
            f"<tr><td><code>{_e(s.about)}</code></td><td><span class='kind {_e(s.kind)}'>"
            f"{_e(s.kind)}</span></td><td>{_e(s.cite or '')}</td><td>{_e(s.note or '')}</td>"
            f"<td class='n'>{n}</td></tr>"
            for s, n in zip(inst.sources, counts, strict=True)
        ]
        missing = [p for p, i in first.items() if i is None]
        every = []
        for p, i in first.items():
            value = _figure_value(inst, p)
            if i is None:
                where = f"<span class='no'>{self.t('unsourced')}</span>"
            else:
                s = inst.sources[i]
                where = f"{_e(s.kind)}: {_e(s.cite or s.note or '')}"
            every.append(
                f"<tr><td><code>{_e(p)}</code></td><td class='n'>{_e(value)}</td>"
                f"<td>{where}</td></tr>"
            )
        note = (
            f"<p class='warn'>{len(missing)} {self.t('unsourced')}: "
            + ", ".join(f"<code>{_e(m)}</code>" for m in missing[:20])
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
            f"<span class='kind {_e(k)}'>{_e(k)}</span> {n}" for k, n in sorted(kinds.items())
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
            f"<li><code>{_e(name)}</code> <small class='id'>{_e(digest)}</small></li>"
            for name, digest in manifest["inputs"].items()
        )
        versions = ", ".join(f"{_e(k)} {_e(v)}" for k, v in manifest["versions"].items())
        options = ", ".join(
            f"{_e(k)}={_e(v)}" for k, v in manifest["options"].items() if v not in (None, {})
        )
        return (
            f"<footer id='how'><h2>{self.t('how_made')}</h2><dl>"
            + (f"<dt>{self.t('inputs')}</dt><dd><ul>{files}</ul></dd>" if files else "")
            + f"<dt>{self.t('versions')}</dt><dd>{versions}</dd>"
            + (f"<dt>HiGHS</dt><dd>{options}</dd>" if options else "")
            + f"<dt>{self.t('solve_seconds')}</dt><dd>{manifest['solve_seconds']:.3f}</dd>"
            + f"<dt>{self.t('written_at')}</dt><dd>{_e(manifest['written_at'])}</dd>"
            + "</dl></footer>"
        )


def _card(figure: str, value: str, label: str, shown: str, tone: str = "", note: str = "") -> str:
    extra = f"<div class='note'>{note}</div>" if note else ""
    return (
        f"<div class='card {tone}' data-figure='{figure}' data-value='{_e(value)}'>"
        f"<div class='label'>{label}</div><div class='value'>{shown}</div>{extra}</div>"
    )


def _g(value: Any) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return ""
    return f"{float(value):,.4g}"


def _range(low: float, high: float) -> str:
    def end(v: float) -> str:
        if abs(v) >= 1e20:
            return "∞" if v > 0 else "−∞"
        return f"{v:,.0f}" if abs(v) >= 1000 else f"{v:,.4g}"

    return f"{end(low)} … {end(high)}"


def _figure_value(inst: Instance, path: str) -> str:
    """The number a figure path names, as the instance states it (empty if it cannot be read)."""
    parts = path.split(".")
    try:
        if parts[0] in ("budget", "private_pool"):
            value: Any = getattr(inst, parts[0])
            if len(parts) > 1:
                value = value[int(parts[1])]
        elif parts[0] == "kpis":
            value = next(k for k in inst.kpis if k.id == parts[1]).baseline
        elif parts[0] == "targets":
            value = next(
                t.value for t in inst.targets if t.kpi == parts[1] and t.year == int(parts[2])
            )
        elif parts[0] == "lines":
            line = next(ln for ln in inst.lines if ln.id == parts[1])
            value = getattr(line, parts[2])
            if len(parts) > 3:
                value = value[parts[3]] if parts[2] == "yields" else value[int(parts[3])]
        else:
            return ""
    except (StopIteration, KeyError, AttributeError, ValueError, TypeError, IndexError):
        return ""
    return f"{float(value):,.6g}" if isinstance(value, int | float) else ""


# -- SVG ----------------------------------------------------------------------------------------


def _nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values covering [low, high]: steps of 1, 2, 2.5 or 5 times a power of ten."""
    if not (math.isfinite(low) and math.isfinite(high)) or high <= low:
        high = low + 1.0
    raw = (high - low) / max(count, 1)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    start = math.floor(low / step) * step
    ticks = []
    value = start
    while value < high + step * 0.999:
        ticks.append(round(value, 12))
        value += step
    return ticks


def _svg(width: int, height: int, inner: Iterable[str], label: str, attrs: str = "") -> str:
    return (
        f"<svg class='chart' viewBox='0 0 {width} {height}' width='{width}' height='{height}' "
        f"role='img' aria-label='{_e(label)}' xmlns='http://www.w3.org/2000/svg' {attrs}>"
        + "".join(inner)
        + "</svg>"
    )


def _y_axis(
    ticks: Sequence[float], y: Callable[[float], float], left: float, right: float, fmt: Any
) -> list[str]:
    out = []
    for tick in ticks:
        ty = y(tick)
        out.append(
            f"<line class='grid' x1='{left:.1f}' x2='{right:.1f}' y1='{ty:.1f}' y2='{ty:.1f}'/>"
            f"<text class='tick' x='{left - 6:.1f}' y='{ty + 4:.1f}' text-anchor='end'>"
            f"{_e(fmt(tick))}</text>"
        )
    return out


def _split_chart(
    page: _Page, pillars: pd.DataFrame, names: dict[str, str], colors: dict[str, str]
) -> str:
    """Stacked bars: for each year a government bar and a private bar, stacked by pillar."""
    lang, unit = page.lang, page.inst.currency_unit
    years = sorted(pillars.year.unique())
    totals = pillars.groupby("year")[[GOVERNMENT, PRIVATE]].sum()
    top = won(float(totals.to_numpy().max()), unit) if len(totals) else 1.0
    ticks = _nice_ticks(0.0, max(top, 1.0))
    width, height = 860, 380
    left, right, top_pad, bottom = 78, 20, 28, 56
    plot_h = height - top_pad - bottom
    scale = plot_h / ticks[-1]

    def y(v: float) -> float:
        return top_pad + plot_h - v * scale

    band = (width - left - right) / len(years)
    bar = min(64.0, band * 0.34)
    cid = page.uid("split")
    defs = ["<defs>"]
    for pid, color in colors.items():
        defs.append(
            f"<pattern id='{cid}-h-{_e(pid)}' patternUnits='userSpaceOnUse' width='6' height='6' "
            f"patternTransform='rotate(45)'><rect width='6' height='6' fill='{color}' "
            f"fill-opacity='0.28'/><line x1='1.5' y1='0' x2='1.5' y2='6' stroke='{color}' "
            "stroke-width='3'/></pattern>"
        )
    defs.append("</defs>")
    inner = [*defs, *_y_axis(ticks, y, left, width - right, lambda v: money_tick(v, lang))]
    source_words = {GOVERNMENT: text("government", lang), PRIVATE: text("private", lang)}
    short_words = {GOVERNMENT: text("gov_short", lang), PRIVATE: text("private_short", lang)}
    for i, year in enumerate(years):
        rows = pillars[pillars.year == year]
        center = left + band * (i + 0.5)
        for j, source in enumerate((GOVERNMENT, PRIVATE)):
            x = center + (j - 1) * (bar + 10) + 5
            base = 0.0
            for _, row in rows.iterrows():
                amount = float(row[source])
                if amount <= 1e-9:
                    continue
                h = won(amount, unit) * scale
                fill = (
                    colors[row["pillar"]]
                    if source == GOVERNMENT
                    else (f"url(#{cid}-h-{_e(row['pillar'])})")
                )
                tip = (
                    f"{names[row['pillar']]} · {year} · {source_words[source]}: "
                    f"{money(amount, unit, lang)}"
                )
                inner.append(
                    f"<rect class='seg' x='{x:.1f}' y='{y(base) - h:.1f}' width='{bar:.1f}' "
                    f"height='{h:.2f}' fill='{fill}' data-pillar='{_e(row['pillar'])}' "
                    f"data-year='{year}' data-source='{source}' data-amount='{_num_attr(amount)}'>"
                    f"<title>{_e(tip)}</title></rect>"
                )
                base += won(amount, unit)
            total = float(totals.loc[year, source])
            inner.append(
                f"<text class='bar-total' x='{x + bar / 2:.1f}' y='{y(base) - 5:.1f}' "
                f"text-anchor='middle'>{_e(money_tick(won(total, unit), lang))}</text>"
                f"<text class='tick' x='{x + bar / 2:.1f}' y='{height - bottom + 15:.1f}' "
                f"text-anchor='middle'>{_e(short_words[source])}</text>"
            )
        inner.append(
            f"<text class='year' x='{center:.1f}' y='{height - bottom + 36:.1f}' "
            f"text-anchor='middle'>{year}</text>"
        )
    inner.append(
        f"<line class='axis' x1='{left}' x2='{width - right}' y1='{y(0):.1f}' y2='{y(0):.1f}'/>"
    )
    legend = "".join(
        f"<span class='key'><span class='swatch' style='background:{colors[pid]}'></span>"
        f"{_e(name)}</span>"
        for pid, name in names.items()
    )
    legend += (
        f"<span class='key'><span class='swatch solid'></span>{page.t('government')}</span>"
        f"<span class='key'><span class='swatch hatch'></span>{page.t('private')}</span>"
    )
    svg = _svg(width, height, inner, text("split", lang), "data-chart='split'")
    return f"<figure>{svg}<figcaption class='legend'>{legend}</figcaption></figure>"


@dataclass
class _Series:
    label: str
    xs: list[float]
    ys: list[float]
    color: str
    dashed: bool = False
    line: bool = True
    tips: list[str] = field(default_factory=list)
    marker: str = "circle"
    show_missing: bool = False
    """Mark points with no value (an infeasible sweep point) with a cross on the x axis."""


def _line_chart(
    page: _Page,
    series: Sequence[_Series],
    *,
    title: str,
    x_label: str,
    y_label: str,
    x_fmt: Callable[[float], str] | None = None,
    y_fmt: Callable[[float], str] | None = None,
    x_ticks: Sequence[float] | None = None,
    width: int = 420,
    height: int = 260,
    zero: bool = True,
    kind: str = "line",
) -> str:
    """Lines (or points) over a numeric x axis; NaN values leave a gap."""
    ys = [y for s in series for y in s.ys if math.isfinite(y)]
    xs = [
        x
        for s in series
        for x, y in zip(s.xs, s.ys, strict=True)
        if math.isfinite(y) or (s.show_missing and math.isfinite(x))
    ]
    if not ys:
        return (
            f"<figure class='small'><figcaption>{_e(title)}</figcaption>"
            f"<p class='muted'>{page.t('no_points')}</p></figure>"
        )
    x_lo, x_hi = min(xs), max(xs)
    if x_hi - x_lo < 1e-12:
        x_lo, x_hi = x_lo - 0.5, x_hi + 0.5
    y_lo = min(0.0, *ys) if zero else min(ys)
    y_hi = max(ys)
    if y_hi - y_lo < 1e-12:
        y_hi = y_lo + (abs(y_lo) or 1.0) * 0.1
    ticks = _nice_ticks(y_lo, y_hi + (y_hi - y_lo) * 0.05, 4)
    if zero and min(ys) >= 0:
        ticks = [t for t in ticks if t >= 0] or [0.0]
    left, right, top_pad, bottom = 70, 16, 14, 44
    pw, ph = width - left - right, height - top_pad - bottom
    lo, hi = ticks[0], ticks[-1]
    pad = (x_hi - x_lo) * 0.04

    def px(v: float) -> float:
        return left + (v - x_lo + pad) / (x_hi - x_lo + 2 * pad) * pw

    def py(v: float) -> float:
        return top_pad + ph - (v - lo) / (hi - lo) * ph

    y_fmt = y_fmt or _plain(ticks)
    x_tick_values = list(x_ticks) if x_ticks is not None else _nice_ticks(x_lo, x_hi, 4)
    x_fmt = x_fmt or _plain(x_tick_values)
    inner = _y_axis(ticks, py, left, width - right, y_fmt)
    for tick in x_tick_values:
        if x_lo - pad <= tick <= x_hi + pad:
            inner.append(
                f"<text class='tick' x='{px(tick):.1f}' y='{height - bottom + 16:.1f}' "
                f"text-anchor='middle'>{_e(x_fmt(tick))}</text>"
            )
    inner.append(
        f"<line class='axis' x1='{left}' x2='{width - right}' y1='{py(lo):.1f}' "
        f"y2='{py(lo):.1f}'/>"
        f"<text class='axis-label' x='{left + pw / 2:.1f}' y='{height - 6}' "
        f"text-anchor='middle'>{_e(x_label)}</text>"
        f"<text class='axis-label' x='12' y='{top_pad + ph / 2:.1f}' text-anchor='middle' "
        f"transform='rotate(-90 12 {top_pad + ph / 2:.1f})'>{_e(y_label)}</text>"
    )
    for s in series:
        points = [
            (px(x), py(y), i)
            for i, (x, y) in enumerate(zip(s.xs, s.ys, strict=True))
            if math.isfinite(y)
        ]
        if s.line and len(points) > 1:
            runs: list[list[tuple[float, float, int]]] = [[]]
            for point in points:
                if runs[-1] and point[2] != runs[-1][-1][2] + 1:
                    runs.append([])
                runs[-1].append(point)
            for run in runs:
                d = " ".join(f"{a:.1f},{b:.1f}" for a, b, _ in run)
                dash = " stroke-dasharray='5 4'" if s.dashed else ""
                inner.append(f"<polyline class='path' points='{d}' stroke='{s.color}'{dash}/>")
        if s.show_missing:
            for i, (x, y) in enumerate(zip(s.xs, s.ys, strict=True)):
                if not math.isfinite(y):
                    a, b = px(x), py(lo)
                    tip = s.tips[i] if i < len(s.tips) else s.label
                    inner.append(
                        f"<g class='pt missing'><path d='M{a - 5:.1f},{b - 5:.1f} l10,10 "
                        f"M{a - 5:.1f},{b + 5:.1f} l10,-10' stroke='#b3261e' stroke-width='2.4'/>"
                        f"<title>{_e(tip)}</title></g>"
                    )
        for a, b, i in points:
            tip = s.tips[i] if i < len(s.tips) else f"{s.label}: {y_fmt(s.ys[i])}"
            if s.marker == "target":
                shape = (
                    f"<path class='target' d='M{a - 7:.1f},{b:.1f} h14 M{a:.1f},{b - 7:.1f} v14' "
                    f"stroke='{s.color}'/><circle cx='{a:.1f}' cy='{b:.1f}' r='4.5' fill='white' "
                    f"stroke='{s.color}' stroke-width='2'/>"
                )
            else:
                shape = f"<circle cx='{a:.1f}' cy='{b:.1f}' r='3.5' fill='{s.color}'/>"
            inner.append(f"<g class='pt'>{shape}<title>{_e(tip)}</title></g>")
    legend = "".join(
        f"<span class='key'><span class='swatch{' dash' if s.dashed else ''}' "
        f"style='background:{s.color}'></span>{_e(s.label)}</span>"
        for s in series
    )
    svg = _svg(width, height, inner, title, f"data-chart='{_e(kind)}'")
    return (
        f"<figure class='small'><figcaption>{_e(title)}</figcaption>{svg}"
        f"<div class='legend'>{legend}</div></figure>"
    )


def _plain(ticks: Sequence[float]) -> Callable[[float], str]:
    """Tick labels with thousands separators and as many decimals as the tick step needs."""
    step = min((b - a for a, b in itertools.pairwise(ticks) if b > a), default=1.0)
    decimals = max(0, -math.floor(math.log10(step) + 1e-9)) if step > 0 else 0

    def fmt(value: float) -> str:
        return f"{value:,.{decimals}f}"

    return fmt


def _compact(value: float, lang: Lang) -> str:
    """A KPI axis figure: 260k / 26만; 1.2M / 120만."""
    size = abs(value)
    if lang == "ko" and size >= 1e4:
        return f"{value / 1e8:,.4g}억" if size >= 1e8 else f"{value / 1e4:,.4g}만"
    if size >= 1e6:
        return f"{value / 1e6:,.4g}M"
    if size >= 1e4:
        return f"{value / 1e3:,.4g}k"
    return f"{value:,.4g}"


def _kpi_chart(
    page: _Page, kpi_id: str, name: str, unit: str, rows: pd.DataFrame, index: int
) -> str:
    lang = page.lang
    years = [int(y) for y in rows.year]
    levels = [float(v) for v in rows.level]
    targets = [float(v) for v in rows.target]
    color = PALETTE[index % len(PALETTE)]
    level = _Series(
        text("level", lang),
        [float(y) for y in years],
        levels,
        color,
        tips=[f"{name} {y}: {v:,.0f} {unit}" for y, v in zip(years, levels, strict=True)],
    )
    target = _Series(
        text("target", lang),
        [float(y) for y in years],
        targets,
        "#1f2933",
        line=False,
        marker="target",
        tips=[
            f"{text('target', lang)} {y}: {v:,.0f} {unit}" if math.isfinite(v) else ""
            for y, v in zip(years, targets, strict=True)
        ],
    )
    series = [level, target] if any(math.isfinite(t) for t in targets) else [level]
    title = f"{name} ({unit})" if unit else name
    return _line_chart(
        page,
        series,
        title=title,
        x_label=text("year", lang),
        y_label=unit,
        x_fmt=lambda v: f"{v:.0f}",
        y_fmt=lambda v: _compact(v, lang),
        x_ticks=[float(y) for y in years],
        kind=f"kpi-{kpi_id}",
    )


def _kpi_bullets(page: _Page, table: pd.DataFrame) -> str:
    """One year: a bar per KPI from 0 to its level, with its target marked, each on its own
    scale (the KPIs have different units)."""
    lang = page.lang
    kpis = page.inst.kpis
    year = int(table.year.iloc[0])
    row_h, label_w, width = 46, 290, 860
    height = row_h * len(kpis) + 24
    left, right = label_w + 10, 190
    plot_w = width - left - right
    inner = []
    for i, kpi in enumerate(kpis):
        row = table[table.kpi == kpi.id].iloc[0]
        level, target = float(row.level), float(row.target)
        top = max(level, target if math.isfinite(target) else 0.0, 1e-9) * 1.08
        y0 = 12 + i * row_h
        color = PALETTE[i % len(PALETTE)]
        name = name_of(kpi, lang)
        base = min(max(kpi.baseline, 0.0), max(level, 0.0))
        bar, base_w = max(level, 0.0) / top * plot_w, base / top * plot_w
        tip = f"{name} {year}: {kpi.baseline:,.0f} → {level:,.0f} {kpi.unit}"
        inner.append(
            f"<text class='kpi-name' x='{label_w:.0f}' y='{y0 + 21:.1f}' text-anchor='end'>"
            f"{_e(name)}</text>"
            f"<rect class='track' x='{left}' y='{y0 + 8:.1f}' width='{plot_w}' height='18'/>"
            f"<rect class='bullet' x='{left}' y='{y0 + 8:.1f}' width='{bar:.1f}' height='18' "
            f"fill='{color}' data-kpi='{_e(kpi.id)}' data-level='{_num_attr(level)}'>"
            f"<title>{_e(tip)}</title></rect>"
            f"<rect class='baseline' x='{left}' y='{y0 + 8:.1f}' width='{base_w:.1f}' "
            f"height='18' fill='{color}'><title>{_e(tip)}</title></rect>"
            f"<text class='tick' x='{width - right + 10}' y='{y0 + 21:.1f}'>"
            f"{kpi.baseline:,.0f} → <tspan class='strong'>{level:,.0f}</tspan> "
            f"{_e(kpi.unit)}</text>"
        )
        if math.isfinite(target):
            tx = left + target / top * plot_w
            met = level >= target * (1 - 1e-6)
            words = f"{text('target', lang)} {target:,.0f}"
            inner.append(
                f"<g class='pt'><line class='goal' x1='{tx:.1f}' x2='{tx:.1f}' y1='{y0 + 3:.1f}' "
                f"y2='{y0 + 31:.1f}'/><title>{_e(words)}</title></g>"
                f"<text class='tick {'ok' if met else 'no'}' x='{tx:.1f}' y='{y0 + 42:.1f}' "
                f"text-anchor='middle'>{_e(words)}</text>"
            )
    svg = _svg(width, height, inner, text("kpis", lang), "data-chart='kpi'")
    legend = (
        f"<span class='key'><span class='swatch pale'></span>{page.t('baseline')}</span>"
        f"<span class='key'><span class='swatch solid'></span>{page.t('level')} ({year})</span>"
        f"<span class='key'><span class='swatch goal'></span>{page.t('target')}</span>"
    )
    return f"<figure>{svg}<div class='legend'>{legend}</div></figure>"


def _parameters(table: pd.DataFrame) -> list[str]:
    """A sweep table's parameter columns: those before `status` (not the point number)."""
    columns = [c for c in table.columns if c != "point"]
    return columns[: columns.index("status")] if "status" in columns else columns[:1]


def _pillar_series(page: _Page, table: pd.DataFrame, xs: list[float]) -> list[_Series]:
    unit = page.inst.currency_unit
    out = []
    for i, p in enumerate(page.inst.pillars):
        column = f"government.{p.id}"
        if column in table:
            ys = [won(float(v), unit) for v in table[column].astype(float)]
            out.append(_Series(name_of(p, page.lang), xs, ys, PALETTE[i % len(PALETTE)]))
    return out


def _sweep_charts(page: _Page, title: str, table: pd.DataFrame) -> str:
    """The objective against the first parameter (one line per value of the others), and, for a
    one-parameter sweep, government money per pillar."""
    lang = page.lang
    params = _parameters(table)
    if not params or not len(table):
        return _line_chart(page, [], title=title, x_label="", y_label="", x_fmt=str, y_fmt=str)
    x_name = params[0]
    data = table.sort_values(params)
    objective = data["objective"].astype(float)
    groups: list[tuple[str, pd.DataFrame]] = []
    if len(params) == 1:
        groups.append((text("objective", lang), data))
    else:
        for key, group in data.groupby(params[1:], sort=True):
            values = key if isinstance(key, tuple) else (key,)
            label = ", ".join(f"{p}={v:,.6g}" for p, v in zip(params[1:], values, strict=True))
            groups.append((label, group))
    series = []
    for i, (label, group) in enumerate(groups):
        xs = [float(v) for v in group[x_name]]
        ys = [float(v) for v in group["objective"].astype(float)]
        tips = [
            f"{x_name} = {x:,.6g}: {y:,.4f}" if math.isfinite(y) else f"{x_name} = {x:,.6g}: {s}"
            for x, y, s in zip(xs, ys, group["status"], strict=True)
        ]
        series.append(
            _Series(label, xs, ys, PALETTE[i % len(PALETTE)], tips=tips, show_missing=True)
        )
    charts = [
        _line_chart(
            page,
            series,
            title=f"{title}: {text('objective', lang)}",
            x_label=x_name,
            y_label=text("objective", lang),
            zero=False,
            width=520,
            kind="sweep",
        )
    ]
    if len(params) == 1:
        xs = [float(v) for v in data[x_name]]
        charts.append(
            _line_chart(
                page,
                _pillar_series(page, data, xs),
                title=f"{title}: {text('money_axis', lang)}",
                x_label=x_name,
                y_label=text("money_axis", lang),
                y_fmt=lambda v: money_tick(v, lang),
                width=520,
                kind="sweep-pillars",
            )
        )
    failed = data[~objective.reindex(data.index).apply(math.isfinite)]
    note = (
        f"<p class='muted'>{len(failed)} / {len(data)} {page.t('points_failed')}: "
        + ", ".join(sorted({_e(s) for s in failed.status}))
        + "</p>"
        if len(failed)
        else ""
    )
    return "".join(charts) + note


def _frontier_chart(page: _Page, title: str, table: pd.DataFrame) -> str:
    """The objective against the KPI level reached, one point per non-dominated plan."""
    lang = page.lang
    if "level" not in table or not len(table):
        return _line_chart(page, [], title=title, x_label="", y_label="", x_fmt=str, y_fmt=str)
    data = table.dropna(subset=["level", "objective"]).sort_values("level")
    xs = [float(v) for v in data.level]
    ys = [float(v) for v in data.objective]
    tips = [f"{x:,.0f} → {y:,.4f}" for x, y in zip(xs, ys, strict=True)]
    series = [_Series(text("objective", lang), xs, ys, PALETTE[0], tips=tips)]
    return _line_chart(
        page,
        series,
        title=title,
        x_label=f"{title} — {text('level', lang)}",
        y_label=text("objective", lang),
        x_fmt=lambda v: _compact(v, lang),
        zero=False,
        width=520,
        kind="frontier",
    )


# -- the document -------------------------------------------------------------------------------

CSS = """
:root{--ink:#1f2933;--muted:#5f6b7a;--line:#d9dee5;--bg:#f6f7f9;--good:#1e7b4a;--bad:#b3261e}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--ink);font:15px/1.5 system-ui,-apple-system,
"Segoe UI","Noto Sans KR","Apple SD Gothic Neo","Malgun Gothic","NanumGothic",sans-serif}
main{max-width:1120px;margin:0 auto;padding:28px 24px 48px}
header h1{margin:2px 0 4px;font-size:28px;line-height:1.2}
.kicker{margin:0;color:var(--muted);text-transform:uppercase;letter-spacing:.08em;font-size:12px}
.sub{margin:0;color:var(--muted)}
section,footer{background:#fff;border:1px solid var(--line);border-radius:10px;padding:18px 22px;
margin-top:20px}
h2{margin:0 0 12px;font-size:19px}
h3{margin:16px 0 8px;font-size:15px}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(180px,1fr));gap:12px}
.card{border:1px solid var(--line);border-radius:8px;padding:12px 14px;background:#fbfcfd}
.card .label{color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.05em}
.card .value{font-size:21px;font-weight:650;margin-top:4px;line-height:1.25}
.card .note{color:var(--muted);font-size:12px}
.card.good{border-left:4px solid var(--good)}.card.bad{border-left:4px solid var(--bad)}
.card.good .value,.card.bad .value{font-size:15px;font-weight:600}
.warn{background:#fff4e5;border:1px solid #f0c36d;border-radius:6px;padding:8px 12px}
.alert{border-color:#e7a19b;background:#fff8f7}
figure{margin:0}
svg.chart{display:block;width:100%;height:auto;max-width:100%}
svg .grid{stroke:#e6e9ee;stroke-width:1}svg .axis{stroke:#8a94a3;stroke-width:1}
svg text{fill:var(--muted);font-size:11px}svg .year{fill:var(--ink);font-size:13px;font-weight:600}
svg .bar-total{fill:var(--ink);font-size:11px;font-weight:600}
svg .axis-label{font-size:11px}
svg .path{fill:none;stroke-width:2.2}svg .target{stroke-width:2;fill:none}
svg .seg{stroke:#fff;stroke-width:.6}
svg .track{fill:#eef1f5}svg .baseline{fill:#fff;fill-opacity:.55}
svg tspan.strong{fill:var(--ink);font-weight:600}.swatch.pale{background:#c9ced6}
svg .goal{stroke:#1f2933;stroke-width:2.5}
svg .kpi-name{fill:var(--ink);font-size:12.5px}svg text.ok{fill:#1e7b4a}svg text.no{fill:#b3261e}
.swatch.goal{width:3px;background:#1f2933}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(330px,1fr));gap:14px}
.grid.wide{grid-template-columns:repeat(auto-fill,minmax(460px,1fr))}
figure.small{border:1px solid var(--line);border-radius:8px;padding:10px}
figcaption{font-weight:600;font-size:13px;margin-bottom:4px}
.legend{display:flex;flex-wrap:wrap;gap:6px 16px;font-size:12px;color:var(--muted);
font-weight:400;margin-top:6px}
.key{display:inline-flex;align-items:center;gap:6px}
.swatch{display:inline-block;width:12px;height:12px;border-radius:2px;margin-right:6px;
vertical-align:-1px}
.key .swatch{margin-right:0}
.swatch.solid{background:#8a94a3}
.swatch.hatch{background:repeating-linear-gradient(45deg,#8a94a3 0 2px,#e3e6ea 2px 5px)}
.swatch.dash{height:3px}
table.data{border-collapse:collapse;width:100%;font-size:13px;margin:8px 0}
table.data th{text-align:left;color:var(--muted);font-weight:600;
border-bottom:2px solid var(--line);padding:5px 8px}
table.data td{border-bottom:1px solid #eef0f3;padding:5px 8px;vertical-align:top}
table.data .n{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}
tr.total td{font-weight:650;border-bottom:2px solid var(--line)}
tr.bind td{background:#fbfaf2}
details{margin-top:10px}summary{cursor:pointer;color:#2b5d9b;font-weight:600}
code{font-size:12px;background:#f1f3f6;padding:1px 4px;border-radius:3px}
small.id{color:var(--muted)}
.ok{color:var(--good);font-weight:600}.no{color:var(--bad);font-weight:600}
.pill{display:inline-block;background:#eef1f5;border-radius:10px;padding:0 8px;font-size:12px}
.kind{font-size:12px;border-radius:3px;padding:0 5px;background:#eef1f5}
.kind.reported{background:#e3f1e8}.kind.derived{background:#e6eefb}.kind.assumed{background:#fdf0dc}
.muted{color:var(--muted);font-size:13px}
ul.collide li{margin:3px 0}
dl{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px;font-size:13px;margin:0}
dt{color:var(--muted)}dd{margin:0}dd ul{margin:0;padding-left:18px}
@media print{body{background:#fff}section,footer{break-inside:avoid;border:none}
details{display:block}}
"""


def _document(title: str, lang: Lang, body: str) -> str:
    generated = datetime.now(UTC).isoformat(timespec="seconds")
    return (
        "<!DOCTYPE html>\n"
        f"<html lang='{lang}'>\n<head>\n<meta charset='utf-8'>\n"
        f'<meta http-equiv="Content-Security-Policy" content="{POLICY}">\n'
        "<meta name='viewport' content='width=device-width, initial-scale=1'>\n"
        f"<meta name='generator' content='allocator'>\n<meta name='created' content='{generated}'>"
        f"\n<title>{_e(title)}</title>\n<link rel='icon' href='data:,'>\n"
        f"<style>{CSS}</style>\n</head>\n<body>\n<main>\n{body}\n</main>\n</body>\n</html>\n"
    )


def _membership(shares: dict[str, float], names: dict[str, str]) -> str:
    """`AI talent`, or `AI infrastructure 70% / R&D 30%` for a line in several pillars."""
    if len(shares) == 1:
        return names.get(next(iter(shares)), next(iter(shares)))
    return " / ".join(f"{names.get(p, p)} {w:.0%}" for p, w in shares.items())
