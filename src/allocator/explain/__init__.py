"""Why this split: rule audit, shadow prices with validity ranges, the price of each policy, and
infeasibility in policy words with ranked repairs. Works on a built model and its HiGHS solution;
the results layer exposes it as `Result.audit()`, `Result.shadow_prices()` and so on."""

from allocator.explain.audit import audit
from allocator.explain.infeasible import Diagnosis, Repair, colliding, diagnose, reason
from allocator.explain.mip import default_resolves, step_function
from allocator.explain.policy_cost import price_of_policies
from allocator.explain.sensitivity import impact_ranges, shadow_prices, studies

__all__ = [
    "Diagnosis",
    "Repair",
    "audit",
    "colliding",
    "default_resolves",
    "diagnose",
    "impact_ranges",
    "price_of_policies",
    "reason",
    "shadow_prices",
    "step_function",
    "studies",
]
