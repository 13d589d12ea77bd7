"""The shipped instances and models: the toy optimum worked out by hand, every Korea figure
sourced, every instance × model pair solved and verified, and golden objectives and pillar totals.

Regenerate the goldens after an intended change with:
    ALLOCATOR_REGENERATE=1 .venv/bin/python -m pytest tests/test_instances.py
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

import allocator
from allocator.schema.provenance import unsourced

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "golden" / "instances.json"
KOREA = ["korea-2026", "korea-2026-2030"]
REGIMES = ["national-ai-2026", "gpu-first", "talent-first"]


def test_toy_optimum_matches_the_hand_derivation() -> None:
    """See the comment at the top of instances/toy.yaml."""
    res = allocator.solve(allocator.load_instance(ROOT / "instances" / "toy.yaml"))
    assert res.status == allocator.Status.optimal
    assert res.verified
    assert res.objective == pytest.approx(310)
    gov = res.allocation.query("source == 'government'").set_index(["line", "year"]).amount
    expected = {
        ("gpu", 2026): 40,
        ("data", 2026): 30,
        ("fellows", 2026): 30,
        ("gpu", 2027): 60,
        ("data", 2027): 10,
        ("fellows", 2027): 30,
    }
    assert gov.to_dict() == pytest.approx(expected)
    duals = res.explain().set_index("rule").shadow_price
    assert duals["budget[2026]"] == pytest.approx(1.35)
    assert duals["pillar_share_min[talent,2027]"] == pytest.approx(-0.5)
    assert duals["ramp_up[gpu,2027]"] == pytest.approx(1.0)
    assert duals["line_max[gpu,2026]"] == pytest.approx(2.0)
    assert duals["target[gpus,2027]"] == pytest.approx(-0.05)


@pytest.mark.parametrize("name", [*KOREA, "toy"])
def test_every_figure_has_provenance(name: str) -> None:
    inst = allocator.load_instance(ROOT / "instances" / f"{name}.yaml")
    assert unsourced(inst) == []


def _solve_all() -> dict[str, dict[str, object]]:
    out: dict[str, dict[str, object]] = {}
    for name in KOREA:
        inst = allocator.load_instance(ROOT / "instances" / f"{name}.yaml")
        own = Path(inst.model or "").stem
        for regime in sorted({*REGIMES, own}):
            res = allocator.solve(inst, ROOT / "models" / f"{regime}.yaml")
            assert res.status == allocator.Status.optimal, (name, regime, res.status)
            assert res.verified, res.violations
            pillars = res.pillars.groupby("pillar")[["government", "private"]].sum()
            out[f"{name}/{regime}"] = {
                "objective": res.objective,
                "government": pillars.government.round(6).to_dict(),
                "private": pillars.private.round(6).to_dict(),
            }
    return out


def test_korea_goldens() -> None:
    """Objectives and pillar totals of every Korea instance × regime, pinned."""
    got = _solve_all()
    if os.environ.get("ALLOCATOR_REGENERATE"):
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_text(json.dumps(got, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    want = json.loads(GOLDEN.read_text(encoding="utf-8"))
    assert set(got) == set(want)
    for key, case in want.items():
        assert got[key]["objective"] == pytest.approx(case["objective"], rel=1e-6), key
        for source in ("government", "private"):
            assert got[key][source] == pytest.approx(case[source], rel=1e-6, abs=1e-3), key
