"""Every solver outcome provoked for real, numerical safety, determinism and crash-safe output.
What each guarantee means is in docs/reliability.md."""

from __future__ import annotations

import filecmp
import json
import math
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pyomo.environ as pyo
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

import allocator
from allocator import Status
from allocator.check import Violation
from allocator.errors import HighsWarning, NumericalError, NumericalWarning, SolverError
from allocator.formulation import build
from allocator.solver.highs import run_highs
from tests.generate import random_case
from tests.helpers import run, tiny
from tests.test_solve import hard_mip

ROOT = Path(__file__).resolve().parent.parent
TWO_LINES = tiny(
    lines=[
        {"id": "x", "name": "X", "pillar": "a", "impact": 1},
        {"id": "y", "name": "Y", "pillar": "b", "impact": 1, "max": 5},
    ]
)


def _built() -> Any:
    return build(
        allocator.Instance.model_validate(TWO_LINES),
        allocator.ModelSpec.model_validate({"name": "m"}),
    )


# -- every outcome ----------------------------------------------------------------------------


def test_unbounded_is_reported_from_highs_itself() -> None:
    # allocator's own rules always bound the objective, so the budget is taken out at the
    # solve layer to make HiGHS meet a real unbounded ray.
    built = _built()
    built.deactivate("budget")
    sol = run_highs(built)
    assert sol.status == Status.unbounded
    assert sol.highs_status == "Unbounded"
    assert sol.x.size == 0
    assert sol.objective is None


def test_infeasible_or_unbounded_is_resolved() -> None:
    # Presolve meets an unbounded x and an infeasible y at once and answers "unbounded or
    # infeasible"; the re-solve without presolve tells which.
    built = _built()
    built.deactivate("budget")
    built.model.clash = pyo.Constraint(expr=built.variable(built.gov["y", 2026]) >= 10)
    sol = run_highs(built)
    assert sol.status == Status.infeasible


def test_iteration_limit_without_an_answer() -> None:
    res = allocator.solve(
        allocator.load_instance(ROOT / "instances" / "toy.yaml"),
        highs_options={"presolve": "off", "simplex_iteration_limit": 1},
    )
    assert res.status == Status.limit
    assert res.highs_status == "Iteration limit reached"
    with pytest.raises(allocator.NoAllocationError):
        _ = res.allocation


def test_bad_option_and_bad_model_are_solver_errors() -> None:
    inst = allocator.Instance.model_validate(TWO_LINES)
    with pytest.raises(SolverError, match="time_limit"):
        allocator.solve(inst, allocator.ModelSpec(name="m"), highs_options={"time_limit": "soon"})
    built = _built()
    built.model.nan = pyo.Constraint(expr=float("nan") * built.variable(built.gov["y", 2026]) <= 3)
    with pytest.raises(NumericalError, match="nan"):
        run_highs(built)


def test_incumbent_is_labelled_with_its_gap_in_objective_units() -> None:
    inst, spec = hard_mip()
    res = allocator.solve(inst, spec, highs_options={"mip_max_improving_sols": 1})
    assert res.status == Status.limit_incumbent
    summary = res.summary()
    assert summary["gap_abs"] == pytest.approx(res.gap_abs)
    assert summary["gap"] > 0


def test_default_mip_gap_is_below_1_bn_krw_on_korea() -> None:
    res = allocator.solve(allocator.load_instance(ROOT / "instances" / "korea-2026.yaml"))
    assert res.solution is not None
    assert res.solution.is_mip
    assert res.gap_abs is not None
    assert res.gap_abs < 1.0


def _write_hard_instance(folder: Path) -> Path:
    inst, spec = hard_mip()
    (folder / "m.yaml").write_text(yaml.safe_dump(spec.model_dump(exclude_defaults=True)))
    data = inst.model_dump(exclude_defaults=True)
    data.update(name=inst.name, years=inst.years, model="m.yaml")
    (folder / "hard.yaml").write_text(yaml.safe_dump(data))
    return folder / "hard.yaml"


