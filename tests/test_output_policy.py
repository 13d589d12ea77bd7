"""One output policy for every writer (`allocator.schema.output`): nothing is overwritten without
--force, no file the run read is ever written over or deleted, --force on a folder replaces only
what an earlier result wrote there, one writer at a time, staged writes, the umask respected,
links judged by what they point to. Each data-loss case of issue 17 is here."""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

import allocator
from allocator.cli import main
from allocator.errors import OutputError, OutputExistsError
from allocator.schema import output
from tests.helpers import ROOT

TOY = ROOT / "instances" / "toy.yaml"
LINES = "id,name,pillar,impact,max,leverage\nx,Line X,a,3,80,1\ny,Line Y,b,1,100,0\n"
BASE = """name: base
years: [2026]
model: model.yaml
pillars:
  - {id: a, name: Pillar A}
  - {id: b, name: Pillar B}
budget: 100
private_pool: 30
lines: lines.csv
"""
MODEL = "name: model\nrules:\n  - {rule: pillar_share, pillar: b, min: 0.2}\n"


def project(tmp_path: Path) -> Path:
    """A project folder: an instance whose lines are a CSV table, its model, and a note."""
    proj = tmp_path / "proj"
    proj.mkdir()
    (proj / "base.yaml").write_text(BASE, encoding="utf-8")
    (proj / "lines.csv").write_text(LINES, encoding="utf-8")
    (proj / "model.yaml").write_text(MODEL, encoding="utf-8")
    (proj / "notes.txt").write_text("my notes\n", encoding="utf-8")
    return proj / "base.yaml"


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` (hidden ones too) and its bytes."""
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def leftovers(folder: Path) -> list[str]:
    """Staging and lock files anywhere under `folder`."""
    return [p.name for p in folder.rglob("*") if ".allocator-" in p.name]


@pytest.fixture
def umask() -> Iterator[None]:
    """Restore the process's umask after a test that sets it."""
    old = os.umask(0o022)
    os.umask(old)
    yield
    os.umask(old)


# -- never over an input, even with --force ------------------------------------------------------


def test_solve_xlsx_onto_its_own_input_workbook_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    book = tmp_path / "plan.xlsx"
    assert main(["export", str(TOY), "--out", str(book)]) == 0
    before = book.read_bytes()
    for force in ([], ["--force"]):
        assert main(["solve", str(book), "--xlsx", str(book), *force]) == 2
        err = capsys.readouterr().err
        assert f"{book}: this is a file the run reads" in err
        assert book.read_bytes() == before
    assert allocator.load_instance(book).name == "toy"


@pytest.mark.parametrize(
    ("command", "target"),
    [
        (["report", "{inst}", "--out", "{target}", "--force"], "base.yaml"),
        (["report", "{inst}", "--out", "{target}", "--force"], "model.yaml"),
        (["explain", "{inst}", "--audit", "{target}", "--force"], "lines.csv"),
        (
            ["sweep", "{inst}", "--vary", "budget=90,110", "--out", "{target}", "--force"],
            "lines.csv",
        ),
        (["frontier", "{inst}", "--kpi", "k", "--out", "{target}", "--force"], "lines.csv"),
        (["solve", "{inst}", "--out", "{target}", "--force"], "lines.csv"),
    ],
)
def test_no_writer_writes_over_a_file_the_run_read(
    command: list[str], target: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`sweep --out lines.csv` once replaced the instance's own table, so it no longer loaded."""
    inst = project(tmp_path)
    before = snapshot(tmp_path)
    args = [a.format(inst=inst, target=inst.parent / target) for a in command]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert str(inst.parent / target) in err
    assert "Traceback" not in err
    assert snapshot(tmp_path) == before
    assert allocator.load_instance(inst).lines[0].id == "x"


def test_force_never_deletes_a_folder_allocator_did_not_write(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`solve proj/base.yaml --out proj --force` once deleted proj: the instance, the model and
    an unrelated notes.txt."""
    inst = project(tmp_path)
    before = snapshot(tmp_path)
    assert main(["solve", str(inst), "--out", str(inst.parent), "--force"]) == 2
    err = capsys.readouterr().err
    assert "holds files allocator did not write" in err
    assert snapshot(tmp_path) == before


def test_out_dot_with_force_is_a_located_refusal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    inst = project(tmp_path)
    monkeypatch.chdir(inst.parent)
    before = snapshot(tmp_path)
    assert main(["solve", "base.yaml", "--out", ".", "--force"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("allocator: .")
    assert "(the current folder)" in err
    assert "internal error" not in err
    assert snapshot(tmp_path) == before


def test_force_replaces_only_the_files_a_result_wrote(tmp_path: Path) -> None:
    inst, out = project(tmp_path), tmp_path / "out"
    assert main(["solve", str(inst), "--out", str(out)]) == 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert sorted(manifest["outputs"]) == [
        "allocation.csv",
        "kpis.csv",
        "pillars.csv",
        "summary.json",
    ]
    fresh = (out / "allocation.csv").read_bytes()
    (out / "allocation.csv").write_text("edited by hand\n")
    (out / "notes.txt").write_text("mine\n")
    assert main(["solve", str(inst), "--out", str(out)]) == 2  # not without --force
    assert main(["solve", str(inst), "--out", str(out), "--force"]) == 0
    assert (out / "allocation.csv").read_bytes() == fresh
    assert (out / "notes.txt").read_text() == "mine\n"
    assert leftovers(tmp_path) == []


def test_force_refuses_to_replace_a_file_the_manifest_does_not_list(tmp_path: Path) -> None:
    res = allocator.solve(allocator.load_instance(TOY))
    out = res.to_dir(tmp_path / "out")
    manifest = json.loads((out / "manifest.json").read_text())
    del manifest["outputs"]["kpis.csv"]
    (out / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(OutputError, match=r"kpis\.csv exists and allocator did not write it"):
        res.to_dir(out, force=True)


# -- links are judged by what they point to -----------------------------------------------------


def test_a_link_to_the_instance_folder_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inst = project(tmp_path)
    link = tmp_path / "out"
    link.symlink_to(inst.parent, target_is_directory=True)
    before = snapshot(tmp_path / "proj")
    assert main(["solve", str(inst), "--out", str(link), "--force"]) == 2
    err = capsys.readouterr().err
    assert f"{link} (a link to {inst.parent})" in err
    assert "internal error" not in err
    assert snapshot(tmp_path / "proj") == before


def test_a_link_to_an_input_file_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inst = project(tmp_path)
    link = tmp_path / "audit.csv"
    link.symlink_to(inst.parent / "lines.csv")
    assert main(["explain", str(inst), "--audit", str(link), "--force"]) == 2
    assert "this is a file the run reads" in capsys.readouterr().err
    assert (inst.parent / "lines.csv").read_text() == LINES


def test_a_link_to_a_new_place_is_written_there(tmp_path: Path) -> None:
    link, real = tmp_path / "out", tmp_path / "elsewhere"
    link.symlink_to(real, target_is_directory=True)
    assert main(["solve", str(TOY), "--out", str(link)]) == 0
    assert (real / "allocation.csv").is_file()
    assert link.is_symlink()


# -- existing files need --force ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("command", "name"),
    [
        (["report", str(TOY), "--out", "{target}"], "report.html"),
        (["explain", str(TOY), "--audit", "{target}"], "audit.csv"),
        (["schema", "--out", "{target}"], "schema.json"),
        (["template", "{target}"], "plan.xlsx"),
        (["export", str(TOY), "--out", "{target}"], "toy.xlsx"),
        (["sweep", str(TOY), "--vary", "budget=90,110", "--out", "{target}", "--quiet"], "s.csv"),
        (["frontier", str(TOY), "--kpi", "gpus", "--points", "3", "--out", "{target}"], "f.csv"),
        (["solve", str(TOY), "--xlsx", "{target}"], "plan.xlsx"),
    ],
)
def test_every_writer_needs_force_to_replace_a_file(
    command: list[str], name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / name
    target.write_text("precious\n")
    args = [a.format(target=target) for a in command]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert f"{target}: the file exists; pass force=True (--force) to replace it" in err
    assert target.read_text() == "precious\n"
    assert main([*args, "--force"]) == 0
    assert target.read_bytes() != b"precious\n"
    assert leftovers(tmp_path) == []


def test_api_writers_need_force(tmp_path: Path) -> None:
    res = allocator.solve(allocator.load_instance(TOY))
    page = tmp_path / "r.html"
    allocator.report.html.write(res, page)
    book = allocator.report.workbook.write_result(res, tmp_path / "r.xlsx")
    saved = allocator.save(res.instance, tmp_path / "i.yaml")
    for write in (
        lambda: allocator.report.html.write(res, page),
        lambda: allocator.report.workbook.write_result(res, book),
        lambda: allocator.save(res.instance, saved),
        lambda: allocator.results.output.write_table(res.pillars, page.with_suffix(".csv")),
    ):
        page.with_suffix(".csv").write_text("x\n")
        with pytest.raises(OutputExistsError, match="force"):
            write()


# -- one writer at a time; what a killed writer leaves behind -----------------------------------


def test_a_held_target_refuses_a_second_writer(tmp_path: Path) -> None:
    target = output.target(tmp_path / "t.csv")
    second = output.target(tmp_path / "t.csv")
    busy = pytest.raises(OutputError, match="another allocator run is writing it now")
    with output.claim(target), busy:
        output.write_file(second, lambda p: p.write_text("b"))
    output.write_file(output.target(tmp_path / "t.csv"), lambda p: p.write_text("c"))
    assert (tmp_path / "t.csv").read_text() == "c"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.csv"]


def test_concurrent_runs_to_one_out_leave_one_winner(tmp_path: Path) -> None:
    """Eight concurrent `solve --out` runs to one folder once all "succeeded", overwriting each
    other; now the first to write wins and the others are refused."""
    out = tmp_path / "out"
    command = [sys.executable, "-m", "allocator.cli", "solve", str(TOY), "--out", str(out)]
    runs = [
        subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(6)
    ]
    finished = [(run.wait(timeout=120), run.communicate()[1]) for run in runs]
    codes = sorted(code for code, _ in finished)
    assert codes == [0, 2, 2, 2, 2, 2], finished
    for code, err in finished:
        if code == 2:
            assert "exists" in err or "another allocator run" in err, err
    written = json.loads((out / "manifest.json").read_text())["outputs"]
    assert sorted(p.name for p in out.iterdir()) == sorted([*written, "manifest.json"])
    assert leftovers(tmp_path) == []


KILLED = """
import os, signal, sys
import allocator
from allocator.schema import output
res = allocator.solve(allocator.load_instance(sys.argv[1]))
real = output.to_csv
def dies(frame, path):
    real(frame, path)
    os.kill(os.getpid(), signal.SIGKILL)  # killed while writing the folder
output.to_csv = dies
res.to_dir(sys.argv[2])
"""


def test_a_writer_killed_midway_leaves_nothing_that_stays(tmp_path: Path) -> None:
    out = tmp_path / "out"
    run = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(KILLED), str(TOY), str(out)],
        capture_output=True,
        check=False,
        timeout=120,
    )
    assert run.returncode == -signal.SIGKILL
    assert not out.exists()
    assert leftovers(tmp_path)  # its staging and lock file
    allocator.solve(allocator.load_instance(TOY)).to_dir(out)
    assert leftovers(tmp_path) == []
    assert (out / "allocation.csv").is_file()


# -- permissions follow the umask --------------------------------------------------------------


@pytest.mark.usefixtures("umask")
@pytest.mark.parametrize("mask", [0o022, 0o077])
def test_outputs_follow_the_umask(mask: int, tmp_path: Path) -> None:
    res = allocator.solve(allocator.load_instance(TOY))
    os.umask(mask)
    folder = res.to_dir(tmp_path / "out")
    files = [
        folder / "allocation.csv",
        allocator.report.workbook.write_result(res, tmp_path / "plan.xlsx"),
        allocator.report.html.write(res, tmp_path / "r.html"),
        allocator.results.output.write_table(res.pillars, tmp_path / "p.csv"),
        allocator.save(res.instance, tmp_path / "i.yaml"),
    ]
    for path in files:
        assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~mask, path
    assert stat.S_IMODE(folder.stat().st_mode) == 0o777 & ~mask
