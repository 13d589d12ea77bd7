"""The catalogue of bad inputs (`tests/catalogue.py`, and the cases of issue 17 in
`tests/catalogue_safety.py`): each must fail with an `InputError` naming the file, the field, the
value and what is allowed; `allocator solve` and `allocator validate` must exit 2 on each with
that message on stderr and no traceback. Mistakes that leave the formulation well defined
(pillar floors over 100 %, line floors over the budget) are not input errors: they solve to
`infeasible` with the colliding rules named."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import allocator
from allocator import InputError, Status
from allocator.cli import main
from allocator.errors import MISSING
from allocator.schema import files
from allocator.schema.files import LOADERS
from tests.catalogue import CATALOGUE, Bad, load_case, the_issue, write_case
from tests.catalogue_safety import SAFETY, SECRET

EVERY = [*CATALOGUE, *SAFETY]


def _folder(tmp_path: Path) -> Path:
    """Where a case's files go: two levels down, so `../` names stay inside `tmp_path`."""
    return tmp_path / "project" / "case"


def test_the_catalogue_is_large_and_distinct() -> None:
    ids = [p.id for p in EVERY]
    assert len(ids) >= 80
    assert len(set(ids)) == len(ids)
    cases = [p.values[0] for p in EVERY]
    assert all(isinstance(c, Bad) for c in cases)
    assert len({(c.instance, c.model, str(c.extra), c.load) for c in cases}) == len(cases)


@pytest.mark.parametrize("loader", sorted(LOADERS))
@pytest.mark.parametrize("case", EVERY)
def test_bad_input_names_file_field_value_and_fix(
    case: Bad, loader: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each case, read by each YAML loader (libyaml's C loader and PyYAML's own)."""
    monkeypatch.setattr(files, "LOADER", loader)
    folder = _folder(tmp_path)
    with pytest.raises(InputError) as caught:
        load_case(case, folder)
    issue = the_issue(case, folder, caught.value)
    if case.value is None:
        assert issue.value is MISSING
    else:
        assert case.value in str(issue.value) or case.value in repr(issue.value), issue
    assert case.fix in issue.problem, issue
    assert str(issue) in str(caught.value)


@pytest.mark.parametrize("command", ["solve", "validate"])
@pytest.mark.parametrize("case", EVERY)
def test_cli_exits_2_with_the_message_and_no_traceback(
    case: Bad, command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _folder(tmp_path)
    path = write_case(folder, case)
    assert main([command, str(path)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("allocator: ")
    assert "Traceback" not in err
    assert "internal error" not in err
    assert SECRET not in err
    assert str(folder / case.file) in err
    assert f"{folder / case.file}: {case.path}" in err or case.path == ""
    assert case.fix in err


@pytest.mark.parametrize(
    "name",
    [
        "money-in-won-where-bn-declared",
        "csv-cell-not-a-number",
        "missing-model-file",
        "yaml-alias-bomb",
        "yaml-nested-5000-deep",
        "400-digit-number",
        "terminal-escape-in-a-name",
    ],
)
def test_cli_in_a_subprocess(name: str, tmp_path: Path) -> None:
    (case,) = [p.values[0] for p in EVERY if p.id == name]
    assert isinstance(case, Bad)
    folder = _folder(tmp_path)
    path = write_case(folder, case)
    proc = subprocess.run(
        [sys.executable, "-m", "allocator.cli", "validate", str(path)],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert "Traceback" not in proc.stderr
    assert "\x1b" not in proc.stderr  # the escape is shown as text, never sent to the terminal
    assert f"{folder / case.file}: {case.path}" in proc.stderr
    assert case.fix in proc.stderr


# -- well-defined mistakes: infeasible, with the colliding rules named -------------------------

ONE_YEAR: dict[str, Any] = {
    "name": "one",
    "years": [2026],
    "pillars": [{"id": "a", "name": "Pillar A"}, {"id": "b", "name": "Pillar B"}],
    "budget": 100,
    "lines": [
        {"id": "x", "name": "Line X", "pillar": "a", "impact": 2},
        {"id": "y", "name": "Line Y", "pillar": "b", "impact": 1},
    ],
}


def _solve(instance: dict[str, Any], spec: dict[str, Any]) -> allocator.Result:
    return allocator.solve(
        allocator.Instance.model_validate(instance),
        allocator.ModelSpec.model_validate({"name": "m", **spec}),
    )


def test_pillar_floors_over_100_percent_are_infeasible_not_invalid() -> None:
    floors = [
        {"rule": "pillar_share", "pillar": "a", "min": 0.6},
        {"rule": "pillar_share", "pillar": "b", "min": 0.6},
    ]
    res = _solve(ONE_YEAR, {"must_spend": True, "rules": floors})
    assert res.status == Status.infeasible
    assert set(res.diagnosis().rules) == {
        "budget[2026]",
        "pillar_share_min[a,2026]",
        "pillar_share_min[b,2026]",
    }


def test_pillar_floors_over_100_percent_without_must_spend_spend_nothing() -> None:
    floors = [
        {"rule": "pillar_share", "pillar": "a", "min": 0.6},
        {"rule": "pillar_share", "pillar": "b", "min": 0.6},
    ]
    res = _solve(ONE_YEAR, {"rules": floors})
    assert res.status == Status.optimal
    assert res.verified
    assert res.pillars.government.sum() == 0


def test_line_floors_above_the_budget_are_infeasible_not_invalid() -> None:
    lines = [{**ONE_YEAR["lines"][0], "min": 70}, {**ONE_YEAR["lines"][1], "min": 40}]
    res = _solve({**ONE_YEAR, "lines": lines}, {})
    assert res.status == Status.infeasible
    assert set(res.diagnosis().rules) == {"budget[2026]", "line_min[x,2026]", "line_min[y,2026]"}


def test_a_zero_floor_on_a_pillar_without_lines_is_allowed() -> None:
    pillars = [*ONE_YEAR["pillars"], {"id": "c", "name": "Pillar C"}]
    res = _solve(
        {**ONE_YEAR, "pillars": pillars},
        {"rules": [{"rule": "pillar_share", "pillar": "c", "min": 0, "max": 0.2}]},
    )
    assert res.status == Status.optimal
    assert res.verified
