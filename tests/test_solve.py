"""Solver outcomes: each HiGHS ending maps to one Status, and only answers carry an allocation."""

from __future__ import annotations

import threading
import time
from dataclasses import replace
from typing import Any

import numpy as np
import pytest

import allocator
from allocator import NoAllocationError, Status
from tests.helpers import ROOT, run, tiny


def hard_mip() -> tuple[allocator.Instance, allocator.ModelSpec]:
    """A 360-integer-variable allocation with cardinality and ramps that HiGHS needs about a
    minute to prove optimal, but where it finds good incumbents within a second."""
    rng = np.random.default_rng(1)
    lines: list[dict[str, Any]] = [
        {
            "id": f"l{i}",
            "name": f"Line {i}",
            "pillar": "a",
            "integer": True,
            "max": 200.0,
            "impact": float(rng.integers(50, 100)),
            "unit_cost": float(rng.integers(30, 70)),
        }
        for i in range(120)
    ]
    for i in range(0, 120, 2):
        lines[i].update(select=True, min=float(rng.integers(20, 60)), groups=[f"g{i % 7}"])
    inst = allocator.Instance.model_validate(
        {
            "name": "hard",
            "years": [2026, 2027, 2028],
            "pillars": [{"id": "a", "name": "A"}],
            "budget": {2026: 2000.5, 2027: 2100.3, 2028: 1900.7},
            "lines": lines,
        }
    )
    rules: list[dict[str, Any]] = [
        {"rule": "cardinality", "group": f"g{k}", "max": 3} for k in range(7)
    ]
    spec = allocator.ModelSpec.model_validate(
        {"name": "m", "rules": [*rules, {"rule": "ramp", "max_change": 0.2}]}
    )
    return inst, spec


def test_optimal_lp_has_zero_gap_and_duals() -> None:
    res = run(tiny())
    assert res.status == Status.optimal
    assert res.gap == 0
    assert res.explain().set_index("rule").loc["budget[2026]", "shadow_price"] == pytest.approx(1.0)


def test_infeasible_has_no_allocation() -> None:
    res = run(tiny(budget=10, lines=[{"id": "x", "name": "X", "pillar": "a", "min": 20}]))
    assert res.status == Status.infeasible
    assert res.objective is None
    assert not res.status.has_allocation
    with pytest.raises(NoAllocationError, match="infeasible"):
        _ = res.allocation
    with pytest.raises(NoAllocationError):
        _ = res.pillars


def test_time_limit_before_any_incumbent() -> None:
    inst, spec = hard_mip()
    res = allocator.solve(inst, spec, time_limit=1e-6)
    assert res.status == Status.time_limit
    with pytest.raises(NoAllocationError, match="time limit"):
        _ = res.allocation


def test_time_limit_returns_a_marked_incumbent_with_its_gap() -> None:
    inst, spec = hard_mip()
    res = allocator.solve(inst, spec, time_limit=3.0)
    assert res.status == Status.time_limit_incumbent
    assert res.is_incumbent
    assert res.gap is not None
    assert 0 < res.gap < 0.1
    assert res.gap_abs == pytest.approx(res.gap * abs(res.objective or 0), rel=1e-6)
    assert res.verified, res.violations
    assert res.allocation.amount.sum() > 0


def test_solution_limit_incumbent() -> None:
    inst, spec = hard_mip()
    res = allocator.solve(inst, spec, highs_options={"mip_max_improving_sols": 1})
    assert res.status == Status.limit_incumbent
    assert res.verified


def test_bad_highs_option_is_an_error() -> None:
    inst = allocator.Instance.model_validate(tiny())
    spec = allocator.ModelSpec.model_validate({"name": "m"})
    with pytest.raises(allocator.SolverError, match="no_such_option"):
        allocator.solve(inst, spec, highs_options={"no_such_option": 1})


def test_mip_answer_is_clean_of_integrality_tolerance() -> None:
    z = {"id": "z", "name": "Z", "pillar": "b", "impact": 2, "min": 50, "max": 60, "select": True}
    res = run(tiny(lines=[*tiny()["lines"], z]))
    assert res.allocation.set_index(["line", "source"]).loc[("z", "government"), "amount"] == 0.0
    assert res.objective == 260.0


