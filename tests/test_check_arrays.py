"""The checker runs over arrays; the plain loops it replaced (kept in `tests/oracle_check`) are its
oracle. Property: on any plan — a solved one pushed around at random, money moved, choices
flipped, units and levels changed — both find the same broken rules, in the same order, with the
same names, units, figures and sentences, the same sizes (to rounding), and hold the same rule
instances."""

from __future__ import annotations

import dataclasses
import re
from functools import cache
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import allocator
from allocator.check import Plan, Violation, verdict, verify
from allocator.synthetic import synthetic_case
from tests import oracle_check
from tests.helpers import run
from tests.test_tamper import CASES

NUMBERS = re.compile(r" \([^()]*>[^()]*\)$")
"""The closing "(lhs > rhs)" of a sentence: compared to rounding, apart from the words."""


@cache
def _solved(case: str) -> tuple[allocator.Instance, allocator.ModelSpec, Plan, float]:
    if case.startswith("synthetic"):
        inst_d, model_d = synthetic_case(24, 3, mip=case.endswith("mip"), seed=3)
        res = allocator.solve(
            allocator.Instance.model_validate(inst_d), allocator.ModelSpec.model_validate(model_d)
        )
    else:
        instance, rules, fields, _ = CASES[case]
        res = run(instance, rules, **fields)
    assert res.verified
    assert res.objective is not None
    return res.instance, res.model, res.plan(), res.objective


NAMES = [*sorted(CASES), "synthetic-lp", "synthetic-mip"]
FIELDS = ["gov", "private", "draws", "units", "starts", "carry", "borrow", "scale", "levels"]


def _tamper(plan: Plan, moves: list[tuple[str, int, float]], flips: list[int]) -> Plan:
    changed: dict[str, Any] = {}
    for field, pick, delta in moves:
        values = dict(changed.get(field, getattr(plan, field)))
        if not values:
            continue
        key = sorted(values, key=repr)[pick % len(values)]
        values[key] = values[key] + delta
        changed[field] = values
    selected = dict(plan.selected)
    for pick in flips:
        if selected:
            line = sorted(selected)[pick % len(selected)]
            selected[line] = not selected[line]
    return dataclasses.replace(plan, selected=selected, **changed)


def _same(got: list[Violation], want: list[Any]) -> None:
    assert [(v.kind, v.name, v.unit, v.figure) for v in got] == [
        (v.kind, v.name, v.unit, v.figure) for v in want
    ]
    for a, b in zip(got, want, strict=True):
        assert NUMBERS.sub("", a.text) == NUMBERS.sub("", b.text)
        assert a.by == pytest.approx(b.by, rel=1e-9, abs=1e-9)


@settings(max_examples=120, deadline=None, derandomize=True)
@given(
    case=st.sampled_from(NAMES),
    moves=st.lists(
        st.tuples(
            st.sampled_from(FIELDS),
            st.integers(0, 1000),
            st.sampled_from([-50.0, -1.0, -1e-3, 1e-9, 0.5, 1.0, 7.0, 300.0]),
        ),
        max_size=4,
    ),
    flips=st.lists(st.integers(0, 1000), max_size=2),
    off=st.sampled_from([0.0, 1e-9, 0.01, 5.0]),
)
def test_array_checker_agrees_with_the_plain_loops(
    case: str, moves: list[tuple[str, int, float]], flips: list[int], off: float
) -> None:
    """Same violations (in order), same rule instances held, same count checked."""
    inst, spec, solved, objective = _solved(case)
    plan = _tamper(solved, moves, flips)
    _same(
        verify(inst, spec, plan, objective + off),
        oracle_check.verify(inst, spec, plan, objective + off),
    )
    mine, theirs = verdict(inst, spec, plan), oracle_check.verdict(inst, spec, plan)
    assert list(mine.held.items()) == list(theirs.held.items())
    assert mine.checked == theirs.checked


def test_a_tampered_plan_breaks_every_rule_kind_alike() -> None:
    """Each tamper case of `test_tamper`: both checkers name the same broken rule instances."""
    for case in CASES:
        inst, spec, plan, objective = _solved(case)
        tampered = dataclasses.replace(plan, **CASES[case][3](plan))
        got = verify(inst, spec, tampered, objective)
        _same(got, oracle_check.verify(inst, spec, tampered, objective))
        assert any(v.kind == case for v in got), case
