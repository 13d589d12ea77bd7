"""The per-line arrays the builders use (`Formulation.line_floors`, `gov_grid`, ...) say what the
per-line helpers say (`line_min`, `gov[line, year]`, ...), on generated instances and on a hand-made
one with the unusual cases: per-year bounds missing a year, a go/no-go line without a cap, a
profiled line, a line shared between pillars. The rows built from them are worked out by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

import allocator
from allocator.formulation import Formulation, build
from allocator.solver.compile import compile_matrix
from allocator.synthetic import synthetic_case
from tests.generate import random_case
from tests.helpers import tiny

ODD = tiny(
    years=[2026, 2027],
    budget={2026: 100, 2027: 120},
    lines=[
        {"id": "x", "name": "X", "pillar": "a", "min": {2026: 5}, "max": {2027: 50}},
        {"id": "s", "name": "S", "pillar": {"a": 0.25, "b": 0.75}, "select": True, "min": 10},
        {"id": "p", "name": "P", "pillar": "b", "profile": {2026: 10, 2027: -4}},
    ],
)
"""x: a floor in 2026 only, a cap in 2027 only; s: go/no-go, no cap, shared 1:3 between the
pillars; p: a profiled project (no bounds of its own)."""


def _agrees(b: Formulation) -> None:
    """Every array entry equals what the per-line helper says for its line and year."""
    floors, caps = b.line_floors(), b.line_caps()
    gov, private, chosen = b.gov_grid(), b.private_grid(), b.selected_columns()
    # the grids `build` lays out are those read back from the maps (for a hand-made formulation)
    assert np.array_equal(gov, b._grid(b.gov))
    assert np.array_equal(private, b._grid(b.private))
    for i, line in enumerate(b.inst.lines):
        assert chosen[i] == b.selected.get(line.id, -1)
        for name in ("impact", "private_impact", "leverage"):
            assert b.line_values(name)[i] == getattr(line, name)
        for pillar in b.inst.pillars:
            assert b.pillar_weights(pillar.id)[i] == line.shares.get(pillar.id, 0.0)
        for t, y in enumerate(b.inst.years):
            assert floors[i, t] == b.line_min(line.id, y)
            cap = b.line_max(line.id, y)
            assert math.isnan(caps[i, t]) if cap is None else caps[i, t] == cap
            assert gov[i, t] == b.gov[line.id, y]
            assert private[i, t] == b.private.get((line.id, y), -1)
        for y in b.inst.years:
            assert np.array_equal(b.gov_columns(y), gov[:, b.inst.years.index(y)])


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("mip", [False, True])
def test_line_arrays_agree_with_the_per_line_helpers(seed: int, mip: bool) -> None:
    for instance, model in (random_case(seed, mip=mip), synthetic_case(12, 3, mip=mip, seed=seed)):
        inst = allocator.Instance.model_validate(instance)
        _agrees(build(inst, allocator.ModelSpec.model_validate(model)))


def _row(built: Formulation, name: str) -> tuple[dict[str, float], float, float]:
    """A compiled row's coefficients by column name, and its lower and upper sides."""
    matrix = compile_matrix(built)
    start, index, value = matrix.arrays.columns()
    i = matrix.rows.index(name)
    coefs = {
        built.column_name(j): float(value[k])
        for j in range(built.columns)
        for k in range(start[j], start[j + 1])
        if index[k] == i
    }
    return coefs, float(matrix.arrays.row_lower_[i]), float(matrix.arrays.row_upper_[i])


def test_bounds_of_unusual_lines_are_the_rows_worked_out_by_hand() -> None:
    built = build(
        allocator.Instance.model_validate(ODD),
        allocator.ModelSpec.model_validate(
            {"name": "m", "rules": [{"rule": "ramp", "max_change": 0.5}]}
        ),
    )
    _agrees(built)
    inf = float("inf")
    named = {name for name in built.rows if name.startswith(("line_min", "line_max"))}
    assert named == {
        "line_min[x,2026]",  # no floor for x in 2027: a per-year min missing a year is 0
        "line_max[x,2027]",  # no cap for x in 2026
        "line_min[s,2026]",
        "line_min[s,2027]",
        "line_max[s,2026]",  # go/no-go without a cap: the budget times s
        "line_max[s,2027]",
    }  # p is profiled: no bounds here
    assert _row(built, "line_min[x,2026]") == ({"gov[x,2026]": 1.0}, 5.0, inf)
    assert _row(built, "line_max[x,2027]") == ({"gov[x,2027]": 1.0}, -inf, 50.0)
    assert _row(built, "line_min[s,2027]") == ({"gov[s,2027]": 1.0, "selected[s]": -10.0}, 0, inf)
    assert _row(built, "line_max[s,2026]") == ({"gov[s,2026]": 1.0, "selected[s]": -100.0}, -inf, 0)
    assert _row(built, "line_max[s,2027]") == ({"gov[s,2027]": 1.0, "selected[s]": -120.0}, -inf, 0)
    assert (
        built.rows["line_max[s,2027]"].text
        == "S gets at most 120.0 bn KRW in 2027, nothing unless selected"
    )
    # ramp: half the cap, or half the budget where a line has none (x in 2027: 50 → 25)
    assert _row(built, "ramp_up[x,2027]") == ({"gov[x,2026]": -1.0, "gov[x,2027]": 1.0}, -inf, 25.0)
    assert _row(built, "ramp_down[s,2027]") == (
        {"gov[s,2026]": 1.0, "gov[s,2027]": -1.0},
        -inf,
        60.0,
    )
    assert _row(built, "ramp_up[p,2027]")[2] == 60.0
    assert list(built.pillar_weights("a")) == [1.0, 0.25, 0.0]
    assert list(built.pillar_weights("b")) == [0.0, 0.75, 1.0]


