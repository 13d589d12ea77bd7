"""Every notebook in examples/ runs to the end in a fresh Jupyter kernel (nbclient), so none can go
stale; the Korea 2026 notebook shows the result as HTML and its charts as images."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbclient import NotebookClient

from tests.helpers import ROOT

NOTEBOOKS = sorted((ROOT / "examples").glob("*.ipynb"))


def execute(path: Path) -> Any:
    """The notebook after running every cell in a kernel started in examples/."""
    os.environ.setdefault("JUPYTER_PLATFORM_DIRS", "1")  # jupyter_core's path warning
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=600,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute()
    return notebook


def outputs(cell: Any, kind: str) -> list[Any]:
    return [o["data"][kind] for o in cell.get("outputs", []) if kind in o.get("data", {})]


def test_there_is_a_notebook() -> None:
    assert [p.name for p in NOTEBOOKS] == ["12_notebook.ipynb"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs(path: Path) -> None:
    notebook = execute(path)
    code = [c for c in notebook.cells if c.cell_type == "code"]
    errors = [o for c in code for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert errors == []
    assert all(c.get("outputs") for c in code)
    shown = {c.source.strip(): c for c in code}
    html = outputs(shown["res = allocator.solve(inst)\nres"], "text/html")
    assert "optimal: the best split under every rule" in html[0]
    assert "verified: every rule re-checked" in html[0]
    for chart in ("res.plot.split()", "res.plot.kpis()", "res.plot.funding()", "sweep.plot()"):
        assert outputs(shown[chart], "image/png"), chart
    last = "".join(o.get("text", "") for o in code[-1].outputs)
    assert "optimal True" in last
