"""A result in a notebook: `_repr_html_` (status, objective, the split by pillar and year,
targets met or short) and the `res.plot` accessor, whose charts are matplotlib figures
(`allocator.results.charts`, imported only when something is drawn)."""

from __future__ import annotations

import math
from html import escape
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from allocator.results.result import Result

_CSS = (
    "<style>.alloc-res table{border-collapse:collapse;margin:4px 0 10px}"
    ".alloc-res th,.alloc-res td{padding:2px 10px;text-align:right;border-bottom:1px solid #e6e9ee}"
    ".alloc-res th:first-child,.alloc-res td:first-child{text-align:left}"
    ".alloc-res .ok{color:#1e7b4a}.alloc-res .no{color:#b3261e}</style>"
)


def result_html(res: Result) -> str:
    """The result as a notebook shows it."""
    inst, status = res.instance, res.status
    tone = "ok" if status.value == "optimal" and res.verified else "no"
    head = (
        f"<p><b>{escape(inst.title or inst.name)}</b> under model <b>{escape(res.model.name)}</b>"
        f": <span class='{tone}'>{escape(status.describe())}</span>"
        + (f" (solved with {escape(res.solver)})" if res.solver != "highs" else "")
        + "</p>"
    )
    parts = [_CSS, "<div class='alloc-res'>", head]
    if not status.has_allocation:
        return "".join([*parts, "</div>"])
    gap = "" if (res.gap or 0.0) < 1e-12 else f", gap {res.gap:.2e}"
    check = (
        "<span class='ok'>verified: every rule re-checked</span>"
        if res.verified
        else "<span class='no'>not verified: "
        f"{escape('; '.join(map(str, res.violations[:3])))}</span>"
    )
    parts.append(
        f"<p>objective ({escape(res.model.objective)}) = {res.objective:,.4f}{gap}; {check}</p>"
    )
    parts.append(_split(res))
    parts.append(_targets(res))
    parts.append("</div>")
    return "".join(parts)


def _split(res: Result) -> str:
    """Government money (and private, where any) per pillar and year, in the currency unit."""
    table = res.pillars
    years = sorted(int(y) for y in table.year.unique())
    unit = escape(res.instance.currency_unit)
    head = f"<tr><th>pillar ({unit})</th>" + "".join(f"<th>{y}</th>" for y in years) + "</tr>"
    rows = []
    for pillar in res.instance.pillars:
        cells = []
        for y in years:
            row = table[(table.pillar == pillar.id) & (table.year == y)].iloc[0]
            extra = f" <small>+{row.private:,.1f} private</small>" if row.private > 1e-9 else ""
            cells.append(f"<td>{row.government:,.1f} ({row.share:.1%}){extra}</td>")
        rows.append(f"<tr><td>{escape(pillar.name)}</td>{''.join(cells)}</tr>")
    totals = table.groupby("year")["government"].sum().to_dict()
    total = "".join(f"<td><b>{totals[y]:,.1f}</b></td>" for y in years)
    rows.append(f"<tr><td><b>total</b></td>{total}</tr>")
    return f"<table>{head}{''.join(rows)}</table>"


def _targets(res: Result) -> str:
    tracked = res.kpis.dropna(subset=["target"])
    if not len(tracked):
        return ""
    head = "<tr><th>KPI</th><th>year</th><th>level</th><th>target</th><th></th></tr>"
    rows = []
    said: dict[tuple[str, int], str] = {}
    if res.status.value != "scored" and res.built is not None:
        reach = res.reach()
        said = {
            (str(k), int(y)): str(s)
            for k, y, s, v in zip(reach.kpi, reach.year, reach.sentence, reach.verdict, strict=True)
            if v != "met"
        }
    for row in tracked.to_dict("records"):
        level, target, short = float(row["level"]), float(row["target"]), float(row["shortfall"])
        met = short <= 1e-6 * max(1.0, abs(target))
        state = (
            "<span class='ok'>met</span>"
            if met
            else f"<span class='no'>short by {short:,.0f}</span>"
        )
        if (str(row["kpi"]), int(row["year"])) in said:
            state += f"<br><small>{escape(said[str(row['kpi']), int(row['year'])])}</small>"
        rows.append(
            f"<tr><td>{escape(str(row['name']))}</td><td>{row['year']}</td>"
            f"<td>{level:,.0f} {escape(str(row['unit']))}</td><td>{target:,.0f}</td>"
            f"<td>{state}</td></tr>"
        )
    return f"<table>{head}{''.join(rows)}</table>"


