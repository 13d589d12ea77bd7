"""The complete Pyomo model of a formulation, built only when asked (`Formulation.to_pyomo`).

The fast path hands the rule rows to HiGHS as one sparse matrix and never imports Pyomo: the Pyomo
model of the variables (`variables_model`, one indexed variable per block) is made only when
something asks for `Formulation.model`. For other solvers, LP/MPS files written by Pyomo, and
constraints of one's own, every rule row becomes a Pyomo constraint here — from the same row
blocks HiGHS gets (entries, keys, sense, right-hand side), so the two can never drift apart.
Each rule family is one indexed component named as in the explanations: the row
`pillar_share_min[talent,2027]` is `m.pillar_share_min["talent", 2027]`, `budget[2026]` is
`m.budget[2026]`. Variables keep their names (`m.gov["INF-01", 2026]`), bounds and
integrality; the objective is `m.objective`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pyomo.environ as pyo
from pyomo.core.expr.numeric_expr import LinearExpression

if TYPE_CHECKING:
    from allocator.formulation.model import Formulation, RowBlock

OBJECTIVE = "objective"
"""The name of the objective component on the Pyomo model."""
FORMULATION = "_allocator_formulation"
"""The attribute of the Pyomo model that keeps the formulation it was made from."""
SIGNATURE = "_allocator_objective"
"""The attribute that records which costs `m.objective` was made from (remade when they change)."""


_DOMAINS: dict[str, Any] = {
    "nonnegative": pyo.NonNegativeReals,
    "free": pyo.Reals,
    "integer": pyo.NonNegativeIntegers,
    "binary": pyo.Binary,
}


def variables_model(built: Formulation) -> pyo.ConcreteModel:
    """A Pyomo model with one indexed variable per block of columns (`m.gov["INF-01", 2026]`,
    over the set `m.gov_index`), in the block's domain; no constraint, no objective."""
    m = pyo.ConcreteModel(name=f"{built.inst.name}/{built.spec.name}")
    for block in built.blocks:
        keys = block.keys
        dimen = len(keys[0]) if keys and isinstance(keys[0], tuple) else 1
        index = pyo.Set(initialize=keys, dimen=dimen, ordered=True)
        m.add_component(f"{block.name}_index", index)
        m.add_component(block.name, pyo.Var(index, domain=_DOMAINS[block.domain], dense=False))
    return m


def to_pyomo(built: Formulation) -> pyo.ConcreteModel:
    """`built.model` with every active rule row as a named Pyomo constraint, the variables'
    bounds and the objective. Calling it again adds only rows made since (a held priority level,
    say), remakes the objective if the costs changed, and takes the variables' bounds from the
    Pyomo model (bounds changed or variables fixed there are solved as they stand); constraints of
    one's own stay as they are."""
    failed = [c for c in built.constants if not c.holds]
    if failed:
        from allocator.errors import InputError, Issue

        raise InputError(
            [
                Issue(
                    built.inst.name,
                    c.name,
                    c.detail,
                    f"{c.text or 'this rule'} cannot hold whatever is decided, so there is no "
                    "Pyomo model to make; `allocator.solve` reports it infeasible",
                )
                for c in failed
            ]
        )
    m = built.model
    fresh = m.component(OBJECTIVE) is None
    variables = _columns(built)
    families: dict[str, list[RowBlock]] = {}
    for block in built.row_blocks[built.pyomo_blocks :]:
        if block.active:
            families.setdefault(block.family, []).append(block)
    for family, blocks in families.items():
        _add_family(m, family, blocks, variables)
    built.pyomo_blocks = len(built.row_blocks)
    setattr(m, FORMULATION, built)
    if fresh:
        for j, var in enumerate(variables):
            lo, hi = built.lower[j], built.upper[j]
            var.setlb(lo if np.isfinite(lo) else None)
            var.setub(hi if np.isfinite(hi) else None)
    else:
        _pull_bounds(built, variables)
    signature = (built.sense, float(built.offset), built.cost.tobytes())
    if getattr(m, SIGNATURE, None) != signature:
        if not fresh:
            m.del_component(OBJECTIVE)
        used = np.flatnonzero(built.cost)
        expr = LinearExpression(
            constant=float(built.offset),
            linear_coefs=[float(built.cost[j]) for j in used],
            linear_vars=[variables[j] for j in used],
        )
        sense = pyo.maximize if built.sense == "max" else pyo.minimize
        m.add_component(OBJECTIVE, pyo.Objective(expr=expr, sense=sense))
        setattr(m, SIGNATURE, signature)
    return m


