"""The robust objective (Bertsimas & Sim 2004) on the three-line LP, worked by hand.

Budget 100; x (impact 3, max 80), y (impact 1), z (impact 2); band 0.5, so the impacts may fall by
d = 1.5, 0.5 and 1. With Γ = 1 the objective is 3x + y + 2z − max(1.5x, 0.5y, z): along x + z = 100
it is 2a + 100 for x = a ≤ 40 and 200 − a/2 above, so x 40, z 60 (worst case 180, nominal 240,
against the nominal optimum 280: a price of 40). With Γ = 2 both x's and z's falls count:
1.5x + y + z, so x 80 and 20 elsewhere: 140."""

from __future__ import annotations

import pytest

import allocator
from allocator.analysis.robust import robustness
from tests.helpers import gov

THREE = {
    "name": "three",
    "years": [2026],
    "pillars": [{"id": "a", "name": "A"}],
    "budget": 100,
    "lines": [
        {"id": "x", "name": "X", "pillar": "a", "impact": 3, "max": 80},
        {"id": "y", "name": "Y", "pillar": "a", "impact": 1, "max": 100},
        {"id": "z", "name": "Z", "pillar": "a", "impact": 2, "max": 100},
    ],
}


def spec(gamma: float) -> allocator.ModelSpec:
    return allocator.ModelSpec.model_validate(
        {"name": "robust", "robust": {"gamma": gamma, "band": 0.5}}
    )


def test_robust_gamma_one_by_hand() -> None:
    inst = allocator.Instance.model_validate(THREE)
    found = robustness(inst, spec(1))
    res = found.robust
    assert res.verified
    assert res.objective == pytest.approx(180.0)
    assert gov(res, "x") == pytest.approx(40.0)
    assert gov(res, "z") == pytest.approx(60.0)
    assert found.robust_nominal_value == pytest.approx(240.0)
    assert found.price == pytest.approx(40.0)
    assert "price of robustness is 40" in found.sentence()


def test_robust_gamma_two_and_zero() -> None:
    inst = allocator.Instance.model_validate(THREE)
    assert allocator.solve(inst, spec(2)).objective == pytest.approx(140.0)
    assert allocator.solve(inst, spec(0)).objective == pytest.approx(280.0)


def test_uncertainty_range_sets_the_fall() -> None:
    data = dict(THREE)
    data["uncertainty"] = {
        "parameters": [{"path": "lines.x.impact", "dist": "uniform", "low": 2.5, "high": 3.5}]
    }
    data["sources"] = [
        {"about": "lines.y.impact", "kind": "derived", "note": "from the unit costs"},
        {"about": "lines.z.impact", "kind": "derived", "note": "from the unit costs"},
    ]
    inst = allocator.Instance.model_validate(data)
    # only x may fall, by 0.5: 2.5x + 2z at worst, so x stays at 80: 200 + 40 = 240
    res = allocator.solve(inst, spec(1))
    assert res.objective == pytest.approx(240.0)
    assert gov(res, "x") == pytest.approx(80.0)


def test_robust_needs_max_impact() -> None:
    with pytest.raises(ValueError, match="robust protects the max_impact objective"):
        allocator.ModelSpec.model_validate(
            {"name": "m", "objective": "min_cost", "robust": {"gamma": 1}}
        )
