"""A plan given as amounts (line, year, source, money) turned into the numbers the checker reads.

Everything else follows from the money: a go/no-go line is selected when it has money in some
year from some source; whole units are money / unit_cost (a non-whole count stays as it is, for
the whole-units check to report); units started (lines with a span) are what the units in service
need beyond the cohorts still running; government money not spent in a year is carried into the
next as far as the instance's carry-over cap allows."""

from __future__ import annotations

from collections.abc import Iterable

from allocator.check.plan import Plan
from allocator.schema import Instance
from allocator.schema.base import for_year
from allocator.schema.plans import GOVERNMENT, PRIVATE, PlanRow


def plan_from_amounts(inst: Instance, rows: Iterable[PlanRow]) -> Plan:
    """The checker's `Plan` for money per line, year and source (absent amounts are 0)."""
    gov = {(line.id, y): 0.0 for line in inst.lines for y in inst.years}
    private = {(line.id, y): 0.0 for line in inst.lines for y in inst.years}
    draws = {(f.id, lid, y): 0.0 for f in inst.funds for lid in f.lines for y in inst.years}
    for row in rows:
        if row.source == GOVERNMENT:
            gov[row.line, row.year] = row.amount
        elif row.source == PRIVATE:
            private[row.line, row.year] = row.amount
        else:
            draws[row.source, row.line, row.year] = row.amount
    plan = Plan(gov=gov, private=private, selected={}, units={}, draws=draws)
    drawn: dict[tuple[str, int], float] = {}
    for (_, lid, y), amount in draws.items():
        drawn[lid, y] = drawn[lid, y] + amount if (lid, y) in drawn else amount
    for line in inst.lines:
        money = {
            y: gov.get((line.id, y), 0.0)
            + private.get((line.id, y), 0.0)
            + drawn.get((line.id, y), 0)
            for y in inst.years
        }
        if line.select:
            plan.selected[line.id] = any(m > 0 for m in money.values())
        if line.integer and line.unit_cost:
            for y in inst.years:
                plan.units[line.id, y] = money[y] / line.unit_cost
        if line.span:
            for i, y in enumerate(inst.years):
                running = sum(plan.starts[line.id, x] for x in inst.years[:i] if y - line.span < x)
                plan.starts[line.id, y] = plan.units.get((line.id, y), 0.0) - running
    plan.carry = _carry(inst, plan)
    return plan


def _carry(inst: Instance, plan: Plan) -> dict[int, float]:
    """Unspent government money carried forward, each year as much as the cap allows."""
    carry: dict[int, float] = {}
    if inst.carryover is None:
        return carry
    years = inst.years
    carried_in = 0.0
    for y in years[:-1]:
        spent = sum(plan.g(line.id, y) for line in inst.lines)
        cap = for_year(inst.carryover, y, 0.0) or 0.0
        out = min(cap, max(0.0, inst.budget_in(y) + carried_in - spent))
        carry[y] = out
        carried_in = out
    return carry
