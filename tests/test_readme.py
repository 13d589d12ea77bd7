"""Every command in the README is a test: the code blocks are read from README.md and each
command runs, from a folder holding `instances/`, `models/` and `scenarios/`, with its outputs in
a temporary folder.

A command line with optional parts (`[--out DIR]`) runs twice: bare, and with every optional part
given (the first of `a | b` alternatives, placeholders such as DIR or N filled in). Sample and
point counts are made small (`--samples 3`, `--points 3`, 3 sweep points) so the suite stays
quick; everything else is as printed. `make demo` runs the commands its recipe lists; `make test`
and `make docs` are dry-run (`make -n`): the suite is `make test`, and `tests/test_docs.py` builds
the site."""

from __future__ import annotations

import contextlib
import glob
import io
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

from allocator.cli import main
from tests.helpers import ROOT

README = ROOT / "README.md"
FILL = {"DIR": "out-dir", "S": "60", "M": "models/gpu-first.yaml", "N": "1"}
"""Placeholders of optional parts, filled in for the full form of a command."""
SMALL = [
    (re.compile(r"--samples \d+"), "--samples 3"),
    (re.compile(r"--points \d+"), "--points 3"),
    (re.compile(r"(--vary \S+=[\d.]+:[\d.]+:)\d+"), r"\g<1>3"),
]


def blocks(kind: str) -> list[str]:
    """The README's fenced code blocks of one kind (`sh`, `python`)."""
    return re.findall(rf"```{kind}\n(.*?)```", README.read_text(encoding="utf-8"), re.S)


def command_lines() -> list[str]:
    """Each shell command of the README, its continuation lines joined, comments dropped."""
    commands: list[str] = []
    for block in blocks("sh"):
        for raw in block.splitlines():
            line = raw.split("  #", 1)[0].rstrip()
            if not line.strip():
                continue
            if raw.startswith(" ") and commands:
                commands[-1] += " " + line.strip()
            else:
                commands.append(line.strip())
    return commands


def forms(command: str) -> list[str]:
    """The bare form (no optional parts) and, when there are any, the full form."""
    parts = re.findall(r"\[([^\]]*)\]", command)
    bare = re.sub(r"\s*\[[^\]]*\]", "", command)
    if not parts:
        return [bare]
    full = command
    for part in parts:
        choice = part.split(" | ")[0]
        choice = re.sub(r"(\S+)\|\S+", r"\1", choice)  # table|json → table
        choice = " ".join(FILL.get(word, word) for word in choice.split())
        full = full.replace(f"[{part}]", choice, 1)
    return [bare, re.sub(r"\s+", " ", full)]


def small(command: str) -> str:
    for pattern, replacement in SMALL:
        command = pattern.sub(replacement, command)
    if command.startswith("allocator montecarlo") and "--samples" not in command:
        command += " --samples 3"
    if command.startswith("allocator frontier") and "--points" not in command:
        command += " --points 3"
    return command


def runs() -> list[str]:
    """Every allocator command to run, in README order (later commands use earlier files)."""
    out: list[str] = []
    for command in command_lines():
        if command.startswith("allocator "):
            out += [small(form) for form in forms(command)]
    return out


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    here = tmp_path_factory.mktemp("readme")
    for name in ("instances", "models", "scenarios"):  # copies: a link would lead outside
        shutil.copytree(ROOT / name, here / name)
    return here


def run(command: str, folder: Path) -> tuple[int, str]:
    """Run one `allocator ...` line in-process from `folder`, as a shell would: globs expanded,
    `> FILE` written. Returns the exit code and what it printed."""
    words = shlex.split(command)[1:]
    target = None
    if ">" in words:
        at = words.index(">")
        words, target = words[:at], words[at + 1]
    expanded: list[str] = []
    with contextlib.chdir(folder):
        _clear_outputs(words)
        for word in words:
            found = sorted(glob.glob(word)) if any(c in word for c in "*?") else []
            expanded += found or [word]
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            code = main(expanded)
        if target is not None:
            Path(target).write_text(printed.getvalue(), encoding="utf-8")
    return code, printed.getvalue()


OUTPUT_FLAGS = ("--out", "--xlsx", "--audit", "--mps", "--lp")


def _clear_outputs(words: list[str]) -> None:
    """Remove what an earlier line wrote where this one writes: each line runs as on a fresh
    checkout (outputs are never replaced without --force)."""
    named = [words[i + 1] for i, w in enumerate(words[:-1]) if w in OUTPUT_FLAGS]
    if words[:1] == ["template"] and len(words) > 1:
        named.append(words[1])
    for name in named:
        path = Path(name)
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()


def test_the_readme_has_the_commands_it_should() -> None:
    commands = runs()
    assert any(
        c.startswith("allocator compare instances/korea-2026.yaml scenarios/*.yaml")
        for c in commands
    )
    assert len(commands) >= 20
    assert [c for c in command_lines() if c.startswith("make ")] == [
        "make demo",
        "make test",
        "make docs",
    ]


@pytest.mark.parametrize("command", runs())
def test_every_readme_command_runs(command: str, folder: Path) -> None:
    code, printed = run(command, folder)
    assert code == 0, f"{command}\n{printed[-2000:]}"
    if command.startswith("allocator compare") and "scenarios/" in command:
        assert "skipped — it is for korea-2026-2030" in printed  # and the others still ran
        assert printed.count(": optimal") >= 2


def test_make_targets(folder: Path) -> None:
    """`make demo` runs the solves its recipe lists; `make test` and `make docs` exist (the
    suite is `make test`; tests/test_docs.py builds the site)."""
    for target in ("test", "docs"):
        dry = subprocess.run(
            ["make", "-n", target], cwd=ROOT, capture_output=True, text=True, check=False
        )
        assert dry.returncode == 0, dry.stderr
    dry = subprocess.run(
        ["make", "-n", "demo"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    demo = [
        line.split("/allocator ", 1)[1] for line in dry.stdout.splitlines() if "/allocator " in line
    ]
    assert demo == ["solve instances/korea-2026.yaml", "solve instances/korea-2026-2030.yaml"]
    for command in demo:
        code, printed = run(f"allocator {command}", folder)
        assert code == 0, printed


def test_the_python_block_runs(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (code,) = blocks("python")
    with contextlib.chdir(folder):
        exec(compile(code, "README.md", "exec"), {"__name__": "readme"})
    assert (folder / "report.html").exists()
    assert (folder / "out" / "summary.json").exists()
    assert len(capsys.readouterr().out.split()) == 3  # the three objectives of the sweep
