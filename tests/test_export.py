"""The model as MPS and LP files (`allocator export --mps/--lp`, `allocator.write_model`): read back
by HiGHS, each solves to the optimum `allocator solve` finds, with the rows and columns named."""

from __future__ import annotations

import json
from pathlib import Path

import highspy
import pyomo.environ as pyo
import pytest

import allocator
from allocator.cli import main
from allocator.solver.files import lp_names
from tests.helpers import ROOT

KOREA = ROOT / "instances" / "korea-2026.yaml"
PLAN = ROOT / "instances" / "korea-2026-2030.yaml"


def read_back(path: Path) -> tuple[float, list[str], list[str], bool]:
    """HiGHS's optimum of the file, its row and column names, and whether it is a MIP."""
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    assert h.readModel(str(path)) == highspy.HighsStatus.kOk
    h.setOptionValue("mip_rel_gap", 1e-9)
    h.run()
    assert h.getModelStatus() == highspy.HighsModelStatus.kOptimal
    lp = h.getLp()
    mip = any(kind == highspy.HighsVarType.kInteger for kind in lp.integrality_)
    return h.getInfo().objective_function_value, list(lp.row_names_), list(lp.col_names_), mip


def solved(instance: Path, capsys: pytest.CaptureFixture[str]) -> float:
    assert main(["solve", str(instance), "--format", "json"]) == 0
    return float(json.loads(capsys.readouterr().out)["objective"])


@pytest.mark.parametrize("instance", [KOREA, PLAN], ids=lambda p: p.stem)
def test_mps_solves_to_the_same_optimum(
    instance: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "k.mps"
    assert main(["export", str(instance), "--mps", str(out)]) == 0
    assert f"{out}: the model of" in capsys.readouterr().out
    objective, rows, columns, mip = read_back(out)
    assert objective == pytest.approx(solved(instance, capsys), rel=1e-9)
    assert {"budget[2026]", "new_initiative_share[2026]"} <= set(rows)
    assert "gov[INF-01,2026]" in columns
    assert mip  # whole units and go/no-go lines stay integer


def test_lp_keeps_names_the_format_allows(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "plan.lp"
    assert main(["export", str(PLAN), "--lp", str(out)]) == 0
    capsys.readouterr()
    objective, rows, columns, mip = read_back(out)
    assert objective == pytest.approx(solved(PLAN, capsys), rel=1e-9)
    assert mip
    assert {"budget(2026)", "pillar_share_max(talent,2027)"} <= set(rows)
    assert "gov(INF_01,2026)" in columns
    text = out.read_text(encoding="utf-8")
    assert "[" not in text


def test_an_existing_file_is_replaced_only_with_force(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "k.mps"
    out.write_text("a colleague's file", encoding="utf-8")
    assert main(["export", str(KOREA), "--mps", str(out)]) == 2
    assert "the file exists; pass force=True (--force)" in capsys.readouterr().err
    assert out.read_text(encoding="utf-8") == "a colleague's file"
    assert main(["export", str(KOREA), "--mps", str(out), "--force"]) == 0
    assert read_back(out)[1]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["k.mps"]


def test_the_suffix_must_name_the_format(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["export", str(KOREA), "--lp", str(tmp_path / "k.mps")]) == 2
    assert "--lp = " in capsys.readouterr().err
    with pytest.raises(allocator.InputError, match=r"name a \.mps or \.lp file"):
        allocator.write_model(allocator.load_instance(KOREA), tmp_path / "k.txt")
    assert not list(tmp_path.iterdir())


def test_constraints_of_ones_own_are_written_too(tmp_path: Path) -> None:
    """A cap of one's own on the toy's GPU line (30 instead of 40): the file's optimum is the
    capped one, 290 (instances/toy.yaml; tests/test_pyomo.py)."""
    inst = allocator.load_instance(ROOT / "instances" / "toy.yaml")
    m = allocator.to_pyomo(inst)
    m.my_gpu_cap = pyo.Constraint(expr=m.gov["gpu", 2026] <= 30)
    out = allocator.write_model(inst, tmp_path / "toy.mps", pyomo_model=m)
    objective, rows, _, _ = read_back(out)
    assert objective == pytest.approx(290.0)
    assert "my_gpu_cap" in rows


def test_lp_names_stay_apart() -> None:
    assert lp_names(["gov[a-b,2026]", "gov[a_b,2026]", "x:y"]) == [
        "gov(a_b,2026)",
        "gov(a_b,2026)#2",
        "x_y",
    ]
