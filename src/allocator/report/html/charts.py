"""The report's charts: the split by pillar and year, KPI paths and KPI bars to one scale, sweep
and frontier charts — drawn with matplotlib by the same functions as `res.plot` and the
analyses' `plot()`, and inlined as SVG (`svg.inline`) with a data attribute on every shape
that stands for a number and a tooltip in the reader's language. Legends are HTML beside the
chart. Pure functions of tables and a page context."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from allocator.analysis import plots
from allocator.report.html import svg
from allocator.report.html.markup import PALETTE, PageContext, esc
from allocator.report.labels import money, money_tick, name_of, text, won
from allocator.results import charts
from allocator.results.charts import Marks, Words
from allocator.words import kpi_unit

PX = 72.0
"""matplotlib's SVG unit is the point: a figure of `w / PX` inches has a `w`-wide viewBox."""
FONT, SMALL = 10.5, 12.0
"""Chart text size in viewBox units: the page scales a chart to its column, and the small
charts (KPI paths, sweeps, frontiers) share a row with others."""


def _words(page: PageContext) -> Words:
    lang, unit = page.lang, page.inst.currency_unit
    return Words(
        government=text("government", lang),
        private=text("private", lang),
        gov_short=text("gov_short", lang),
        private_short=text("private_short", lang),
        year=text("year", lang),
        level=text("level", lang),
        target=text("target", lang),
        baseline=text("baseline", lang),
        objective=text("objective", lang),
        money_axis=text("money_axis", lang),
        scale=text("kpi_scale", lang),
        money=lambda v: money(v, unit, lang),
        tick=lambda v: money_tick(won(v, unit), lang),
        count=lambda v: compact(v, lang),
    )


def compact(value: float, lang: str) -> str:
    """A KPI axis figure: 260k / 26만; 1.2M / 120만."""
    size = abs(value)
    if lang == "ko" and size >= 1e4:
        return f"{value / 1e8:,.4g}억" if size >= 1e8 else f"{value / 1e4:,.4g}만"
    if size >= 1e6:
        return f"{value / 1e6:,.4g}M"
    if size >= 1e4:
        return f"{value / 1e3:,.4g}k"
    return f"{value:,.4g}"


def _draw(
    page: PageContext,
    prefix: str,
    width: float,
    height: float,
    kind: str,
    label: str,
    draw: Any,
    font: float = FONT,
) -> str:
    """A `width` × `height` chart (viewBox units) drawn by `draw(ax, marks)`, as inline SVG."""
    uid = page.uid(prefix)
    marks = Marks(uid)
    with charts.styled(**{"font.size": font}):
        fig, ax = charts.new_chart(width / PX, height / PX)
        draw(ax, marks)
        return svg.inline(fig, marks, uid=uid, kind=kind, label=label)


def _small(page: PageContext, kind: str, heading: str, draw: Any) -> str:
    """A chart that shares a row with others (sweeps, frontiers), with its heading."""
    chart = _draw(page, kind.split("-")[0], 480, 270, kind, heading, draw, SMALL - 1)
    return f"<figure class='small'><figcaption>{esc(heading)}</figcaption>{chart}</figure>"


def _key(color: str, label: str, css: str = "") -> str:
    style = f" style='background:{color}'" if color else ""
    return f"<span class='key'><span class='swatch{css}'{style}></span>{esc(label)}</span>"


def split_chart(
    page: PageContext, pillars: pd.DataFrame, names: dict[str, str], colors: dict[str, str]
) -> str:
    """Stacked bars: for each year a government bar and a private bar, stacked by pillar."""
    words = _words(page)
    years = pillars.year.nunique()

    def draw(ax: Any, marks: Marks) -> None:
        charts.draw_split(ax, pillars, names, colors, words, marks)

    chart = _draw(
        page, "split", 860, 250 + 26 * min(years, 5), "split", text("split", page.lang), draw
    )
    legend = "".join(_key(colors[p], n) for p, n in names.items())
    legend += _key("", words.government, " solid") + _key("", words.private, " hatch")
    return f"<figure>{chart}<figcaption class='legend'>{legend}</figcaption></figure>"


