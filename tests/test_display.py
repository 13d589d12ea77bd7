"""A result in a notebook (`_repr_html_`) and its charts (`res.plot`, `plot()` on sweeps,
frontiers and Monte Carlo runs): matplotlib figures whose shapes are the result's numbers. The
toy's numbers are derived by hand in instances/toy.yaml."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

import allocator
from allocator import analysis as scenarios
from tests.helpers import ROOT, run, tiny

TOY = ROOT / "instances" / "toy.yaml"


def bars(ax: Any) -> list[Rectangle]:
    return [p for p in ax.patches if isinstance(p, Rectangle)]


def ydata(ax: Any, i: int = 0) -> list[float]:
    return list(np.asarray(ax.get_lines()[i].get_ydata(), dtype=float))


@pytest.fixture(scope="module")
def toy() -> allocator.Result:
    return allocator.solve(allocator.load_instance(TOY))


def test_a_result_shows_itself_in_a_notebook(toy: allocator.Result) -> None:
    page = toy._repr_html_()
    assert "optimal: the best split under every rule" in page
    assert "objective (max_impact) = 310.0000" in page
    assert "verified: every rule re-checked" in page
    # infra 70 and talent 30 in each year (70 % / 30 % of the budget of 100)
    assert page.count("<td>70.0 (70.0%)</td>") == 2
    assert page.count("<td>30.0 (30.0%)</td>") == 2
    # GPUs in 2027: 10 x (40 + 60) = 1,000 against a target of 1,200
    assert "<td>1,000 GPU</td><td>1,200</td><td><span class='no'>short by 200</span>" in page


def test_the_notebook_view_escapes_and_says_when_there_is_no_answer() -> None:
    evil = "<script>x</script>"
    res = run(tiny(title=evil, lines=[{"id": "x", "name": "X", "pillar": "a", "min": 200}]))
    assert res.status == allocator.Status.infeasible
    page = res._repr_html_()
    assert "&lt;script&gt;" in page
    assert "<script>" not in page
    assert "infeasible: the rules cannot all hold at once" in page
    assert "<table>" not in page


def test_split_bars_are_the_split(toy: allocator.Result) -> None:
    fig = toy.plot.split()
    assert isinstance(fig, Figure)
    heights = sorted(round(p.get_height(), 9) for p in bars(fig.axes[0]))
    assert heights == [30.0, 30.0, 70.0, 70.0]  # no private money in the toy
    assert fig.axes[0].get_legend() is not None


def test_kpi_charts(toy: allocator.Result) -> None:
    fig = toy.plot.kpis()  # two years: one panel per KPI, level by year
    assert len([ax for ax in fig.axes if ax.get_visible()]) == 1
    assert ydata(fig.axes[0]) == pytest.approx([400.0, 1000.0])
    korea = allocator.solve(allocator.load_instance(ROOT / "instances" / "korea-2026.yaml"))
    shown = bars(korea.plot.kpis().axes[0])  # one year: bars to one scale, then the baselines
    kpis = korea.instance.kpis
    levels = korea.kpis.set_index("kpi").level
    widths = [bar.get_width() for bar in shown[::2]]
    assert widths == pytest.approx([levels[k.id] / k.baseline for k in kpis])
    assert [bar.get_width() for bar in shown[1::2]] == pytest.approx([1.0] * len(kpis))


def test_funding_chart_stacks_every_source() -> None:
    res = allocator.solve(allocator.load_instance(ROOT / "instances" / "korea-2026-2030.yaml"))
    fig = res.plot.funding()
    panels = [ax for ax in fig.axes if ax.get_visible()]
    assert len(panels) == len(res.instance.pillars)
    drawn = sum(p.get_height() for ax in panels for p in bars(ax))
    assert drawn == pytest.approx(res.funding().amount.sum())


def test_sweep_and_frontier_tables_plot_themselves() -> None:
    inst = allocator.load_instance(TOY)
    table = scenarios.sweep(inst, None, [scenarios.parse_vary("budget=20:120:6")])
    assert isinstance(table, scenarios.plots.SweepTable)
    assert isinstance(table[table.status == "optimal"], scenarios.plots.SweepTable)
    fig = table.plot()
    assert isinstance(fig, Figure)
    objective, money = fig.axes
    assert ydata(objective) == pytest.approx(list(table.objective))
    legend = money.get_legend()
    assert legend is not None
    assert [t.get_text() for t in legend.get_texts()] == ["Infrastructure", "Talent"]
    axes = table.plot(x="budget", y="objective")  # with arguments: pandas' own plotting
    assert not isinstance(axes, Figure)
    plt.close("all")
    frontier = scenarios.frontier(inst, None, "gpus", 2027, 5)
    assert isinstance(frontier.plot(), Figure)


def test_pareto_and_monte_carlo_plot() -> None:
    korea = allocator.load_instance(ROOT / "instances" / "korea-2026.yaml")
    found = scenarios.pareto(korea, None, "impact", "ai_experts", 4)
    fig = found.plot()
    xs = np.asarray(fig.axes[0].get_lines()[0].get_xdata(), dtype=float)
    assert list(xs) == pytest.approx(sorted(found.points["ai_experts@2026"]))
    plan = allocator.load_instance(ROOT / "instances" / "korea-2026-2030.yaml")
    mc = scenarios.monte_carlo(plan, samples=6, seed=3)
    fig = mc.plot()
    assert len(fig.axes) == 2
    assert sum(p.get_height() for p in bars(fig.axes[0])) == len(mc.answered)


def test_import_allocator_loads_no_matplotlib() -> None:
    code = "import allocator, sys; print('matplotlib' in sys.modules, 'pyomo' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]