def _allocator_thread(pid: int, task: str) -> bool:
    """Whether a thread is jemalloc's background thread (pyarrow's memory pool)."""
    try:
        return Path(f"/proc/{pid}/task/{task}/comm").read_text().strip() == "jemalloc_bg_thd"
    except OSError:
        return False


def _wait_for_the_solver_thread(pid: int, limit: float = 120.0) -> None:
    """Wait until the process runs a second thread: HiGHS solves in one (with one BLAS thread,
    nothing else starts a thread before, apart from the memory allocator's background thread
    that pyarrow starts when pandas imports it), so imports and the build are over, however
    loaded the machine is."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if len([t for t in os.listdir(f"/proc/{pid}/task") if not _allocator_thread(pid, t)]) >= 2:
            return
        time.sleep(0.05)
    pytest.fail("the solve never started")


def test_ctrl_c_interrupts_the_solve_and_keeps_the_old_output(tmp_path: Path) -> None:
    path = _write_hard_instance(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    (out / "summary.json").write_text("previous run\n")
    (out / "manifest.json").write_text('{"inputs": {}, "outputs": {"summary.json": ""}}\n')
    proc = subprocess.Popen(
        [sys.executable, "-m", "allocator.cli", "solve", str(path), "--out", str(out), "--force"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"},
    )
    _wait_for_the_solver_thread(proc.pid)
    time.sleep(1.0)
    proc.send_signal(signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 1, stderr
    assert "the solve was interrupted" in stdout
    assert "Traceback" not in stderr
    assert (out / "summary.json").read_text() == "previous run\n"


# -- numerical safety -------------------------------------------------------------------------


def test_coefficients_highs_would_drop_are_refused() -> None:
    """A figure that small is refused when the file is read (naming the field); one that only
    arises in a row (a line half in pillar a under a floor of just under half: 0.5 - 0.499...
    = 1e-12) is refused before HiGHS sees it, naming the row and the variable."""
    data = tiny(
        kpis=[{"id": "k", "name": "K"}],
        lines=[
            {"id": "x", "name": "X", "pillar": "a", "impact": 1, "yields": {"k": 1e-12}},
        ],
    )
    with pytest.raises(ValueError, match=r"lines\.0\.yields\.k[\s\S]*HiGHS drops such"):
        allocator.Instance.model_validate(data)
    half = tiny(lines=[{"id": "x", "name": "X", "pillar": {"a": 0.5, "b": 0.5}, "impact": 1}])
    floor = [{"rule": "pillar_share", "pillar": "a", "min": 0.499999999999}]
    with pytest.raises(NumericalError, match=r"pillar_share_min\[a,2026\].*gov\[x,2026\].*1e-09"):
        run(half, floor)


def test_huge_figures_warn_with_the_rule() -> None:
    data = tiny(
        currency_unit="krw",
        budget=1e13,
        lines=[
            {"id": "x", "name": "X", "pillar": "a", "impact": 1},
        ],
    )
    with pytest.warns(NumericalWarning, match=r"budget\[2026\]"):
        run(data)


def test_highs_warnings_surface_as_python_warnings() -> None:
    data = tiny(lines=[{"id": "x", "name": "X", "pillar": "a", "impact": 1e12, "max": 10}])
    with pytest.warns(NumericalWarning), pytest.warns(HighsWarning, match="large costs"):
        run(data)


def test_a_verification_failure_is_retried_without_presolve(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import allocator.results.result as results

    calls: list[int] = []
    real = results.verify

    def flaky(*args: Any) -> list[Violation]:
        calls.append(1)
        residual = Violation("budget", "budget[2026]", "budget 2026 exceeded", 1.0, "money")
        return [residual] if len(calls) == 1 else real(*args)

    monkeypatch.setattr(results, "verify", flaky)
    res = run(TWO_LINES)
    assert res.retried_without_presolve
    assert res.solution is not None
    assert res.solution.options.presolve is False
    assert len(calls) == 2


# -- differential: presolve on/off, simplex/IPM -----------------------------------------------


@settings(max_examples=20, deadline=None, derandomize=True)
@given(st.integers(0, 10**6), st.booleans())
def test_same_optimum_with_presolve_off_and_with_ipm(seed: int, mip: bool) -> None:
    inst_dict, model_dict = random_case(seed, mip=mip)
    inst = allocator.Instance.model_validate(inst_dict)
    spec = allocator.ModelSpec.model_validate(model_dict)
    base = allocator.solve(inst, spec, mip_gap=1e-9)
    for options in ({"presolve": "off"}, {"solver": "ipm"}):
        other = allocator.solve(inst, spec, mip_gap=1e-9, highs_options=options)
        assert other.status == base.status
        assert other.verified
        assert math.isclose(other.objective or 0, base.objective or 0, rel_tol=1e-6, abs_tol=1e-6)


@pytest.mark.parametrize(
    "options",
    [{}, {"presolve": "off"}, {"solver": "ipm"}, {"solver": "simplex", "simplex_strategy": 4}],
)
def test_canary_toy_optimum_under_every_path(options: dict[str, Any]) -> None:
    """Canary: the hand-solved toy optimum (310) on every HiGHS path; a regression in presolve,
    simplex or IPM that returns a suboptimal 'optimal' point shows up here."""
    res = allocator.solve(
        allocator.load_instance(ROOT / "instances" / "toy.yaml"), highs_options=options
    )
    assert res.status == Status.optimal
    assert res.objective == pytest.approx(310, rel=1e-9)


def test_canary_mip_with_tolerance_leak() -> None:
    """Canary: a go/no-go line with a large cap must not leak money at a near-zero decision
    (integrality tolerance × cap); the fixed re-solve returns exactly 0."""
    data = tiny(
        budget=1e6,
        lines=[
            {"id": "x", "name": "X", "pillar": "a", "impact": 1, "max": 10},
            {
                "id": "z",
                "name": "Z",
                "pillar": "b",
                "impact": 5,
                "select": True,
                "min": 2e5,
                "max": 9e5,
                "requires": ["w"],
            },
            {"id": "w", "name": "W", "pillar": "b", "impact": -100, "select": True, "min": 1e5},
        ],
    )
    res = run(data)
    assert res.objective == pytest.approx(10)
    assert res.allocation.set_index("line").loc["z"].amount.sum() == 0.0


# -- determinism and output -------------------------------------------------------------------


def test_two_runs_write_identical_files(tmp_path: Path) -> None:
    outs = []
    for i in range(2):
        out = tmp_path / f"run{i}"
        subprocess.run(
            [
                sys.executable,
                "-m",
                "allocator.cli",
                "solve",
                str(ROOT / "instances" / "korea-2026-2030.yaml"),
                "--out",
                str(out),
            ],
            check=True,
            capture_output=True,
        )
        outs.append(out)
    same = ["allocation.csv", "pillars.csv", "kpis.csv", "summary.json"]
    _, mismatch, errors = filecmp.cmpfiles(outs[0], outs[1], same, shallow=False)
    assert (mismatch, errors) == ([], [])
    manifests = [json.loads((o / "manifest.json").read_text()) for o in outs]
    for m in manifests:
        m.pop("written_at"), m.pop("solve_seconds")
    assert manifests[0] == manifests[1]


def test_output_needs_force_over_a_non_empty_folder(tmp_path: Path) -> None:
    res = run(TWO_LINES)
    res.to_dir(tmp_path / "out")
    with pytest.raises(allocator.OutputExistsError, match="--force"):
        res.to_dir(tmp_path / "out")
    res.to_dir(tmp_path / "out", force=True)
    assert sorted(os.listdir(tmp_path)) == ["out"]
