"""The complete Pyomo model (`allocator.to_pyomo`): every rule row a named Pyomo constraint made
from the same row blocks HiGHS gets, solvable by any Pyomo solver, with constraints of one's own
handed back to `allocator.solve` and re-verified."""

from __future__ import annotations

import math

import pyomo.environ as pyo
import pytest
from pyomo.repn import generate_standard_repn

import allocator
from allocator.formulation import build
from allocator.schema import resolve_model
from allocator.synthetic import synthetic_case
from tests.generate import random_case
from tests.helpers import ROOT, tiny

TOY = ROOT / "instances" / "toy.yaml"


def _terms(expr: object) -> dict[str, float]:
    repn = generate_standard_repn(expr)
    assert not repn.nonlinear_vars
    out: dict[str, float] = {}
    for coef, var in zip(repn.linear_coefs, repn.linear_vars, strict=True):
        out[var.name] = out.get(var.name, 0.0) + float(coef)
    return out


def test_toy_rules_are_named_pyomo_constraints() -> None:
    """The toy's rows as the hand derivation in instances/toy.yaml writes them."""
    m = allocator.to_pyomo(allocator.load_instance(TOY))
    budget = m.budget[2026]
    assert _terms(budget.body) == {
        "gov[gpu,2026]": 1.0,
        "gov[data,2026]": 1.0,
        "gov[fellows,2026]": 1.0,
    }
    assert (budget.lower, pyo.value(budget.upper)) == (None, 100.0)
    share = m.pillar_share_min["talent", 2027]  # f2 >= 0.3 (a2 + d2 + f2)
    assert _terms(share.body) == pytest.approx(
        {"gov[fellows,2027]": 0.7, "gov[gpu,2027]": -0.3, "gov[data,2027]": -0.3}
    )
    assert (pyo.value(share.lower), share.upper) == (0.0, None)
    ramp = m.ramp_up["gpu", 2027]  # a2 - a1 <= 0.25 * 80
    assert _terms(ramp.body) == {"gov[gpu,2027]": 1.0, "gov[gpu,2026]": -1.0}
    assert pyo.value(ramp.upper) == 20.0
    level = m.kpi_level["gpus", 2027]  # cumulative: 10 GPUs per bn on gpu in both years
    assert level.equality
    assert _terms(level.body) == {
        "level[gpus,2027]": 1.0,
        "gov[gpu,2026]": -10.0,
        "gov[gpu,2027]": -10.0,
    }
    assert m.objective.sense == pyo.maximize
    assert _terms(m.objective.expr)["shortfall[gpus,2027]"] == pytest.approx(-60 / 1200)
    assert sum(1 for _ in m.component_data_objects(pyo.Constraint)) == 15


def test_every_row_is_the_row_highs_gets() -> None:
    """Name, sense, right-hand side and coefficients of each Pyomo constraint are those of the
    formulation's row, for a five-year plan with every planning feature."""
    inst = allocator.load_instance(ROOT / "instances" / "korea-2026-2030.yaml")
    built = build(inst, resolve_model(inst, None))
    m = built.to_pyomo()
    made = {c.name: c for c in m.component_data_objects(pyo.Constraint)}
    assert set(made) == set(built.rows)
    columns = {j: built.column_name(j) for j in range(built.columns)}
    for block in built.row_blocks:
        rows, cols, coefs = block.entries
        for k, key in enumerate(block.keys):
            name = block.name(key)
            expected: dict[str, float] = {}
            for r, j, v in zip(rows, cols, coefs, strict=True):
                if r == k:
                    expected[columns[int(j)]] = expected.get(columns[int(j)], 0.0) + float(v)
            con = made[name]
            expected = {n: v for n, v in expected.items() if abs(v) > 1e-12}
            assert _terms(con.body) == pytest.approx(expected), name
            lower = None if con.lower is None else pyo.value(con.lower)
            upper = None if con.upper is None else pyo.value(con.upper)
            sides = {"<=": (None, block.rhs[k]), ">=": (block.rhs[k], None)}
            assert (lower, upper) == sides.get(block.sense, (block.rhs[k], block.rhs[k])), name
    units = m.units["AX-07", 2026] if ("AX-07", 2026) in m.units else next(iter(m.units.values()))
    assert units.domain is pyo.NonNegativeIntegers
    assert next(iter(m.selected.values())).domain is pyo.Binary
    for j in range(built.columns):
        var = built.variable(j)
        assert (var.lb, var.ub) == (
            None if math.isinf(built.lower[j]) else built.lower[j],
            None if math.isinf(built.upper[j]) else built.upper[j],
        )