def test_a_custom_rule_written_in_pyomo_is_solved_with_the_rest() -> None:
    """Custom rules stay possible: a Pyomo constraint on `Formulation.model` joins the rule rows."""
    import pyomo.environ as pyo

    from allocator.formulation import build
    from allocator.solver.highs import run_highs

    built = build(allocator.Instance.model_validate(tiny()), allocator.ModelSpec(name="m"))
    built.model.cap_x = pyo.Constraint(expr=built.variable(built.gov["x", 2026]) <= 50)
    sol = run_highs(built)
    assert sol.status == Status.optimal
    assert sol.objective == pytest.approx(3 * 50 + 50)
    assert sol.activity["cap_x"] == pytest.approx(50)


def test_triplets_become_a_column_wise_matrix_with_repeats_summed() -> None:
    """Column 0 gets row 1 twice (2 + 5) and row 0 once (7); column 1 row 0 (3); column 2 none:
    rows ascending within a column, as HiGHS is handed them."""
    from allocator.solver.compile import colwise

    rows, cols = np.array([1, 0, 1, 0]), np.array([0, 1, 0, 0])
    start, index, value = colwise(rows, cols, np.array([2.0, 3.0, 5.0, 7.0]), 2, 3)
    assert start.tolist() == [0, 2, 3, 3]
    assert index.tolist() == [0, 1, 0]
    assert value.tolist() == [7.0, 7.0, 3.0]
    empty = colwise(np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0), 0, 2)
    assert [part.tolist() for part in empty] == [[0, 0, 0], [], []]


@pytest.mark.parametrize("name", ["korea-2026.yaml", "korea-2026-2030.yaml"])
def test_the_matrix_is_let_go_after_the_hand_off_and_read_back_the_same(name: str) -> None:
    """After a solve HiGHS holds the model and the solution keeps no copy of the matrix; asked
    for, it is read back from the session exactly as compiled (a MIP's columns with their own
    bounds and kinds, though the session fixed its integers for the duals)."""
    from allocator.formulation import build
    from allocator.schema import resolve_model
    from allocator.solver.highs import compile_matrix, run_highs

    inst = allocator.load_instance(ROOT / "instances" / name)
    built = build(inst, resolve_model(inst, None))
    sol = run_highs(built)
    assert sol.status == Status.optimal
    assert sol.matrix is not None
    assert sol.matrix.released
    assert sol.matrix.arrays.a_value is None
    again, fresh = sol.matrix.lp, compile_matrix(built).arrays
    start, index, value = fresh.columns()
    assert np.array_equal(again.a_matrix_.start_, start)
    assert np.array_equal(again.a_matrix_.index_, index)
    assert np.array_equal(again.a_matrix_.value_, value)
    for part in ("col_cost_", "col_lower_", "col_upper_", "row_lower_", "row_upper_"):
        assert np.array_equal(getattr(again, part), getattr(fresh, part)), part
    kinds = [int(k) for k in again.integrality_]
    assert kinds == (fresh.integrality.tolist() if fresh.integrality is not None else [])


def test_the_released_matrix_is_freed() -> None:
    """Nothing keeps the column-wise arrays alive after the hand-off (at 10,000 lines they are
    12 MiB, held while HiGHS runs), not even what reads the model back from the session."""
    import weakref

    from allocator.formulation import build
    from allocator.schema import resolve_model
    from allocator.solver.highs import compile_matrix, new_highs
    from allocator.solver.options import SolveOptions

    inst = allocator.load_instance(ROOT / "instances" / "korea-2026.yaml")
    matrix = compile_matrix(build(inst, resolve_model(inst, None)))
    h = new_highs(matrix, SolveOptions())
    parts = [weakref.ref(a) for a in (matrix.arrays.a_start, matrix.arrays.a_index)]
    parts.append(weakref.ref(matrix.arrays.a_value))
    matrix.release(h)
    assert [part() is None for part in parts] == [True, True, True]
    assert matrix.lp.a_matrix_.num_col_ == matrix.arrays.num_col_


def test_a_dropped_result_is_freed_at_once_without_the_cycle_collector() -> None:
    """Nothing a solve builds refers back to itself: dropping the Result frees the formulation
    by reference counting (at 10,000 lines the cycle collector took 0.1-0.2 s at exit)."""
    import gc
    import weakref

    inst = allocator.load_instance(ROOT / "instances" / "korea-2026-2030.yaml")
    gc.disable()
    try:
        res = allocator.solve(inst)
        assert res.verified
        assert res.built is not None
        assert res.built.rows
        built = weakref.ref(res.built)
        del res
        assert built() is None
    finally:
        gc.enable()


