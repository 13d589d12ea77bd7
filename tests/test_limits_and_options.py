"""Bounded resources and validated options: each limit refuses with a located message (exit 2,
never "internal error"); solver options are checked before HiGHS sees them, every option HiGHS
refuses is an error, and an answer with a loose MIP gap is never called plainly optimal."""

from __future__ import annotations

from pathlib import Path

import pytest

import allocator
from allocator import InputError, SolverError, Status
from allocator.analysis.sweep import parse_vary
from allocator.cli import main
from allocator.solver import highs
from tests.helpers import ROOT
from tests.test_solve import hard_mip

TOY = ROOT / "instances" / "toy.yaml"


# -- the internal errors of issue 17 end as located exit-2 messages -------------------------------


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["sweep", str(TOY), "--vary", "budget=1:2:0"], "--vary: budget = '0': the count"),
        (["sweep", str(TOY), "--vary", "budget=1:2:99999999999"], "a whole number from 1 to"),
        (["sweep", str(TOY), "--vary", "budget=1:nan:3"], "write PATH=START:STOP:COUNT"),
        (["sweep", str(TOY), "--vary", "=1,2"], "write PATH=START:STOP:COUNT"),
        (
            ["sweep", str(TOY), "--vary", "budget=1:2:1000", "--vary", "lines.d.max=1:2:1000"],
            "a sweep has 1 to 100,000 points",
        ),
        (["near-optimal", str(TOY), "--slack", "-1"], "--slack = -1.0: a share of the optimum"),
        (["near-optimal", str(TOY), "--slack", "nan"], "--slack = nan"),
        (["near-optimal", str(TOY), "--alternatives", "-3"], "--alternatives = -3: from 0 to"),
        (["frontier", str(TOY), "--kpi", "gpus", "--points", "1"], "ask for at least 2 points"),
        (["solve", str(TOY), "--mip-gap", "-1"], "mip_gap (--mip-gap) = -1.0: a relative gap"),
        (["solve", str(TOY), "--mip-gap", "1"], "mip_gap (--mip-gap) = 1.0"),
        (["solve", str(TOY), "--mip-gap", "nan"], "mip_gap (--mip-gap) = nan"),
        (["solve", str(TOY), "--time-limit", "-1"], "time_limit (--time-limit) = -1.0: seconds"),
        (["solve", str(TOY), "--time-limit", "nan"], "time_limit (--time-limit) = nan"),
        (["sweep", str(TOY), "--vary", "budget=90,100", "--workers", "100000"], "--workers"),
    ],
)
def test_bad_options_are_located_refusals(
    args: list[str], says: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(args) == 2
    err = capsys.readouterr().err
    assert says in err
    assert "internal error" not in err
    assert "Traceback" not in err


def test_monte_carlo_seed_and_samples_are_bounded(tmp_path: Path) -> None:
    inst = allocator.Instance.model_validate(
        {
            **allocator.load_instance(TOY).model_dump(exclude_defaults=True),
            "uncertainty": {
                "parameters": [
                    {"path": "budget", "dist": "uniform", "low": 0.9, "high": 1.1, "relative": True}
                ]
            },
        }
    )
    with pytest.raises(InputError, match=r"--seed = -1: a seed is a whole number from 0"):
        allocator.analysis.monte_carlo(inst, seed=-1)
    with pytest.raises(InputError, match="draw from 1 to 1,000,000 samples"):
        allocator.analysis.monte_carlo(inst, samples=0)


def test_the_grid_size_is_checked_before_any_value_is_made() -> None:
    with pytest.raises(InputError, match="1 to 100,000"):
        parse_vary("budget=1:2:745000000000")


# -- solver options ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "where"),
    [
        ({"mip_gap": -1}, "mip_gap (--mip-gap)"),
        ({"mip_gap": float("nan")}, "mip_gap (--mip-gap)"),
        ({"mip_gap": 1.0}, "mip_gap (--mip-gap)"),
        ({"time_limit": -1}, "time_limit (--time-limit)"),
        ({"time_limit": 0}, "time_limit (--time-limit)"),
        ({"time_limit": float("nan")}, "time_limit (--time-limit)"),
        ({"threads": -5}, "threads"),
        ({"threads": 0}, "threads"),
        ({"seed": -1}, "seed"),
        ({"highs_options": {"mip_rel_gap": float("nan")}}, "highs_options.mip_rel_gap"),
    ],
)
def test_solver_options_are_checked_before_highs(options: dict[str, object], where: str) -> None:
    """HiGHS refuses such options and then solves with its defaults (a 1e-4 gap, not 1e-7):
    they must never get that far."""
    inst = allocator.load_instance(TOY)
    with pytest.raises(InputError) as caught:
        allocator.solve(inst, **options)  # type: ignore[arg-type]
    (issue,) = caught.value.issues
    assert issue.file == "solver options"
    assert issue.path == where


def test_every_option_highs_refuses_is_an_error() -> None:
    inst = allocator.load_instance(TOY)
    with pytest.raises(SolverError, match=r"HiGHS refused option mip_rel_gap=-1\.0"):
        allocator.solve(inst, highs_options={"mip_rel_gap": -1.0})
    with pytest.raises(SolverError, match="HiGHS refused option presolve='maybe'"):
        allocator.solve(inst, highs_options={"presolve": "maybe"})
    with pytest.raises(SolverError, match="HiGHS refused option no_such_option"):
        allocator.solve(inst, highs_options={"no_such_option": 1})


def test_the_options_set_are_the_options_given(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each option reaches HiGHS through one checked call; a refusal of any of them (here the
    first) stops the solve."""
    seen: list[tuple[str, object]] = []
    real = highs.set_option

    def record(h: object, name: str, value: object) -> None:
        seen.append((name, value))
        real(h, name, value)  # type: ignore[arg-type]

    monkeypatch.setattr(highs, "set_option", record)
    allocator.solve(allocator.load_instance(TOY), time_limit=30, mip_gap=1e-6, threads=1)
    assert ("time_limit", 30.0) in seen
    assert ("mip_rel_gap", 1e-6) in seen
    assert ("threads", 1) in seen
    assert ("random_seed", 0) in seen


def test_a_loose_gap_is_never_called_optimal(capsys: pytest.CaptureFixture[str]) -> None:
    """With a 5 % gap allowed, HiGHS stops 3.48 % from its bound on this MIP: the answer is
    said to be within that of the best, the exit code is 1, the Status stays `optimal`."""
    inst, spec = hard_mip()
    res = allocator.solve(inst, spec, mip_gap=0.05)
    assert res.status == Status.optimal
    assert res.loose_gap is not None
    assert res.loose_gap > 1e-6
    assert res.status_text.startswith(f"within {res.loose_gap * 100:.3g} % of the best")
    assert "optimal" not in res.status_text
    assert res.summary()["status_text"] == res.status_text
    text = allocator.report.text.table(res)
    assert "within 3.48 % of the best" in text.splitlines()[0]
    assert "optimal" not in text.splitlines()[0]


def test_a_proven_optimum_is_still_optimal() -> None:
    res = allocator.solve(allocator.load_instance(TOY))
    assert res.loose_gap is None
    assert res.status_text.startswith("optimal")
