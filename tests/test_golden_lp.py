"""One golden LP file per rule (each core rule and each model rule kind) on a tiny instance,
written by HiGHS and compared as text (Calliope's habit): any change to a rule's rows shows in
review. The instances are the tamper cases of `test_tamper.py`. After an intended change:

    ALLOCATOR_REGENERATE=1 .venv/bin/python -m pytest tests/test_golden_lp.py
"""

from __future__ import annotations

import os
from pathlib import Path

import highspy
import pytest

import allocator
from allocator.formulation import build
from allocator.solver.compile import compile_matrix
from tests.test_tamper import CASES

GOLDEN = Path(__file__).resolve().parent / "golden" / "lp"


def _lp_name(name: str) -> str:
    """A row or column name as the LP format allows it: `line_max(INF_01,2026)`."""
    return name.replace("[", "(").replace("]", ")").replace("-", "_")


def _lp_text(name: str, tmp: Path) -> str:
    instance, rules, fields = CASES[name][:3]
    inst = allocator.Instance.model_validate(instance)
    spec = allocator.ModelSpec.model_validate({"name": name, "rules": rules, **fields})
    matrix = compile_matrix(build(inst, spec))
    lp = matrix.lp
    lp.row_names_ = [_lp_name(r) for r in matrix.rows]
    lp.col_names_ = [_lp_name(matrix.column_name(j)) for j in range(lp.num_col_)]
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.passModel(lp)
    path = tmp / f"{name}.lp"
    h.writeModel(str(path))
    return path.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(CASES))
def test_rule_rows_match_their_golden_lp(name: str, tmp_path: Path) -> None:
    text = _lp_text(name, tmp_path)
    golden = GOLDEN / f"{name}.lp"
    if os.environ.get("ALLOCATOR_REGENERATE"):
        golden.write_text(text, encoding="utf-8")
    assert golden.exists(), f"no golden LP for {name}: regenerate (see this module's docstring)"
    assert text == golden.read_text(encoding="utf-8"), (
        f"{name}: the rows changed; review, then regenerate"
    )


def test_the_golden_lp_of_a_rule_names_its_rows() -> None:
    """The pillar-share golden holds the rule's row by its policy name."""
    text = (GOLDEN / "pillar_share.lp").read_text(encoding="utf-8")
    assert "pillar_share_max(a,2026):" in text
