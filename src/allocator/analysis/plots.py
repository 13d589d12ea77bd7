"""Charts of what-ifs: sweeps, frontiers and Monte Carlo runs, as matplotlib figures.

`sweep` and `frontier` return their tables as `SweepTable` and `FrontierTable`: DataFrames
whose `plot()` (no arguments) draws allocator's chart; with arguments, or as `table.plot.bar()`,
it is pandas' own plotting. `Frontier.plot()` and `MonteCarlo.plot()` draw theirs. The HTML
report draws the same charts (`draw_*`) and inlines them as SVG. matplotlib is imported only
when something is drawn."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, TypeVar

import pandas as pd

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from allocator.analysis.montecarlo import MonteCarlo
    from allocator.results.charts import Marks, Words

T = TypeVar("T", bound=pd.DataFrame)
PILLARS = "allocator.pillars"
"""`DataFrame.attrs` key: pillar id → name, for the legend of a table's money chart."""


def parameters(table: pd.DataFrame) -> list[str]:
    """A sweep table's parameter columns: those before `status` (not the point number)."""
    columns = [c for c in table.columns if c != "point"]
    return columns[: columns.index("status")] if "status" in columns else columns[:1]


def pillar_columns(table: pd.DataFrame) -> dict[str, str]:
    """Government money columns (`government.<pillar>`) → the pillar's name."""
    names = table.attrs.get(PILLARS, {})
    return {
        c: names.get(c.split(".", 1)[1], c.split(".", 1)[1])
        for c in table.columns
        if str(c).startswith("government.")
    }


def draw_sweep(ax: Any, table: pd.DataFrame, words: Words, marks: Marks | None = None) -> None:
    """The objective against the first parameter, one line per value of the others; a point
    with no answer is a red cross on the axis."""
    from allocator.results import charts

    params = parameters(table)
    x_name = params[0]
    data = table.sort_values(params)
    groups: list[tuple[str, pd.DataFrame]] = []
    if len(params) == 1:
        groups.append((words.objective, data))
    else:
        for key, group in data.groupby(params[1:], sort=True):
            values = key if isinstance(key, tuple) else (key,)
            label = ", ".join(f"{p}={v:,.6g}" for p, v in zip(params[1:], values, strict=True))
            groups.append((label, group))
    for i, (label, group) in enumerate(groups):
        color = charts.PALETTE[i % len(charts.PALETTE)]
        xs = [float(v) for v in group[x_name]]
        ys = [float(v) for v in group["objective"].astype(float)]
        tips = [f"{x_name} = {x:,.6g}: {y:,.4f}" for x, y in zip(xs, ys, strict=True)]
        charts.draw_line(ax, xs, ys, color, tips, marks, label=label)
        for x, y, status in zip(xs, ys, group["status"], strict=True):
            if not math.isfinite(y):
                cross = ax.plot(
                    [x],
                    [0],
                    marker="x",
                    color="#b3261e",
                    markersize=7,
                    transform=ax.get_xaxis_transform(),
                    clip_on=False,
                )[0]
                if marks is not None:
                    marks.mark(cross, f"{x_name} = {x:,.6g}: {status}", "pt missing")
    ax.set_xlabel(x_name)
    ax.set_ylabel(words.objective)
    if len(groups) > 1:
        ax.legend(fontsize="small")
    charts.tidy(ax)


def draw_sweep_pillars(
    ax: Any, table: pd.DataFrame, words: Words, marks: Marks | None = None
) -> None:
    """Government money per pillar against the (one) parameter."""
    from allocator.results import charts

    x_name = parameters(table)[0]
    data = table.sort_values(x_name)
    xs = [float(v) for v in data[x_name]]
    for i, (column, name) in enumerate(pillar_columns(data).items()):
        color = charts.PALETTE[i % len(charts.PALETTE)]
        ys = [float(v) for v in data[column].astype(float)]
        tips = [
            f"{name}, {x_name} = {x:,.6g}: {words.money(y)}" for x, y in zip(xs, ys, strict=True)
        ]
        charts.draw_line(ax, xs, ys, color, tips, marks, label=name, markersize=3.5)
    ax.set_xlabel(x_name)
    ax.set_ylabel(words.money_axis)
    ax.set_ylim(bottom=0)
    ax.yaxis.set_major_formatter(charts.FuncFormatter(lambda v, _: words.tick(v)))
    ax.legend(fontsize="small")
    charts.tidy(ax)