def test_share_rows_add_up_each_lines_coefficients_and_keep_an_exact_cancellation() -> None:
    """A line's pillar weight and the share on the same g are one coefficient, `a_l − σ`; where
    they cancel exactly (s is a quarter in pillar a, and a's floor is a quarter) the matrix holds
    the zero, as when the two were added in the hand-off."""
    rules = [
        {"rule": "pillar_share", "pillar": "a", "min": 0.25},
        {"rule": "pillar_share", "pillar": "b", "max": 0.8},
        {"rule": "new_initiative_share", "min": 0.4},
    ]
    lines = [dict(line, new=line["id"] == "x") for line in ODD["lines"]]
    built = build(
        allocator.Instance.model_validate({**ODD, "lines": lines}),
        allocator.ModelSpec.model_validate({"name": "m", "rules": rules}),
    )
    inf = float("inf")
    assert _row(built, "pillar_share_min[a,2026]") == (
        {"gov[x,2026]": 1 - 0.25, "gov[s,2026]": 0.0, "gov[p,2026]": -0.25},
        0.0,
        inf,
    )
    assert _row(built, "pillar_share_max[b,2027]") == (
        {"gov[x,2027]": -0.8, "gov[s,2027]": 0.75 - 0.8, "gov[p,2027]": 1 - 0.8},
        -inf,
        0.0,
    )
    assert _row(built, "new_initiative_share[2026]") == (
        {"gov[x,2026]": 1 - 0.4, "gov[s,2026]": -0.4, "gov[p,2026]": -0.4},
        0.0,
        inf,
    )


def test_a_funds_rows_take_its_draws_line_by_line_with_their_yields() -> None:
    """A fund F over lines x and y, seeded by x, leverage 2, two years: F's leverage row for 2027
    is d[F,x,2026] + d[F,x,2027] + d[F,y,2026] + d[F,y,2027] − 2·(g[x,2026] + g[x,2027]) ≤ 0,
    and the 2026 level of a KPI that y yields (0.5 a unit of money) counts −0.5·d[F,y,2026]
    beside y's own money; x names the KPI with a yield of 0: no term."""
    inst = allocator.Instance.model_validate(
        tiny(
            years=[2026, 2027],
            budget={2026: 100, 2027: 100},
            kpis=[{"id": "k", "name": "K", "unit": "u"}],
            lines=[
                {"id": "x", "name": "X", "pillar": "a", "max": 50, "yields": {"k": 0.0}},
                {"id": "y", "name": "Y", "pillar": "b", "max": 50, "yields": {"k": 0.5}},
            ],
            funds=[{"id": "F", "name": "F", "seed": ["x"], "lines": ["x", "y"], "leverage": 2}],
        )
    )
    b = build(inst, allocator.ModelSpec.model_validate({"name": "m", "rules": []}))

    def row(family: str, key: tuple[object, ...]) -> dict[int, float]:
        block = next(blk for blk in b.row_blocks if blk.family == family and key in blk.keys)
        local = block.keys.index(key)
        rows, cols, values = (np.asarray(part) for part in block.entries)
        entries = zip(rows, cols, values, strict=True)
        return {int(c): float(v) for r, c, v in entries if r == local}

    d = {(lid, y): b.draw["F", lid, y] for lid in ("x", "y") for y in (2026, 2027)}
    g = {(lid, y): b.gov[lid, y] for lid in ("x", "y") for y in (2026, 2027)}
    want = {col: 1.0 for col in d.values()} | {g["x", y]: -2.0 for y in (2026, 2027)}
    assert row("fund_leverage", ("F", 2027)) == want
    level = row("kpi_level", ("k", 2026))
    assert level[d["y", 2026]] == -0.5
    assert d["x", 2026] not in level
    assert level[g["y", 2026]] == -0.5
    assert d["y", 2027] not in level
    res = allocator.solve(inst, allocator.ModelSpec.model_validate({"name": "m", "rules": []}))
    assert res.verified
