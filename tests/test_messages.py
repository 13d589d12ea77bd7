"""Messages that help: a file of one kind passed as another is named for what it is; typos in
scenario paths and ids get suggestions; a model weight on a KPI with no target is a warning."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

import allocator
from allocator.cli import main
from allocator.errors import InputError, InputWarning
from allocator.schema import load
from tests.helpers import ROOT

KOREA = ROOT / "instances" / "korea-2026.yaml"


def test_a_model_file_given_as_the_instance_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(InputError) as caught:
        allocator.load_instance(ROOT / "models" / "talent-first.yaml")
    assert len(caught.value.issues) == 1
    assert "this is a model file, not an instance; pass it with --model" in str(caught.value)
    assert main(["solve", str(ROOT / "models" / "talent-first.yaml")]) == 2
    err = capsys.readouterr().err
    assert "this is a model file" in err
    assert err.count("\n  - ") == 1  # one message, not eight field errors


def test_an_instance_given_as_the_model_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    toy = ROOT / "instances" / "toy.yaml"
    assert main(["solve", str(KOREA), "--model", str(toy)]) == 2
    err = capsys.readouterr().err
    assert "this is an instance file, not a model; pass it as the instance" in err


def test_a_scenario_given_as_the_instance_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(ROOT / "scenarios" / "ngf-3-to-1.yaml")]) == 2
    assert "this is a scenario file" in capsys.readouterr().err


def test_a_missing_file_gets_the_closest_names(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"did you mean .*korea-2026\.yaml"):
        allocator.load_instance(ROOT / "instances" / "korea-2062.yaml")


def test_a_weight_on_a_kpi_without_a_target_is_a_warning(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """talent-first weighs AI experts, national GPUs and the adoption rates; korea-2026 sets a
    target only for public GPUs, so those weights do nothing there."""
    inst = allocator.load_instance(KOREA)
    load._WARNED.clear()
    with pytest.warns(InputWarning, match="ai_experts, .* have no target in korea-2026") as seen:
        allocator.solve(inst, ROOT / "models" / "talent-first.yaml")
    assert "targets.weights" in str(seen[0].message)
    load._WARNED.clear()
    assert main(["solve", str(KOREA), "--model", str(ROOT / "models" / "talent-first.yaml")]) == 0
    err = capsys.readouterr().err
    assert "allocator: warning: " in err
    assert "their weights do nothing here" in err
    load._WARNED.clear()
    with warnings.catch_warnings():
        warnings.simplefilter("error", InputWarning)  # its own model: the pairing is the author's
        allocator.solve(inst)
    five = allocator.load_instance(ROOT / "instances" / "korea-2026-2030.yaml")
    assert (
        load.weight_warning(allocator.load_model(ROOT / "models" / "talent-first.yaml"), five)
        is None
    )