def test_a_copy_of_a_formulation_keeps_the_rows_texts_alive() -> None:
    """The rows' texts refer to the formulation built weakly; a copy (a view with bounds or an
    objective of its own, as Monte Carlo and frontiers make) keeps that one alive for them."""
    import copy
    import gc

    from allocator.formulation import build

    inst = allocator.load_instance(ROOT / "instances" / "korea-2026.yaml")
    built = build(inst, allocator.schema.resolve_model(inst, None))
    view = copy.copy(built)
    del built
    gc.collect()
    assert "budget[2026]" in view.rows["budget[2026]"].name
    assert "2026" in view.rows["budget[2026]"].text


def test_work_meanwhile_runs_once_beside_highs_and_its_failure_stops_the_solve() -> None:
    """`run_highs(..., meanwhile=f)` calls f once in this thread while HiGHS solves in its own
    (a solve loads the result's modules so); f failing stops HiGHS and raises f's error, and
    the next solve is as before."""
    from allocator.formulation import build
    from allocator.solver.highs import run_highs

    hard = hard_mip()
    built = build(*hard)
    seen: list[int] = []

    def meanwhile() -> None:
        seen.append(threading.active_count())

    options = allocator.solver.options.SolveOptions(time_limit=1.0)
    sol = run_highs(built, options, meanwhile=meanwhile)
    assert len(seen) == 1
    assert seen[0] >= 2  # HiGHS's thread was running beside it (stopped after a second)
    assert sol.status == Status.time_limit_incumbent

    def failing() -> None:
        raise ValueError("meanwhile failed")

    started = time.perf_counter()
    with pytest.raises(ValueError, match="meanwhile failed"):
        run_highs(built, replace(options, time_limit=60.0), meanwhile=failing)
    assert time.perf_counter() - started < 20  # stopped, not left to its minute
    small = run_highs(build(*tiny_lp()), meanwhile=lambda: time.sleep(0.3))
    assert small.status == Status.optimal
    assert small.runtime < 0.3  # HiGHS's own time, not the work beside it


def tiny_lp() -> tuple[allocator.Instance, allocator.ModelSpec]:
    res = run(tiny())
    return res.instance, res.model


def test_solves_asking_for_different_thread_counts_follow_one_another() -> None:
    """HiGHS runs in a kept thread whose task scheduler is set up by its first run: a solve
    asking for another number of threads gets a new one (no error, same answer)."""
    inst, spec = tiny_lp()
    answers = [allocator.solve(inst, spec, threads=n) for n in (2, 1, None, 1)]
    assert {res.status for res in answers} == {Status.optimal}
    assert len({round(res.objective or 0.0, 9) for res in answers}) == 1


def test_a_mip_asking_for_other_threads_is_re_solved_and_explained_in_this_thread_too() -> None:
    """HiGHS keeps a task scheduler per thread: the re-solve of a MIP with its decisions fixed
    (which gives its duals) and the probes that explain an infeasible model run in the calling
    thread, and get a new scheduler too when a solve asks for another number of threads — they
    had failed with "threads is set to 1 but the scheduler has already been initialized"."""
    import warnings

    from allocator.explain import colliding
    from allocator.formulation import build

    inst = allocator.load_instance(ROOT / "instances" / "korea-2026-2030.yaml")
    with warnings.catch_warnings():
        warnings.simplefilter("error", allocator.errors.HighsWarning)
        answers = [allocator.solve(inst, threads=n) for n in (None, 1, 2, 1)]
    assert all(res.status == Status.optimal and res.verified for res in answers)
    assert all(res.solution is not None and res.solution.row_dual is not None for res in answers)
    assert len({round(res.objective or 0.0, 6) for res in answers}) == 1
    data = inst.model_dump()
    data["budget"] = {year: amount / 10 for year, amount in data["budget"].items()}
    poor = allocator.Instance.model_validate(data)
    built = build(poor, allocator.schema.resolve_model(inst, None))
    found = [colliding(built, allocator.solver.options.SolveOptions(threads=n)) for n in (1, 2)]
    assert found[0] == found[1]
    assert 0 < len(found[0]) < 20
