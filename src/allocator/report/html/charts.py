"""The report's charts as inline SVG: the split by pillar and year, KPI paths and bullets,
sweep and frontier charts. Pure functions of tables and a page context."""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from allocator.report.html.markup import PALETTE, PageContext, esc, nice_ticks, num_attr
from allocator.report.labels import (
    Lang,
    money,
    money_tick,
    name_of,
    text,
    won,
)
from allocator.results.tables import GOVERNMENT, PRIVATE


def _svg(width: int, height: int, inner: Iterable[str], label: str, attrs: str = "") -> str:
    return (
        f"<svg class='chart' viewBox='0 0 {width} {height}' width='{width}' height='{height}' "
        f"role='img' aria-label='{esc(label)}' xmlns='http://www.w3.org/2000/svg' {attrs}>"
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
            f"{esc(fmt(tick))}</text>"
        )
    return out


def split_chart(
    page: PageContext, pillars: pd.DataFrame, names: dict[str, str], colors: dict[str, str]
) -> str:
    """Stacked bars: for each year a government bar and a private bar, stacked by pillar."""
    lang, unit = page.lang, page.inst.currency_unit
    years = sorted(pillars.year.unique())
    totals = pillars.groupby("year")[[GOVERNMENT, PRIVATE]].sum()
    top = won(float(totals.to_numpy().max()), unit) if len(totals) else 1.0
    ticks = nice_ticks(0.0, max(top, 1.0))
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
            f"<pattern id='{cid}-h-{esc(pid)}' patternUnits='userSpaceOnUse' width='6' height='6' "
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
                    else (f"url(#{cid}-h-{esc(row['pillar'])})")
                )
                tip = (
                    f"{names[row['pillar']]} · {year} · {source_words[source]}: "
                    f"{money(amount, unit, lang)}"
                )
                inner.append(
                    f"<rect class='seg' x='{x:.1f}' y='{y(base) - h:.1f}' width='{bar:.1f}' "
                    f"height='{h:.2f}' fill='{fill}' data-pillar='{esc(row['pillar'])}' "
                    f"data-year='{year}' data-source='{source}' data-amount='{num_attr(amount)}'>"
                    f"<title>{esc(tip)}</title></rect>"
                )
                base += won(amount, unit)
            total = float(totals.loc[year, source])
            inner.append(
                f"<text class='bar-total' x='{x + bar / 2:.1f}' y='{y(base) - 5:.1f}' "
                f"text-anchor='middle'>{esc(money_tick(won(total, unit), lang))}</text>"
                f"<text class='tick' x='{x + bar / 2:.1f}' y='{height - bottom + 15:.1f}' "
                f"text-anchor='middle'>{esc(short_words[source])}</text>"
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
        f"{esc(name)}</span>"
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
    page: PageContext,
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
            f"<figure class='small'><figcaption>{esc(title)}</figcaption>"
            f"<p class='muted'>{page.t('no_points')}</p></figure>"
        )
    x_lo, x_hi = min(xs), max(xs)
    if x_hi - x_lo < 1e-12:
        x_lo, x_hi = x_lo - 0.5, x_hi + 0.5
    y_lo = min(0.0, *ys) if zero else min(ys)
    y_hi = max(ys)
    if y_hi - y_lo < 1e-12:
        y_hi = y_lo + (abs(y_lo) or 1.0) * 0.1
    ticks = nice_ticks(y_lo, y_hi + (y_hi - y_lo) * 0.05, 4)
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
    x_tick_values = list(x_ticks) if x_ticks is not None else nice_ticks(x_lo, x_hi, 4)
    x_fmt = x_fmt or _plain(x_tick_values)
    inner = _y_axis(ticks, py, left, width - right, y_fmt)
    for tick in x_tick_values:
        if x_lo - pad <= tick <= x_hi + pad:
            inner.append(
                f"<text class='tick' x='{px(tick):.1f}' y='{height - bottom + 16:.1f}' "
                f"text-anchor='middle'>{esc(x_fmt(tick))}</text>"
            )
    inner.append(
        f"<line class='axis' x1='{left}' x2='{width - right}' y1='{py(lo):.1f}' "
        f"y2='{py(lo):.1f}'/>"
        f"<text class='axis-label' x='{left + pw / 2:.1f}' y='{height - 6}' "
        f"text-anchor='middle'>{esc(x_label)}</text>"
        f"<text class='axis-label' x='12' y='{top_pad + ph / 2:.1f}' text-anchor='middle' "
        f"transform='rotate(-90 12 {top_pad + ph / 2:.1f})'>{esc(y_label)}</text>"
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
                        f"<title>{esc(tip)}</title></g>"
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
            inner.append(f"<g class='pt'>{shape}<title>{esc(tip)}</title></g>")
    legend = "".join(
        f"<span class='key'><span class='swatch{' dash' if s.dashed else ''}' "
        f"style='background:{s.color}'></span>{esc(s.label)}</span>"
        for s in series
    )
    svg = _svg(width, height, inner, title, f"data-chart='{esc(kind)}'")
    return (
        f"<figure class='small'><figcaption>{esc(title)}</figcaption>{svg}"
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


def kpi_chart(
    page: PageContext, kpi_id: str, name: str, unit: str, rows: pd.DataFrame, index: int
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


def kpi_bullets(page: PageContext, table: pd.DataFrame) -> str:
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
            f"{esc(name)}</text>"
            f"<rect class='track' x='{left}' y='{y0 + 8:.1f}' width='{plot_w}' height='18'/>"
            f"<rect class='bullet' x='{left}' y='{y0 + 8:.1f}' width='{bar:.1f}' height='18' "
            f"fill='{color}' data-kpi='{esc(kpi.id)}' data-level='{num_attr(level)}'>"
            f"<title>{esc(tip)}</title></rect>"
            f"<rect class='baseline' x='{left}' y='{y0 + 8:.1f}' width='{base_w:.1f}' "
            f"height='18' fill='{color}'><title>{esc(tip)}</title></rect>"
            f"<text class='tick' x='{width - right + 10}' y='{y0 + 21:.1f}'>"
            f"{kpi.baseline:,.0f} → <tspan class='strong'>{level:,.0f}</tspan> "
            f"{esc(kpi.unit)}</text>"
        )
        if math.isfinite(target):
            tx = left + target / top * plot_w
            met = level >= target * (1 - 1e-6)
            words = f"{text('target', lang)} {target:,.0f}"
            inner.append(
                f"<g class='pt'><line class='goal' x1='{tx:.1f}' x2='{tx:.1f}' y1='{y0 + 3:.1f}' "
                f"y2='{y0 + 31:.1f}'/><title>{esc(words)}</title></g>"
                f"<text class='tick {'ok' if met else 'no'}' x='{tx:.1f}' y='{y0 + 42:.1f}' "
                f"text-anchor='middle'>{esc(words)}</text>"
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


def _pillar_series(page: PageContext, table: pd.DataFrame, xs: list[float]) -> list[_Series]:
    unit = page.inst.currency_unit
    out = []
    for i, p in enumerate(page.inst.pillars):
        column = f"government.{p.id}"
        if column in table:
            ys = [won(float(v), unit) for v in table[column].astype(float)]
            out.append(_Series(name_of(p, page.lang), xs, ys, PALETTE[i % len(PALETTE)]))
    return out


def sweep_charts(page: PageContext, title: str, table: pd.DataFrame) -> str:
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
        + ", ".join(sorted({esc(s) for s in failed.status}))
        + "</p>"
        if len(failed)
        else ""
    )
    return "".join(charts) + note


def frontier_chart(page: PageContext, title: str, table: pd.DataFrame) -> str:
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
