"""The `allocator` command: output, exit codes, and no traceback on bad input."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import yaml

from allocator.cli import main
from tests.helpers import tiny

MODEL = {"name": "m", "rules": [{"rule": "pillar_share", "pillar": "b", "min": 0.4}]}


@pytest.fixture
def files(tmp_path: Path) -> Path:
    (tmp_path / "m.yaml").write_text(yaml.safe_dump(MODEL), encoding="utf-8")
    data = tiny(model="m.yaml")
    (tmp_path / "inst.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    return tmp_path


def test_solve_prints_the_split_in_bn_and_jo_eok(
    files: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["solve", str(files / "inst.yaml")]) == 0
    out = capsys.readouterr().out
    assert "optimal" in out
    assert "verified" in out
    assert "Pillar A" in out
    assert "60.0 billion won" in out
    assert "total" in out
    assert "100.0 billion won" in out
    assert main(["solve", str(files / "inst.yaml"), "--lang", "ko"]) == 0
    out = capsys.readouterr().out
    assert "600억원" in out
    assert "1,000억원" in out


def test_solve_json_and_out_dir(files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out_dir = files / "result"
    assert main(["solve", str(files / "inst.yaml"), "--format", "json", "--out", str(out_dir)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["status"] == "optimal"
    assert data["objective"] == pytest.approx(220)
    assert data["verified"] is True
    assert {p["pillar"]: p["government"] for p in data["pillars"]} == pytest.approx(
        {"a": 60, "b": 40}
    )
    assert sorted(p.name for p in out_dir.iterdir()) == [
        "allocation.csv",
        "kpis.csv",
        "manifest.json",
        "pillars.csv",
        "summary.json",
    ]
    manifest = json.loads((out_dir / "manifest.json").read_text(encoding="utf-8"))
    assert set(manifest["versions"]) == {"allocator", "pyomo", "highspy"}
    assert set(manifest["inputs"]) == {str(files / "inst.yaml"), str(files / "m.yaml")}
    assert manifest["options"]["mip_gap"] == 1e-7


def test_infeasible_exits_1_in_plain_words(files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tiny(
        model="m.yaml",
        lines=[
            {"id": "x", "name": "X", "pillar": "a", "min": 70},
            {"id": "y", "name": "Y", "pillar": "b", "min": 40},
        ],
    )
    (files / "bad.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    assert main(["solve", str(files / "bad.yaml"), "--out", str(files / "o")]) == 1
    assert "infeasible: the rules cannot all hold at once" in capsys.readouterr().out
    assert json.loads((files / "o" / "summary.json").read_text())["status"] == "infeasible"
    assert not (files / "o" / "allocation.csv").exists()


def test_bad_input_exits_2_without_traceback(files: Path) -> None:
    (files / "bad.yaml").write_text("name: x\nyears: [2026]\nbudget: lots\n", encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "allocator.cli", "solve", str(files / "bad.yaml")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert "bad.yaml: budget = 'lots': cannot read 'lots' as money" in proc.stderr
    assert "bad.yaml: pillars: required field is missing" in proc.stderr
    assert proc.stdout == ""


def test_the_program_ends_with_everything_written(files: Path) -> None:
    """`allocator` ends without tearing down Python's heap (`cli.run`): what it printed and
    every file it wrote are complete, its exit handlers ran, and the exit code is `main`'s."""
    handler = files / "handler.py"
    handler.write_text(
        "import atexit, pathlib, runpy, sys\n"
        f"atexit.register(pathlib.Path({str(files / 'ran')!r}).touch)\n"
        "sys.argv[0] = 'allocator'\n"
        "runpy.run_module('allocator.cli', run_name='__main__')\n",
        encoding="utf-8",
    )
    out = files / "out"
    command = [sys.executable, str(handler), "solve", str(files / "inst.yaml")]
    proc = subprocess.run([*command, "--format", "json"], capture_output=True, check=False)
    assert proc.returncode == 0
    assert json.loads(proc.stdout)["status"] == "optimal"
    assert (files / "ran").exists()
    proc = subprocess.run([*command, "--out", str(out)], capture_output=True, check=False)
    assert proc.returncode == 0
    assert json.loads((out / "summary.json").read_text(encoding="utf-8"))["verified"] is True
    assert (out / "allocation.csv").read_text(encoding="utf-8").endswith("\n")
    proc = subprocess.run([*command[:-1], str(files / "nothing.yaml")], capture_output=True)
    assert proc.returncode == 2


def test_the_quick_ending_waits_for_threads_but_not_the_idle_highs_one(files: Path) -> None:
    """After a solve allocator's HiGHS thread waits for the next run: the program still ends
    quickly (`cli.run`); any other thread makes it end the ordinary way."""
    from allocator.cli import _others_running

    assert main(["solve", str(files / "inst.yaml"), "--format", "json"]) == 0
    assert any(t.name == "allocator-highs" for t in threading.enumerate())
    assert not _others_running()
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert _others_running()
    finally:
        stop.set()
        other.join()


def test_bad_output_dir_is_left_untouched(files: Path) -> None:
    out = files / "out"
    out.mkdir()
    (out / "keep.txt").write_text("previous run", encoding="utf-8")
    assert main(["solve", str(files / "missing.yaml"), "--out", str(out)]) == 2
    assert (out / "keep.txt").read_text(encoding="utf-8") == "previous run"


def test_validate(files: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(files / "inst.yaml")]) == 0
    assert "valid" in capsys.readouterr().out
    (files / "m2.yaml").write_text(yaml.safe_dump({"name": "m2", "objective": "max_imp"}))
    assert main(["validate", str(files / "inst.yaml"), "--model", str(files / "m2.yaml")]) == 2


def test_schema_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema", "model"]) == 0
    assert json.loads(capsys.readouterr().out)["title"] == "ModelSpec"
    assert main(["schema", "instance", "--out", str(tmp_path / "s.json")]) == 0
    assert "lines" in json.loads((tmp_path / "s.json").read_text())["properties"]


def test_the_command_loads_no_solver_until_a_command_needs_one() -> None:
    """`import allocator.cli` (and so `allocator validate`, `allocator schema`) loads no Pyomo,
    HiGHS or SciPy: the commands import the solving layers when they run."""
    code = (
        "import sys, allocator.cli, allocator.words; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'pyomo', 'highspy', 'scipy'}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
