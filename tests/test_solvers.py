"""Other solvers through Pyomo (`solve(..., solver=NAME)`): CBC and GLPK (Debian's coinor-cbc and
glpk-utils, which `make test` installs) against the HiGHS fast path on the Korea plans and on
generated LP/MIP cases; statuses mapped to `Status`; every answer re-verified; what only HiGHS
gives says so."""

from __future__ import annotations

import json
import math
import shutil
import time
from pathlib import Path

import pyomo.environ as pyo
import pytest
from pyomo.opt import SolverResults, TerminationCondition

import allocator
from allocator.cli import main
from allocator.synthetic import synthetic_case
from tests.generate import random_case
from tests.helpers import ROOT

SOLVERS = ("cbc", "glpk")
GAP = 1e-6
PRECISION = 1e-7
"""CBC writes its solution with 8 significant digits: objectives agree to about this, relative."""
KOREA = [
    ("korea-2026", None),
    ("korea-2026-2030", None),
    ("korea-2026-2030", "national-ai-2026-2030-priorities"),
]


def test_cbc_and_glpk_are_installed() -> None:
    """`make test` installs them (`make solvers`); without them the differential tests fail."""
    for command in ("cbc", "glpsol"):
        assert shutil.which(command), f"{command} is missing: run `make solvers`"


def _agree(a: float | None, b: float | None, gap: float = GAP) -> bool:
    assert a is not None
    assert b is not None
    return math.isclose(a, b, rel_tol=gap + PRECISION, abs_tol=1e-6)


@pytest.mark.parametrize(("instance", "model"), KOREA, ids=lambda v: str(v))
def test_korea_plans_agree_across_solvers(instance: str, model: str | None) -> None:
    inst = allocator.load_instance(ROOT / "instances" / f"{instance}.yaml")
    spec = ROOT / "models" / f"{model}.yaml" if model else None
    base = allocator.solve(inst, spec, mip_gap=GAP)
    assert base.status == allocator.Status.optimal
    assert base.verified
    for solver in SOLVERS:
        started = time.perf_counter()
        res = allocator.solve(inst, spec, solver=solver, mip_gap=GAP)
        print(f"{instance} {model or ''} {solver}: {time.perf_counter() - started:.2f} s")
        assert res.status == allocator.Status.optimal, res.highs_status
        assert res.verified, res.violations
        assert res.solver == solver
        assert _agree(res.objective, base.objective), (solver, res.objective, base.objective)
        assert res.gap is not None
        assert res.gap <= GAP


CASES = [
    pytest.param(
        seed, mip, infeasible, id=f"{'mip' if mip else 'lp'}-{'inf' if infeasible else 'ok'}-{seed}"
    )
    for mip in (False, True)
    for infeasible in (False, True)
    for seed in range(10)
]


@pytest.mark.parametrize(("seed", "mip", "infeasible"), CASES)
def test_generated_cases_agree_across_solvers(seed: int, mip: bool, infeasible: bool) -> None:
    """Cases feasible or infeasible by construction (tests/generate.py): the same status from
    every solver and, when optimal, the same objective within the gap asked for."""
    inst_dict, model_dict = random_case(seed, mip=mip, infeasible=infeasible)
    inst = allocator.Instance.model_validate(inst_dict)
    spec = allocator.ModelSpec.model_validate(model_dict)
    base = allocator.solve(inst, spec, mip_gap=GAP)
    for solver in SOLVERS:
        res = allocator.solve(inst, spec, solver=solver, mip_gap=GAP)
        assert res.status == base.status, (solver, res.highs_status)
        if base.status == allocator.Status.optimal:
            assert res.verified, res.violations
            assert _agree(res.objective, base.objective), (solver, res.objective, base.objective)


@pytest.mark.parametrize("mip", [False, True], ids=["lp", "mip"])
def test_synthetic_plans_agree_across_solvers(mip: bool) -> None:
    data, model = synthetic_case(120, 4, seed=7) if not mip else synthetic_case(60, 3, mip=True)
    inst = allocator.Instance.model_validate(data)
    spec = allocator.ModelSpec.model_validate(model)
    base = allocator.solve(inst, spec, mip_gap=GAP)
    assert base.status == allocator.Status.optimal
    for solver in SOLVERS:
        res = allocator.solve(inst, spec, solver=solver, mip_gap=GAP)
        assert res.status == allocator.Status.optimal
        assert res.verified, res.violations
        assert _agree(res.objective, base.objective)


def test_the_mip_gap_is_passed() -> None:
    """A loose gap is passed to CBC and GLPK: each stops within it of the HiGHS optimum (and
    says how far its answer may be from the best, never more than asked)."""
    data, model = synthetic_case(60, 3, mip=True, seed=3)
    inst = allocator.Instance.model_validate(data)
    spec = allocator.ModelSpec.model_validate(model)
    best = allocator.solve(inst, spec, mip_gap=1e-9).objective
    for solver in SOLVERS:
        res = allocator.solve(inst, spec, solver=solver, mip_gap=0.05)
        assert res.status == allocator.Status.optimal
        assert res.verified
        assert res.objective is not None
        assert best is not None
        assert res.objective >= best * (1 - 0.05) - 1e-6
        manifest = res.manifest()
        assert manifest["options"]["solver"] == solver
        assert manifest["options"]["mip_gap"] == 0.05
        assert manifest["versions"][solver]  # e.g. cbc 2.10.8, glpk 5.0


def _toy() -> allocator.Instance:
    return allocator.load_instance(ROOT / "instances" / "toy.yaml")


