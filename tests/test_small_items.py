"""The smaller items of issue 17, each with its test: safe CSV, terminal-safe names, plain
numbers and one-line warnings in messages, scenarios (one change per figure; `model:` applied),
resumed sweeps that do not trust edited rows, a group and a region of one name, and
`allocator.solve("x.yaml")`."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

import allocator
from allocator import InputError, Issue
from allocator.analysis import compare
from allocator.cli import main
from allocator.errors import NumericalWarning
from allocator.schema.output import safe_cell, safe_frame
from allocator.schema.scenario import Scenario, apply_scenario
from tests.helpers import ROOT, run, tiny

TOY = ROOT / "instances" / "toy.yaml"
FORMULA = "=cmd|' /C calc'!A0"
HYPERLINK = '=HYPERLINK("http://x.example","click")'

# -- CSV cells a spreadsheet would run -----------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        (FORMULA, "'" + FORMULA),
        ("+SUM(A1)", "'+SUM(A1)"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("-5", "-5"),
        ("+1.5e3", "+1.5e3"),
        ("AI talent", "AI talent"),
        (-5.0, -5.0),
        (3, 3),
    ],
)
def test_text_cells_that_start_a_formula_are_neutralised(cell: object, written: object) -> None:
    assert safe_cell(cell) == written


def test_negative_numbers_stay_numbers() -> None:
    frame = pd.DataFrame({"name": ["=x", "ok"], "amount": [-5.0, 2.0], "n": [-1, 2]})
    safe = safe_frame(frame)
    assert list(safe.name) == ["'=x", "ok"]
    assert safe.amount.tolist() == [-5.0, 2.0]
    assert safe.n.tolist() == [-1, 2]
    assert safe_frame(frame.iloc[1:]) is not None
    plain = frame.iloc[1:]
    assert safe_frame(plain) is plain  # nothing to change: the same frame, the same bytes


def _injected() -> allocator.Instance:
    data = tiny(
        pillars=[{"id": "a", "name": HYPERLINK}, {"id": "b", "name": "@B"}],
        kpis=[{"id": "k", "name": "+k", "unit": "-u"}],
    )
    data["lines"][0]["name"] = FORMULA
    data["lines"][0]["yields"] = {"k": 1}
    return allocator.Instance.model_validate(data)


def _cells(path: Path) -> list[str]:
    with path.open(newline="", encoding="utf-8") as handle:
        return [cell for row in csv.reader(handle) for cell in row]


def test_every_csv_allocator_writes_is_safe(tmp_path: Path) -> None:
    res = allocator.solve(_injected(), allocator.ModelSpec(name="m"))
    out = res.to_dir(tmp_path / "out")
    written = {name: _cells(out / name) for name in ("allocation.csv", "pillars.csv", "kpis.csv")}
    assert "'" + FORMULA in written["allocation.csv"]
    assert "'" + HYPERLINK in written["pillars.csv"]
    assert "'@B" in written["pillars.csv"]
    assert {"'+k", "'-u"} <= set(written["kpis.csv"])
    inst_file = tmp_path / "i.yaml"
    allocator.save(res.instance, inst_file)
    (tmp_path / "m.yaml").write_text("name: m\n")
    assert main(["explain", str(inst_file), "--model", str(tmp_path / "m.yaml"),
                 "--audit", str(tmp_path / "audit.csv")]) == 0  # fmt: skip
    audit = _cells(tmp_path / "audit.csv")
    assert any(cell.startswith("'") and FORMULA in cell for cell in audit)
    for cells in [*written.values(), audit]:
        assert not any(cell.startswith(("=", "@", "\t", "\r")) for cell in cells)
        assert not any(cell.startswith(("+", "-")) and not _number(cell) for cell in cells)


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


# -- what reaches the terminal ------------------------------------------------------------------


def test_an_escape_sequence_never_reaches_the_terminal(tmp_path: Path) -> None:
    data = tiny()
    data["lines"][0]["name"] = "\x1b[2J\x1b[31mX"
    (tmp_path / "i.yaml").write_text(yaml.safe_dump(data))
    (tmp_path / "m.yaml").write_text("name: m\n")
    proc = subprocess.run(
        [sys.executable, "-m", "allocator.cli", "validate", str(tmp_path / "i.yaml")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    assert "\x1b" not in proc.stderr + proc.stdout
    assert "\\x1b[2J" in proc.stderr
    assert "control character" in proc.stderr


def test_messages_show_plain_numbers() -> None:
    issue = Issue("f.yaml", "budget", [np.float64(-5.0), {"a": np.int64(3)}], "bad")
    assert str(issue) == "f.yaml: budget = [-5.0, {'a': 3}]: bad"


def test_warnings_are_one_line_without_python_source(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import allocator.cli.solving as solving

    def warn(args: object) -> int:
        message = "budget[2026]: right-hand side 1e+10 exceeds 1e+09"
        warnings.warn(NumericalWarning(message), stacklevel=2)
        return 0

    monkeypatch.setattr(solving, "_solve", warn)
    with warnings.catch_warnings():
        warnings.simplefilter("always")  # as outside the test suite, where warnings are shown
        assert main(["solve", str(TOY)]) == 0
    err = capsys.readouterr().err
    assert err == "allocator: warning: budget[2026]: right-hand side 1e+10 exceeds 1e+09\n"


# -- scenarios ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "changes",
    [
        {"budget.2026": 90, "budget.02026": 80},
        {"budget": 90, "budget.2026": 80},
        {"lines.x.max": 10, "lines.x.max.2026": 20},
    ],
)
def test_two_changes_to_one_figure_are_refused(changes: dict[str, float]) -> None:
    inst = allocator.Instance.model_validate(tiny())
    with pytest.raises(InputError, match="name each figure once") as caught:
        apply_scenario(inst, allocator.ModelSpec(name="m"), Scenario(name="s", changes=changes))
    assert "changes." in str(caught.value)


def test_two_rule_paths_to_one_rule_are_refused() -> None:
    inst = allocator.Instance.model_validate(tiny())
    spec = allocator.ModelSpec.model_validate(
        {"name": "m", "rules": [{"rule": "pillar_share", "pillar": "b", "min": 0.1}]}
    )
    changes = {"rules.pillar_share.min": 0.2, "rules.pillar_share.b.min": 0.3}
    with pytest.raises(InputError, match="changes the same figure as"):
        apply_scenario(inst, spec, Scenario(name="s", changes=changes))


def test_a_scenario_model_change_is_applied(tmp_path: Path) -> None:
    """It was reported and then ignored: the scenario solved under the old model."""
    inst = allocator.Instance.model_validate(tiny())
    (tmp_path / "floor.yaml").write_text(
        "name: floor\nrules:\n  - {rule: pillar_share, pillar: b, min: 0.5}\n"
    )
    scenario = Scenario(name="s", changes={"model": "floor.yaml", "budget": 90})
    (comp,) = compare(inst, [(scenario, str(tmp_path / "s.yaml"))], allocator.ModelSpec(name="m"))
    assert [c.path for c in comp.inputs] == ["model", "budget"]
    assert comp.result.model.name == "floor"
    pillars = comp.result.pillars.set_index("pillar").government
    assert pillars["b"] == pytest.approx(45)  # half of 90, where the base gives b only 20
    assert comp.base.pillars.set_index("pillar").government["b"] == pytest.approx(20)


def test_a_scenario_model_that_is_not_a_model_is_refused(tmp_path: Path) -> None:
    inst = allocator.Instance.model_validate(tiny())
    scenario = Scenario(name="s", changes={"model": "../../etc/passwd"})
    with pytest.raises(InputError, match=r"changes\.model.*a scenario's model is a model file"):
        apply_scenario(inst, allocator.ModelSpec(name="m"), scenario, str(tmp_path / "s.yaml"))


# -- resumed sweeps, group and region, solve by file name ----------------------------------------


def test_resume_solves_edited_journal_rows_again(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.test_execute import StopAfter

    inst = allocator.load_instance(TOY)
    vary = [("budget", [90.0, 95.0, 100.0, 105.0])]
    out = tmp_path / "s.csv"
    with pytest.raises(KeyboardInterrupt):
        allocator.analysis.sweep(inst, None, vary, out, executor=StopAfter(limit=3))
    journal = tmp_path / ".s.csv.partial"
    text = journal.read_text()
    rows = list(csv.reader(io.StringIO(text.split("\n", 1)[1])))
    objective = rows[0].index("objective")
    edited = rows[2][objective]
    rows[2][objective] = "99999999"  # a tampered figure
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    journal.write_text(text.split("\n", 1)[0] + "\n" + buffer.getvalue())
    rest = StopAfter()
    table = allocator.analysis.sweep(inst, None, vary, out, executor=rest, resume=True)
    assert rest.solved == 2  # the edited row and the point never solved
    assert "1 rows of" in capsys.readouterr().err
    assert table.objective.iloc[1] == pytest.approx(float(edited))
    assert 99999999 not in table.objective.tolist()


def test_a_group_and_a_region_of_one_name_both_take_group_total() -> None:
    data = tiny(regions=[{"id": "hub", "name": "Hub region"}])
    data["lines"][0].update(groups=["hub"])
    data["lines"][1].update(region="hub")
    rules = [
        {"rule": "group_total", "group": "hub", "max": 30},
        {"rule": "group_total", "region": "hub", "min": 50},
    ]
    res = run(data, rules)
    names = set(res.audit().rule)
    assert {"group_max[hub,2026]", "group_min[region:hub,2026]"} <= names
    assert res.objective == pytest.approx(30 * 3 + 70 * 1)


def test_solve_takes_a_file_name() -> None:
    by_name = allocator.solve(str(TOY))
    by_path = allocator.solve(TOY)
    assert (
        by_name.objective
        == by_path.objective
        == allocator.solve(allocator.load_instance(TOY)).objective
    )
    with pytest.raises(InputError, match="pass an Instance"):
        allocator.solve({"name": "not loaded"})  # type: ignore[arg-type]