def _pull_bounds(built: Formulation, variables: list[Any]) -> None:
    """Bounds changed on the Pyomo variables (or variables fixed there) become the model's,
    so every solver path solves what the Pyomo model says."""
    for j, var in enumerate(variables):
        if var.fixed:
            built.lower[j] = built.upper[j] = float(var.value)
            continue
        lo, hi = var.lb, var.ub
        built.lower[j] = float("-inf") if lo is None else float(lo)
        built.upper[j] = float("inf") if hi is None else float(hi)


def dropped_rows(built: Formulation) -> list[int]:
    """Positions, among the active rows in block order, of generated constraints deactivated on
    the Pyomo model (`m.budget[2026].deactivate()`): the HiGHS path leaves them free too."""
    if not built.pyomo_blocks or not built.model_made:
        return []
    out: list[int] = []
    offset = 0
    for position, block in enumerate(built.row_blocks):
        if not block.active:
            continue
        made = built.model.component(block.family) if position < built.pyomo_blocks else None
        if made is not None:
            for k, key in enumerate(block.keys):
                if not made[_key(tuple(key))].active:
                    out.append(offset + k)
        offset += len(block.keys)
    return out


def _columns(built: Formulation) -> list[Any]:
    """The Pyomo variable of every column, in column order."""
    return [block.component[key] for block in built.blocks for key in block.keys]


def _add_family(
    m: pyo.ConcreteModel, family: str, blocks: list[RowBlock], variables: list[Any]
) -> None:
    """One indexed constraint `m.<family>` over the keys of its blocks (extended when the
    family already exists, as a held priority level's rows do)."""
    rows: dict[Any, tuple[Any, ...]] = {}
    for block in blocks:
        local, cols, coefs = (np.asarray(part) for part in block.entries)
        order = np.argsort(local, kind="stable")
        local, cols, coefs = local[order], cols[order], coefs[order]
        cuts = np.searchsorted(local, np.arange(len(block.keys) + 1))
        for k, key in enumerate(block.keys):
            span = slice(cuts[k], cuts[k + 1])
            body = LinearExpression(
                constant=0.0,
                linear_coefs=[float(c) for c in coefs[span]],
                linear_vars=[variables[int(j)] for j in cols[span]],
            )
            rhs = float(block.rhs[k])
            sides = {"<=": (None, body, rhs), ">=": (rhs, body, None), "==": (body, rhs)}
            index = key[0] if len(key) == 1 else tuple(key)
            if index in rows:
                raise ValueError(f"{block.name(key)} is made twice")
            rows[index] = sides[block.sense]
    existing = m.component(family)
    if existing is None:
        if hasattr(m, family):
            raise ValueError(f"rule family {family!r} clashes with a name on the Pyomo model")
        dimen = len(blocks[0].keys[0])
        index_set = pyo.Set(initialize=list(rows), dimen=dimen, ordered=True)
        m.add_component(f"{family}_index", index_set)
        m.add_component(family, pyo.Constraint(index_set, rule=lambda _, *k: rows[_key(k)]))
        return
    index_set = m.component(f"{family}_index")
    for index, row in rows.items():
        if index in index_set:
            raise ValueError(f"{family}[{index}] is made twice")
        index_set.add(index)
        existing[index] = row


def _key(parts: tuple[Any, ...]) -> Any:
    return parts[0] if len(parts) == 1 else parts


def row_components(built: Formulation) -> list[Any]:
    """The Pyomo constraint components made from the formulation's rows (not one's own)."""
    if not built.model_made:
        return []
    m = built.model
    names = {block.family for block in built.row_blocks[: built.pyomo_blocks]}
    return [m.component(name) for name in sorted(names) if m.component(name) is not None]