def test_the_fast_path_builds_no_pyomo_constraint() -> None:
    """The HiGHS path makes no Pyomo model; asked for afterwards, it is made from the variable
    blocks with their names, keys and domains, and holds no constraint."""
    res = allocator.solve(allocator.load_instance(TOY))
    built = res.built
    assert built is not None
    assert not built.model_made
    m = built.model
    assert built.model_made
    assert next(m.component_data_objects(pyo.Constraint), None) is None
    names = [b.name for b in built.blocks]
    assert [v.name for v in m.component_objects(pyo.Var)] == names
    for block in built.blocks:
        assert list(block.component.index_set()) == block.keys
    j = built.gov[built.inst.lines[0].id, built.inst.years[0]]
    assert built.variable(j) is m.gov[built.inst.lines[0].id, built.inst.years[0]]
    assert built.variable(j).domain is pyo.NonNegativeReals


def test_a_constraint_of_ones_own_made_after_a_solve_joins_the_next() -> None:
    """The Pyomo model made on first use after a HiGHS solve takes constraints of one's own:
    y ≥ 30 on the tiny instance (budget 100; x earns 3 a won up to 80, y 1) moves 10 from x to
    y: 3·70 + 30 = 240 against 3·80 + 20 = 260 unconstrained."""
    from allocator.solver.highs import run_highs

    built = build(allocator.Instance.model_validate(tiny()), allocator.ModelSpec(name="m"))
    first = run_highs(built)
    assert not built.model_made
    built.model.floor_y = pyo.Constraint(expr=built.variable(built.gov["y", 2026]) >= 30)
    second = run_highs(built)
    assert (first.objective, second.objective) == pytest.approx((260, 240))
    assert second.activity["floor_y"] == pytest.approx(30)


@pytest.mark.parametrize(
    "case",
    [
        *(random_case(seed, mip=mip) for seed in range(4) for mip in (False, True)),
        synthetic_case(30, 3, seed=1),
        synthetic_case(30, 3, mip=True, seed=2),
    ],
    ids=lambda c: str(c[1]["name"]),
)
def test_round_trip_through_solver_factory(case: tuple[dict, dict]) -> None:
    """`to_pyomo` solved by Pyomo's appsi_highs gives the optimum `allocator.solve` gives."""
    inst = allocator.Instance.model_validate(case[0])
    spec = allocator.ModelSpec.model_validate(case[1])
    res = allocator.solve(inst, spec, mip_gap=1e-9)
    assert res.status == allocator.Status.optimal
    assert res.objective is not None
    m = allocator.to_pyomo(inst, spec)
    opt = pyo.SolverFactory("appsi_highs")
    opt.options["mip_rel_gap"] = 1e-9
    outcome = opt.solve(m)
    assert outcome.solver.termination_condition == pyo.TerminationCondition.optimal
    assert pyo.value(m.objective) == pytest.approx(res.objective, rel=1e-7, abs=1e-6)
    back = allocator.solve(inst, spec, pyomo_model=m, pyomo_results=outcome)
    assert back.status == allocator.Status.optimal
    assert back.verified, back.violations
    assert back.objective == pytest.approx(res.objective, rel=1e-7, abs=1e-6)