@pytest.mark.parametrize(
    ("termination", "answered", "status"),
    [
        (TerminationCondition.optimal, True, allocator.Status.optimal),
        (TerminationCondition.optimal, False, allocator.Status.error),
        (TerminationCondition.infeasible, False, allocator.Status.infeasible),
        (TerminationCondition.unbounded, False, allocator.Status.unbounded),
        (
            TerminationCondition.infeasibleOrUnbounded,
            False,
            allocator.Status.infeasible_or_unbounded,
        ),
        (TerminationCondition.maxTimeLimit, False, allocator.Status.time_limit),
        (TerminationCondition.maxTimeLimit, True, allocator.Status.time_limit_incumbent),
        (TerminationCondition.maxIterations, False, allocator.Status.limit),
        (TerminationCondition.maxIterations, True, allocator.Status.limit_incumbent),
        (TerminationCondition.userInterrupt, False, allocator.Status.interrupted),
        (TerminationCondition.solverFailure, False, allocator.Status.error),
        (TerminationCondition.licensingProblems, False, allocator.Status.error),
    ],
)
def test_pyomo_terminations_map_to_status(
    termination: TerminationCondition, answered: bool, status: allocator.Status
) -> None:
    """What a Pyomo solver says, with or without values in the variables, as one `Status`; an
    incumbent is re-verified like an optimum."""
    inst = _toy()
    m = allocator.to_pyomo(inst)
    if answered:
        pyo.SolverFactory("glpk").solve(m)
    said = SolverResults()
    said.solver.termination_condition = termination
    res = allocator.solve(inst, pyomo_model=m, pyomo_results=said, solver="some_solver")
    assert res.status == status
    assert res.solver == "some_solver"
    if status.has_allocation:
        assert res.verified
        assert res.objective == pytest.approx(310.0)


def test_a_run_cut_short_is_not_called_infeasible() -> None:
    """CBC says "infeasible" when its time limit cuts the run short; that is a time limit."""
    inst = allocator.load_instance(ROOT / "instances" / "korea-2026-2030.yaml")
    res = allocator.solve(inst, solver="cbc", time_limit=1e-3)
    assert res.status in (
        allocator.Status.time_limit,
        allocator.Status.time_limit_incumbent,
        allocator.Status.optimal,
    )
    if res.status.has_allocation:
        assert res.verified


def test_what_needs_highs_says_so() -> None:
    res = allocator.solve(_toy(), solver="glpk")
    assert res.status == allocator.Status.optimal
    for ask in (res.shadow_prices, res.impact_ranges, res.price_of_policies, res.explain):
        with pytest.raises(allocator.AllocatorError, match=r"solved with glpk\. Solve again with"):
            ask()
    audit = res.audit()  # slacks from the answer; no prices without HiGHS
    assert (audit.set_index("rule").state["budget[2026]"]) == "binding"
    assert audit.shadow_price.isna().all()
    with pytest.raises(allocator.InputError, match="only HiGHS does"):
        next(allocator.solve_many([_toy()], solver="cbc"))


def test_an_infeasible_answer_from_another_solver_points_to_highs() -> None:
    inst = _toy()
    m = allocator.to_pyomo(inst)
    m.impossible = pyo.Constraint(expr=m.gov["gpu", 2026] >= 50)  # its max is 40
    res = allocator.solve(inst, pyomo_model=m, solver="cbc")
    assert res.status == allocator.Status.infeasible
    with pytest.raises(allocator.AllocatorError, match="irreducible infeasible subset"):
        res.diagnosis()


def test_a_solver_that_cannot_run_is_refused_with_the_choices() -> None:
    with pytest.raises(allocator.InputError) as found:
        allocator.solve(_toy(), solver="no_such_solver")
    message = str(found.value)
    assert "Pyomo knows no solver named 'no_such_solver'" in message
    assert "solvers that run here: highs (the default), cbc, glpk" in message


def test_cli_solve_with_another_solver(capsys: pytest.CaptureFixture[str]) -> None:
    toy = str(ROOT / "instances" / "toy.yaml")
    assert main(["solve", toy, "--solver", "glpk"]) == 0
    out = capsys.readouterr().out
    assert "optimal: the best split under every rule (solved with glpk)" in out
    assert "310 impact point" in out
    assert main(["solve", toy, "--solver", "cbc", "--format", "json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["solver"] == "cbc"
    assert summary["verified"] is True
    assert main(["solve", toy, "--solver", "nope"]) == 2
    assert "Pyomo knows no solver named 'nope'" in capsys.readouterr().err


def test_reports_of_another_solver_say_what_needs_highs(tmp_path: Path) -> None:
    """The HTML report and the workbook of a GLPK answer leave out HiGHS's prices and diagnosis
    and say so, instead of failing."""
    import allocator.report.html
    from allocator.report import workbook

    res = allocator.solve(_toy(), solver="glpk")
    page = allocator.report.html.render(res)
    assert "Shadow prices are HiGHS&#x27;s duals" in page
    assert "budget[2026]" in page  # the audit is there
    inst = _toy()
    m = allocator.to_pyomo(inst)
    m.impossible = pyo.Constraint(expr=m.gov["gpu", 2026] >= 50)  # its max is 40
    stuck = allocator.solve(inst, pyomo_model=m, solver="cbc")
    assert "solve again without --solver" in allocator.report.html.render(stuck)
    out = workbook.write_result(stuck, tmp_path / "plan.xlsx")
    assert out.exists()
