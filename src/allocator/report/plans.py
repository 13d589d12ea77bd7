"""Text and JSON for a given plan: its score against every rule, its comparison with the optimum,
and the objective values under which it would be optimal."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from allocator.report import text as report
from allocator.results.result import Result

if TYPE_CHECKING:
    from allocator.analysis.implied import ImpliedValues
    from allocator.results.against import PlanComparison


def _num(x: Any) -> float | None:
    return float(x) if math.isfinite(float(x)) else None


def score(res: Result) -> str:
    """The scored plan: its split and KPIs (as for a solve), then the verdict on every rule."""
    out = [f"plan: {res.plan_origin}", report.table(res)]
    held = len(res.rules_held)
    if res.verified:
        out.append(f"\nthe plan satisfies every rule ({held} rule instances checked)")
    else:
        n = len(res.violations)
        out.append(f"\nthe plan breaks {n} rule instance{'s' if n != 1 else ''} ({held} hold):")
        for v in res.violations:
            figure = f"; figure {v.figure}" if v.figure else ""
            out.append(f"  - {v.name}: {v.text}; by {v.by:,.6g} {v.unit}{figure}")
    return "\n".join(out)


def score_json(res: Result) -> dict[str, Any]:
    """`{"status": "feasible" | "violates", "objective", "violations": [...], ...}`."""
    kpis = res.kpis
    return {
        "status": "feasible" if res.verified else "violates",
        "result_status": res.status.value,
        "instance": res.instance.name,
        "model": res.model.name,
        "plan": res.plan_origin,
        "objective": res.objective,
        "objective_kind": res.model.objective,
        "violations": [
            {
                "rule": v.name,
                "kind": v.kind,
                "by": v.by,
                "unit": v.unit,
                "figure": v.figure,
                "text": v.text,
            }
            for v in res.violations
        ],
        "rules_held": len(res.rules_held),
        "kpis": [
            {
                "kpi": r.kpi,
                "year": int(str(r.year)),
                "level": r.level,
                "target": _num(r.target),
                "shortfall": _num(r.shortfall),
            }
            for r in kpis.itertuples()
        ],
        "currency_unit": res.instance.currency_unit,
    }


def comparison(cmp: PlanComparison) -> str:
    """The plan beside the optimum: moves by line and by pillar and year, KPIs, the objective gap
    split by line, and the change to each broken rule's figure that would admit the plan."""
    unit = cmp.optimum.instance.currency_unit
    out = [
        f"plan {cmp.plan.plan_origin} against the optimum of {cmp.optimum.instance.name} under "
        f"{cmp.optimum.model.name} ({cmp.optimum.status.value})",
        f"objective: plan {cmp.plan.objective:,.6g}, optimum {cmp.optimum.objective:,.6g}, "
        f"gap {cmp.gap:,.6g} ({cmp.optimum.model.objective})",
    ]
    moves = cmp.lines[cmp.lines.move.abs() > 1e-9]
    out.append(f"\nmoves from the plan to the optimum ({unit}), {len(moves)} of {len(cmp.lines)}:")
    for r in moves.itertuples():
        out.append(
            f"  {r.line} {r.year} {r.source}: {r.plan:,.6g} → {r.optimum:,.6g} ({r.move:+,.6g})"
        )
    out.append("\nby pillar and year (government and private):")
    for r in cmp.pillars.itertuples():
        out.append(f"  {r.pillar} {r.year}: {r.plan:,.6g} → {r.optimum:,.6g} ({r.move:+,.6g})")
    if len(cmp.kpis):
        out.append("\nKPI levels:")
        for r in cmp.kpis.itertuples():
            out.append(
                f"  {r.kpi} {r.year}: {r.plan:,.6g} → {r.optimum:,.6g} ({r.difference:+,.6g})"
            )
    out.append("\nobjective gap by line (optimum − plan):")
    for r in cmp.objective_by_line[cmp.objective_by_line.gap.abs() > 1e-9].itertuples():
        out.append(f"  {r.line}: {r.plan:,.6g} → {r.optimum:,.6g} ({r.gap:+,.6g})")
    if len(cmp.repairs):
        out.append("\nrules the plan breaks, and the figure that would admit it:")
        for r in cmp.repairs.itertuples():
            out.append(f"  {r.rule}: {r.sentence}")
    return "\n".join(out)


def how_firm(firmness: Any) -> str:
    """The "how firm" section in words: the lines the rules settle, the lines the optimum does
    not decide (with the range within the slack), and how many are firm otherwise."""
    t = firmness.table
    out = [f"How firm is the optimum (plans within {firmness.slack * 100:g} % of the best):"]
    settled = t[t.verdict == "settled by the rules"]
    undecided = t[t.verdict == "not decided by the optimum"]
    out.append(f"  settled by the rules ({len(settled)} of {len(t)} lines):")
    out += [f"    {r.name}: {r.optimum:,.1f}" for r in settled.itertuples()] or ["    none"]
    out.append(f"  not decided by the optimum ({len(undecided)} of {len(t)} lines):")
    out += [
        f"    {r.name}: any amount from {r.low:,.1f} to {r.high:,.1f} (optimum {r.optimum:,.1f})"
        for r in undecided.itertuples()
    ] or ["    none"]
    rest = len(t) - len(settled) - len(undecided)
    if rest:
        out.append(f"  firm but not fixed ({rest} lines): they move by under 1 % of the largest")
    return "\n".join(out)


def implied(found: ImpliedValues) -> str:
    """Which values moved and by how much, in words."""
    out = [found.headline()]
    for r in found.values[found.values.changed].itertuples():
        before, after = float(str(r.given)), float(str(r.implied))
        out.append(f"  {r.figure}: {before:,.6g} → {after:,.6g} ({after - before:+,.6g})")
    out += [f"note: {n}" for n in found.notes]
    return "\n".join(out)


def implied_json(found: ImpliedValues) -> dict[str, Any]:
    """`{"total_change", "values": [{"figure", "given", "implied"}, ...], ...}`."""
    return {
        "possible": found.possible,
        "total_change": found.total_change,
        "weighted_change": found.weighted_change,
        "values": [
            {"figure": r.figure, "given": r.given, "implied": r.implied, "changed": bool(r.changed)}
            for r in found.values.itertuples()
        ],
        "held": found.held,
        "blocked_by": found.blocked_by,
        "notes": found.notes,
    }
