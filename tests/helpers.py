"""Shared helpers: tiny instances written as dicts, solved through the public API."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import allocator

ROOT = Path(__file__).resolve().parent.parent

BASE: dict[str, Any] = {
    "name": "tiny",
    "years": [2026],
    "pillars": [{"id": "a", "name": "Pillar A"}, {"id": "b", "name": "Pillar B"}],
    "budget": 100,
    "lines": [
        {"id": "x", "name": "Line X", "pillar": "a", "impact": 3, "max": 80},
        {"id": "y", "name": "Line Y", "pillar": "b", "impact": 1, "max": 100},
    ],
}


def tiny(**changes: Any) -> dict[str, Any]:
    """The base two-line instance with some fields replaced (`lines` replaces all lines)."""
    data = copy.deepcopy(BASE)
    data.update(copy.deepcopy(changes))
    return data


def run(
    instance: dict[str, Any], rules: list[dict[str, Any]] | None = None, **model: Any
) -> allocator.Result:
    """Solve a dict instance under a dict model; the answer must be verified when it exists."""
    spec = allocator.ModelSpec.model_validate({"name": "m", "rules": rules or [], **model})
    res = allocator.solve(allocator.Instance.model_validate(instance), spec)
    if res.status.has_allocation:
        assert res.verified, res.violations
    return res


def gov(res: allocator.Result, line: str, year: int = 2026) -> float:
    """Government money the result gives `line` in `year`."""
    alloc = res.allocation
    rows = alloc[(alloc.line == line) & (alloc.year == year) & (alloc.source == "government")]
    return float(rows.amount.sum())


def private(res: allocator.Result, line: str, year: int = 2026) -> float:
    """Private money the result gives `line` in `year`."""
    alloc = res.allocation
    rows = alloc[(alloc.line == line) & (alloc.year == year) & (alloc.source == "private")]
    return float(rows.amount.sum())
