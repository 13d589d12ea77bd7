"""Charts of a result drawn with matplotlib: the split by pillar and year, KPI paths and KPI
bars to one scale, funding by source. `res.plot` draws them for a notebook; the HTML report
draws the same ones and inlines them as SVG. This module imports matplotlib, so it is itself
imported only when something is drawn (`import allocator` stays light).

Each `draw_*` function draws on a matplotlib Axes; `marks`, when given, records for shapes
that stand for a number (a bar segment, a KPI bar) what the HTML report attaches to them:
data attributes and a tooltip."""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from io import BytesIO
from typing import Any

import matplotlib as mpl
import pandas as pd
from matplotlib import font_manager
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter

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
INK, MUTED, GRID, AXIS = "#1f2933", "#5f6b7a", "#e6e9ee", "#8a94a3"
HANGUL_FONT = "NanumGothic"
"""The Hangul font `make browser` installs (Debian's fonts-nanum); used when present."""
GOVERNMENT, PRIVATE = "government", "private"


def fonts() -> list[str]:
    """The font families charts ask for: NanumGothic first when installed (Hangul), then
    matplotlib's own DejaVu Sans."""
    return [*([HANGUL_FONT] if _has_hangul_font() else []), "DejaVu Sans"]


@cache
def _has_hangul_font() -> bool:
    return any(f.name == HANGUL_FONT for f in font_manager.fontManager.ttflist)


def style() -> Any:
    """matplotlib settings every chart is drawn with: the page's colours, text left as text in
    SVG (the browser sets it in the page's fonts), stable ids."""
    return {
        "svg.fonttype": "none",
        "svg.hashsalt": "allocator",
        "font.family": "sans-serif",
        "font.sans-serif": fonts(),
        "font.size": 9,
        "text.color": INK,
        "axes.labelcolor": MUTED,
        "axes.edgecolor": AXIS,
        "axes.linewidth": 0.8,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "xtick.color": MUTED,
        "ytick.color": MUTED,
        "xtick.labelcolor": MUTED,
        "ytick.labelcolor": MUTED,
        "legend.frameon": False,
        "hatch.linewidth": 1.6,
    }


@contextmanager
def styled(**changes: Any) -> Iterator[None]:
    """Draw in the charts' style (with `changes` to it, by matplotlib's rc names). Text is
    measured with the chart fonts; where NanumGothic is missing, matplotlib's complaint about
    Hangul glyphs is dropped (in SVG the browser draws the text in the page's fonts)."""
    with mpl.rc_context(style() | changes), warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore", message=r"Glyph \d+ .*missing from font", category=UserWarning
        )
        yield


class Chart(Figure):
    """A matplotlib Figure that shows itself in a notebook as a PNG, made without pyplot (so no
    figure is left open and none is shown twice)."""

    def _repr_png_(self) -> bytes:
        buffer = BytesIO()
        with styled():
            self.savefig(buffer, format="png", bbox_inches="tight", dpi=110)
        return buffer.getvalue()


def new_chart(width: float, height: float, rows: int = 1, cols: int = 1) -> tuple[Chart, Any]:
    """A chart of `width` × `height` inches with a grid of axes (one Axes, or an array)."""
    fig = Chart(figsize=(width, height), layout="constrained")
    fig.patch.set_alpha(0.0)
    axes = fig.subplots(rows, cols, squeeze=True)
    for ax in [axes] if rows * cols == 1 else list(axes.flat):
        ax.patch.set_alpha(0.0)
    return fig, axes


@dataclass(frozen=True)
class Words:
    """What the charts write, in the reader's language (English unless the report says)."""

    government: str = "government"
    private: str = "private"
    gov_short: str = "gov."
    private_short: str = "private"
    year: str = "year"
    level: str = "level"
    target: str = "target"
    baseline: str = "baseline"
    objective: str = "objective"
    money_axis: str = "government money"
    scale: str = "level ÷ baseline"
    money: Callable[[float], str] = field(default=lambda v: f"{v:,.1f}")
    """An amount in the instance's currency unit, for tooltips and labels."""
    tick: Callable[[float], str] = field(default=lambda v: f"{v:,.0f}")
    """An axis tick for an amount in the instance's currency unit."""
    count: Callable[[float], str] = field(default=lambda v: f"{v:,.4g}")
    """An axis tick for a KPI level."""


@dataclass
class Marks:
    """Data attributes and tooltips for drawn shapes, by the gid set on them (`prefix0`, ...)."""

    prefix: str = "m"
    items: dict[str, dict[str, str]] = field(default_factory=dict)

    def mark(self, artist: Any, title: str, css: str = "", **data: Any) -> None:
        gid = f"{self.prefix}-{len(self.items)}"
        artist.set_gid(gid)
        attrs = {f"data-{k.replace('_', '-')}": _attr(v) for k, v in data.items()}
        self.items[gid] = attrs | {"title": title} | ({"class": css} if css else {})


def _attr(value: Any) -> str:
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else ""
    return str(value)


