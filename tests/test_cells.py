"""`Cells`: a solve's money by (line, year) held as an array reads exactly like the dict it
replaced — same keys in the same order, same values, equal to it, pickled whole, read-only — and
the tables made from it equal those made from that dict."""

from __future__ import annotations

import dataclasses
import pickle
from itertools import product
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import allocator
from allocator.check import Cells, verify
from allocator.results import tables
from allocator.synthetic import synthetic_case


@st.composite
def layouts(draw: st.DrawFn) -> tuple[list[str], list[int], np.ndarray, np.ndarray | None]:
    n = draw(st.integers(0, 6))
    t = draw(st.integers(1, 4))
    ids = [f"line-{i}" for i in range(n)]
    years = list(range(2026, 2026 + t))
    values = draw(arrays(float, (n, t), elements=st.floats(-1e6, 1e6)))
    present = draw(st.none() | arrays(bool, (n, t)))
    return ids, years, values, present


def _as_dict(
    ids: list[str], years: list[int], values: np.ndarray, present: np.ndarray | None
) -> dict[tuple[str, int], float]:
    return {
        (lid, y): float(values[i, j])
        for (i, lid), (j, y) in product(enumerate(ids), enumerate(years))
        if present is None or present[i, j]
    }


@settings(max_examples=200, deadline=None)
@given(layouts())
def test_cells_read_like_the_dict(layout: tuple[list[str], list[int], np.ndarray, Any]) -> None:
    ids, years, values, present = layout
    cells, want = Cells(ids, years, values, present), _as_dict(*layout)
    assert list(cells) == list(want)
    assert list(cells.values()) == list(want.values())
    assert list(cells.items()) == list(want.items())
    assert len(cells) == len(want)
    assert cells == want
    assert want == cells
    assert dict(cells) == want
    keys: list[Any] = [*want, ("nowhere", years[0]), (ids[0] if ids else "x", 1999), "bad"]
    for key in keys:
        assert (key in cells) == (key in want)
        assert cells.get(key, -1.0) == want.get(key, -1.0)
    assert pickle.loads(pickle.dumps(cells)) == want
    full = np.where(present, values, 0.0) if present is not None else values
    assert np.array_equal(cells.full(), full)


def test_cells_are_read_only() -> None:
    cells = Cells(["a"], [2026], np.array([[1.0]]))
    with pytest.raises(TypeError):
        cells["a", 2026] = 2.0  # type: ignore[index]
    with pytest.raises(ValueError, match="read-only"):
        cells.array[0, 0] = 2.0
    with pytest.raises(KeyError):
        cells["a", 2027]


def test_a_solve_gives_cells_and_its_tables_equal_those_of_plain_dicts() -> None:
    inst_d, model_d = synthetic_case(30, 3, seed=5)
    inst = allocator.Instance.model_validate(inst_d)
    res = allocator.solve(inst, allocator.ModelSpec.model_validate(model_d))
    plan = res.plan()
    assert isinstance(plan.gov, Cells)
    assert isinstance(plan.private, Cells)
    assert len(plan.private) < len(plan.gov)  # lines without leverage have no private cell
    plain = dataclasses.replace(plan, gov=dict(plan.gov), private=dict(plan.private))
    for make in (tables.allocation, tables.pillars, tables.funding):
        pd.testing.assert_frame_equal(make(inst, plan), make(inst, plain))
    assert verify(inst, res.model, plain, res.objective) == []
    assert verify(inst, res.model, plan, res.objective) == []
