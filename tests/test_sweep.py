"""solve_many: one HiGHS session across a sweep gives the same answers as solving each point."""

from __future__ import annotations

from pathlib import Path

import pytest

import allocator

ROOT = Path(__file__).resolve().parent.parent


def _points(name: str, factors: list[float]) -> list[allocator.Instance]:
    inst = allocator.load_instance(ROOT / "instances" / name)
    out = []
    for f in factors:
        budget = {y: inst.budget_in(y) * (f if y == inst.years[0] else 1.0) for y in inst.years}
        out.append(allocator.Instance.model_validate({**inst.model_dump(), "budget": budget}))
    return out


@pytest.mark.parametrize("warm", [False, True])
@pytest.mark.parametrize(
    ("name", "model"),
    [
        ("toy.yaml", "toy.yaml"),  # LP
        ("korea-2026.yaml", "national-ai-2026.yaml"),  # MIP (go/no-go lines)
    ],
)
def test_sweep_matches_separate_solves(name: str, model: str, warm: bool) -> None:
    points = _points(name, [0.9, 1.0, 1.05, 1.2, 0.95])
    spec = allocator.load_model(ROOT / "models" / model)
    swept = list(allocator.solve_many(points, spec, warm=warm))
    for inst, res in zip(points, swept, strict=True):
        alone = allocator.solve(inst, spec)
        assert res.status == alone.status
        if alone.status == allocator.Status.optimal:
            assert res.verified, res.violations
            assert res.objective == pytest.approx(alone.objective, rel=1e-7)


def test_a_change_of_shape_reloads_the_session() -> None:
    inst = allocator.load_instance(ROOT / "instances" / "toy.yaml")
    spec = allocator.load_model(ROOT / "models" / "toy.yaml")
    data = inst.model_dump()
    data["lines"] = data["lines"][:2]
    fewer = allocator.Instance.model_validate(data)
    results = list(allocator.solve_many([inst, fewer, inst], spec))
    assert [r.status for r in results] == [allocator.Status.optimal] * 3
    assert results[0].objective == pytest.approx(310)
    assert results[2].objective == pytest.approx(310)