def test_constraints_of_ones_own_are_solved_and_checked() -> None:
    """A cap of one's own on the GPU line, solved by HiGHS (fast path) and by CBC; an answer
    that breaks it is not verified, and the broken constraint is named."""
    inst = allocator.load_instance(TOY)
    m = allocator.to_pyomo(inst)
    m.my_gpu_cap = pyo.Constraint(expr=m.gov["gpu", 2026] <= 30)
    for solver in ("highs", "cbc"):
        res = allocator.solve(inst, pyomo_model=m, solver=solver)
        assert res.status == allocator.Status.optimal
        assert res.verified, res.violations
        # 10 bn less on gpu in 2026 and, through the ramp, 10 less in 2027, moved to data:
        # 2 x 10 x (2.5 - 1.5) = 20 less than the toy's 310
        assert res.objective == pytest.approx(290.0)
        assert res.plan().gov["gpu", 2026] == pytest.approx(30.0)
    outcome = pyo.SolverFactory("glpk").solve(m)
    m.gov["gpu", 2026].value = 40.0  # not the answer glpk gave: breaks the cap
    res = allocator.solve(inst, pyomo_model=m, pyomo_results=outcome)
    assert not res.verified
    assert any(
        str(v).startswith("my_gpu_cap: 40 where it must be at most 30") for v in res.violations
    )


def test_a_model_of_another_instance_is_refused() -> None:
    inst = allocator.load_instance(TOY)
    m = allocator.to_pyomo(inst)
    other = allocator.Instance.model_validate(tiny())
    with pytest.raises(allocator.InputError, match="made of another instance or model"):
        allocator.solve(other, allocator.ModelSpec(name="m"), pyomo_model=m)
    with pytest.raises(allocator.InputError, match=r"made by allocator\.to_pyomo"):
        allocator.solve(inst, pyomo_model=pyo.ConcreteModel())


def test_rules_that_cannot_hold_make_no_pyomo_model() -> None:
    """Two lines that are not go/no-go decisions in an exclusive group: `exclusive[g]` reads
    1 + 1 <= 1 with no decision in it, so it can never hold."""
    lines = [
        {"id": "x", "name": "X", "pillar": "a", "impact": 1, "max": 5, "groups": ["g"]},
        {"id": "y", "name": "Y", "pillar": "b", "impact": 1, "max": 5, "groups": ["g"]},
    ]
    inst = allocator.Instance.model_validate(tiny(lines=lines))
    spec = allocator.ModelSpec.model_validate(
        {"name": "m", "rules": [{"rule": "exclusive", "group": "g"}]}
    )
    assert allocator.solve(inst, spec).status == allocator.Status.infeasible
    assert allocator.solve(inst, spec, solver="glpk").status == allocator.Status.infeasible
    with pytest.raises(allocator.InputError, match=r"exclusive\[g\].*cannot hold whatever"):
        allocator.to_pyomo(inst, spec)


def test_prioritised_goals_build_the_first_level() -> None:
    inst = allocator.load_instance(ROOT / "instances" / "korea-2026-2030.yaml")
    model = ROOT / "models" / "national-ai-2026-2030-priorities.yaml"
    m = allocator.to_pyomo(inst, model)
    assert m.objective.sense == pyo.minimize  # legal floors: least weighted shortfall first
    with pytest.raises(allocator.InputError, match="solved level by level"):
        allocator.solve(inst, model, pyomo_model=m)


@pytest.mark.parametrize("solver", ["highs", "cbc"])
def test_bounds_and_deactivated_rows_on_the_pyomo_model_are_what_is_solved(solver: str) -> None:
    """Every solver path solves the Pyomo model as it stands. A bound of 30 on the toy's GPU line
    in 2026 acts like the cap above (290). Deactivating `line_max[gpu,2026]` lets gpu take all
    70 of infra's money in both years (GPUs 1,400, past the target): 2·70 + 30 a year, 340 —
    and the checker, which reads the instance, says the plan breaks the line's maximum."""
    inst = allocator.load_instance(TOY)
    m = allocator.to_pyomo(inst)
    m.gov["gpu", 2026].setub(30)
    res = allocator.solve(inst, pyomo_model=m, solver=solver)
    assert res.objective == pytest.approx(290.0)
    assert res.verified
    m = allocator.to_pyomo(inst)
    m.line_max["gpu", 2026].deactivate()
    res = allocator.solve(inst, pyomo_model=m, solver=solver)
    assert res.objective == pytest.approx(340.0)
    assert [str(v) for v in res.violations] == ["gpu in 2026: above its maximum (70 > 40)"]
