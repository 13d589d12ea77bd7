"""Long runs show progress on a terminal (frontier, Monte Carlo, near-optimal, explain), never
when --quiet or when the output is not a terminal; every infeasible point of a sweep or Monte
Carlo table says why, in a `reason` column (the families of the rules that collide)."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
import threading
from pathlib import Path

import pandas as pd
import pytest
import yaml

import allocator
from allocator import analysis as scenarios
from allocator.analysis import montecarlo as uncertainty
from tests.helpers import ROOT, tiny

TOY = ROOT / "instances" / "toy.yaml"
MODEL = allocator.ModelSpec.model_validate({"name": "m", "rules": []})
FLOORS = tiny(
    lines=[
        {"id": "x", "name": "Line X", "pillar": "a", "impact": 3, "max": 80, "min": 40},
        {"id": "y", "name": "Line Y", "pillar": "b", "impact": 1, "max": 100, "min": 50},
    ]
)
"""x needs at least 40 and y at least 50: a budget below 90 cannot pay both floors."""


def in_terminal(*args: str) -> str:
    """What the command writes to a terminal (stdout and stderr both a pseudo-terminal)."""
    leader, follower = pty.openpty()
    chunks: list[bytes] = []

    def read() -> None:
        while True:
            try:
                data = os.read(leader, 4096)
            except OSError:
                return
            if not data:
                return
            chunks.append(data)

    reader = threading.Thread(target=read)
    reader.start()
    try:
        subprocess.run(
            [sys.executable, "-m", "allocator.cli", *args],
            stdout=follower,
            stderr=follower,
            cwd=ROOT,
            timeout=300,
            check=False,
        )
    finally:
        os.close(follower)
        reader.join(timeout=10)
        os.close(leader)
    return b"".join(chunks).decode("utf-8", errors="replace")


@pytest.mark.parametrize(
    ("args", "unit"),
    [
        (["frontier", str(TOY), "--kpi", "gpus", "--points", "3"], "points/s"),
        (["near-optimal", str(TOY), "--alternatives", "1"], "solves/s"),
    ],
)
def test_progress_on_a_terminal_and_quiet_when_asked(args: list[str], unit: str) -> None:
    shown = in_terminal(*args)
    assert unit in shown
    assert " left" in shown
    assert unit not in in_terminal(*args, "--quiet")


def test_no_progress_when_the_output_is_not_a_terminal() -> None:
    run = subprocess.run(
        [sys.executable, "-m", "allocator.cli", "frontier", str(TOY), "--kpi", "gpus"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
        check=False,
    )
    assert run.returncode == 0
    assert "points/s" not in run.stderr + run.stdout


def test_montecarlo_shows_progress_on_a_terminal(tmp_path: Path) -> None:
    data = {**FLOORS, "model": "m.yaml"}
    data["uncertainty"] = {
        "seed": 3,
        "samples": 6,
        "parameters": [{"path": "budget", "dist": "uniform", "low": 70, "high": 120}],
    }
    (tmp_path / "m.yaml").write_text(yaml.safe_dump({"name": "m"}), encoding="utf-8")
    (tmp_path / "i.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    shown = in_terminal("montecarlo", str(tmp_path / "i.yaml"))
    assert "6/6 [" in shown
    assert "samples/s" in shown


def test_infeasible_sweep_points_say_why(tmp_path: Path) -> None:
    inst = allocator.Instance.model_validate(FLOORS)
    table = scenarios.sweep(inst, MODEL, [("budget", [80.0, 100.0])], tmp_path / "s.csv")
    infeasible = table[table.status == "infeasible"]
    assert len(infeasible) == 1
    assert infeasible.reason.iloc[0] == "budget; line_min"
    assert table[table.status == "optimal"].reason.isna().all()
    again = pd.read_csv(tmp_path / "s.csv")
    assert list(again.reason.fillna("")) == ["budget; line_min", ""]


def test_infeasible_monte_carlo_samples_say_why() -> None:
    data = dict(FLOORS)
    data["uncertainty"] = {
        "seed": 3,
        "parameters": [{"path": "budget", "dist": "uniform", "low": 70, "high": 120}],
    }
    run = uncertainty.monte_carlo(allocator.Instance.model_validate(data), MODEL, samples=20)
    t = run.table
    low = t.status == "infeasible"
    assert low.any()
    assert (t.reason[low] == "budget; line_min").all()
    assert t.reason[~low].isna().all()