def draw_frontier(
    ax: Any, table: pd.DataFrame, x_label: str, words: Words, marks: Marks | None = None
) -> None:
    """The objective against the KPI level (or second criterion) reached, one point per
    non-dominated plan."""
    from allocator.results import charts

    x_name = "level" if "level" in table else table.columns[2]
    data = table.dropna(subset=[x_name, "objective"]).sort_values(x_name)
    xs = [float(v) for v in data[x_name]]
    ys = [float(v) for v in data["objective"]]
    tips = [f"{x:,.0f} → {y:,.4f}" for x, y in zip(xs, ys, strict=True)]
    charts.draw_line(ax, xs, ys, charts.PALETTE[0], tips, marks)
    ax.set_xlabel(x_label)
    ax.set_ylabel(words.objective)
    ax.xaxis.set_major_formatter(charts.FuncFormatter(lambda v, _: words.count(v)))
    charts.tidy(ax, "both")


def sweep_figure(table: pd.DataFrame) -> Figure:
    """The objective against the first parameter and, for one parameter, money per pillar."""
    from allocator.results import charts

    words = charts.Words()
    with charts.styled():
        one = len(parameters(table)) == 1 and bool(pillar_columns(table))
        fig, axes = charts.new_chart(10.0 if one else 5.5, 3.4, 1, 2 if one else 1)
        draw_sweep(axes[0] if one else axes, table, words)
        if one:
            draw_sweep_pillars(axes[1], table, words)
    return fig


def frontier_figure(table: pd.DataFrame, x_label: str | None = None) -> Figure:
    """The trade-off: the objective against the second criterion's level."""
    from allocator.results import charts

    with charts.styled():
        fig, ax = charts.new_chart(5.5, 3.4)
        x_name = "level" if "level" in table else str(table.columns[2])
        draw_frontier(ax, table, x_label or x_name, charts.Words())
    return fig


def montecarlo_figure(mc: MonteCarlo) -> Figure:
    """The objective over the answered samples (the base plan's marked), and each pillar's
    government money: the samples' spread against the base plan."""
    from allocator.results import charts

    answered = mc.answered
    inst = mc.base.instance
    with charts.styled():
        fig, (left, right) = charts.new_chart(10.0, 3.4, 1, 2)
        values = answered["objective"].astype(float)
        left.hist(values, bins=min(30, max(5, len(values) // 4)), color=charts.PALETTE[0])
        left.axvline(float(mc.base.objective or 0.0), color=charts.INK, linewidth=2)
        left.set_xlabel(f"objective ({len(values)} of {mc.samples} samples answered)")
        left.set_ylabel("samples")
        left.annotate(
            "base plan",
            (float(mc.base.objective or 0.0), 1.0),
            xycoords=("data", "axes fraction"),
            xytext=(4, -10),
            textcoords="offset points",
            fontsize="small",
        )
        charts.tidy(left)
        columns = [f"government.{p.id}" for p in inst.pillars]
        spread = [answered[c].astype(float).dropna().to_numpy() for c in columns]
        right.boxplot(
            spread,
            tick_labels=[p.name for p in inst.pillars],
            orientation="horizontal",
            widths=0.5,
            showfliers=False,
        )
        base = mc.base.pillars.groupby("pillar")["government"].sum()
        right.scatter(
            [float(base[p.id]) for p in inst.pillars],
            range(1, len(inst.pillars) + 1),
            color=charts.INK,
            zorder=3,
            label="base plan",
        )
        right.set_xlabel(f"government money ({inst.currency_unit}, whole horizon)")
        right.invert_yaxis()
        right.legend(fontsize="small", loc="lower right")
        charts.tidy(right, "x")
    return fig


class _PlotAccessor:
    """`table.plot()`: allocator's chart; `table.plot(...)`/`table.plot.kind(...)`: pandas'."""

    def __init__(self, table: pd.DataFrame, draw: Any) -> None:
        self._table, self._draw = table, draw

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if args or kwargs:
            return pd.plotting.PlotAccessor(self._table)(*args, **kwargs)
        return self._draw(self._table)

    def __getattr__(self, name: str) -> Any:
        return getattr(pd.plotting.PlotAccessor(self._table), name)


class SweepTable(pd.DataFrame):
    """A sweep's table (one row per point) whose `plot()` draws the objective against the
    swept parameter and, for one parameter, government money per pillar."""

    @property
    def _constructor(self) -> type[SweepTable]:
        return SweepTable

    @property
    def plot(self) -> Any:
        return _PlotAccessor(self, sweep_figure)


class FrontierTable(pd.DataFrame):
    """A frontier's table (one row per non-dominated point) whose `plot()` draws the objective
    against the level reached."""

    @property
    def _constructor(self) -> type[FrontierTable]:
        return FrontierTable

    @property
    def plot(self) -> Any:
        return _PlotAccessor(self, frontier_figure)


def with_pillars(table: T, names: dict[str, str]) -> T:
    """`table` with the pillar names its money chart uses (in `attrs`)."""
    table.attrs[PILLARS] = dict(names)
    return table