def _mark(marks: Marks | None, artist: Any, title: str, css: str = "", **data: Any) -> None:
    if marks is not None:
        marks.mark(artist, title, css, **data)


def pale(color: str, share: float = 0.28) -> tuple[float, float, float]:
    """`color` mixed with white (opaque, so a hatch in `color` stays visible over it)."""
    r, g, b = mpl.colors.to_rgb(color)
    return (1 - share + share * r, 1 - share + share * g, 1 - share + share * b)


def tidy(ax: Any, grid: str = "y") -> None:
    """Light grid behind the data, no ticks marks, muted axes."""
    ax.set_axisbelow(True)
    ax.grid(axis=grid, color=GRID, linewidth=0.8)
    ax.tick_params(length=0)


def draw_split(
    ax: Any,
    pillars: pd.DataFrame,
    names: dict[str, str],
    colors: dict[str, str],
    words: Words = Words(),
    marks: Marks | None = None,
    legend: bool = False,
) -> None:
    """For each year a government bar and a private bar, stacked by pillar (private hatched)."""
    years = sorted(int(y) for y in pillars.year.unique())
    width = 0.36
    ticks, labels = [], []
    for i, year in enumerate(years):
        rows = pillars[pillars.year == year]
        for j, (source, short) in enumerate(
            ((GOVERNMENT, words.gov_short), (PRIVATE, words.private_short))
        ):
            x = i + (j - 0.5) * (width + 0.06)
            base = 0.0
            for _, row in rows.iterrows():
                amount = float(row[source])
                if amount <= 1e-9:
                    continue
                color = colors[row["pillar"]]
                patch = ax.bar(
                    x,
                    amount,
                    width,
                    bottom=base,
                    color=color if source == GOVERNMENT else pale(color),
                    edgecolor="white" if source == GOVERNMENT else color,
                    linewidth=0.6 if source == GOVERNMENT else 0.0,
                    hatch=None if source == GOVERNMENT else "//",
                ).patches[0]
                tip = f"{names[row['pillar']]} · {year} · {getattr(words, source)}: "
                _mark(
                    marks,
                    patch,
                    tip + words.money(amount),
                    "seg",
                    pillar=row["pillar"],
                    year=year,
                    source=source,
                    amount=amount,
                )
                base += amount
            ax.annotate(
                words.tick(base),
                (x, base),
                xytext=(0, 3),
                textcoords="offset points",
                ha="center",
                fontsize="small",
                fontweight="semibold",
            )
            ticks.append(x)
            labels.append(short)
        ax.annotate(
            str(year),
            (i, 0),
            xycoords=("data", "axes fraction"),
            xytext=(0, -24),
            textcoords="offset points",
            ha="center",
            va="top",
            fontsize="large",
            fontweight="semibold",
            color=INK,
        )
    ax.set_xticks(ticks, labels)
    room = max(0.0, 3 - len(years)) / 2  # one or two years: bars no wider than for three
    ax.set_xlim(-0.6 - room, len(years) - 0.4 + room)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: words.tick(v)))
    ax.margins(y=0.08)
    tidy(ax)
    if legend:
        handles = [Patch(color=colors[p], label=n) for p, n in names.items()]
        handles += [
            Patch(facecolor=AXIS, label=words.government),
            Patch(
                facecolor=pale(AXIS),
                edgecolor=AXIS,
                hatch="//",
                label=words.private,
            ),
        ]
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8)


def draw_kpi_path(
    ax: Any,
    rows: pd.DataFrame,
    title: str,
    color: str,
    words: Words = Words(),
    marks: Marks | None = None,
) -> None:
    """One KPI over the years: its level as a line, its targets as hollow marks."""
    years = [int(y) for y in rows.year]
    levels = [float(v) for v in rows.level]
    targets = [float(v) for v in rows.target]
    unit = str(rows.unit.iloc[0]) if "unit" in rows and len(rows) else ""
    tips = [f"{title} {y}: {v:,.0f} {unit}" for y, v in zip(years, levels, strict=True)]
    draw_line(ax, years, levels, color, tips, marks, label=words.level)
    tips = [f"{words.target} {y}: {t:,.0f} {unit}" for y, t in zip(years, targets, strict=True)]
    draw_line(
        ax,
        years,
        targets,
        INK,
        tips,
        marks,
        label=words.target,
        linestyle="none",
        markersize=7,
        markerfacecolor="white",
        markeredgewidth=1.8,
    )
    ax.set_title(title, loc="left", fontsize="medium", fontweight="semibold", color=INK)
    ax.set_xticks(years, [str(y) for y in years])
    ax.set_ylim(bottom=0)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: words.count(v)))
    tidy(ax)


