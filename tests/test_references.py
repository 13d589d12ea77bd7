"""Files an instance names stay in its folder (CSV tables) or the folder holding it (its model)
unless the user allows otherwise; no message shows another file's contents; what is not a file
is named for what it is."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

import allocator
from allocator import InputError
from allocator.cli import main
from tests.helpers import tiny

SECRET = "API_KEY=hunter2-do-not-print"


def layout(tmp_path: Path, **changes: object) -> Path:
    """tmp/secret.env, tmp/far/lines.csv and m.yaml, tmp/proj/inst.yaml."""
    (tmp_path / "secret.env").write_text(SECRET + "\n")
    (tmp_path / "secret.yaml").write_text(SECRET + "\n")
    far = tmp_path / "far"
    far.mkdir()
    (far / "lines.csv").write_text("id,name,pillar,impact\nx,X,a,1\n")
    (far / "m.yaml").write_text("name: far\n")
    proj = tmp_path / "proj" / "inst"
    proj.mkdir(parents=True)
    (proj / "inst.yaml").write_text(yaml.safe_dump(tiny(**changes)))
    return proj / "inst.yaml"


@pytest.mark.parametrize(
    ("changes", "says"),
    [
        ({"model": "../../secret.env"}, "is not a model file"),
        ({"model": "../../secret.yaml"}, "lies outside"),
        ({"model": str(Path("/etc/hostname.yaml"))}, "lies outside"),
        ({"model": "../../far/m.yaml"}, "lies outside"),
        ({"lines": "../../far/lines.csv"}, "lies outside"),
        ({"lines": "/etc/lines.csv"}, "lies outside"),
    ],
)
def test_references_outside_the_instance_folder_are_refused(
    changes: dict[str, object], says: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = layout(tmp_path, **changes)
    assert main(["solve", str(path)]) == 2
    err = capsys.readouterr().err
    field = next(iter(changes))
    assert f"{path}: {field} = " in err
    assert says in err
    assert "--allow-outside" in err or "not a model file" in err
    assert "hunter2" not in err


def test_allow_outside_reads_them(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = layout(tmp_path, lines="../../far/lines.csv", model="../../far/m.yaml")
    assert main(["validate", str(path), "--allow-outside"]) == 0
    assert "model far" in capsys.readouterr().out
    assert "ALLOCATOR_ALLOW_OUTSIDE" not in os.environ  # the switch lasts one command
    inst = allocator.load_instance(path, allow_outside=True)
    assert inst.lines[0].id == "x"
    with pytest.raises(InputError, match="lies outside"):
        allocator.load_instance(path)


def test_a_model_beside_the_instance_folder_is_read(tmp_path: Path) -> None:
    """The layout `instances/` beside `models/`: `model: ../models/m.yaml`."""
    path = layout(tmp_path, model="../m.yaml")
    (path.parent.parent / "m.yaml").write_text("name: beside\n")
    res = allocator.solve(allocator.load_instance(path))
    assert res.model.name == "beside"


def test_a_model_file_is_never_quoted(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`model: ../secret.env` once printed the first 80 characters of that file."""
    path = layout(tmp_path, model="../secret.yaml")
    (path.parent.parent / "secret.yaml").write_text(SECRET + "\n")
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert "the file holds a single value (str)" in err
    assert "hunter2" not in err


def test_a_fifo_is_named_as_such(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fifo = tmp_path / "inst.yaml"
    os.mkfifo(fifo)
    assert main(["validate", str(fifo)]) == 2  # never opened: reading it would block
    assert f"{fifo}: a FIFO (named pipe), not a file" in capsys.readouterr().err
    path = layout(tmp_path, lines="lines.csv")
    os.mkfifo(path.parent / "lines.csv")
    assert main(["validate", str(path)]) == 2
    assert "lines.csv is a FIFO (named pipe)" in capsys.readouterr().err


def test_a_device_is_named_as_such(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "/dev/null"]) == 2
    assert "/dev/null: a character device, not a file" in capsys.readouterr().err
    assert main(["solve", str(Path("/dev/null")), "--model", "/dev/zero"]) == 2
    assert "not a file" in capsys.readouterr().err
