"""Assembling a formulation: the decision variables (numbered columns in named blocks), every
core rule, every rule the model declares (each found by name in the registry) and the objective.
No Pyomo here: the Pyomo model is made from the blocks only when asked (`Formulation.model`)."""

from __future__ import annotations

import weakref
from itertools import product
from typing import Any, cast

import numpy as np

from allocator.formulation.model import Domain, Formulation, Linear
from allocator.formulation.registry import CORE_RULES, OBJECTIVES, POLICY_RULES
from allocator.schema import Instance, ModelSpec
from allocator.schema.base import for_year
from allocator.schema.collector import collector_paused
from allocator.schema.planning import is_concave


def build(inst: Instance, spec: ModelSpec) -> Formulation:
    """The model of `inst` under `spec`: variables, core and declared rules, objective (with the
    garbage collector paused: building makes many objects and no cycles)."""
    with collector_paused():
        return _build(inst, spec)


def _build(inst: Instance, spec: ModelSpec) -> Formulation:
    built = Formulation(inst, spec)
    # The rules see the formulation through a weak proxy: the row texts they leave behind refer
    # to it without a reference cycle, so it is freed as soon as it is dropped (not by a pass of
    # the cycle collector over everything it holds, at exit or between Monte Carlo samples).
    rules = cast(Formulation, weakref.proxy(built))
    _variables(built)
    for core in CORE_RULES.values():
        core(rules)
    for i, rule in enumerate(spec.rules):
        before = built.row_count + len(built.constants)
        built._rule = i
        POLICY_RULES[rule.rule](rules, rule)
        built._rule = None
        if built.row_count + len(built.constants) == before:
            built.vacuous.append(i)
    terms, constant, sense = OBJECTIVES[spec.objective](rules)
    built.sense, built.offset = sense, constant
    built.cost = np.zeros(built.columns)
    linear = terms if isinstance(terms, Linear) else Linear.of(terms)
    np.add.at(built.cost, linear.cols, linear.coefs)
    return built


def _variables(built: Formulation) -> None:
    inst, spec = built.inst, built.spec
    years = inst.years
    lines = inst.lines
    n, t_count = len(lines), len(years)
    built.gov = _var(built, "gov", list(product([ln.id for ln in lines], years)), "nonnegative")
    start = built.blocks[-1].start
    built._arrays["gov"] = np.arange(start, start + n * t_count).reshape(n, t_count)
    pooled = [y for y in years if inst.pool_in(y) > 0]
    levered = [ln for ln in lines if ln.leverage > 0]
    eligible = list(product([ln.id for ln in levered], pooled))
    built.private = _var(built, "private", eligible, "nonnegative")
    start = built.blocks[-1].start
    grid = np.full((n, t_count), -1, dtype=np.int64)
    pool = np.array([inst.pool_in(y) for y in years])
    on = np.ix_(built.line_values("leverage") > 0, pool > 0)
    grid[on] = np.arange(start, start + len(eligible)).reshape(len(levered), len(pooled))
    built._arrays["private"] = grid
    whole = [(ln.id, y) for ln in lines if ln.integer and ln.profile is None for y in years]
    built.units = _var(built, "units", whole, "integer")
    built.selected = _var(built, "selected", [ln.id for ln in lines if ln.select], "binary")
    built.level = _var(built, "level", [(k.id, y) for k in inst.kpis for y in years], "free")
    targeted = [
        (t.kpi, t.year) for t in inst.targets if not t.at_most and spec.soft_target(t.kpi, t.year)
    ]
    built.shortfall = _var(built, "shortfall", targeted, "nonnegative")
    _planning_variables(built)
    if spec.robust is not None and spec.objective == "max_impact":
        built.protect = _var(built, "protect", ["all", *(ln.id for ln in lines)], "nonnegative")


def _planning_variables(built: Formulation) -> None:
    """Variables of the planning features (funds, carry-over, cohorts, curves); none is made
    for an instance that uses none of them."""
    inst, years = built.inst, built.inst.years
    draws = [(f.id, lid, y) for f in inst.funds for lid in f.lines for y in years]
    built.draw = _var(built, "draw", draws, "nonnegative")
    final = inst.cash is not None or built.spec.objective == "max_final_cash"
    carried = (years[:-1] if inst.carries else []) + (years[-1:] if final else [])
    built.carry = _var(built, "carry", carried, "nonnegative")
    lent = [
        y for y in years[:-1] if inst.cash is not None and (for_year(inst.cash.borrow, y, 0.0) or 0)
    ]
    built.borrow = _var(built, "borrow", lent, "nonnegative")
    profiled = [ln for ln in inst.lines if ln.profile is not None]
    divisible = [ln for ln in profiled if not ln.select]
    kinds: tuple[Domain, Domain] = ("nonnegative", "integer")
    for kind in kinds:
        chosen = [ln.id for ln in divisible if ln.integer == (kind == "integer")]
        built.scale.update(_var(built, "scale" if kind != "integer" else "copies", chosen, kind))
    built.scale.update({ln.id: built.selected[ln.id] for ln in profiled if ln.select})
    spans = [(ln.id, y) for ln in inst.lines if ln.span for y in years]
    built.starts = _var(built, "starts", spans, "integer")
    curved = [ln for ln in inst.lines if ln.curve]
    segments = [
        (ln.id, y, k) for ln in curved for y in years for k in range(len(ln.curve or []) - 1)
    ]
    built.segment = _var(built, "segment", segments, "nonnegative")
    for ln, y, k in segments:
        points = built.lines[ln].curve or []
        built.upper[built.segment[ln, y, k]] = points[k + 1][0] - points[k][0]
    stepped = [
        key for key in segments if key[2] > 0 and not is_concave(built.lines[key[0]].curve or [])
    ]
    built.reached = _var(built, "reached", stepped, "binary")


def _var(built: Formulation, name: str, keys: list[Any], domain: Domain) -> dict[Any, int]:
    """A block of variables `name[key]` over `keys`; returns key → column number."""
    return built.add_block(name, keys, domain)