def draw_line(
    ax: Any,
    xs: Sequence[float],
    ys: Sequence[float],
    color: str,
    tips: Sequence[str],
    marks: Marks | None,
    *,
    label: str = "",
    markersize: float = 4.5,
    **style: Any,
) -> None:
    """A line through the points (NaN leaves a gap), each point marked; with `marks`, each
    point is its own marker carrying its tooltip (`tips`), for the HTML report."""
    dots = {"marker": "o", "markersize": markersize, "color": color} | {
        k: v for k, v in style.items() if k.startswith("marker")
    }
    line = {k: v for k, v in style.items() if not k.startswith("marker")}
    if line.get("linestyle") != "none":
        ax.plot(xs, ys, color=color, linewidth=2.0, label=label, **line)
        label = ""
    if marks is None:
        ax.plot(xs, ys, linestyle="none", label=label or None, **dots)
        return
    for x, y, tip in zip(xs, ys, tips, strict=True):
        if math.isfinite(y):
            marks.mark(ax.plot([x], [y], linestyle="none", **dots)[0], tip, "pt")


def kpi_reference(baseline: float, target: float, level: float) -> float:
    """What a KPI's bar is measured against: its baseline, or, for a KPI that starts at zero,
    its target (else its level), so every bar shares one scale."""
    for value in (baseline, target, level):
        if math.isfinite(value) and value > 0:
            return value
    return 1.0


def draw_kpi_bars(
    ax: Any,
    table: pd.DataFrame,
    kpis: Sequence[Any],
    names: dict[str, str],
    words: Words = Words(),
    marks: Marks | None = None,
) -> None:
    """One year: a bar per KPI to one scale — its level as a multiple of its baseline (×1 is
    where it started) — with the baseline shaded and the target marked."""
    year = int(table.year.iloc[0])
    labels = []
    for i, kpi in enumerate(kpis):
        row = table[table.kpi == kpi.id].iloc[0]
        level, target = float(row.level), float(row.target)
        ref = kpi_reference(float(kpi.baseline), target, level)
        color = PALETTE[i % len(PALETTE)]
        name = names[kpi.id]
        tip = f"{name} {year}: {kpi.baseline:,.0f} → {level:,.0f} {kpi.unit}"
        bar = ax.barh(i, max(level, 0.0) / ref, 0.55, color=color).patches[0]
        _mark(marks, bar, tip, "bullet", kpi=kpi.id, level=level, reference=ref)
        start = min(max(float(kpi.baseline), 0.0), max(level, 0.0)) / ref
        ax.barh(i, start, 0.55, color="white", alpha=0.55, linewidth=0)
        ax.annotate(
            f"{kpi.baseline:,.0f} → {level:,.0f} {kpi.unit}",
            (max(level, 0.0) / ref, i),
            xytext=(6, 0),
            textcoords="offset points",
            va="center",
            fontsize="small",
            color=INK,
        )
        if math.isfinite(target):
            met = level >= target * (1 - 1e-6)
            goal = ax.plot([target / ref] * 2, [i - 0.42, i + 0.42], color=INK, linewidth=2.5)[0]
            _mark(marks, goal, f"{words.target} {target:,.0f} {kpi.unit}", "goal")
            ax.annotate(
                f"{words.target} {target:,.0f}",
                (target / ref, i + 0.42),
                xytext=(0, -1),
                textcoords="offset points",
                ha="center",
                va="top",
                fontsize="small",
                color="#1e7b4a" if met else "#b3261e",
            )
        labels.append(name)
    ax.set_yticks(range(len(kpis)), labels)
    ax.invert_yaxis()
    ax.axvline(1.0, color=AXIS, linewidth=0.8, linestyle=(0, (3, 3)))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"×{v:,.3g}"))
    ax.set_xlabel(f"{words.scale} ({year})")
    ax.set_xlim(0, ax.get_xlim()[1] * 1.22)  # room for the figures after each bar
    tidy(ax, "x")


def draw_funding(
    ax: Any,
    funding: pd.DataFrame,
    title: str,
    sources: dict[str, str],
    words: Words = Words(),
    marks: Marks | None = None,
) -> None:
    """One pillar's money per year, stacked by source: government, the private pool, each
    named fund (`Result.funding()` rows of that pillar)."""
    years = sorted(int(y) for y in funding.year.unique())
    colors = source_colors(sources)
    for i, year in enumerate(years):
        base = 0.0
        for source, label in sources.items():
            pick = (funding.year == year) & (funding.source == source)
            amount = float(funding.loc[pick, "amount"].sum())
            if amount <= 1e-9:
                continue
            patch = ax.bar(i, amount, 0.6, bottom=base, color=colors[source]).patches[0]
            tip = f"{title} · {year} · {label}: {words.money(amount)}"
            _mark(marks, patch, tip, "seg", year=year, source=source, amount=amount)
            base += amount
    ax.set_title(title, loc="left", fontsize="medium", fontweight="semibold", color=INK)
    ax.set_xticks(range(len(years)), [str(y) for y in years])
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: words.tick(v)))
    tidy(ax)


def source_colors(sources: dict[str, str]) -> dict[str, str]:
    """Government in the page's ink, the private pool and each fund in the palette's order."""
    return {s: c for s, c in zip(sources, ["#4a5563", *PALETTE[1:]], strict=False)}
