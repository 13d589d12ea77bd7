"""Differential test: allocator.solve against the independent highspy reference (§4).

Cases come from tests/generate.py: feasible by construction or infeasible by construction, LP and
MIP. The library and the reference must agree on the status and, when optimal, on the objective
(relative 1e-6, absolute 1e-6 near zero).
"""

from __future__ import annotations

import math

import pytest

import allocator
from tests.generate import random_case
from tests.reference import reference_solve

SEEDS = range(50)
CASES = [
    pytest.param(
        seed, mip, infeasible, id=f"{'mip' if mip else 'lp'}-{'inf' if infeasible else 'ok'}-{seed}"
    )
    for mip in (False, True)
    for infeasible in (False, True)
    for seed in SEEDS
]


@pytest.mark.parametrize(("seed", "mip", "infeasible"), CASES)
def test_library_matches_reference(seed: int, mip: bool, infeasible: bool) -> None:
    inst_dict, model_dict = random_case(seed, mip=mip, infeasible=infeasible)
    ref_status, ref_obj = reference_solve(inst_dict, model_dict, mip_gap=1e-9)
    inst = allocator.Instance.model_validate(inst_dict)
    model = allocator.ModelSpec.model_validate(model_dict)
    res = allocator.solve(inst, model, mip_gap=1e-9)
    status = str(getattr(res.status, "value", res.status))
    assert status == ref_status, (inst_dict, model_dict)
    if ref_obj is not None:
        assert res.objective is not None
        assert math.isclose(res.objective, ref_obj, rel_tol=1e-6, abs_tol=1e-6), (
            res.objective,
            ref_obj,
            inst_dict,
            model_dict,
        )