class ResultPlot:
    """Charts of a result as matplotlib figures: `res.plot.split()`, `.kpis()`, `.funding()`."""

    def __init__(self, res: Result) -> None:
        self._res = res

    def split(self) -> Figure:
        """Government and private money per year, stacked by pillar (private hatched)."""
        from allocator.results import charts

        res = self._res
        inst = res.instance
        names = {p.id: p.name for p in inst.pillars}
        colors = {p.id: charts.PALETTE[i % len(charts.PALETTE)] for i, p in enumerate(inst.pillars)}
        words = _words(res)
        with charts.styled():
            fig, ax = charts.new_chart(4.4 + 1.3 * len(inst.years), 3.6)
            charts.draw_split(ax, res.pillars, names, colors, words, legend=True)
            ax.set_ylabel(f"{words.money_axis} ({inst.currency_unit})")
        return fig

    def kpis(self) -> Figure:
        """Each KPI's level against its targets: a line per KPI over several years, or, for one
        year, bars to one scale (the level as a multiple of the baseline)."""
        from allocator.results import charts

        res = self._res
        inst = res.instance
        table = res.kpis
        words = _words(res)
        with charts.styled():
            if len(inst.years) == 1:
                fig, ax = charts.new_chart(8.0, 0.6 + 0.55 * len(inst.kpis))
                names = {k.id: k.name for k in inst.kpis}
                charts.draw_kpi_bars(ax, table, inst.kpis, names, words)
                return fig
            cols = min(3, len(inst.kpis))
            rows = math.ceil(len(inst.kpis) / cols)
            fig, axes = charts.new_chart(3.3 * cols, 2.5 * rows, rows, cols)
            flat = list(axes.flat) if hasattr(axes, "flat") else [axes]
            for i, kpi in enumerate(inst.kpis):
                title = f"{kpi.name} ({kpi.unit})" if kpi.unit else kpi.name
                color = charts.PALETTE[i % len(charts.PALETTE)]
                charts.draw_kpi_path(flat[i], table[table.kpi == kpi.id], title, color, words)
            for ax in flat[len(inst.kpis) :]:
                ax.set_visible(False)
            return fig

    def funding(self) -> Figure:
        """Each pillar's money per year, stacked by source (government, private pool, funds)."""
        from allocator.results import charts

        res = self._res
        inst = res.instance
        funding = res.funding()
        sources = {"government": "government", "private": "private pool"}
        sources |= {f.id: f.name for f in inst.funds}
        words = _words(res)
        with charts.styled():
            cols = min(4, len(inst.pillars))
            rows = math.ceil(len(inst.pillars) / cols)
            fig, axes = charts.new_chart(2.6 * cols + 1.6, 2.6 * rows, rows, cols)
            flat = list(axes.flat) if hasattr(axes, "flat") else [axes]
            for ax, pillar in zip(flat, inst.pillars, strict=False):
                part = funding[funding.pillar == pillar.id]
                charts.draw_funding(ax, part, pillar.name, sources, words)
            for ax in flat[len(inst.pillars) :]:
                ax.set_visible(False)
            colors = charts.source_colors(sources)
            handles = [charts.Patch(color=colors[s], label=t) for s, t in sources.items()]
            fig.legend(handles=handles, loc="outside right upper", fontsize=8)
        return fig


def _words(res: Result) -> Any:
    from allocator.results.charts import Words

    unit = res.instance.currency_unit
    return Words(money=lambda v: f"{v:,.1f} {unit}")