def kpi_chart(
    page: PageContext, kpi_id: str, name: str, unit: str, rows: pd.DataFrame, index: int
) -> str:
    """One KPI over the years: level and targets."""
    words = _words(page)
    color = PALETTE[index % len(PALETTE)]
    title = f"{name} ({unit})" if unit else name
    if page.lang == "ko" and "unit" in rows:  # the tooltips' unit as Korean readers write it: 명
        rows = rows.assign(unit=kpi_unit(unit, "ko"))

    def draw(ax: Any, marks: Marks) -> None:
        charts.draw_kpi_path(ax, rows, name, color, words, marks)
        ax.set_title("", loc="left")
        ax.set_xlabel(words.year)

    chart = _draw(page, "kpi", 360, 230, f"kpi-{kpi_id}", title, draw, SMALL)
    legend = _key(color, words.level)
    if rows.target.notna().any():
        legend += _key("#1f2933", words.target, " goal")
    return (
        f"<figure class='small'><figcaption>{esc(title)}</figcaption>{chart}"
        f"<div class='legend'>{legend}</div></figure>"
    )


def kpi_bullets(page: PageContext, table: pd.DataFrame) -> str:
    """One year: a bar per KPI to one scale — its level as a multiple of its baseline — with
    the baseline shaded and the target marked."""
    words = _words(page)
    kpis = page.inst.kpis
    names = {k.id: name_of(k, page.lang) for k in kpis}
    year = int(table.year.iloc[0])

    def draw(ax: Any, marks: Marks) -> None:
        charts.draw_kpi_bars(ax, table, kpis, names, words, marks)

    chart = _draw(page, "kpis", 860, 70 + 46 * len(kpis), "kpi", text("kpis", page.lang), draw)
    legend = (
        _key("", text("baseline", page.lang), " pale")
        + _key("", f"{words.level} ({year})", " solid")
        + _key("", words.target, " goal")
    )
    return f"<figure>{chart}<div class='legend'>{legend}</div></figure>"


def _none(page: PageContext, title: str) -> str:
    return (
        f"<figure class='small'><figcaption>{esc(title)}</figcaption>"
        f"<p class='muted'>{page.t('no_points')}</p></figure>"
    )


def sweep_charts(page: PageContext, title: str, table: pd.DataFrame) -> str:
    """The objective against the first parameter (one line per value of the others), and, for a
    one-parameter sweep, government money per pillar."""
    lang = page.lang
    params = plots.parameters(table)
    objective = table["objective"].astype(float) if "objective" in table else pd.Series()
    if not params or not len(table) or not objective.apply(math.isfinite).any():
        return _none(page, title)
    words = _words(page)
    names = {p.id: name_of(p, lang) for p in page.inst.pillars}
    data = plots.with_pillars(table.copy(), names)
    heading = f"{title}: {text('objective', lang)}"
    out = [_small(page, "sweep", heading, lambda ax, m: plots.draw_sweep(ax, data, words, m))]
    if len(params) == 1:
        heading = f"{title}: {text('money_axis', lang)}"
        out.append(
            _small(
                page,
                "sweep-pillars",
                heading,
                lambda ax, m: plots.draw_sweep_pillars(ax, data, words, m),
            )
        )
    failed = table[~objective.apply(math.isfinite)]
    if len(failed):
        states = ", ".join(sorted({esc(s) for s in failed.status}))
        out.append(
            f"<p class='muted'>{len(failed)} / {len(table)} {page.t('points_failed')}: {states}</p>"
        )
    return "".join(out)


def frontier_chart(page: PageContext, title: str, table: pd.DataFrame) -> str:
    """The objective against the KPI level reached, one point per non-dominated plan."""
    if "level" not in table or not len(table.dropna(subset=["level", "objective"])):
        return _none(page, title)
    words = _words(page)
    x_label = f"{title} — {text('level', page.lang)}"
    return _small(
        page, "frontier", title, lambda ax, m: plots.draw_frontier(ax, table, x_label, words, m)
    )
